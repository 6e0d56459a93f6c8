"""A working copy syncs with one platform. A WFS server lists no deletes: a patch this copy took from it that it no
longer returns is taken for deleted. Pointed at another server or feature type (a province's read-only layer of its
verified patches, a subset), every patch the other one does not publish would be deleted here and its pending moves
voided. The copy remembers the platform it syncs with at its first sync and refuses another before anything is
asked of it; an explicit re-bind moves it to the other platform without deleting anything.

Against real servers: QGIS Server's WFS-T (tests/helpers/wfs_serve.py), MapServer publishing a subset read-only
(tests/helpers/mapserver_serve.py) and two reference platforms (REST)."""

from __future__ import annotations

import os

import pytest

from forestry_plugin import schema
from forestry_plugin.core import audit, geopackage, workflow
from forestry_plugin.core.sync.adapter import normalized_address
from forestry_plugin.core.sync.client import PlatformClient, redact
from forestry_plugin.core.sync.engine import BINDING, OtherPlatform, SyncEngine, UnrecordedPlatform
from forestry_plugin.core.sync.wfs import WfsPlatform, load_description
from tests.core.sync import test_wfs, test_wfs_mapserver
from tests.core.sync.test_wfs_mapserver import EXAMPLE, local, nothing_sent, patch, pid_of, stamp
from tests.helpers import mapserver_serve, working_copies
from tests.helpers.mapserver_serve import MapServer
from tests.helpers.platform_logins import client, onboard
from tests.helpers.working_copies import edit, new_copy

needs_servers = pytest.mark.skipif(
    not (mapserver_serve.available() and os.path.exists("/usr/lib/qgis/server/libwfs.so")),
    reason="needs QGIS Server's WFS module (qgis-server-wfs) and MapServer (cgi-mapserver); `make setup` installs them")


def versions(path: str):
    return {pid: row["server_version"] for pid, row in local(path).items()}


def refused(call, *texts):
    with pytest.raises(OtherPlatform) as e:
        call()
    for text in texts:
        assert text in str(e.value), (text, str(e.value))
    return e.value


# -- which platform ----------------------------------------------------------------------------------------------

def test_a_platform_is_its_kind_address_and_feature_type():
    rest = PlatformClient("http://127.0.0.1:8000/api/v1").identity()
    assert rest == "rest:127.0.0.1:8000/api/v1"
    for same in ("http://127.0.0.1:8000/api/v1/", "HTTPS://127.0.0.1:8000//api/v1", " http://127.0.0.1:8000/api/v1"):
        assert PlatformClient(same).identity() == rest, same
    assert PlatformClient("http://127.0.0.1:8001/api/v1").identity() != rest
    assert PlatformClient("http://127.0.0.1:8000/api/v2").identity() != rest
    assert normalized_address("http://gis.example.cn:80/ows") == normalized_address("https://GIS.example.cn:443/ows/")
    assert "s3cret" not in normalized_address("http://user:s3cret@gis.example.cn/ows")
    for secret in ("authkey", "token", "api_key", "password"):  # who asks, not which server: never stored
        assert normalized_address(f"http://h/ows?{secret}=s3cret&MAP=/a.qgs") == "h/ows?MAP=/a.qgs"
    # OGC parameters are case-insensitive; those the adapter sets itself are not part of the address
    assert normalized_address("http://h/cgi-bin/mapserv?map=/srv/a.map&SERVICE=WFS") == \
        normalized_address("http://h/cgi-bin/mapserv?MAP=/srv/a.map")
    assert normalized_address("http://h/ows?MAP=/srv/a.qgs") != normalized_address("http://h/ows?MAP=/srv/b.qgs")
    wfs = WfsPlatform("http://127.0.0.1:9/ows/").identity()
    assert wfs == "wfs:127.0.0.1:9/ows#patches"
    # the feature type as the description names it, prefix included: the user picks a description, and the same
    # description is the same platform
    assert WfsPlatform("http://127.0.0.1:9/ows", dict(load_description(), type_name="qgs:patches")).identity() != wfs
    assert WfsPlatform("http://127.0.0.1:9/ows", dict(load_description(), type_name="qgs:patches")).identity() == \
        WfsPlatform("http://127.0.0.1:9/ows/", dict(load_description(), type_name="qgs:patches")).identity()
    assert WfsPlatform("http://127.0.0.1:9/ows", dict(load_description(), type_name="verified")).identity() != wfs
    assert WfsPlatform("http://127.0.0.1:9/ows", load_description(EXAMPLE)).identity() == wfs  # read-only or not
    assert PlatformClient("http://127.0.0.1:9/ows").identity() != wfs


