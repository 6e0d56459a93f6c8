"""Sync through the WFS-T adapter against a real WFS-T server nobody here wrote: QGIS Server (Debian's
qgis-server-wfs) publishing a GeoPackage patch layer, started by the tests on 127.0.0.1 (tests/helpers/wfs_serve.py).

Round trips between two working copies, conflicts found by the version filter of the server's own Update, review
moves, lost replies and dropped connections (tests/helpers/faultproxy.py between the engine and the server), hostile
descriptions and records, and credentials that never show."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from forestry_plugin import schema
from forestry_plugin.core import audit, geopackage, workflow
from forestry_plugin.core.sync.adapter import same_geometry, same_value
from forestry_plugin.core.sync.client import AuthError, NetworkError, PlatformError
from forestry_plugin.core.sync.engine import SyncEngine
from forestry_plugin.core.sync.wfs import DescriptionError, WfsPlatform, check_description, load_description
from tests.helpers import ROOT, qgis_process, working_copies
from tests.helpers.faultproxy import FAULTS, FaultProxy
from tests.helpers.platform_logins import MASTER, basic_logins
from tests.helpers.working_copies import delete, edit, new_copy

USER, PASSWORD = "county_gis", "wfs-Secret-7781"
COMPARED = ("stage", "species", "remark", "area_mu", "method", "village_code", "design_date", "year")

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/lib/qgis/server/libwfs.so"),
                                reason="QGIS Server's WFS module is not installed (Debian package qgis-server-wfs; "
                                       "`make setup` installs it)")


class WfsServer:
    def __init__(self, data_dir: str, token=None, description: str = "", integer=()):
        """`description`: a service description whose layer the server publishes (its names); `integer`: columns
        of that layer holding whole numbers."""
        self.data_dir = data_dir
        self.gpkg = os.path.join(data_dir, "patches.gpkg")
        self.table, self.key = "patches", "patch_id"
        layout = []
        if description:
            with open(description, encoding="utf-8") as fh:
                d = json.load(fh)
            self.table, self.key = d["type_name"].split(":")[-1], d["id_field"]
            layout = ["--description", description, "--integer", ",".join(integer)]
        env = dict(os.environ, PYTHONPATH=ROOT, QT_QPA_PLATFORM="offscreen")
        login = ["--token-header", token[0], "--token", token[1]] if token else ["--user", USER, "--password", PASSWORD]
        serve = os.path.join(ROOT, "tests", "helpers", "wfs_serve.py")
        self.proc = subprocess.Popen([sys.executable, serve, data_dir, *login, *layout],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        import select

        ready, _w, _x = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline().strip() if ready else ""
        if not line.isdigit():
            self.proc.kill()
            raise RuntimeError(f"the WFS server did not start: {line!r}")
        self.port = int(line)
        self.url = f"http://127.0.0.1:{self.port}/ows/"

    def rows(self):
        """What the server holds, read from its GeoPackage (not through WFS)."""
        con = sqlite3.connect(self.gpkg)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(f"SELECT * FROM {self.table}")]
        finally:
            con.close()

    def write(self, sql: str, args=()) -> None:
        """Another writer changes the server's data behind WFS (its GeoPackage, with the R-tree triggers' functions)."""
        with geopackage.connect(self.gpkg) as con:
            con.execute(sql, args)

    def by_id(self):
        out = {}
        for r in self.rows():
            assert r[self.key] not in out, f"patch {r[self.key]} is on the server twice"
            out[r[self.key]] = r
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture()
def wfs(tmp_path, qgis_app):
    d = tmp_path / "server"
    d.mkdir()
    server = WfsServer(str(d))
    yield server
    server.stop()


@pytest.fixture()
def proxy(wfs):
    p = FaultProxy(wfs.port)
    yield p
    p.close()


def pid_of(i: int) -> str:
    return f"{i:08d}-0000-4000-8000-00000000000{i % 10}"


def patch(i: int, **attrs):
    """`working_copies.patch(i)` with this file's ids, a design date and a remark."""
    return working_copies.patch(i, **{"patch_id": pid_of(i), "design_date": "2025-03-01", "remark": "第一次",
                                      **attrs})


def engine(path: str, url: str, retries: int = 1) -> SyncEngine:
    c = WfsPlatform(url, retries=retries, sleep=lambda s: None)
    c.login(USER, PASSWORD)
    return SyncEngine(path, c)


def sync(e: SyncEngine):
    return e.pull(), e.push()


def local(path: str):
    with geopackage.connect(path) as con:
        con.row_factory = sqlite3.Row
        return {r["patch_id"]: dict(r) for r in con.execute("SELECT * FROM patches")}


