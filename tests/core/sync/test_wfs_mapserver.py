"""Downloading a county's patches from a WFS 2.0.0 server that only publishes them: MapServer 8 (Debian's
cgi-mapserver), which has no WFS-T, run as a CGI program behind a small front on 127.0.0.1
(tests/helpers/mapserver_serve.py). Nothing is mocked: every answer is MapServer's own.

A county's patches in pages (COUNT / STARTINDEX), as GML 3.2 and as GeoJSON, filtered by county (FES 2.0) and,
later, by change time; local work against a read-only server stays queued and nothing is sent; descriptions that
ask for WFS 2.0 uploads are refused. And codes a province keeps in number columns (stage 01 stored as 1), read back
through MapServer and through QGIS Server's WFS-T (tests/helpers/wfs_serve.py), review moves included."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import sqlite3
import subprocess
import sys

import pytest
import shapely

from forestry_plugin import schema
from forestry_plugin.core import audit, geopackage, workflow
from forestry_plugin.core.sync.client import PlatformError
from forestry_plugin.core.sync.engine import SyncEngine
from forestry_plugin.core.sync.wfs import DescriptionError, WfsPlatform, check_description, load_description
from tests.helpers import ROOT, mapserver_serve, working_copies
from tests.helpers.mapserver_serve import GEOJSON, MapServer
from tests.helpers.working_copies import COUNTY, delete, edit, new_copy

USER, PASSWORD = "province_gis", "ms-Secret-4417"
OTHER = "339902"  # the neighbouring county: published on the same layer, never downloaded here
EXAMPLE = os.path.join(ROOT, "resources", "platforms", "wfs_mapserver_read_only_example.json")
PROVINCE = os.path.join(ROOT, "resources", "platforms", "wfs_provincial_codes_example.json")
GML32 = "application/gml+xml; version=3.2"
NO_UPLOADS = "takes no uploads"  # in the message every sync against a read-only server gives

needs_mapserver = pytest.mark.skipif(not mapserver_serve.available(),
                                     reason="MapServer's CGI program /usr/bin/mapserv is not installed (Debian package "
                                            "cgi-mapserver; `make setup` installs it)")
needs_qgis_server = pytest.mark.skipif(not os.path.exists("/usr/lib/qgis/server/libwfs.so"),
                                       reason="QGIS Server's WFS module is not installed (Debian package "
                                              "qgis-server-wfs; `make setup` installs it)")


def pid_of(i: int) -> str:
    return f"{i:08d}-0000-4000-8000-0000000000{i % 100:02d}"


def patch(i: int, **attrs):
    """`working_copies.patch(i)` with this file's ids, a design date, a remark and what acceptance needs."""
    return working_copies.patch(i, **{"patch_id": pid_of(i), "design_date": "2025-03-01", "remark": "省级核实",
                                      "survival_rate": 92.0, "accept_date": "2025-10-01", **attrs})


def neighbour(i: int):
    return patch(i, county_code=OTHER, township_code=OTHER + "101", village_code=OTHER + "101201")


def local(path: str):
    with geopackage.connect(path) as con:
        con.row_factory = sqlite3.Row
        return {r["patch_id"]: dict(r) for r in con.execute("SELECT * FROM patches")}


def raw(path: str):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def engine(path: str, url: str, description=None, **changes) -> SyncEngine:
    c = WfsPlatform(url, description=dict(description or load_description(EXAMPLE), **changes), retries=1,
                    sleep=lambda s: None)
    c.login(USER, PASSWORD)
    return SyncEngine(path, c)


def stamp(i: int) -> str:
    """Patch i's change time as the province wrote it (days apart, long ago)."""
    return f"2025-01-{i + 1:02d}T08:00:00Z"


@pytest.fixture()
def mapserver(tmp_path, qgis_app):
    """MapServer publishing the example's layer read-only: five patches of the county (change times days apart)
    and two of the neighbouring county, behind HTTP Basic."""
    if not mapserver_serve.available():
        pytest.skip("MapServer's CGI program /usr/bin/mapserv is not installed (Debian package cgi-mapserver)")
    d = tmp_path / "mapserver"
    d.mkdir()
    server = MapServer(str(d), raw(EXAMPLE), user=USER, password=PASSWORD)
    server.publish([patch(i) for i in range(5)], changed_at=stamp)
    server.publish([neighbour(i) for i in (10, 11)], changed_at=stamp)
    yield server
    server.stop()