def test_the_prefix_tells_a_county_layer_from_the_provinces_on_one_server(tmp_path, qgis_app):
    """One GeoServer endpoint: the county's layer and the province's read-only layer of verified patches, both named
    "patches" after their namespace prefix. A copy bound to the county's is refused the province's (its id-and-version
    pass would delete every patch the province does not hold)."""
    url = "http://gis.example.cn/geoserver/ows"
    county = WfsPlatform(url, dict(load_description(), type_name="county339901:patches"))
    province = WfsPlatform(url, dict(load_description(), type_name="prov:patches"))
    assert county.identity() != province.identity()
    assert county.identity().endswith("#county339901:patches")
    path = new_copy(tmp_path, "a.gpkg", [working_copies.patch(i) for i in range(1, 3)])
    SyncEngine(path, county).rebind()  # bound to the county's layer (as a first sync would)
    refused(SyncEngine(path, province).check_binding, "prov:patches", "county339901:patches")
    SyncEngine(path, WfsPlatform(url + "/", dict(load_description(), type_name="county339901:patches"))).check_binding()


# -- the same platform at a new address; copies from before bindings were recorded -------------------------------

def _synced_state(path: str) -> dict:
    """Give the copy what a sync leaves: versions, a cursor, an unsent batch, an upload in flight, a conflict."""
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET server_version = 7")
        con.execute("INSERT OR REPLACE INTO sync_state VALUES ('cursor', '\"2026-01-01T00:00:00.000Z\"')")
        con.execute("INSERT OR REPLACE INTO sync_state VALUES ('audit_inflight', '{\"key\": \"k1\"}')")
        con.execute("INSERT INTO sync_outbox VALUES ('batch-1', '[]', '[]', '2026-01-01T00:00:00Z')")
        con.execute("INSERT INTO sync_conflicts VALUES ('p1', 8, '{}', 7, '2026-01-01T00:00:00Z')")
    return _sync_tables(path)


def _sync_tables(path: str) -> dict:
    with geopackage.connect(path) as con:
        return {"versions": [r[0] for r in con.execute(f"SELECT server_version FROM {schema.PATCHES} ORDER BY fid")],
                "state": {k: v for k, v in con.execute("SELECT key, value FROM sync_state") if k in
                          ("cursor", "audit_inflight")},
                "outbox": con.execute("SELECT key FROM sync_outbox").fetchall(),
                "conflicts": con.execute("SELECT patch_id FROM sync_conflicts").fetchall()}


def test_the_same_platform_at_a_new_address_keeps_everything(tmp_path):
    path = new_copy(tmp_path, "a.gpkg", [working_copies.patch(i) for i in range(1, 4)])
    old = SyncEngine(path, PlatformClient("http://old.example.cn/api/v1"))
    old.rebind()
    kept = _synced_state(path)
    moved = SyncEngine(path, PlatformClient("https://new.example.cn/api/v1"))
    refused(moved.check_binding, "old.example.cn", "new.example.cn")
    assert moved.same_platform_possible()
    binding = moved.bind_same_platform()
    assert binding["platform"] == moved.client.identity() == moved.bound_platform()["platform"]
    assert binding["previous"]["platform"] == old.client.identity()
    assert _sync_tables(path) == kept  # versions, cursor, outbox, upload in flight, conflicts: all kept
    moved.check_binding()
    refused(old.check_binding, "new.example.cn")
    # another county, or another kind of platform, is never "the same platform"
    with pytest.raises(ValueError):
        SyncEngine(path, moved.client, county="330102").bind_same_platform()
    with pytest.raises(ValueError):
        SyncEngine(path, WfsPlatform("http://new.example.cn/api/v1")).bind_same_platform()
    assert _sync_tables(path) == kept
    # another platform: its versions forgotten, nothing deleted
    SyncEngine(path, PlatformClient("http://other.example.cn/api/v1")).rebind()
    after = _sync_tables(path)
    assert after["versions"] == [None] * 3 and after["outbox"] == [] and after["conflicts"] == []
    assert sorted(local(path)) == sorted(working_copies.pid_of(i) for i in range(1, 4))


