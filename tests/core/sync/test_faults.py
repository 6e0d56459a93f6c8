"""Sync under injected network faults: a TCP proxy (tests/helpers/faultproxy.py) between the engine and the reference
platform drops requests before and after the platform applied them, cuts and resets replies and stalls past the
client's deadline; sync processes are SIGKILLed mid-push and resumed; two working copies edit the same patches.

Convergence is asserted by reading the platform's database and both GeoPackages directly: after any sequence of
faults and a final fault-free sync, each copy equals the platform for every patch without an open conflict, and an
open conflict always holds the platform's current version.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading

import pytest

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.sync.adapter import same_geometry, same_value
from forestry_plugin.core.sync.client import PlatformError
from forestry_plugin.core.sync.engine import SyncEngine
from tests.helpers import ROOT
from tests.helpers.faultproxy import FAULTS, FaultProxy
from tests.helpers.platform_logins import client, onboard, reviewer_copy
from tests.helpers.working_copies import delete, edit, make_patches, new_copy, patch, pid_of

COMPARED = ("stage", "species", "remark", "area_mu", "method", "village_code")


def engine(path: str, url: str, retries: int = 1, user: str = "demo_tech") -> SyncEngine:
    return SyncEngine(path, client(url, user, retries=retries))


def sync(e: SyncEngine) -> None:
    e.pull()
    e.push()


def try_sync(e: SyncEngine) -> bool:
    try:
        sync(e)
        return True
    except PlatformError:
        return False


def platform_patches(server):
    with server.db.connect() as con:
        return {r["patch_id"]: dict(r) for r in con.execute("SELECT * FROM patches")}


def remark_on_platform(server, pid):
    row = platform_patches(server)[pid]
    return None if row["deleted"] else json.loads(row["properties"]).get("remark")


def open_conflicts(path):
    with geopackage.connect(path) as con:
        return {r[0]: r[1] for r in con.execute("SELECT patch_id, server_version FROM sync_conflicts")}


def divergence(path: str, server, e: SyncEngine):
    """Every way the copy differs from the platform (reading both databases directly), patches in conflict aside,
    plus every conflict that does not hold the platform's current version."""
    remote = platform_patches(server)
    live = {pid: r for pid, r in remote.items() if not r["deleted"]}
    conflicts = open_conflicts(path)
    problems = []
    with geopackage.connect(path) as con:
        rejected = {r[0] for r in con.execute("SELECT patch_id FROM sync_rejections")}
        pending = {r[0] for r in con.execute("SELECT patch_id FROM sync_changes")}
        local = {}
        for pid in [r[0] for r in con.execute("SELECT patch_id FROM patches")]:
            local[pid] = e._read_local(con, pid)
    for pid, version in conflicts.items():
        current = remote.get(pid, {}).get("version")
        if version != current:
            problems.append((pid, "conflict holds version", version, "platform has", current))
    for pid in sorted((set(local) | set(live)) - set(conflicts) - rejected):
        if pid in pending:
            problems.append((pid, "still pending after a fault-free sync"))
        if pid not in live or pid not in local:
            problems.append((pid, "only on the platform" if pid in live else "only in the copy"))
            continue
        row, blob = local[pid]
        props = json.loads(live[pid]["properties"])
        if row["server_version"] != live[pid]["version"]:
            problems.append((pid, "version", row["server_version"], live[pid]["version"]))
        for k in COMPARED:
            if not same_value(row.get(k), props.get(k)):
                problems.append((pid, k, row.get(k), props.get(k)))
        if not same_geometry(e._to_feature(row, blob)["geometry"], json.loads(live[pid]["geometry"]), 1e-7):
            problems.append((pid, "geometry"))
    return problems


@pytest.fixture()
def proxy(platform):
    server, _url = platform
    p = FaultProxy(server.server_address[1])
    yield p
    p.close()


# -- the stories of issue 12 ---------------------------------------------------------------------------------------