def pages(server: MapServer):
    """The GetFeature requests of the change feed (not the id and version list, not look-ups by id)."""
    return [c for c in server.calls() if "COUNT" in c and "PROPERTYNAME" not in c]


def nothing_sent(server: MapServer) -> None:
    assert server.posts == [], server.posts
    assert not any("transaction" in q.lower() or "lock" in q.lower() for _m, q, _n in server.requests)


# -- downloads ---------------------------------------------------------------------------------------------

@needs_mapserver
@pytest.mark.parametrize("kind", ["gml", "geojson"])
def test_a_countys_patches_come_from_mapserver_page_by_page(mapserver, tmp_path, kind):
    """Five patches of the county in pages of two (COUNT / STARTINDEX), as GML 3.2 (read with OGR) or as the
    GeoJSON the mapfile's OGR output format writes (taken by itself from the capabilities); the neighbouring
    county's patches on the same layer never come."""
    path = new_copy(tmp_path, "a.gpkg")
    e = engine(path, mapserver.url, output_format=GML32 if kind == "gml" else "", page_size=2)
    assert e.client.output_format == (GML32 if kind == "gml" else GEOJSON)
    assert not e.client.accepts_uploads
    pulled = e.pull()
    assert (pulled.applied, pulled.quarantined, pulled.conflicts) == (5, 0, 0), pulled.errors
    rows = local(path)
    assert sorted(rows) == [pid_of(i) for i in range(5)]
    for i in range(5):
        attrs, wkb = patch(i)
        row = rows[pid_of(i)]
        for k in ("county_code", "village_code", "remark", "design_date", "accept_date", "area_mu", "year", "stage",
                  "species", "method", "survival_rate"):
            assert row[k] == attrs[k], (kind, i, k, row[k], attrs[k])
        assert row["server_version"] == 1
        mine = shapely.from_wkb(geopackage.wkb_from_blob(row["geom"]))
        # MapServer writes 9 decimals of degrees (wfs_geometry_precision): about 0.1 mm
        assert shapely.hausdorff_distance(mine, shapely.from_wkb(wkb)) < 1e-3, (kind, i)
    feed = pages(mapserver)
    assert [c["STARTINDEX"] for c in feed] == ["0", "2", "4"] and all(c["COUNT"] == "2" for c in feed), feed
    for c in mapserver.calls() + mapserver.calls("DescribeFeatureType"):
        # WFS 2.0's parameter names; FES 2.0 filters (ValueReference, not ogc:PropertyName)
        assert c["VERSION"] == "2.0.0" and c.get("TYPENAMES") == "patches" and "TYPENAME" not in c, c
        assert "MAXFEATURES" not in c, c
    for c in mapserver.calls():
        assert "http://www.opengis.net/fes/2.0" in c["FILTER"] and "PropertyName" not in c["FILTER"], c
        assert re.search(r"ValueReference>county_code</[\w:]*ValueReference><[\w:]*Literal>339901<", c["FILTER"]), c
    nothing_sent(mapserver)
    # nothing changed there since: the next download takes nothing and sends nothing
    again = e.pull()
    assert (again.applied, again.deleted, again.conflicts, again.quarantined) == (0, 0, 0, 0), again.errors
    assert sorted(local(path)) == [pid_of(i) for i in range(5)] and e.local_changes()["total"] == 0