def test_a_copy_synced_before_bindings_is_refused_until_confirmed(tmp_path):
    path = new_copy(tmp_path, "a.gpkg", [working_copies.patch(i) for i in range(1, 3)])
    unreachable = SyncEngine(path, PlatformClient("http://127.0.0.1:9/api/v1"))  # asked anything: a NetworkError
    unreachable.check_binding()  # never synced: binds silently at its first sync
    kept = _synced_state(path)
    for call in (unreachable.check_binding, unreachable.pull, unreachable.push, unreachable.sync):
        e = refused(call, "synced before the plugin recorded its platform", "127.0.0.1:9/api/v1",
                    "sync panel", "SyncEngine.bind_same_platform()")
        assert isinstance(e, UnrecordedPlatform) and e.bound == {}
    assert _sync_tables(path) == kept and unreachable.bound_platform() is None
    assert unreachable.same_platform_possible()
    unreachable.bind_same_platform()
    unreachable.check_binding()
    assert _sync_tables(path) == kept
    # a cursor alone (a download of an empty county) is a sync too
    other = new_copy(tmp_path, "b.gpkg", [working_copies.patch(1)])
    with geopackage.connect(other) as con:
        con.execute("INSERT OR REPLACE INTO sync_state VALUES ('cursor', '\"2026-01-01T00:00:00.000Z\"')")
    with pytest.raises(UnrecordedPlatform):
        SyncEngine(other, PlatformClient("http://127.0.0.1:9/api/v1")).check_binding()


def test_credentials_in_an_address_are_never_stored_or_shown(tmp_path):
    url = "http://t0.tianditu.example.cn/api/v1?tk=SECRET1&ak=SECRET2&access_key=SECRET3&appkey=SECRET4&sign=SECRET5"
    secrets = ("SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5")
    for name in ("tk", "ak", "access_key", "appkey", "sign", "authkey", "key", "sig"):
        assert normalized_address(f"http://h/ows?{name}=SECRET&MAP=/a.qgs") == "h/ows?MAP=/a.qgs", name
        assert "SECRET" not in redact(f"GET http://h/ows?{name}=SECRET&MAP=/a.qgs failed"), name
        assert "SECRET" not in redact(f'{{"{name}": "SECRET"}}'), name
    path = new_copy(tmp_path, "a.gpkg", [working_copies.patch(1)])
    a = SyncEngine(path, PlatformClient(url))
    with geopackage.connect(path) as con:
        a._bind(con)  # as a first sync binds
    with geopackage.connect(path) as con:
        stored = con.execute("SELECT value FROM sync_state WHERE key = ?", (BINDING,)).fetchone()[0]
    assert "tianditu" in stored and not any(s in stored for s in secrets), stored
    # a binding stored by an older plugin, credentials and all: still never shown
    with geopackage.connect(path) as con:
        con.execute("UPDATE sync_state SET value = ? WHERE key = ?",
                    ('{"platform": "rest:old.example.cn/api?tk=SECRET1&ak=SECRET2", "county": "339901"}', BINDING))
    e = refused(SyncEngine(path, PlatformClient("http://other.example.cn/api?tk=SECRET1&ak=SECRET2")).pull)
    assert not any(s in str(e) for s in secrets), str(e)