def divergence(path: str, wfs: WfsServer, e: SyncEngine):
    """Every way the copy differs from the server (both read directly), patches in conflict aside."""
    remote = wfs.by_id()
    with geopackage.connect(path) as con:
        conflicts = {r[0] for r in con.execute("SELECT patch_id FROM sync_conflicts")}
        pending = {r[0] for r in con.execute("SELECT patch_id FROM sync_changes")}
        mine = {pid: e._read_local(con, pid) for (pid,) in con.execute("SELECT patch_id FROM patches")}
    served = {f["properties"]["patch_id"]: f for f in e.client.fetch("339901", sorted(remote))}
    problems = []
    for pid in sorted((set(mine) | set(remote)) - conflicts):
        if pid in pending:
            problems.append((pid, "still pending"))
        if pid not in remote or pid not in mine:
            problems.append((pid, "only on the server" if pid in remote else "only in the copy"))
            continue
        row, blob = mine[pid]
        if row["server_version"] != remote[pid]["version"]:
            problems.append((pid, "version", row["server_version"], remote[pid]["version"]))
        for k in COMPARED:
            if not same_value(row.get(k), remote[pid].get(k)):
                problems.append((pid, k, row.get(k), remote[pid].get(k)))
        if not same_geometry(e._to_feature(row, blob)["geometry"], served[pid]["geometry"], 1e-7):
            problems.append((pid, "geometry"))
    return problems


# -- round trips ----------------------------------------------------------------------------------------

def test_two_copies_round_trip_through_qgis_server(wfs, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(3)))
    a = engine(a_path, wfs.url)
    pulled, pushed = sync(a)
    assert (pushed.pushed, pushed.accepted, pushed.conflicts) == (3, 3, 0)
    rows = wfs.by_id()
    assert sorted(rows) == sorted(pid_of(i) for i in range(3))
    assert {r["version"] for r in rows.values()} == {1}
    assert rows[pid_of(0)]["remark"] == "第一次" and rows[pid_of(0)]["county_code"] == "339901"
    assert all(r["changed_at"].endswith("Z") for r in rows.values())
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, wfs.url)
    assert b.pull().applied == 3
    assert divergence(b_path, wfs, b) == []
    # an edit there, a delete here, a new patch there: each side ends with the other's work
    edit(b_path, pid_of(1), remark="第二次", species="phoebe")
    geopackage.write_features(b_path, schema.PATCHES, [patch(7)])
    sync(b)
    assert wfs.by_id()[pid_of(1)]["version"] == 2 and wfs.by_id()[pid_of(1)]["species"] == "phoebe"
    delete(a_path, pid_of(2))
    pulled, pushed = sync(a)
    assert pulled.applied == 2 and pushed.accepted == 1
    assert pid_of(2) not in wfs.by_id()
    assert local(a_path)[pid_of(1)]["remark"] == "第二次"
    b.pull()
    assert pid_of(2) not in local(b_path)  # the server keeps no tombstone: the version list tells
    for path, e in ((a_path, a), (b_path, b)):
        assert divergence(path, wfs, e) == []
        assert e.local_changes()["total"] == 0


def test_conflict_found_by_the_servers_version_filter(wfs, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, wfs.url)
    sync(a)
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, wfs.url)
    b.pull()
    edit(a_path, pid_of(0), remark="A的修改")
    edit(b_path, pid_of(0), remark="B的修改")
    a.push()
    # B sends its edit on version 1 without pulling first: the server's Update filter (version = 1) matches
    # nothing, so nothing is overwritten and B records a conflict holding the server's copy
    pushed = b.push()
    assert (pushed.accepted, pushed.conflicts) == (0, 1)
    assert wfs.by_id()[pid_of(0)]["remark"] == "A的修改"
    conflict = b.conflicts()[0]
    assert conflict["patch_id"] == pid_of(0) and conflict["server_version"] == 2
    assert conflict["server"]["properties"]["remark"] == "A的修改"
    b.resolve(pid_of(0), "mine")
    assert b.push().accepted == 1
    assert wfs.by_id()[pid_of(0)]["remark"] == "B的修改" and wfs.by_id()[pid_of(0)]["version"] == 3
    a.pull()
    assert local(a_path)[pid_of(0)]["remark"] == "B的修改"
    # a delete on a stale base is a conflict too, and the patch stays on the server
    delete(a_path, pid_of(1))
    edit(b_path, pid_of(1), remark="B先改")
    b.push()
    assert a.push().conflicts == 1
    assert pid_of(1) in wfs.by_id()
    for path, e in ((a_path, a), (b_path, b)):
        assert divergence(path, wfs, e) == []


def test_a_change_with_a_slow_writers_clock_is_not_missed(wfs, tmp_path):
    """Change times come from the writers' clocks: a change stamped before the last download still arrives."""
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, wfs.url)
    sync(a)
    a.pull()
    # another writer, its clock a day behind, edits one patch and deletes the other
    wfs.write("UPDATE patches SET remark = '慢钟', version = 2, changed_at = '2000-01-01T00:00:00Z' "
              "WHERE patch_id = ?", (pid_of(0),))
    wfs.write("DELETE FROM patches WHERE patch_id = ?", (pid_of(1),))
    pulled = a.pull()
    assert (pulled.applied, pulled.deleted) == (1, 1)
    assert local(a_path)[pid_of(0)]["remark"] == "慢钟" and pid_of(1) not in local(a_path)
    assert divergence(a_path, wfs, a) == []