@needs_mapserver
def test_a_later_download_asks_only_for_recent_changes(mapserver, tmp_path, monkeypatch):
    """After the first download, the province edits one patch behind WFS (a new version and change time): the next
    download's pages ask for changes since the last one (less the clock margin) and MapServer sends only that
    patch and the one the cursor stands on (the filter is "at or after")."""
    path = new_copy(tmp_path, "a.gpkg")
    e = engine(path, mapserver.url, page_size=2)
    assert e.pull().applied == 5
    mapserver.write("UPDATE patches SET remark = '省里改了', version = 2, changed_at = ? WHERE patch_id = ?",
                    (mapserver_serve.utc_text(), pid_of(1)))
    mapserver.requests.clear()
    seen = []
    feed = e.client.iter_pages

    def watched(*args, **kwargs):
        for feats, cursor, last in feed(*args, **kwargs):
            seen.extend(f["properties"]["patch_id"] for f in feats)
            yield feats, cursor, last

    monkeypatch.setattr(e.client, "iter_pages", watched)
    pulled = e.pull()
    assert (pulled.applied, pulled.conflicts, pulled.quarantined) == (1, 0, 0), pulled.errors
    assert sorted(seen) == [pid_of(1), pid_of(4)], seen  # 0, 2 and 3 are older than the last download
    row = local(path)[pid_of(1)]
    assert (row["remark"], row["server_version"]) == ("省里改了", 2)
    since = "2025-01-05T07:50:00.000000Z"  # patch 4's change time, less the 600 s clock margin
    assert pages(mapserver) and all(
        re.search(r"PropertyIsGreaterThanOrEqualTo><[\w:]*ValueReference>changed_at</[\w:]*ValueReference>"
                  rf"<[\w:]*Literal>{since}<", c["FILTER"]) for c in pages(mapserver)), pages(mapserver)
    nothing_sent(mapserver)


@needs_mapserver
def test_a_patch_gone_from_the_published_layer_goes_here_too(mapserver, tmp_path):
    """The province withdraws a patch (deleted behind WFS): the version list tells, the copy deletes it."""
    path = new_copy(tmp_path, "a.gpkg")
    e = engine(path, mapserver.url, output_format=GML32, page_size=2)
    e.pull()
    mapserver.write("DELETE FROM patches WHERE patch_id = ?", (pid_of(3),))
    pulled = e.pull()
    assert pulled.deleted == 1 and sorted(local(path)) == [pid_of(i) for i in (0, 1, 2, 4)], pulled.errors
    nothing_sent(mapserver)


@needs_mapserver
def test_a_server_that_does_not_page_is_refused(mapserver, tmp_path):
    """A server that ignores STARTINDEX (the front drops it: MapServer answers the first page every time) would
    never end the download: the second page repeats the first, and the download stops, saying why."""
    path = new_copy(tmp_path, "a.gpkg")
    e = engine(path, mapserver.url, page_size=2)
    mapserver.ignored = {"STARTINDEX"}
    with pytest.raises(PlatformError) as refused:
        e.pull()
    assert "STARTINDEX" in str(refused.value) and len(pages(mapserver)) == 2
    assert sorted(local(path)) == [pid_of(0), pid_of(1)]  # the first page, taken; the cursor did not move
    mapserver.ignored = set()  # paging again: the download starts over and completes
    pulled = e.pull()
    assert (pulled.applied, pulled.conflicts) == (3, 0) and sorted(local(path)) == [pid_of(i) for i in range(5)]
    nothing_sent(mapserver)


# -- a read-only server: nothing is ever sent ------------------------------------------------------------------

def moves(path: str, pid: str):
    return [r["status"] for r in workflow.history(path, pid) if r["action"] in ("transition", "return")]