def test_upload_with_lost_replies_then_other_copy_edits(platform, proxy, tmp_path):
    """A's upload lands but every reply is lost; B edits (or deletes) the patch; A syncs: A gets B's version."""
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(1, 4)])
    a = engine(a_path, proxy.url)
    proxy.fail(r"patches:batch", "drop_after", times=10)
    with pytest.raises(PlatformError):
        a.push()
    proxy.clear()
    assert a.local_changes()["unsent_batches"] == 1
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, url)
    sync(b)
    edit(b_path, pid_of(1), remark="edited by B")
    delete(b_path, pid_of(2))
    sync(b)
    sync(a)
    assert a.conflicts() == []
    assert divergence(a_path, server, a) == []
    assert divergence(b_path, server, b) == []
    assert remark_on_platform(server, pid_of(1)) == "edited by B" and remark_on_platform(server, pid_of(2)) is None


def test_lost_conflict_reply_never_overwrites_a_newer_conflict(platform, proxy, tmp_path):
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1)])
    a = engine(a_path, proxy.url)
    sync(a)
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, url)
    sync(b)
    edit(b_path, pid_of(1), remark="B one")
    sync(b)  # platform v2
    edit(a_path, pid_of(1), remark="A")
    proxy.fail(r"patches:batch", "drop_after", times=10)  # A's push gets "conflict (v2)", never heard
    with pytest.raises(PlatformError):
        a.push()
    proxy.clear()
    edit(b_path, pid_of(1), remark="B two")
    sync(b)  # platform v3
    # A pulls (the conflict with v3), then the outbox replay answers "conflict with v2" from the idempotency store
    a.pull()
    a.push()
    assert open_conflicts(a_path) == {pid_of(1): 3}
    a.resolve(pid_of(1), "theirs")
    assert divergence(a_path, server, a) == []
    sync(a)
    assert divergence(a_path, server, a) == [] and a.conflicts() == []


def test_upload_then_delete_reaches_the_platform(platform, tmp_path):
    """No fault: upload an edit, delete the patch, sync: the delete is sent, no conflict."""
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1), patch(2)])
    a = engine(a_path, url)
    sync(a)
    edit(a_path, pid_of(1), remark="edited")
    sync(a)
    delete(a_path, pid_of(1))
    sync(a)
    assert a.conflicts() == []
    assert platform_patches(server)[pid_of(1)]["deleted"] == 1
    assert divergence(a_path, server, a) == []


def test_delete_after_an_edit_whose_reply_was_lost(platform, proxy, tmp_path):
    server, _url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1), patch(2)])
    a = engine(a_path, proxy.url)
    sync(a)
    edit(a_path, pid_of(1), remark="edited")
    proxy.fail(r"patches:batch", "drop_after", times=10)
    with pytest.raises(PlatformError):
        a.push()
    proxy.clear()
    delete(a_path, pid_of(1))
    sync(a)
    assert a.conflicts() == []
    assert platform_patches(server)[pid_of(1)]["deleted"] == 1
    assert divergence(a_path, server, a) == []


def test_deleted_on_both_sides_leaves_no_conflict(platform, tmp_path):
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1), patch(2)])
    a = engine(a_path, url)
    sync(a)
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, url)
    sync(b)
    edit(b_path, pid_of(1), remark="B edits first")
    sync(b)
    delete(a_path, pid_of(1))
    a.push()  # a conflict: B changed it since A's base
    assert pid_of(1) in open_conflicts(a_path)
    delete(b_path, pid_of(1))
    sync(b)  # now deleted on the platform too
    sync(a)
    assert a.conflicts() == [] and divergence(a_path, server, a) == []
    with geopackage.connect(a_path) as con:
        assert con.execute("SELECT COUNT(*) FROM patches WHERE patch_id = ?", (pid_of(1),)).fetchone()[0] == 0