def test_review_moves_go_to_the_server_under_the_version_filter(wfs, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    for i in range(2):  # what acceptance needs
        edit(a_path, pid_of(i), survival_rate=92.0, accept_date="2025-10-01")
    a = engine(a_path, wfs.url)
    sync(a)
    with geopackage.connect(a_path) as con:  # the checks ran here (fresh, clean)
        con.execute(f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings) "
                    "SELECT patch_id, '2099-01-01T00:00:00Z', revision, 0, 0 FROM patches")
    eng = workflow.WorkflowEngine(a_path)
    target = next((t for t in schema.STAGE_ORDER if eng.plan([pid_of(0)], t)[0].ok), None)
    assert target, [(t, eng.plan([pid_of(0)], t)[0].codes) for t in schema.STAGE_ORDER]
    assert eng.apply([pid_of(0), pid_of(1)], target).applied
    # meanwhile someone else changed patch 1 on the server: its move must not land on that version
    wfs.write("UPDATE patches SET remark = '别人改了', version = 2 WHERE patch_id = ?", (pid_of(1),))
    pushed = a.push()
    assert pushed.transitions_accepted == 1
    rows = wfs.by_id()
    assert rows[pid_of(0)]["stage"] == target and rows[pid_of(0)]["version"] == 2
    assert rows[pid_of(1)]["stage"] == "design" and rows[pid_of(1)]["remark"] == "别人改了"
    assert workflow.history(a_path, pid_of(0))[0]["status"] == audit.ACCEPTED
    a.pull()
    assert local(a_path)[pid_of(1)]["stage"] == "design"  # the refused move is undone here, with the reason
    assert workflow.history(a_path, pid_of(1))[0]["status"] == audit.REFUSED
    assert divergence(a_path, wfs, a) == []


def _move_ready(path, ids):
    """Patches `ids` given what acceptance needs; the path."""
    for i in ids:
        edit(path, pid_of(i), survival_rate=92.0, accept_date="2025-10-01")
    return path


def _mark_checked(path):
    with geopackage.connect(path) as con:
        con.execute(f"INSERT OR REPLACE INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, "
                    "warnings) SELECT patch_id, '2099-01-01T00:00:00Z', revision, 0, 0 FROM patches")


def test_the_same_move_made_by_another_copy_is_not_taken_for_ours(wfs, proxy, tmp_path):
    """Two copies move one patch to the same stage from the same version. The server takes the first; the
    second copy's move is refused, not counted as its own (who confirmed matters), even though the stage on the
    server is the one it asked for. A move whose own answer was lost is still recognised as its own."""
    a_path = _move_ready(new_copy(tmp_path, "a.gpkg", map(patch, range(2))), range(2))
    a = engine(a_path, f"http://127.0.0.1:{proxy.port}/ows/")
    sync(a)
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, wfs.url)
    b.pull()
    for path in (a_path, b_path):
        _mark_checked(path)
    eng_a, eng_b = workflow.WorkflowEngine(a_path), workflow.WorkflowEngine(b_path)
    target = next((t for t in schema.STAGE_ORDER if eng_a.plan([pid_of(0)], t)[0].ok), None)
    assert target, [(t, eng_a.plan([pid_of(0)], t)[0].codes) for t in schema.STAGE_ORDER]
    assert eng_b.apply([pid_of(0)], target).applied
    assert b.push().transitions_accepted == 1
    assert eng_a.apply([pid_of(0)], target).applied
    pushed = a.push()
    assert pushed.transitions_accepted == 0
    assert workflow.history(a_path, pid_of(0))[0]["status"] == audit.REFUSED
    # copy A's own move of patch 1, its answer lost: the replay recognises it by its mark
    assert eng_a.apply([pid_of(1)], target).applied
    proxy.fail("", "drop_after", method="POST")
    try:
        a.push()
    except NetworkError:
        a.push()
    assert workflow.history(a_path, pid_of(1))[0]["status"] == audit.ACCEPTED
    assert wfs.by_id()[pid_of(1)]["stage"] == target and wfs.by_id()[pid_of(1)]["version"] == 2


# -- lost replies and dropped connections ----------------------------------------------------------------

@pytest.mark.parametrize("fault", ["drop_after", "cut", "reset", "drop_before"])
def test_lost_transaction_reply_inserts_nothing_twice(wfs, proxy, tmp_path, fault):
    """A Transaction whose answer never arrives: Qt itself sends a POST again when a kept-alive connection closes
    before the answer (the server then applied it twice), or the upload fails and is replayed later. Either way
    each patch is on the server once, and an edit whose answer was lost is no conflict."""
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(3)))
    a = engine(a_path, f"http://127.0.0.1:{proxy.port}/ows/")
    a.pull()
    proxy.fail("", fault, method="POST")
    try:
        a.push()
    except NetworkError:
        assert a.local_changes()["unsent_batches"] == 1
        pushed = a.push()  # the replay looks at what the server holds first
        assert pushed.conflicts == 0
    posts = [f for m, _p, f in proxy.log if m == "POST"]
    assert posts[0] == fault
    assert a.local_changes()["total"] == 0
    assert sorted(wfs.by_id()) == sorted(pid_of(i) for i in range(3))  # once each
    edit(a_path, pid_of(0), remark="改过")
    proxy.fail("", fault, method="POST")
    try:
        a.push()
    except NetworkError:
        assert a.push().conflicts == 0
    assert a.local_changes()["total"] == 0 and not a.conflicts()
    assert wfs.by_id()[pid_of(0)]["remark"] == "改过"
    assert wfs.by_id()[pid_of(0)]["version"] == 2
    assert divergence(a_path, wfs, a) == []


