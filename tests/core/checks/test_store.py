"""Check engine on a working copy: check_issues/check_state contract, subsets, exceptions, profiles, live checks."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import shapely
from qgis.core import QgsGeometry
from shapely.geometry import MultiPolygon, box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks import store
from forestry_plugin.core.checks.engine import check_working_copy
from forestry_plugin.core.checks.live import LiveChecker
from forestry_plugin.core.checks.profile import RuleProfile, load_profile, save_profile
from forestry_plugin.core.checks.projection import AreaModel

X0, Y0 = 500000.0, 3330000.0


def sq(x, y, s):
    return box(X0 + x, Y0 + y, X0 + x + s, Y0 + y + s)


def wkb(g):
    return shapely.to_wkb(MultiPolygon([g]) if g.geom_type == "Polygon" else g)


def patch(g, **kw):
    m2 = float(AreaModel(4549).areas([shapely.make_valid(g)])[0])
    a = {"patch_id": str(uuid.uuid4()), "county_code": "339901", "township_code": "339901101",
         "village_code": "339901101200", "year": 2025, "method": "planting", "forest_type": "protection",
         "species": "camphor", "area_mu": round(schema.m2_to_mu(m2), 2), "area_ha": round(schema.m2_to_ha(m2), 4),
         "stage": "design", "revision": 3}
    a.update(kw)
    return a


@pytest.fixture()
def wc(empty_working_copy):
    """A working copy with base map, admin units, and three patches: clean, two overlapping, one on cropland."""
    path = empty_working_copy
    geopackage.write_features(path, schema.BASEMAP, [
        ({"BSM": "B1", "DLBM": "0404"}, wkb(sq(0, 0, 400))), ({"BSM": "B2", "DLBM": "0103"}, wkb(sq(400, 0, 400)))])
    geopackage.write_features(path, schema.ADMIN, [
        ({"code": "339901", "level": "county", "name": "县"}, wkb(sq(-10, -10, 900))),
        ({"code": "339901101", "level": "township", "name": "镇"}, wkb(sq(-10, -10, 900))),
        ({"code": "339901101200", "level": "village", "name": "村"}, wkb(sq(-10, -10, 900)))])
    g = {"clean": sq(10, 10, 50), "o1": sq(100, 100, 60), "o2": sq(130, 100, 60), "crop": sq(500, 50, 60)}
    recs = {k: patch(v) for k, v in g.items()}
    geopackage.write_features(path, schema.PATCHES, [(recs[k], wkb(g[k])) for k in g])
    return path, recs, g


def issues(path):
    with sqlite3.connect(path) as con:
        return con.execute("SELECT patch_id, rule, severity, other_id, value, run_id FROM check_issues").fetchall()


def state(path):
    with sqlite3.connect(path) as con:
        return {r[0]: r[1:] for r in con.execute("SELECT patch_id, patch_revision, errors, warnings FROM check_state")}


def test_full_run_writes_issues_and_state(wc):
    path, recs, _g = wc
    res = check_working_copy(path)
    assert len(res.checked_ids) == 4 and res.seconds > 0 and res.run_id
    rows = issues(path)
    rules_by = {}
    for pid, rule, *_ in rows:
        rules_by.setdefault(pid, set()).add(rule)
    assert rules_by == {recs["o1"]["patch_id"]: {R.PATCH_OVERLAP}, recs["o2"]["patch_id"]: {R.PATCH_OVERLAP},
                        recs["crop"]["patch_id"]: {R.CROPLAND}}
    assert {r[5] for r in rows} == {res.run_id}
    st = state(path)
    assert st[recs["clean"]["patch_id"]] == (3, 0, 0)
    assert st[recs["o1"]["patch_id"]] == (3, 1, 0)
    # The overlap is stored with its geometry (readable by OGR / QGIS).
    feats = geopackage.read_features(path, schema.ISSUES, where="rule = 'patch_overlap'")
    assert len(feats) == 2 and all(shapely.from_wkb(w).area == pytest.approx(30 * 60) for _f, _a, w in feats)


def test_subset_run_replaces_only_its_rows(wc):
    path, recs, g = wc
    check_working_copy(path)
    before = issues(path)
    crop_id = recs["crop"]["patch_id"]
    # Give the cropland patch an approval number, re-check only it.
    from osgeo import ogr

    ds = ogr.Open(path, update=1)  # OGR: the GPKG update triggers need its ST_* functions
    ds.ExecuteSQL(f"UPDATE patches SET approval_no = 'A-1', revision = 4 WHERE patch_id = '{crop_id}'")
    ds = None
    res = check_working_copy(path, patch_ids=[crop_id])
    assert res.checked_ids == [crop_id]
    after = issues(path)
    assert [r for r in after if r[0] == crop_id] == []
    assert sorted(r[:5] for r in after) == sorted(r[:5] for r in before if r[0] != crop_id)
    assert state(path)[crop_id] == (4, 0, 0)


def test_extent_selects_patches(wc):
    path, recs, _g = wc
    res = check_working_copy(path, extent=(X0 + 480, Y0, X0 + 600, Y0 + 200), write=False)
    assert res.checked_ids == [recs["crop"]["patch_id"]]
    assert issues(path) == []  # write=False leaves the tables alone


def reviewer(name, role="county_reviewer"):
    from forestry_plugin.core import identity

    return identity.Identity(username=name, role=role, county="339901", units=("339901",), source="platform",
                             verified_at=identity.utc_text())


def test_exception_policy_refuses_who_may_not(wc):
    path, recs, _g = wc
    check_working_copy(path)
    crop = recs["crop"]["patch_id"]
    for role in ("contractor", "county_technician", "county_reviewer", "city_reviewer", "province_reviewer"):
        with pytest.raises(store.ExceptionRefused) as e:  # 四严禁: basic farmland is never waived
            store.accept_exception(path, crop, R.BASIC_FARMLAND, None, "we really planted it", reviewer("x", role),
                                   approval_ref="ref-1")
        assert e.value.code == "exception_forbidden"
        with pytest.raises(store.ExceptionRefused):  # missing attributes are fixed, not waived
            store.accept_exception(path, crop, R.ATTRIBUTE, None, "later", reviewer("x", role))
    with pytest.raises(store.ExceptionRefused) as e:
        store.accept_exception(path, crop, R.SLIVER, None, "windbreak", reviewer("c", "contractor"))
    assert e.value.code == "exception_not_allowed"
    store.accept_exception(path, crop, R.SLIVER, None, "windbreak", reviewer("t", "county_technician"))
    assert store.list_exceptions(path)[0]["accepted_by"] == "t"


def test_exceptions_respected(wc):
    path, recs, _g = wc
    check_working_copy(path)
    o1, o2, crop = recs["o1"]["patch_id"], recs["o2"]["patch_id"], recs["crop"]["patch_id"]
    alice, bob = reviewer("alice"), reviewer("bob")
    with pytest.raises(ValueError):
        store.accept_exception(path, crop, R.CROPLAND, "B2", "  ", alice)
    # cropland needs the approval number (exception policy), and a county reviewer
    with pytest.raises(store.ExceptionRefused) as e:
        store.accept_exception(path, crop, R.CROPLAND, "B2", "approved by county", alice)
    assert e.value.code == "approval_ref_required"
    with pytest.raises(store.ExceptionRefused) as e:
        store.accept_exception(path, crop, R.CROPLAND, "B2", "approved", None, approval_ref="浙土资〔2025〕12号")
    assert e.value.code == "exception_not_allowed"  # without a login: a local technician
    store.accept_exception(path, crop, R.CROPLAND, "B2", "approved by county", alice, approval_ref="浙土资〔2025〕12号")
    store.accept_exception(path, o1, R.PATCH_OVERLAP, None, "boundary agreed", bob)
    assert [(e["patch_id"], e["rule"], e["other_id"]) for e in store.list_exceptions(path)] == [
        (crop, R.CROPLAND, "B2"), (o1, R.PATCH_OVERLAP, None)] or len(store.list_exceptions(path)) == 2
    opened = store.open_findings(path)
    assert crop not in opened and o1 not in opened and [f["rule"] for f in opened[o2]] == [R.PATCH_OVERLAP]
    assert state(path)[crop][1] == 0  # counts follow the exception
    # A later run still records the accepted findings, marks them, and counts them as not open.
    res = check_working_copy(path)
    acc = {(f.patch_id, f.rule) for f in res.findings if f.accepted}
    assert acc == {(crop, R.CROPLAND), (o1, R.PATCH_OVERLAP)}
    assert store.open_findings(path, [crop, o1, o2]).keys() == {o2}
    assert state(path)[crop][1] == 0 and state(path)[o2][1] == 1
    # The workflow's gates count only exceptions the platform has accepted.
    from forestry_plugin.core import workflow

    assert {e["status"] for e in store.list_exceptions(path)} == {"pending"}
    assert set(workflow.open_findings(path, [crop, o1, o2])) == {crop, o1, o2}
    with geopackage.connect(path) as con:
        con.execute("UPDATE accepted_exceptions SET status = 'accepted'")
    assert set(workflow.open_findings(path, [crop, o1, o2])) == {o2}
    e = next(e for e in store.list_exceptions(path) if e["rule"] == R.CROPLAND)
    assert (e["accepted_by"], e["role"], e["approval_ref"]) == ("alice", "county_reviewer", "浙土资〔2025〕12号")
    with pytest.raises(store.ExceptionRefused):  # a technician may not withdraw a county reviewer's waiver
        store.remove_exception(path, crop, R.CROPLAND, "B2")
    assert store.remove_exception(path, crop, R.CROPLAND, "B2", user=alice) == 1
    assert crop in store.open_findings(path, [crop])


def test_profile_round_trip(wc, tmp_path):
    path, recs, _g = wc
    prof = RuleProfile.default()
    prof.set(R.MIN_AREA, warning_m2=5000, severity="warning")
    prof.set(R.CROPLAND, enabled=False)
    assert RuleProfile.from_json(prof.to_json()).to_dict() == prof.to_dict()
    save_profile(path, prof)
    loaded = load_profile(path)
    assert loaded.to_dict() == prof.to_dict()
    f = tmp_path / "rules.json"
    prof.save_file(str(f))
    assert RuleProfile.from_file(str(f)).threshold(R.MIN_AREA, "warning_m2") == 5000
    with pytest.raises(ValueError):
        RuleProfile.from_json("{not json")
    with pytest.raises(ValueError):
        RuleProfile.from_dict({"rules": {"min_area": {"severity": "fatal"}}})
    # The stored profile drives check_working_copy: cropland disabled, every patch now < 5000 m2 -> warning.
    res = check_working_copy(path)
    rules_found = {(f.patch_id, f.rule, f.severity) for f in res.findings}
    assert (recs["crop"]["patch_id"], R.CROPLAND, "error") not in rules_found
    assert (recs["clean"]["patch_id"], R.MIN_AREA, "warning") in rules_found


def test_live_checker(wc):
    path, recs, g = wc
    live = LiveChecker(path)
    qg = QgsGeometry.fromWkt(sq(120, 150, 40).wkt)  # overlaps o1 and o2
    a = patch(sq(120, 150, 40))
    found = live.check_patch(qg, a, a["patch_id"])
    assert sorted(f.other_id for f in found if f.rule == R.PATCH_OVERLAP) == sorted(
        [recs["o1"]["patch_id"], recs["o2"]["patch_id"]])
    assert live.last_ms < 100
    # The patch itself is not its own overlap partner.
    own = recs["o1"]
    found = live.check_patch(QgsGeometry.fromWkt(g["o1"].wkt), own, own["patch_id"])
    assert [f.other_id for f in found if f.rule == R.PATCH_OVERLAP] == [recs["o2"]["patch_id"]]
    # Moving o2 away and telling the checker: the overlap disappears.
    live.update_patch(recs["o2"]["patch_id"], sq(300, 300, 60))
    found = live.check_patch(QgsGeometry.fromWkt(g["o1"].wkt), own, own["patch_id"])
    assert not [f for f in found if f.rule == R.PATCH_OVERLAP]
    # Invalid and empty geometries give a finding, not an exception.
    bow = QgsGeometry.fromWkt("POLYGON((500020 3330020, 500080 3330080, 500080 3330020, 500020 3330080, 500020 3330020))")
    assert R.INVALID_GEOMETRY in {f.rule for f in live.check_patch(bow, patch(sq(20, 20, 60)), "x")}
    assert [f.rule for f in live.check_patch(QgsGeometry(), {"patch_id": "y"}, "y")][0] == R.INVALID_GEOMETRY
    # Attributes straight from a QGIS feature (QVariant NULLs, QDate) are understood.
    from qgis.core import NULL
    from qgis.PyQt.QtCore import QDate

    b = patch(sq(200, 20, 60), restore_method=NULL, approval_no=NULL, design_date=QDate(2025, 3, 1))
    assert live.check_patch(QgsGeometry.fromWkt(sq(200, 20, 60).wkt), b, b["patch_id"]) == []


def test_check_runs_name_the_person(wc):
    """A check run records who ran it: the platform account when logged in (or cached), else the local user."""
    from forestry_plugin.core import identity

    path, recs, _g = wc
    check_working_copy(path)
    with geopackage.connect(path) as con:
        assert {r[0] for r in con.execute("SELECT checked_by FROM check_state")} == {identity.local_identity().username}
    identity.cache_identity(path, reviewer("demo_tech", "county_technician"))
    check_working_copy(path)
    with geopackage.connect(path) as con:
        assert {r[0] for r in con.execute("SELECT checked_by FROM check_state")} == {"demo_tech"}


def test_live_checker_takes_in_only_what_changed_and_checks_as_a_fresh_one(sample_county):
    """After saved edits, a sync-like write, a numbering, a deletion and a new patch, refresh_patches reads only
    those rows, and the checker then finds for every patch exactly what a checker built from scratch finds (patch
    overlaps with the changed patches included; the moved patch's old place overlaps nothing any more)."""
    import shapely as shp

    from forestry_plugin.core import geopackage as gp
    from forestry_plugin.core.checks.gpkg_io import gpkg_blobs

    path = sample_county.path
    with gp.connect(path) as con:  # a patch of another year lying on another patch: no overlap, for now
        rows = con.execute("SELECT fid, patch_id, geom FROM patches ORDER BY fid").fetchall()
        con.execute("UPDATE patches SET geom = ?, year = 2019 WHERE fid = ?", (rows[7][2], rows[3][0]))
    live = LiveChecker(path)
    with gp.connect(path) as con:
        rows = con.execute("SELECT fid, patch_id, geom FROM patches ORDER BY fid").fetchall()
        (f_move, p_move, blob), (f_del, p_del, _b), (f_num, p_num, _c) = rows[0], rows[1], rows[2]
        moved = shp.affinity.translate(shp.from_wkb(bytes(blob)[gp.HEADER_SIZE[bytes(blob)[3]]:]), 35.0, 20.0)
        srs_id = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'patches'").fetchone()[0]
        multi = shp.MultiPolygon([moved]) if moved.geom_type == "Polygon" else moved
        (blob,) = gpkg_blobs([shp.to_wkb(multi)], [multi], srs_id)
        con.execute("UPDATE patches SET geom = ?, revision = COALESCE(revision, 0) + 1 WHERE fid = ?", (blob, f_move))
        con.execute("DELETE FROM patches WHERE fid = ?", (f_del,))
        con.execute("UPDATE patches SET tuban_no = 'N-1', revision = COALESCE(revision, 0) + 1 WHERE fid = ?",
                    (f_num,))
        # a year cleared (None is not "as it was"), and a patch that lost its id (a row all the same), moved
        con.execute("UPDATE patches SET year = NULL, revision = COALESCE(revision, 0) + 1 WHERE fid = ?",
                    (rows[3][0],))
        con.execute("UPDATE patches SET patch_id = NULL, geom = ?, revision = COALESCE(revision, 0) + 1 "
                    "WHERE fid = ?", (rows[6][2], rows[4][0]))  # moved onto another patch
    template = next(iter(gp.read_features(path, "patches")))[1]
    new = {k: v for k, v in template.items() if k != "fid"}
    new.update(patch_id="bbbbbbbb-0000-4000-8000-000000000009", tuban_no="NEW-1")
    gp.write_features(path, "patches", [(new, shp.to_wkb(shp.MultiPolygon([moved.buffer(5)])))])
    assert live.refresh_patches() == 6  # moved, numbered, year cleared, id lost, new, and the deleted one
    fresh = LiveChecker(path)
    data = gp.read_features(path, "patches")
    probes = [(a["patch_id"], shp.from_wkb(bytes(g)) if g is not None else None, a) for _f, a, g in data]

    def found(checker, pid, g, a):
        return sorted((f.rule, f.other_id or "", f.message) for f in checker.check_patch(g, a, pid))

    everything = []
    for pid, g, a in probes:
        if g is None or not pid:
            continue
        mine, theirs = found(live, pid, g, a), found(fresh, pid, g, a)
        assert mine == theirs, pid
        everything += mine
    assert any(o in (p_move, new["patch_id"]) for _r, o, _m in everything)  # the changed ones are found
    assert not any(o == p_del for _r, o, _m in everything)  # the deleted one is not
    assert any(o == "" for r, o, _m in everything if r == R.PATCH_OVERLAP)  # the id-less one, where it is now
    assert any(o == rows[3][1] for r, o, _m in everything if r == R.PATCH_OVERLAP)  # its year no longer differs
    assert p_num not in {o for _r, o, _m in everything} or any("N-1" in m for _r, _o, m in everything)
    assert live.refresh_patches() == 0  # nothing changed since: nothing read