@needs_mapserver
def test_local_work_stays_queued_against_a_read_only_server(mapserver, tmp_path):
    path = new_copy(tmp_path, "a.gpkg")
    e = engine(path, mapserver.url)
    e.sync()
    # work here: an edit, a new patch, a deletion and a review move
    edit(path, pid_of(0), remark="本地修改")
    geopackage.write_features(path, schema.PATCHES, [patch(7)])
    delete(path, pid_of(2))
    with geopackage.connect(path) as con:  # the checks ran here (fresh, clean)
        con.execute(f"INSERT OR REPLACE INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, "
                    "warnings) SELECT patch_id, '2099-01-01T00:00:00Z', revision, 0, 0 FROM patches")
    eng = workflow.WorkflowEngine(path)
    target = next((t for t in schema.STAGE_ORDER if eng.plan([pid_of(1)], t)[0].ok), None)
    assert target, [(t, eng.plan([pid_of(1)], t)[0].codes) for t in schema.STAGE_ORDER]
    assert eng.apply([pid_of(1)], target).applied
    queued = e.local_changes()
    assert queued["total"] >= 3
    published = mapserver.rows()
    mapserver.requests.clear()
    for _round in range(2):  # every sync says so, once
        pulled, pushed = e.sync()
        told = [m for m in pulled.errors + pushed.errors if NO_UPLOADS in m]
        assert len(told) == 1, pulled.errors + pushed.errors
        assert PASSWORD not in told[0] and USER not in told[0]
        assert (pushed.pushed, pushed.accepted, pushed.audit_sent, pushed.transitions_accepted) == (0, 0, 0, 0)
        assert e.local_changes() == queued  # nothing lost, nothing marked sent, no batch waiting in the outbox
        assert moves(path, pid_of(1)) == [audit.PENDING]
        assert local(path)[pid_of(0)]["remark"] == "本地修改" and pid_of(7) in local(path)
        assert pid_of(2) not in local(path) and local(path)[pid_of(1)]["stage"] == target
    assert mapserver.calls("GetFeature")  # it was asked (downloads go on) ...
    nothing_sent(mapserver)  # ... and never sent anything
    assert mapserver.rows() == published
    # the province changes the patch edited here: a conflict, the local edit kept
    mapserver.write("UPDATE patches SET remark = '省里改了', version = 2, changed_at = ? WHERE patch_id = ?",
                    (mapserver_serve.utc_text(), pid_of(0)))
    pulled, pushed = e.sync()
    assert [c["patch_id"] for c in e.conflicts()] == [pid_of(0)] and local(path)[pid_of(0)]["remark"] == "本地修改"
    assert len([m for m in pulled.errors + pushed.errors if NO_UPLOADS in m]) == 1
    # the adapter itself refuses to write, before anything goes out
    mapserver.requests.clear()
    with pytest.raises(PlatformError) as refused:
        e.client.upsert([{"patch_id": pid_of(0), "op": "upsert", "base_version": 1, "properties": {},
                          "geometry": None}], COUNTY)
    assert NO_UPLOADS in str(refused.value)
    with pytest.raises(PlatformError):
        e.client.submit_audit(COUNTY, "copy", [{"action": "transition", "patch_id": pid_of(1), "base_version": 1,
                                               "from_stage": "design", "to_stage": target}], "secret")
    assert mapserver.requests == []


@needs_mapserver
def test_mapserver_refuses_a_transaction_itself(mapserver):
    """What the read-only flag spares: MapServer has no WFS-T and says so (as an OGC exception report)."""
    body = (b'<?xml version="1.0"?><wfs:Transaction service="WFS" version="2.0.0" '
            b'xmlns:wfs="http://www.opengis.net/wfs/2.0"/>')
    status, _headers, content = mapserver.cgi("POST", "", body, "text/xml")
    assert b"ExceptionReport" in content or status >= 400, content[:500]


# -- descriptions --------------------------------------------------------------------------------------------

def test_wfs_2_0_0_only_for_reading():
    d = load_description(EXAMPLE)
    assert (d["version"], d["read_only"]) == ("2.0.0", True)
    assert load_description()["read_only"] is False  # the bundled QGIS Server description: uploads as before
    assert check_description({"version": "1.1.0", "read_only": True})["read_only"] is True  # WFS 1.1 read-only too
    with pytest.raises(DescriptionError) as e:
        check_description({"version": "2.0.0"}, "province.json")
    text = str(e.value)
    for part in ("province.json", "2.0.0", "read_only", "1.1.0"):
        assert part in text, (part, text)
    with pytest.raises(DescriptionError) as e:
        check_description({"version": "2.0.0", "read_only": False}, "p.json")
    assert "read_only" in str(e.value)
    with pytest.raises(DescriptionError) as e:
        check_description({"version": "2.0.0", "read_only": "yes"}, "p.json")
    assert "read_only" in str(e.value) and "true or false" in str(e.value)
    for bad in ("2.0", "1.0.0", 2, None):
        with pytest.raises(DescriptionError) as e:
            check_description({"version": bad, "read_only": True}, "p.json")
        assert "version" in str(e.value)
    with pytest.raises(DescriptionError):  # refused before any request is made
        WfsPlatform("http://127.0.0.1:9/wfs", description={"version": "2.0.0"})