def test_an_insert_sent_twice_with_both_answers_lost_leaves_one_copy(wfs, proxy, tmp_path):
    """Qt sent an insert twice and neither answer arrived: the server holds two copies of one write (same patch
    id, same change time). The replay finds them before anything else and keeps one."""
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, f"http://127.0.0.1:{proxy.port}/ows/", retries=0)
    a.pull()
    proxy.fail("", "drop_after", times=10, method="POST")  # the insert, and every resend Qt makes of it
    with pytest.raises(NetworkError):
        a.push()
    proxy.clear()
    assert len([r for r in wfs.rows() if r["patch_id"] == pid_of(0)]) >= 2, proxy.log
    pushed = a.push()
    assert pushed.conflicts == 0 and a.local_changes()["total"] == 0
    assert sorted(wfs.by_id()) == [pid_of(0), pid_of(1)]  # once each
    assert divergence(a_path, wfs, a) == []


@pytest.mark.parametrize("seed", range(4))
def test_random_faults_two_copies_converge_on_the_wfs_server(wfs, proxy, tmp_path, seed):
    import random

    rng = random.Random(seed)
    url = f"http://127.0.0.1:{proxy.port}/ows/"
    a_path, b_path = new_copy(tmp_path, "a.gpkg", map(patch, range(4))), new_copy(tmp_path, "b.gpkg")
    a, b = engine(a_path, url), engine(b_path, url)
    for e in (a, b):
        e.client.deadline_ms = 5000  # no fault here stalls; a deadline all the same, should one ever wait
    proxy.random_faults(seed, 0.3, tuple(f for f in FAULTS if not f.startswith("stall")))
    for step in range(8):
        path, e = (a_path, a) if rng.random() < 0.5 else (b_path, b)
        ids = list(local(path))
        if ids:
            pid = rng.choice(ids)
            if rng.random() < 0.15:
                delete(path, pid)
            else:
                edit(path, pid, remark=f"第{step}步")
        try:
            sync(e)
        except PlatformError:
            pass
    proxy.clear()
    for _ in range(2):
        for e in (a, b):
            sync(e)
            for c in e.conflicts():  # a person decides: here, the server's copy
                e.resolve(c["patch_id"], "theirs")
            sync(e)
    for path, e in ((a_path, a), (b_path, b)):
        assert divergence(path, wfs, e) == [], seed
        assert e.local_changes()["total"] == 0
    wfs.by_id()  # no patch twice


# -- credentials, descriptions and what the server says ---------------------------------------------------

def test_wrong_password_is_refused_and_never_shown(wfs):
    c = WfsPlatform(wfs.url, retries=0, sleep=lambda s: None)
    with pytest.raises(AuthError) as e:
        c.login(USER, "wrong-Password-123")
    assert "wrong-Password-123" not in str(e.value) and not c.logged_in
    c.login(USER, PASSWORD)
    assert c.logged_in and c.output_format == "text/xml; subtype=gml/2.1.2"  # the bundled description's
    assert PASSWORD not in repr(c) and all(PASSWORD not in s or s == PASSWORD for s in c.secrets())


def test_token_in_a_header_instead_of_basic(tmp_path, qgis_app):
    """A server (or its gateway) that takes a token in a header the description names."""
    d = tmp_path / "server"
    d.mkdir()
    server = WfsServer(str(d), token=("X-Api-Key", "tok-9f8e7d6c5b4a"))
    try:
        desc = dict(load_description(), token_header="X-Api-Key")
        c = WfsPlatform(server.url, description=desc, retries=0, sleep=lambda s: None)
        with pytest.raises(AuthError):
            c.login("", "wrong-token-000")
        c.login("", "tok-9f8e7d6c5b4a")
        a = SyncEngine(new_copy(tmp_path, "a.gpkg", map(patch, range(1))), c)
        assert sync(a)[1].accepted == 1 and len(server.by_id()) == 1
        assert "tok-9f8e7d6c5b4a" in c.secrets()
        from forestry_plugin.core.sync.client import redact

        assert "tok-9f8e7d6c5b4a" not in redact("X-Api-Key: tok-9f8e7d6c5b4a", c.secrets())
    finally:
        server.stop()


def test_server_refusal_text_is_shown_without_secrets(wfs, tmp_path, monkeypatch):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(1)))
    a = engine(a_path, wfs.url)
    a.pull()
    # a feature type the server does not publish: its own words come back, the password never does
    a.client.d["type_name"] = "patches_" + PASSWORD
    with pytest.raises(PlatformError) as e:
        a.push()
    assert PASSWORD not in str(e.value)