def test_own_upload_whose_reply_was_lost_is_no_conflict(platform, proxy, tmp_path):
    """After a lost reply and a further local edit, Sync settles the upload first: no spurious conflict."""
    server, _url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1), patch(2), patch(3)])
    a = engine(a_path, proxy.url)
    sync(a)
    for i in (1, 2, 3):
        edit(a_path, pid_of(i), remark=f"first {i}")
    proxy.fail(r"patches:batch", "drop_after", times=10)
    with pytest.raises(PlatformError):
        a.push()
    proxy.clear()
    edit(a_path, pid_of(2), remark="second 2")  # edited again before the next sync
    summary = a.pull()
    assert summary.conflicts == 0 and a.conflicts() == []
    a.push()
    assert a.conflicts() == [] and divergence(a_path, server, a) == []
    assert remark_on_platform(server, pid_of(2)) == "second 2"


@pytest.mark.parametrize("fault", ["drop_before", "drop_after", "cut", "reset", "stall_before", "stall_after"])
def test_every_fault_on_every_route_converges(platform, proxy, tmp_path, fault):
    """Each fault on each request of a sync in turn (pull pages, batches, the audit head): the next fault-free
    sync converges."""
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(1, 5)])
    b_path = new_copy(tmp_path, "b.gpkg")
    a, b = engine(a_path, proxy.url), engine(b_path, proxy.url)
    sync(a)
    sync(b)
    for n, route in enumerate([r"patches\?", r"patches:batch", r"audit/head", r"transitions"]):
        edit(a_path, pid_of(1 + 2 * (n % 2)), remark=f"A {n}")  # A edits patches 1 and 3, B 2 and 4
        edit(b_path, pid_of(2 + 2 * (n % 2)), remark=f"B {n}")
        stall = fault.startswith("stall")
        times = 1 if stall else 3  # a stall costs the client's whole deadline
        for e in (a, b):
            # a stalled request ends at this deadline (the proxy never answers it: no race); only while stalling
            e.client.deadline_ms = 3000 if stall else 0
            proxy.fail(route, fault, times=times)
            try_sync(e)
            e.client.deadline_ms = 0
        proxy.clear()
    for e in (a, b, a):
        sync(e)
    assert divergence(a_path, server, a) == [] and divergence(b_path, server, b) == []
    assert a.conflicts() == [] and b.conflicts() == []  # the copies never edited the same patch


def _random_story(seed: int, server, proxy: FaultProxy, a_path: str, b_path: str, a: SyncEngine, b: SyncEngine,
                  writers: str = "AB"):
    rng = random.Random(seed)
    next_id = [100]
    copies = [(a_path, a, "A"), (b_path, b, "B")]
    quick = tuple(f for f in FAULTS if not f.startswith("stall"))  # stalls cost a deadline each: tested above
    for step in range(60):
        path, e, who = rng.choice(copies)
        if who not in writers:  # a copy that only reads: it syncs
            proxy.random_faults(seed * 100 + step, 0.3, quick)
            try_sync(e)
            proxy.clear()
            continue
        with geopackage.connect(path) as con:
            ids = sorted(r[0] for r in con.execute("SELECT patch_id FROM patches"))
        action = rng.random()
        if action < 0.3 and ids:
            edit(path, rng.choice(ids), remark=f"{who} {step}")
        elif action < 0.45 and ids:
            delete(path, rng.choice(ids))
        elif action < 0.55:
            next_id[0] += 1
            geopackage.write_features(path, schema.PATCHES, [patch(next_id[0] + (0 if who == "A" else 1000))])
        elif action < 0.65:
            for c in e.conflicts():
                e.resolve(c["patch_id"], rng.choice(["mine", "theirs"]))
        else:
            proxy.random_faults(seed * 100 + step, 0.3, quick)
            try_sync(e)
            proxy.clear()