@needs_mapserver
def test_a_feature_type_mapserver_does_not_publish(mapserver):
    c = WfsPlatform(mapserver.url, description=dict(load_description(EXAMPLE), type_name="nope_" + PASSWORD),
                    retries=0, sleep=lambda s: None)
    with pytest.raises(PlatformError) as e:
        c.login(USER, PASSWORD)
    assert PASSWORD not in str(e.value) and not c.logged_in
    nothing_sent(mapserver)


# -- codes a province keeps in number columns ------------------------------------------------------------------

@needs_mapserver
@pytest.mark.parametrize("kind", ["gml", "geojson"])
def test_codes_in_number_columns_read_back_from_mapserver(tmp_path, qgis_app, kind):
    """The worked example's layer, published read-only with the stage (JD, codes "01"...) and the method (ZLFS) in
    integer columns: MapServer sends 1 (GeoJSON) or "1" (GML) for the code "01"; it reads back as ours."""
    d = tmp_path / "province"
    d.mkdir()
    province = dict(raw(PROVINCE), version="2.0.0", read_only=True, namespace_prefix="ms",
                    namespace_uri="http://mapserver.gis.umn.edu/mapserver")
    server = MapServer(str(d), province, integer=("JD", "ZLFS"))
    try:
        server.publish([patch(0), patch(1, stage="accepted", method="closure"), patch(2, stage="included")],
                       changed_at=stamp)
        assert sorted(r["JD"] for r in server.rows()) == [1, 2, 7]  # stored as numbers
        path = new_copy(tmp_path, "a.gpkg")
        e = engine(path, server.url, province, output_format=GML32 if kind == "gml" else "")
        assert e.client.numeric_fields >= {"JD", "ZLFS"}
        pulled = e.pull()
        assert (pulled.applied, pulled.quarantined) == (3, 0), pulled.errors
        rows = local(path)
        assert [rows[pid_of(i)]["stage"] for i in range(3)] == ["design", "accepted", "included"]
        assert [rows[pid_of(i)]["method"] for i in range(3)] == ["planting", "closure", "planting"]
        # a number the table does not have is still set aside, with its reason
        server.write("UPDATE zaolin_tuban SET JD = 9, BBH = 2, GXSJ = ? WHERE TBWYBS = ?",
                     (mapserver_serve.utc_text(), pid_of(0)))
        pulled = e.pull()
        assert pulled.quarantined >= 1 and any(pid_of(0) in m and "code table" in m for m in pulled.errors)
        assert [q["patch_id"] for q in e.quarantined()] == [pid_of(0)]
        assert rows[pid_of(0)]["stage"] == local(path)[pid_of(0)]["stage"] == "design"
        nothing_sent(server)
    finally:
        server.stop()