def test_geojson_where_the_server_offers_it(wfs, tmp_path):
    """With no output format named, the adapter takes GeoJSON from the capabilities (QGIS Server 3.22 writes it
    with 6 decimals, about 10 cm: the description's tolerance says how close counts as the same geometry)."""
    d = dict(load_description(), output_format="", coordinate_tolerance=2e-6)
    a_path, b_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2))), new_copy(tmp_path, "b.gpkg")
    engines = []
    for path in (a_path, b_path):
        c = WfsPlatform(wfs.url, description=d, retries=0, sleep=lambda s: None)
        c.login(USER, PASSWORD)
        assert c.output_format == "application/vnd.geo+json"
        engines.append(SyncEngine(path, c))
    a, b = engines
    sync(a)
    assert b.pull().applied == 2
    rows = local(b_path)
    assert rows[pid_of(0)]["remark"] == "第一次" and rows[pid_of(0)]["design_date"] == "2025-03-01"
    edit(b_path, pid_of(0), remark="经GeoJSON")
    sync(b)
    a.pull()
    assert local(a_path)[pid_of(0)]["remark"] == "经GeoJSON" and not a.conflicts()


def test_bundled_description_and_hostile_ones():
    d = load_description()
    assert d["type_name"] == "patches" and d["version"] == "1.1.0"
    with pytest.raises(DescriptionError) as e:
        check_description({"type_name": "a<b", "page_size": 0, "version": "3.0", "fields": {"nope": "x"},
                           "srs_name": "EPSG:999999", "surprise": 1}, "province.json")
    text = str(e.value)
    for part in ("province.json", "type_name", "page_size", "version", "fields", "srs_name", "surprise"):
        assert part in text, part
    with pytest.raises(DescriptionError):
        check_description([1, 2], "list.json")
    for bad in ({"namespace_prefix": 'q" onload="x'}, {"namespace_prefix": "wfs"}, {"namespace_prefix": "xmlns"},
                {"namespace_prefix": 7}, {"namespace_uri": "not a uri"}, {"namespace_uri": 'http://x/"><a'}):
        with pytest.raises(DescriptionError) as e:
            check_description(bad, "ns.json")
        assert next(iter(bad)) in str(e.value)
    assert check_description({"namespace_prefix": "sl", "namespace_uri": "urn:sl:forest"})["namespace_prefix"] == "sl"


def test_unreadable_server_records_are_set_aside(wfs, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, wfs.url)
    sync(a)
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, wfs.url)
    wfs.write("UPDATE patches SET version = NULL WHERE patch_id = ?", (pid_of(0),))  # a writer breaking the rules
    pulled = b.pull()
    assert pulled.quarantined >= 1 and pid_of(1) in local(b_path)
    assert pid_of(0) in {q["patch_id"] for q in b.quarantined()}
    assert json.dumps(pulled.errors, ensure_ascii=False).count(pid_of(0)) >= 1


# -- the sync panel: the kind chosen per server ------------------------------------------------------------

def test_sync_panel_uploads_to_a_wfs_server(wfs, sync_panel, design_county, clean_settings):
    from qgis.core import QgsSettings

    from forestry_plugin.core.sync.adapter import KINDS, PACKAGE, WFS

    with basic_logins(("wfs ok", USER, PASSWORD)) as (good,):
        panel = sync_panel
        panel.kind_combo.setCurrentIndex(KINDS.index(WFS))
        assert panel.description_widget.isVisibleTo(panel) and panel.login_button.isVisibleTo(panel)
        panel.url_edit.setText(wfs.url)
        panel.description_widget.setFilePath("")  # the bundled description (whatever an earlier session kept)
        panel.auth_select.setConfigId(good)
        assert panel.login(), panel.user_label.text()
        assert USER in panel.user_label.text() and not panel.kind_combo.isEnabled()
        panel.start("upload", wait=True)
        assert len(wfs.by_id()) == design_county.patch_count
        assert SyncEngine(design_county.path, panel.client).local_changes()["total"] == 0
        settings = QgsSettings()
        assert settings.value("forestry/sync/kind") == WFS
        stored = " ".join(str(settings.value(k)) for k in settings.allKeys() if k.startswith("forestry/"))
        assert PASSWORD not in stored
        panel.logout()
        # the kind is remembered per server: choosing this server again brings WFS-T back
        panel.kind_combo.setCurrentIndex(0)
        panel.url_edit.setText(wfs.url)
        panel.url_edit.editingFinished.emit()
        assert panel.kind() == WFS
        # submission packages: no login, the package algorithms instead
        panel.kind_combo.setCurrentIndex(KINDS.index(PACKAGE))
        assert not panel.login_button.isVisibleTo(panel) and panel.package_row.isVisibleTo(panel)
        import processing

        calls = []
        original = processing.execAlgorithmDialog
        processing.execAlgorithmDialog = lambda alg, params: calls.append((alg, params))
        try:
            panel.export_package_button.click()
            panel.import_package_button.click()
        finally:
            processing.execAlgorithmDialog = original
        assert calls == [("forestry:exportpackage", {"WORKING_COPY": design_county.path}),
                         ("forestry:importpackage", {"WORKING_COPY": design_county.path})]