@pytest.mark.parametrize("seed", range(10))
def test_random_faults_and_two_copies_converge(platform, proxy, tmp_path, seed):
    server, _url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(1, 7)])
    b_path = new_copy(tmp_path, "b.gpkg")
    a, b = engine(a_path, proxy.url), engine(b_path, proxy.url)
    sync(a)
    sync(b)
    _random_story(seed, server, proxy, a_path, b_path, a, b)
    # one final fault-free sync of each copy (A again, to take B's last changes)
    for e in (a, b, a):
        sync(e)
    for path, e in ((a_path, a), (b_path, b)):
        assert divergence(path, server, e) == [], (seed, path)
    # the conflicts left are real ones: resolving them all and syncing leaves none and no divergence
    for e in (a, b):
        for c in e.conflicts():
            e.resolve(c["patch_id"], "theirs")
    for e in (a, b, a, b):
        sync(e)
    for path, e in ((a_path, a), (b_path, b)):
        assert e.conflicts() == [] and divergence(path, server, e) == [], (seed, path)
    # nothing was duplicated: every audit row of each copy landed once
    with server.db.connect() as con:
        keys = [r[0] for r in con.execute("SELECT client_key FROM audit WHERE client_key IS NOT NULL")]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("seed", range(10))
def test_one_writer_under_faults_never_meets_a_conflict(platform, proxy, tmp_path, seed):
    """Only A edits (B reads): whatever the faults, A never sees a conflict (nobody else changed its patches), and
    both copies end equal to the platform."""
    server, _url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(1, 7)])
    b_path = new_copy(tmp_path, "b.gpkg")
    a, b = engine(a_path, proxy.url), engine(b_path, proxy.url)
    sync(a)
    sync(b)
    _random_story(seed + 50, server, proxy, a_path, b_path, a, b, writers="A")
    for e in (a, b):
        sync(e)
    assert a.conflicts() == [] and b.conflicts() == []
    assert divergence(a_path, server, a) == [] and divergence(b_path, server, b) == []


# -- a syncing process killed mid-push --------------------------------------------------------------------------

CHILD = r"""
import sys
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
from forestry_plugin.core.sync.client import PlatformClient
from forestry_plugin.core.sync.engine import SyncEngine
c = PlatformClient(sys.argv[2], retries=0, sleep=lambda s: None)
c.login(sys.argv[3], "demo-pass-2025")
SyncEngine(sys.argv[1], c).push(batch_size=3)
print("finished", flush=True)
"""


def run_and_kill(tmp_path, proxy: FaultProxy, path: str, user: str, route: str) -> None:
    """Run a push in its own process and SIGKILL it once the platform has applied the request on `route` (its
    reply is held back by the proxy: the process dies before it hears)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=ROOT, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, str(script), path, proxy.url, user], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = threading.Event()

    def kill(_method, _path):
        child.send_signal(signal.SIGKILL)
        child.wait()
        killed.set()

    proxy.on_hold = kill
    proxy.fail(route, "hold")
    out, err = child.communicate(timeout=120)
    proxy.clear()
    assert killed.is_set() and "finished" not in out, err[-2000:]


def test_sync_killed_after_the_platform_applied_a_batch_resumes(platform, proxy, tmp_path):
    """SIGKILL while the platform has applied a batch and the reply is on its way; a restarted sync replays the
    outbox: nothing lost, nothing applied twice, no conflict."""
    server, _url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(1, 8)])
    run_and_kill(tmp_path, proxy, a_path, "demo_tech", r"patches:batch")
    a = engine(a_path, proxy.url)
    sync(a)
    assert a.conflicts() == [] and divergence(a_path, server, a) == []
    assert sorted(r["version"] for r in platform_patches(server).values()) == [1] * 7  # applied exactly once


def test_review_killed_after_the_platform_applied_the_moves_resumes(platform, proxy, tmp_path):
    """A reviewer's confirmations go out; the platform performs them; the process is killed before it hears. The
    restarted sync settles them: each move performed and recorded once, the copy at the platform's stages."""
    from forestry_plugin.core import workflow

    server, _url = platform
    tech = new_copy(tmp_path, "tech.gpkg")
    patches = make_patches(tech, ["accepted", "accepted", "accepted"])
    onboard(server, tech)
    # (through the proxy from the start: a working copy syncs with the platform at the address it knows)
    path, _eng = reviewer_copy(tmp_path, proxy.url, "county.gpkg", "demo_county")
    ids = [p["patch_id"] for p in patches]
    assert workflow.WorkflowEngine(path).apply(ids, "confirmed").applied
    run_and_kill(tmp_path, proxy, path, "demo_county", r"transitions")
    e = engine(path, proxy.url, user="demo_county")
    sync(e)
    with server.db.connect() as con:
        stages = {r["patch_id"]: json.loads(r["properties"])["stage"] for r in con.execute("SELECT * FROM patches")}
        keys = [r[0] for r in con.execute("SELECT client_key FROM audit WHERE action = 'transition'")]
    assert all(stages[i] == "confirmed" for i in ids)
    assert len(keys) == len(set(keys)) == 3
    assert [h["status"] for i in ids for h in workflow.history(path, i)] == ["accepted"] * 3
    assert e.conflicts() == [] and divergence(path, server, e) == []