# -- WFS: QGIS Server, then a read-only MapServer publishing a subset ------------------------------------------------

@pytest.fixture()
def verified(tmp_path, qgis_app):
    """MapServer publishing, read-only, the province's layer of the county's verified patches: 0 (verified) and 1
    (still at design, as the county has it) of five, at version 3."""
    if not mapserver_serve.available():
        pytest.skip("MapServer's CGI program /usr/bin/mapserv is not installed (Debian package cgi-mapserver)")
    d = tmp_path / "verified"
    d.mkdir()
    server = MapServer(str(d), test_wfs_mapserver.raw(EXAMPLE), user=test_wfs_mapserver.USER,
                       password=test_wfs_mapserver.PASSWORD)
    server.publish([patch(0, stage="province_verified"), patch(1)], changed_at=stamp, version=3)
    yield server
    server.stop()


def on_mapserver(path: str, server: MapServer) -> SyncEngine:
    return test_wfs_mapserver.engine(path, server.url)


@needs_servers
def test_a_copy_synced_with_qgis_server_is_not_emptied_by_another_server(tmp_path, qgis_app, verified):
    d = tmp_path / "qgis_server"
    d.mkdir()
    wfs = test_wfs.WfsServer(str(d))
    try:
        path = new_copy(tmp_path, "a.gpkg", [patch(i) for i in range(5)])
        a = test_wfs.engine(path, wfs.url)
        assert a.bound_platform() is None  # never synced: bound at its first sync
        pulled, pushed = test_wfs.sync(a)
        assert pushed.accepted == 5 and set(versions(path).values()) == {1}
        assert a.bound_platform()["platform"] == a.client.identity() == f"wfs:127.0.0.1:{wfs.port}/ows#patches"
        assert a.bound_platform()["county"] == "339901"
        edit(path, pid_of(4), remark="本地修改")  # local work waiting for the next upload
        before, queued = local(path), a.local_changes()
        # pointed at the province's read-only layer of verified patches (0 and 1 only): refused before anything
        # is asked of it
        m = on_mapserver(path, verified)  # (logging in asks for its capabilities and feature type)
        verified.requests.clear()
        for call in (m.pull, m.push, m.sync):
            e = refused(call, a.client.identity(), m.client.identity(), "new working copy", "re-bind", "339901")
            assert test_wfs_mapserver.PASSWORD not in str(e) and test_wfs.PASSWORD not in str(e)
        assert verified.requests == [] and local(path) == before and m.local_changes() == queued
        # another feature type of the same server: another platform too (refused before any request: not even
        # logged in)
        other = SyncEngine(path, WfsPlatform(wfs.url, dict(load_description(), type_name="verified_patches")))
        refused(other.pull, "verified_patches")
        refused(SyncEngine(path, a.client, county="330102").pull, "330102")  # another county: refused alike
        assert local(path) == before
        # the same server again (its address written differently): syncs as before
        again = SyncEngine(path, WfsPlatform(f"HTTP://127.0.0.1:{wfs.port}//ows", retries=1, sleep=lambda s: None))
        again.client.login(test_wfs.USER, test_wfs.PASSWORD)
        pulled, pushed = test_wfs.sync(again)
        assert (pulled.deleted, pushed.accepted) == (0, 1) and versions(path)[pid_of(4)] == 2
        # re-bound on purpose: every local patch stays; those the verified layer lacks are not on that platform
        edit(path, pid_of(3), remark="又改了")
        with geopackage.connect(path) as con:  # a review move of patch 1, made here and not sent yet
            con.execute(f"INSERT OR REPLACE INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, "
                        "warnings) SELECT patch_id, '2099-01-01T00:00:00Z', revision, 0, 0 FROM patches")
        eng = workflow.WorkflowEngine(path)
        target = next((t for t in schema.STAGE_ORDER if eng.plan([pid_of(1)], t)[0].ok), None)
        assert target and eng.apply([pid_of(1)], target).applied
        before, queued = local(path), m.local_changes()
        bound = m.rebind()
        assert bound["platform"] == m.client.identity() == m.bound_platform()["platform"]
        assert bound["previous"]["platform"] == a.client.identity()
        assert set(versions(path).values()) == {None} and local(path).keys() == before.keys()
        assert m.local_changes()["total"] == queued["total"]  # nothing became (or stopped being) a local change
        for _round in range(2):
            pulled, pushed = m.sync()
            assert (pulled.deleted, pulled.conflicts, pulled.quarantined) == (0, 0, 0), pulled.errors
            assert sorted(local(path)) == [pid_of(i) for i in range(5)]
            assert versions(path) == {pid_of(0): 3, pid_of(1): 3, pid_of(2): None, pid_of(3): None, pid_of(4): None}
            # patch 1 is there as the move found it: linked, the move still waits (it stands on version 3)
            assert [local(path)[pid_of(i)]["stage"] for i in (0, 1)] == ["province_verified", target]
            assert test_wfs_mapserver.moves(path, pid_of(1)) == [audit.PENDING]
            assert local(path)[pid_of(3)]["remark"] == "又改了" and local(path)[pid_of(4)]["remark"] == "本地修改"
            assert any(test_wfs_mapserver.NO_UPLOADS in t for t in pushed.errors)  # still queued
        # from now on the verified layer is the platform: a patch it withdraws goes here too
        verified.write("DELETE FROM patches WHERE patch_id = ?", (pid_of(0),))
        assert m.pull().deleted == 1 and sorted(local(path)) == [pid_of(i) for i in (1, 2, 3, 4)]
        nothing_sent(verified)
        # and QGIS Server is the other platform now
        refused(test_wfs.engine(path, wfs.url).pull, m.client.identity())
    finally:
        wfs.stop()