@pytest.mark.skipif(not qgis_process.available(), reason="qgis_process.bin not installed")
def test_qgis_process_upload_and_download_through_wfs(wfs, design_county, tmp_path, qgis_app):
    """forestry:upload and forestry:download with PLATFORM_KIND=1 (WFS-T), headless as a script runs them."""
    with basic_logins(("wfs headless", USER, PASSWORD)) as (cfg,):
        env, _root = qgis_process.private_profile(tmp_path, MASTER)
        code, out = qgis_process.outcome(env, "forestry:upload", {"SERVER_URL": wfs.url, "AUTHCFG": cfg,
                                                                  "PLATFORM_KIND": 1, "WORKING_COPY": design_county.path})
        assert code == 0 and "Traceback" not in out, out[-3000:]
        assert len(wfs.by_id()) == design_county.patch_count
        other = new_copy(tmp_path, "other.gpkg")
        code, out = qgis_process.outcome(env, "forestry:download", {"SERVER_URL": wfs.url, "AUTHCFG": cfg,
                                                                    "PLATFORM_KIND": 1, "WORKING_COPY": other})
        assert code == 0 and "Traceback" not in out, out[-3000:]
        assert len(local(other)) == design_county.patch_count
        assert PASSWORD not in out



# -- what the review of the adapter found ------------------------------------------------------------------

def test_a_short_or_odd_version_list_deletes_nothing(wfs, tmp_path, monkeypatch):
    """The version list says which patches are gone; one that lacks patches (a server that pages short, a reply
    cut to nothing) must not delete them here: each is asked for by id first."""
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(3)))
    a = engine(a_path, wfs.url)
    sync(a)
    monkeypatch.setattr(a.client, "present_versions", lambda county: {})
    pulled = a.pull()
    assert pulled.deleted == 0 and sorted(local(a_path)) == sorted(pid_of(i) for i in range(3))
    assert a.local_changes()["total"] == 0 and not a.conflicts()
    monkeypatch.undo()
    with pytest.raises(PlatformError):  # an HTML page with HTTP 200 is no empty collection
        a.client._gml_features(b"<html><body>Please log in</body></html>")


def test_keep_mine_brings_back_a_patch_deleted_on_the_server(wfs, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, wfs.url)
    sync(a)
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, wfs.url)
    b.pull()
    delete(b_path, pid_of(0))
    b.push()
    assert pid_of(0) not in wfs.by_id()
    edit(a_path, pid_of(0), remark="我还要它")
    assert a.push().conflicts == 1
    a.resolve(pid_of(0), "mine")
    pushed = a.push()
    assert pushed.accepted == 1 and pushed.conflicts == 0, pushed.errors
    assert wfs.by_id()[pid_of(0)]["remark"] == "我还要它"
    b.pull()
    assert local(b_path)[pid_of(0)]["remark"] == "我还要它"
    for path, e in ((a_path, a), (b_path, b)):
        assert divergence(path, wfs, e) == []


def test_a_delete_whose_claim_answer_was_lost_is_no_conflict(wfs, proxy, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, f"http://127.0.0.1:{proxy.port}/ows/")
    sync(a)
    delete(a_path, pid_of(0))
    proxy.fail("", "drop_after", method="POST")  # the claim is applied; its answer never arrives
    try:
        a.push()
    except NetworkError:
        a.push()
    assert not a.conflicts() and a.local_changes()["total"] == 0
    assert pid_of(0) not in wfs.by_id() and pid_of(1) in wfs.by_id()


def test_a_patch_without_geometry_holds_back_no_other(wfs, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(3)))
    with geopackage.connect(a_path) as con:
        con.execute("UPDATE patches SET geom = NULL WHERE patch_id = ?", (pid_of(1),))
    a = engine(a_path, wfs.url)
    pulled, pushed = sync(a)
    assert (pushed.accepted, pushed.rejected) == (2, 1), pushed.errors
    assert sorted(wfs.by_id()) == [pid_of(0), pid_of(2)]
    assert a.local_changes()["unsent_batches"] == 0
    sync(a)  # nothing left in the outbox that would block the next sync