# -- malformed records from the platform ----------------------------------------------------------------------------


def test_malformed_platform_records_are_set_aside_not_blocking(platform, tmp_path):
    """A record with non-numeric coordinates or an object for a value: the pull takes every other patch, moves its
    cursor on, names the patches it could not take; a corrected version later replaces the quarantine."""
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(1, 6)])
    a = engine(a_path, url)
    sync(a)
    with server.db.connect() as con:
        rows = {r["patch_id"]: dict(r) for r in con.execute("SELECT * FROM patches")}

        def corrupt(pid, props=None, geometry=None):
            seq = server.db.next_seq(con)
            con.execute("UPDATE patches SET version = version + 1, seq = ?, properties = COALESCE(?, properties), "
                        "geometry = COALESCE(?, geometry) WHERE patch_id = ?", (seq, props, geometry, pid))

        bad_geom = json.loads(rows[pid_of(1)]["geometry"])
        bad_geom["coordinates"][0][0][0] = ["x", "y"]
        corrupt(pid_of(1), geometry=json.dumps(bad_geom))
        props = json.loads(rows[pid_of(2)]["properties"])
        props["species"] = {"nested": "object"}
        corrupt(pid_of(2), props=json.dumps(props))
        props3 = json.loads(rows[pid_of(3)]["properties"])
        props3["remark"] = "fine"
        corrupt(pid_of(3), props=json.dumps(props3))
    b_path = new_copy(tmp_path, "b.gpkg")
    b = engine(b_path, url)
    summary = b.pull()
    assert summary.quarantined == 2 and summary.applied == 3
    assert any(pid_of(1) in e for e in summary.errors) and any(pid_of(2) in e for e in summary.errors)
    assert {q["patch_id"] for q in b.quarantined()} == {pid_of(1), pid_of(2)}
    summary = a.pull()  # A holds older good versions: it keeps them, sets the bad ones aside, takes the good one
    assert summary.quarantined == 2 and summary.applied == 1
    assert b.pull().pulled == 0  # the cursor moved past the bad records: nothing blocks the next pull
    # the platform corrects the records: the next pull takes them and the quarantine empties
    with server.db.connect() as con:
        for pid in (pid_of(1), pid_of(2)):
            con.execute("UPDATE patches SET version = version + 1, seq = ?, properties = ?, geometry = ? "
                        "WHERE patch_id = ?", (server.db.next_seq(con), rows[pid]["properties"],
                                               rows[pid]["geometry"], pid))
    summary = b.pull()
    assert summary.quarantined == 0 and summary.applied == 2 and b.quarantined() == []
    assert divergence(b_path, server, b) == []