# -- REST: two reference platforms ------------------------------------------------------------------------------

def test_a_copy_synced_with_one_rest_platform_is_refused_by_another(platform, tmp_path):
    from reference_platform.server import start_server, stop_server

    server, url = platform
    path = new_copy(tmp_path, "a.gpkg", [working_copies.patch(i) for i in range(1, 6)])
    a = SyncEngine(path, client(url))
    assert a.push().accepted == 5
    assert a.bound_platform()["platform"] == f"rest:{url.split('://', 1)[1]}"
    other_server, other_url = start_server(str(tmp_path / "other.sqlite"), basemap_dir=str(tmp_path / "b"))
    try:
        b = SyncEngine(path, client(other_url))
        served = other_server.requests_served
        before = local(path)
        for call in (b.pull, b.push, b.sync):
            refused(call, url.split("://", 1)[1], other_url.split("://", 1)[1])
        assert other_server.requests_served == served and local(path) == before
        # a copy from before copies kept their platform (it holds versions): refused once, until confirmed
        with geopackage.connect(path) as con:
            con.execute("DELETE FROM sync_state WHERE key = ?", (BINDING,))
        assert a.bound_platform() is None
        served = server.requests_served
        for call in (a.pull, a.push, a.sync):
            with pytest.raises(UnrecordedPlatform) as e:
                call()
            assert "bind_same_platform" in str(e.value) and "sync panel" in str(e.value)
        assert server.requests_served == served and local(path) == before
        a.bind_same_platform()
        assert a.pull().deleted == 0 and a.bound_platform()["platform"] == a.client.identity()
        refused(b.pull)
        # re-bound: the other platform holds two of the patches (its operator imported them), not the others
        onboard_two = new_copy(tmp_path, "two.gpkg", [working_copies.patch(i) for i in (1, 2)])
        onboard(other_server, onboard_two)
        b.rebind()
        pulled = b.pull()
        assert (pulled.deleted, pulled.conflicts) == (0, 0), pulled.errors
        assert local(path).keys() == before.keys()
        assert {pid for pid, v in versions(path).items() if v is not None} == {working_copies.pid_of(i) for i in (1, 2)}
        assert b.local_changes()["total"] == 0
        refused(a.pull, other_url.split("://", 1)[1])
    finally:
        stop_server(other_server)