def test_later_downloads_ask_only_for_recent_changes(wfs, proxy, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = engine(a_path, f"http://127.0.0.1:{proxy.port}/ows/")
    sync(a)
    a.pull()
    proxy.log.clear()
    a.pull()
    pages = [p for m, p, _f in proxy.log if "REQUEST=GetFeature" in p and "PROPERTYNAME" not in p and "Or%3E" not in p]
    assert pages and all("PropertyIsGreaterThanOrEqualTo" in p for p in pages), pages


# -- code tables: a province's own field names and codes ------------------------------------------------------

EXAMPLE = os.path.join(ROOT, "resources", "platforms", "wfs_provincial_codes_example.json")
CODED = ("stage", "method", "restore_method", "forest_type", "species")


@pytest.fixture()
def province(tmp_path, qgis_app):
    """QGIS Server publishing the layer the bundled worked example describes: the province's field names and its
    codes (stage 01, 02, ...; the afforestation method as whole numbers, in an integer column)."""
    d = tmp_path / "province"
    d.mkdir()
    server = WfsServer(str(d), description=EXAMPLE, integer=("ZLFS",))
    yield server
    server.stop()


def provincial(path: str, url: str, description=None, **changes) -> SyncEngine:
    c = WfsPlatform(url, description=dict(description or load_description(EXAMPLE), **changes), retries=1,
                    sleep=lambda s: None)
    c.login(USER, PASSWORD)
    return SyncEngine(path, c)


def test_a_provinces_names_and_codes_round_trip(province, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", [
        patch(0, species="cunninghamia"),
        patch(1, method="restoration", restore_method="replanting", forest_type="economic", species="tea_oil"),
        patch(2, method="closure")])
    a = provincial(a_path, province.url)
    pushed = sync(a)[1]
    assert (pushed.accepted, pushed.rejected, pushed.conflicts) == (3, 0, 0), pushed.errors
    rows = province.by_id()
    r0, r1, r2 = (rows[pid_of(i)] for i in range(3))
    # the server holds its own codes, under its own names
    assert (r0["JD"], r0["ZLFS"], r0["LZ"], r0["SZ"], r0["XIAN"], r0["BBH"]) == ("01", 1, "11", "220", "339901", 1)
    assert (r1["ZLFS"], r1["XFFS"], r1["LZ"], r1["SZ"]) == (4, "1", "25", "720")
    assert r2["ZLFS"] == 3 and r0["BZ"] == "第一次" and r0["CUN"] == "339901101201"
    ours = {c.code for name in CODED for c in schema.CODE_LISTS[schema.PATCH_FIELD[name].code_list]}
    assert not any(v in ours for r in rows.values() for v in r.values() if isinstance(v, str))
    # a second copy downloads (GML) and holds our codes again; then an edit there comes back here
    b_path = new_copy(tmp_path, "b.gpkg")
    b = provincial(b_path, province.url)
    assert b.pull().applied == 3
    mine, theirs = local(a_path), local(b_path)
    for pid in mine:
        for k in CODED:
            assert mine[pid][k] == theirs[pid][k], (pid, k, mine[pid][k], theirs[pid][k])
        for k in COMPARED:
            assert same_value(mine[pid][k], theirs[pid][k]), (pid, k)
    edit(b_path, pid_of(0), species="phoebe", method="aerial_seeding", remark="改树种")
    assert sync(b)[1].accepted == 1
    assert (province.by_id()[pid_of(0)]["SZ"], province.by_id()[pid_of(0)]["ZLFS"]) == ("425", 2)
    a.pull()
    row = local(a_path)[pid_of(0)]
    assert (row["species"], row["method"], row["remark"], row["server_version"]) == ("phoebe", "aerial_seeding",
                                                                                     "改树种", 2)
    assert not a.conflicts() and a.local_changes()["total"] == 0
    # GeoJSON: the integer column comes as a number (2), read back as the code "2"
    c_path = new_copy(tmp_path, "c.gpkg")
    c = provincial(c_path, province.url, output_format="", coordinate_tolerance=2e-6)
    assert c.client.output_format == "application/vnd.geo+json"
    assert c.pull().applied == 3
    for pid, r in local(c_path).items():
        assert all(r[k] == local(a_path)[pid][k] for k in CODED), (pid, r)


def moves(path: str, pid: str):
    """The platform's answers to the patch's review moves, oldest first."""
    return [r["status"] for r in workflow.history(path, pid) if r["action"] in ("transition", "return")]


def test_review_moves_filter_on_the_provinces_stage_code(province, tmp_path):
    a_path = _move_ready(new_copy(tmp_path, "a.gpkg", map(patch, range(2))), range(2))
    a = provincial(a_path, province.url)
    sync(a)
    _mark_checked(a_path)
    eng = workflow.WorkflowEngine(a_path)
    target = next((t for t in schema.STAGE_ORDER if eng.plan([pid_of(0)], t)[0].ok), None)
    assert target, [(t, eng.plan([pid_of(0)], t)[0].codes) for t in schema.STAGE_ORDER]
    codes = load_description(EXAMPLE)["code_tables"]["JD"]["codes"]
    # a description whose stage table lacks the move's stage: nothing is sent, the move is refused here, named
    lacking = load_description(EXAMPLE)
    del lacking["code_tables"]["JD"]["codes"][target]
    assert eng.apply([pid_of(0)], target).applied
    pushed = provincial(a_path, province.url, lacking).push()
    assert pushed.transitions_refused == 1 and any(target in e and "stage" in e for e in pushed.errors), pushed.errors
    assert moves(a_path, pid_of(0)) == [audit.REFUSED]
    assert province.by_id()[pid_of(0)]["JD"] == "01" and local(a_path)[pid_of(0)]["stage"] == "design"
    _mark_checked(a_path)
    assert eng.apply([pid_of(0), pid_of(1)], target).applied
    elsewhere = next(s for s in codes if s not in ("design", target))
    # another writer moved patch 1 on behind WFS, its version left as it was: only the stage in the Update's filter
    # (the province's code of the stage the move starts from) says the move no longer starts where it did
    province.write("UPDATE zaolin_tuban SET JD = ? WHERE TBWYBS = ?", (codes[elsewhere], pid_of(1)))
    pushed = a.push()
    assert (pushed.transitions_accepted, pushed.transitions_refused) == (1, 1), pushed.errors
    rows = province.by_id()
    assert (rows[pid_of(0)]["JD"], rows[pid_of(0)]["BBH"]) == (codes[target], 2)
    assert (rows[pid_of(1)]["JD"], rows[pid_of(1)]["BBH"]) == (codes[elsewhere], 1)
    assert moves(a_path, pid_of(0)) == [audit.REFUSED, audit.ACCEPTED]
    assert moves(a_path, pid_of(1)) == [audit.REFUSED]
    a.pull()
    assert local(a_path)[pid_of(0)]["stage"] == target
    assert local(a_path)[pid_of(1)]["stage"] == elsewhere  # the server's stage, in our code