@contextlib.contextmanager
def qgis_server(data_dir: str, description: str, integer=()):
    """QGIS Server publishing (WFS-T 1.1.0) the layer `description` describes, `integer` columns whole numbers:
    (url, the layer's GeoPackage)."""
    env = dict(os.environ, PYTHONPATH=ROOT, QT_QPA_PLATFORM="offscreen")
    serve = os.path.join(ROOT, "tests", "helpers", "wfs_serve.py")
    proc = subprocess.Popen([sys.executable, serve, data_dir, "--user", USER, "--password", PASSWORD,
                             "--description", description, "--integer", ",".join(integer)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        ready, _w, _x = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline().strip() if ready else ""
        if not line.isdigit():
            raise RuntimeError(f"the WFS server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line)}/ows/", os.path.join(data_dir, "patches.gpkg")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _server_stage(gpkg: str, pid: str):
    con = sqlite3.connect(gpkg)
    try:
        return con.execute("SELECT JD, BBH FROM zaolin_tuban WHERE TBWYBS = ?", (pid,)).fetchone()
    finally:
        con.close()


@needs_qgis_server
def test_a_stage_code_in_a_number_column_round_trips_through_qgis_server(tmp_path, qgis_app):
    """The worked example against QGIS Server's WFS-T with the stage column (JD) holding whole numbers: our
    "design" goes up as its code "01", the server stores 1 and sends back "1" (GML) or 1 (GeoJSON). It is read
    back as "design" (it used to be set aside as a code the table lacks), and a review move's filter on the stage
    it starts from finds the patch."""
    d = tmp_path / "province"
    d.mkdir()
    with qgis_server(str(d), PROVINCE, integer=("JD", "ZLFS")) as (url, gpkg):
        a_path = new_copy(tmp_path, "a.gpkg", [patch(0), patch(1, method="closure")])
        a = engine(a_path, url, load_description(PROVINCE))
        assert a.client.accepts_uploads and {"JD", "ZLFS"} <= a.client.numeric_fields
        a.pull()
        pushed = a.push()
        assert (pushed.accepted, pushed.rejected) == (2, 0), pushed.errors
        assert _server_stage(gpkg, pid_of(0)) == (1, 1)
        b_path = new_copy(tmp_path, "b.gpkg")
        b = engine(b_path, url, load_description(PROVINCE))
        pulled = b.pull()
        assert (pulled.applied, pulled.quarantined) == (2, 0), pulled.errors
        assert [local(b_path)[pid_of(i)]["stage"] for i in range(2)] == ["design", "design"]
        assert local(b_path)[pid_of(1)]["method"] == "closure"
        # a review move: the Update's filter names the stage it starts from, in the server's code
        with geopackage.connect(a_path) as con:
            con.execute(f"INSERT OR REPLACE INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, "
                        "warnings) SELECT patch_id, '2099-01-01T00:00:00Z', revision, 0, 0 FROM patches")
        eng = workflow.WorkflowEngine(a_path)
        target = next((t for t in schema.STAGE_ORDER if eng.plan([pid_of(0)], t)[0].ok), None)
        assert target, [(t, eng.plan([pid_of(0)], t)[0].codes) for t in schema.STAGE_ORDER]
        assert eng.apply([pid_of(0)], target).applied
        pushed = a.push()
        assert (pushed.transitions_accepted, pushed.transitions_refused) == (1, 0), pushed.errors
        code = load_description(PROVINCE)["code_tables"]["JD"]["codes"][target]
        assert _server_stage(gpkg, pid_of(0)) == (int(code), 2)
        assert moves(a_path, pid_of(0)) == [audit.ACCEPTED]
        # the stage in that filter counts: another writer moved patch 1 on behind WFS (05, stored as 5), its version
        # left as it was; a move from design no longer finds it and is refused, the server's stage taken here
        with geopackage.connect(gpkg) as con:  # (with the R-tree triggers' functions)
            con.execute("UPDATE zaolin_tuban SET JD = 5 WHERE TBWYBS = ?", (pid_of(1),))
        assert eng.apply([pid_of(1)], target).applied
        pushed = a.push()
        assert (pushed.transitions_accepted, pushed.transitions_refused) == (0, 1), pushed.errors
        assert _server_stage(gpkg, pid_of(1)) == (5, 1) and moves(a_path, pid_of(1)) == [audit.REFUSED]
        assert local(a_path)[pid_of(1)]["stage"] == "city_verified"
        pulled = b.pull()
        assert (pulled.applied, pulled.quarantined) == (1, 0), pulled.errors
        assert local(b_path)[pid_of(0)]["stage"] == target
        # GeoJSON: the number comes as a number
        c_path = new_copy(tmp_path, "c.gpkg")
        c = engine(c_path, url, load_description(PROVINCE), output_format="", coordinate_tolerance=2e-6)
        assert c.client.output_format == "application/vnd.geo+json"
        pulled = c.pull()
        assert (pulled.applied, pulled.quarantined) == (2, 0), pulled.errors
        assert [local(c_path)[pid_of(i)]["stage"] for i in range(2)] == [target, "city_verified"]
        assert not a.conflicts() and not b.conflicts() and a.local_changes()["total"] == 0


@needs_qgis_server
def test_codes_that_are_one_number_are_never_taken_for_each_other(tmp_path, qgis_app):
    """A table giving design "1" and included "01", the stage column (JD) a number column on QGIS Server: the server
    stores both as 1. Read as text first, a patch moved on to included came back as "1", read as design (silently
    demoted). By number first, 1 stands for both: the table is named when the description meets the server (told
    at every sync), the record holding 1 is set aside with the explanation (never stored as either), and a patch
    at design or included is not sent (the server could not keep them apart); the other stages go and come back."""
    d = tmp_path / "province"
    d.mkdir()
    shared = raw(PROVINCE)
    shared["code_tables"]["JD"]["codes"].update(design="1", included="01")
    desc = str(tmp_path / "shared_numbers.json")
    with open(desc, "w", encoding="utf-8") as fh:
        json.dump(shared, fh, ensure_ascii=False)
    with qgis_server(str(d), desc, integer=("JD",)) as (url, gpkg):
        a_path = new_copy(tmp_path, "a.gpkg", [patch(0, stage="accepted"), patch(1, stage="included"), patch(2)])
        a = engine(a_path, url, load_description(desc))
        assert "JD" in a.client.numeric_fields
        (notice,) = a.client.notices  # said when the description met DescribeFeatureType
        for part in ("JD", "design (1)", "included (01)", "number"):
            assert part in notice, (part, notice)
        pushed = a.push()
        assert (pushed.accepted, pushed.rejected) == (1, 2), pushed.errors
        assert notice in pushed.errors  # every sync says so
        for i in (1, 2):
            assert any(pid_of(i) in m and "not sent" in m for m in pushed.errors), pushed.errors
        assert sorted(r["TBWYBS"] for r in _rows(gpkg)) == [pid_of(0)]  # only "accepted" (02, stored as 2) went
        assert _server_stage(gpkg, pid_of(0)) == (2, 1)
        # another writer moves patch 0 on to included as the province stores it: 1 (what "01" became)
        with geopackage.connect(gpkg) as con:
            con.execute("UPDATE zaolin_tuban SET JD = 1, BBH = 2, GXSJ = ? WHERE TBWYBS = ?",
                        (mapserver_serve.utc_text(), pid_of(0)))
        for path, e in ((a_path, a), (new_copy(tmp_path, "b.gpkg"), None)):
            e = e or engine(path, url, load_description(desc))
            pulled = e.pull()
            # (a copy that knows the patch asks for it again by id: the version list says it is newer there)
            assert pulled.quarantined >= 1 and pulled.applied == 0, pulled.errors
            told = [m for m in pulled.errors if pid_of(0) in m]
            assert told and all("design, included" in m and "number" in m for m in told), told
            assert [q["patch_id"] for q in e.quarantined()] == [pid_of(0)]
            assert notice in pulled.errors
        # never demoted: a keeps its own copy (accepted, version 1); b has none
        assert (local(a_path)[pid_of(0)]["stage"], local(a_path)[pid_of(0)]["server_version"]) == ("accepted", 1)
        assert pid_of(0) not in local(str(tmp_path / "b.gpkg"))
        # GeoJSON sends the number as a number: set aside alike
        c_path = new_copy(tmp_path, "c.gpkg")
        c = engine(c_path, url, load_description(desc), output_format="", coordinate_tolerance=2e-6)
        assert c.client.output_format == "application/vnd.geo+json"
        pulled = c.pull()
        assert pulled.applied == 0 and pulled.quarantined >= 1, pulled.errors
        assert [q["patch_id"] for q in c.quarantined()] == [pid_of(0)] and pid_of(0) not in local(c_path)
        # a stage whose number no other code shares comes back as itself
        with geopackage.connect(gpkg) as con:
            con.execute("UPDATE zaolin_tuban SET JD = 5, BBH = 3, GXSJ = ? WHERE TBWYBS = ?",
                        (mapserver_serve.utc_text(), pid_of(0)))
        pulled = a.pull()
        assert (pulled.applied, pulled.quarantined) == (1, 0), pulled.errors
        assert local(a_path)[pid_of(0)]["stage"] == "city_verified" and not a.quarantined()


def _rows(gpkg: str):
    con = sqlite3.connect(gpkg)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM zaolin_tuban")]
    finally:
        con.close()