def test_late_refusal_never_overwrites_a_newer_edit(platform, proxy, tmp_path):
    """An edit the platform refuses, whose answer is lost; the user corrects the patch; Sync replays the batch and
    hears "refused" late: the correction stays and is uploaded, nothing is lost."""
    server, _url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1), patch(2)])
    a = engine(a_path, proxy.url)
    sync(a)
    with geopackage.connect(a_path) as con:
        con.execute("UPDATE patches SET area_mu = -5 WHERE patch_id = ?", (pid_of(1),))  # refused: not positive
    proxy.fail(r"patches:batch", "drop_after", times=10)
    with pytest.raises(PlatformError):
        a.push()
    proxy.clear()
    with geopackage.connect(a_path) as con:
        con.execute("UPDATE patches SET area_mu = 15.0, remark = 'corrected' WHERE patch_id = ?", (pid_of(1),))
    summary = a.push()
    assert summary.rejected == 1  # the late answer about the refused version
    assert remark_on_platform(server, pid_of(1)) == "corrected"
    assert a.conflicts() == [] and divergence(a_path, server, a) == []


def test_unreadable_copies_in_answers_and_odd_flags_are_not_taken(platform, tmp_path):
    """A record that says deleted "false" (a string) or has no geometry without being deleted is set aside: it must
    not delete the local patch."""
    server, url = platform
    a_path = new_copy(tmp_path, "a.gpkg", [patch(1), patch(2)])
    a = engine(a_path, url)
    sync(a)
    feature = {"type": "Feature", "properties": {"patch_id": pid_of(1), "version": 9, "deleted": "false"},
               "geometry": None}
    from forestry_plugin.core.sync.engine import SyncSummary, sync_transaction

    summary = SyncSummary("pull")
    with sync_transaction(a_path) as con:
        assert a._merge_or_quarantine(con, feature, summary) == "quarantined"
        feature["properties"]["deleted"] = False
        assert a._merge_or_quarantine(con, feature, summary) == "quarantined"
    assert summary.quarantined == 2
    with geopackage.connect(a_path) as con:
        assert con.execute("SELECT COUNT(*) FROM patches WHERE patch_id = ?", (pid_of(1),)).fetchone()[0] == 1


def test_a_silent_platform_is_given_up_after_two_deadlines(platform, proxy, tmp_path):
    """Every try at a platform that never answers costs a whole deadline: two tries, not five (4 retries of the
    default 95 s deadline would block a sync for 8 minutes)."""
    from forestry_plugin.core.sync.client import TimedOut

    a_path = new_copy(tmp_path, "a.gpkg", [patch(1)])
    a = engine(a_path, proxy.url, retries=4)
    a.client.deadline_ms = 1500
    proxy.plan = lambda m, path: "stall_before" if "patches:batch" in path else None
    with pytest.raises(TimedOut) as e:
        a.push()
    assert "in time" in str(e.value)
    assert len([p for _m, p, f in proxy.log if f == "stall_before"]) == 2


def test_a_servers_own_problem_text_is_not_shown_as_the_plugins_reason():
    """A record the engine refuses carries the adapter's reason only where the adapter wrote it (the WFS code
    tables, Platform.explains_records): a REST server's own "problem" text is never shown or stored as the
    plugin's explanation, and the adapter's is shown without control characters or credentials."""
    from forestry_plugin.core.sync.engine import _record_problem

    record = {"type": "Feature", "geometry": None, "problem": "Your account is locked: call 400-000\x1b[31m",
              "properties": {"patch_id": "p1", "version": 2, "species": {"x": 1}}}
    assert "locked" not in _record_problem(record)  # the REST contract's client: the generic reason
    told = _record_problem(dict(record, problem="value '999'\nof species; Bearer abcdefgh12345"), explained=True)
    assert "999" in told and "\n" not in told and "abcdefgh12345" not in told