def test_a_code_the_table_lacks_is_never_stored_nor_sent(province, tmp_path):
    a_path = new_copy(tmp_path, "a.gpkg", map(patch, range(2)))
    a = provincial(a_path, province.url)
    sync(a)
    # a writer behind WFS stores a species code the description's table does not know
    province.write("UPDATE zaolin_tuban SET SZ = '999', BBH = 2 WHERE TBWYBS = ?", (pid_of(0),))
    b_path = new_copy(tmp_path, "b.gpkg")
    b = provincial(b_path, province.url)
    pulled = b.pull()
    assert pulled.quarantined >= 1 and pid_of(0) not in local(b_path) and pid_of(1) in local(b_path)
    assert any(pid_of(0) in e and "species" in e and "'999'" in e and "code table" in e
               for e in pulled.errors), pulled.errors  # the user is told which value is not in the table
    assert pid_of(0) in {q["patch_id"] for q in b.quarantined()}
    with geopackage.connect(b_path) as con:
        record = json.loads(con.execute("SELECT record FROM sync_quarantine WHERE patch_id = ?",
                                        (pid_of(0),)).fetchone()[0])
    for part in ("'999'", "species", pid_of(0), "code table"):
        assert part in record["problem"], record["problem"]
    # the copy that holds the patch keeps its own value, and its version
    pulled = a.pull()
    assert pulled.quarantined >= 1
    assert (local(a_path)[pid_of(0)]["species"], local(a_path)[pid_of(0)]["server_version"]) == ("camphor", 1)
    assert a.client.fetch("339901", [pid_of(0)])[0]["properties"]["species"] == {"not_in_code_table": "999"}
    # a code of ours the table lacks: that patch is not sent (the server would hold a code it does not know)
    desc = load_description(EXAMPLE)
    del desc["code_tables"]["SZ"]["codes"]["shrub"]
    c_path = new_copy(tmp_path, "c.gpkg", [patch(5, species="shrub"), patch(6)])
    pushed = sync(provincial(c_path, province.url, desc))[1]
    assert (pushed.accepted, pushed.rejected) == (1, 1), pushed.errors
    assert any(pid_of(5) in e and "'shrub'" in e and "species" in e for e in pushed.errors), pushed.errors
    assert pid_of(5) not in province.by_id() and province.by_id()[pid_of(6)]["SZ"] == "410"


def test_code_tables_in_a_description_are_checked():
    d = load_description(EXAMPLE)
    assert d["code_tables"]["JD"]["field"] == "stage" and d["code_tables"]["SZ"]["codes"]["cunninghamia"] == "220"
    assert check_description(d)["code_tables"] == d["code_tables"]  # what comes out goes in again
    # a submission template's code tables are the same format: taken as they are
    with open(os.path.join(ROOT, "resources", "templates", "national.json"), encoding="utf-8") as fh:
        national = json.load(fh)["code_tables"]
    assert check_description({"code_tables": national})["code_tables"]["ZLFS"]["field"] == "method"
    bad = {
        "A": {"code_list": "stage", "field": "stagee", "codes": {"design": "01"}},  # no such field
        "B": {"code_list": "method", "codes": {"planting": "1", "helicopter": "9"}},  # not one of our codes
        "C": {"code_list": "species", "codes": {"cunninghamia": "220", "masson_pine": "220"}},  # not reversible
        "D": {"code_list": "forest_type", "codes": {"protection": 11}},  # a number: 011 or 11?
        "E": {"code_list": "restore_method", "codes": {"replanting": " 1"}, "colour": "red"},
        "F": {"code_list": "tree_kinds", "codes": {}},
        "G": {"code_list": "stage", "field": "method", "codes": {}},
    }
    with pytest.raises(DescriptionError) as e:
        check_description({"code_tables": bad}, "province.json")
    text = str(e.value)
    for part in ("province.json", "code_tables", "stagee", "helicopter", "'220'", "cunninghamia, masson_pine",
                 "protection", "11", "' 1'", "colour", "tree_kinds", "Code table G"):
        assert part in text, (part, text)
    for other in ({"code_tables": [1]}, {"code_tables": {"X": national["JD"], "Y": national["JD"]}},
                  {"fields": {"species": None}, "code_tables": {"SZ": national["SZ"]}}):
        with pytest.raises(DescriptionError) as e:
            check_description(other, "other.json")
        assert "code_tables" in str(e.value)
