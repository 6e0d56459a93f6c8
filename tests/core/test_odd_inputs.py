"""Older and odd inputs: a copy from before change tracking, malformed rule profiles, curved geometries, a working copy
locked by another program, a damaged GeoPackage file."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time

import numpy as np
import pytest
import shapely
from osgeo import ogr, osr
from qgis.core import QgsApplication, QgsProcessingException, QgsVectorLayer
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import checker, engine, geometry, gpkg_io, model
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.profile import (
    ProfileError,
    RuleProfile,
    StoredProfileError,
    load_profile,
    save_profile,
)
from forestry_plugin.core.sync import changes
from tests.helpers.platform_logins import PW
from tests.helpers.working_copies import X0, Y0, log_in_as, make_patches, new_copy, patch

# -- 1. a working copy made before change tracking existed -----------------------------------------------------------


def make_old_style_copy(path):
    """Remove every trace of change tracking, as in a copy written before it existed."""
    with sqlite3.connect(path) as con:
        for name in changes.TRIGGER_NAMES:
            con.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        for name in changes.STATE_TABLES:
            con.execute(f'DROP TABLE IF EXISTS "{name}"')


def test_copy_from_before_change_tracking_uploads_its_patches(platform, tmp_path, qgis_app):
    from forestry_plugin.core.sync.client import PlatformClient
    from forestry_plugin.core.sync.engine import SyncEngine

    path = new_copy(tmp_path)
    # 6 never-synced patches, and one the platform already had (server_version set): only the 6 are new
    geopackage.write_features(path, schema.PATCHES, [patch(i) for i in range(1, 7)])
    geopackage.write_features(path, schema.PATCHES, [patch(7, server_version=3)])
    make_old_style_copy(path)

    logged = []

    def on_message(text, tag, level):
        if tag == changes.LOG_TAG:
            logged.append(text)

    log = QgsApplication.messageLog()
    log.messageReceived.connect(on_message)
    try:
        assert changes.ensure_change_tracking(path) == 6
    finally:
        log.messageReceived.disconnect(on_message)
    assert logged == [changes.backfill_message(6)]
    assert "6 patch(es) from before change tracking are marked for upload" in logged[0]
    with geopackage.connect(path) as con:
        pending = changes.pending_changes(con)
        seq = con.execute("SELECT value FROM sync_flags WHERE name = 'change_seq'").fetchone()[0]
    assert [c["patch_id"] for c in pending] == [patch(i)[0]["patch_id"] for i in range(1, 7)]
    assert {c["op"] for c in pending} == {"upsert"} and all(c["server_version"] is None for c in pending)
    assert [c["change_seq"] for c in pending] == list(range(1, 7)) and seq == 6  # later edits number after them

    # Nothing missing now: the next call reports nothing and does not write (read paths call it often).
    before = os.stat(path).st_mtime_ns, os.path.getsize(path)
    time.sleep(0.05)
    assert changes.ensure_change_tracking(path) == 0
    assert (os.stat(path).st_mtime_ns, os.path.getsize(path)) == before

    # Later edits are tracked after the backfilled ones.
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET remark = 'edited' WHERE patch_id = ?", (patch(1)[0]["patch_id"],))
        assert changes.pending_changes(con)[-1]["change_seq"] == 7

    server, url = platform
    client = PlatformClient(url, sleep=lambda s: None)
    client.login("demo_tech", PW)
    eng = SyncEngine(path, client)
    assert eng.local_changes()["inserted"] == 6
    # it synced before copies recorded their platform (patch 7 has a platform version): the user confirms which
    from forestry_plugin.core.sync.engine import UnrecordedPlatform

    with pytest.raises(UnrecordedPlatform):
        eng.push()
    eng.bind_same_platform()
    pushed = eng.push()
    assert (pushed.pushed, pushed.accepted, pushed.conflicts, pushed.rejected) == (6, 6, 0, 0), pushed.errors
    with server.db.connect() as con:
        on_server = {r["patch_id"] for r in con.execute("SELECT patch_id FROM patches")}
    assert on_server == {patch(i)[0]["patch_id"] for i in range(1, 7)}
    assert eng.local_changes()["total"] == 0


def test_tracking_tables_missing_but_changes_kept_is_not_backfilled(tmp_path, qgis_app):
    """Only a copy that never had sync_changes is backfilled: one that lost a trigger keeps its own record."""
    path = new_copy(tmp_path)
    geopackage.write_features(path, schema.PATCHES, [patch(i) for i in range(1, 4)])
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM sync_changes")  # as after a push whose replies are still to be written
        con.execute(f'DROP TRIGGER "{changes.TRIGGER_NAMES[0]}"')
    assert changes.ensure_change_tracking(path) == 0
    with geopackage.connect(path) as con:
        assert changes.pending_changes(con) == []
        assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= set(
            changes.TRIGGER_NAMES)


# -- 2. rule profiles are validated -----------------------------------------------------------------------------------


def problems_of(data):
    with pytest.raises(ProfileError) as e:
        RuleProfile.from_dict(data)
    return e.value.problems, str(e.value)


def test_profile_values_that_would_disable_rules_are_refused():
    for bad, words in ((-5, "at least 0"), (float("nan"), "finite"), (float("inf"), "finite"), ("400", "number")):
        problems, text = problems_of({"rules": {"min_area": {"thresholds": {"error_m2": bad}}}})
        assert len(problems) == 1 and 'rule "min_area"' in text and 'threshold "error_m2"' in text, text
        assert words in text, text
    _p, text = problems_of({"rules": {"outside_admin": {"thresholds": {"min_share": 95}}}})
    assert "between 0 and 1" in text and "got 95" in text
    _p, text = problems_of({"rules": {"cropland": {"enabled": "no"}}})
    assert 'rule "cropland", key "enabled"' in text and "true or false" in text and '"no"' in text
    _p, text = problems_of({"rules": {"cropland": {"enabled": 0}}})
    assert "JSON boolean" in text
    _p, text = problems_of({"rules": {"min_area": {"severity": "eror"}}})
    assert 'did you mean "error"' in text and "error, warning, info" in text
    # NaN and Infinity as Python's json writes them are read back and refused too
    with pytest.raises(ProfileError, match="finite"):
        RuleProfile.from_json('{"rules": {"sliver": {"thresholds": {"min_width_m": NaN}}}}')


def test_profile_misspelt_names_are_refused_with_a_suggestion():
    problems, text = problems_of({"rules": {"min_aera": {"enabled": False}, "croplnd": {"enabled": False}}})
    assert len(problems) == 2
    assert 'unknown rule "min_aera" (did you mean "min_area"?)' in text
    assert 'unknown rule "croplnd" (did you mean "cropland"?)' in text and "known rules: invalid_geometry" in text
    _p, text = problems_of({"rules": {"sliver": {"thresholds": {"min_widht_m": 4}}}})
    assert 'unknown threshold "min_widht_m" (did you mean "min_width_m"?)' in text
    _p, text = problems_of({"rules": {"sliver": {"enable": True}}})
    assert 'unknown key "enable" (did you mean "enabled"?)' in text
    _p, text = problems_of({"rules": {"min_area": {"error_m2": 300}}})
    assert '"error_m2" is a threshold and goes inside "thresholds"' in text
    _p, text = problems_of({"rules": {"crs": {"thresholds": {"tolerance_m2": 1}}}})
    assert 'rule "crs" has no thresholds' in text
    _p, text = problems_of({"version": 1, "rule": {}})  # flat form: "rule" is read as a rule code
    assert 'did you mean "rules"' in text
    _p, text = problems_of({"version": 1, "rules": {}, "extra": 1})
    assert 'unknown top-level key "extra"' in text
    _p, text = problems_of({"version": 9, "rules": {}})
    assert "newer plugin version" in text
    # every problem at once, each naming its rule and key
    problems, _t = problems_of({"rules": {"min_area": {"enabled": "yes", "thresholds": {"error_m2": -1}},
                                          "slivr": {}}})
    assert len(problems) == 3


def test_valid_profiles_still_load():
    prof = RuleProfile.default()
    prof.set(R.MIN_AREA, warning_m2=5000, severity="warning")
    prof.set(R.CROPLAND, enabled=False)
    assert RuleProfile.from_json(prof.to_json()).to_dict() == prof.to_dict()
    flat = RuleProfile.from_dict({"version": 1, "min_area": {"thresholds": {"error_m2": 0}}, "crs": {"enabled": False}})
    assert flat.threshold(R.MIN_AREA, "error_m2") == 0 and not flat.enabled(R.CRS)
    assert RuleProfile.from_dict({}).to_dict() == RuleProfile.default().to_dict()
    with pytest.raises(ProfileError, match='key "enabled"'):
        prof.set(R.SLIVER, enabled="no")
    with pytest.raises(ProfileError, match="at least 0"):
        prof.set(R.SLIVER, min_width_m=-1)
    assert prof.threshold(R.SLIVER, "min_width_m") == 5.0  # a refused set() changes nothing


def test_profile_validated_on_save(tmp_path, qgis_app):
    path = new_copy(tmp_path)
    prof = RuleProfile.default()
    prof.rules[R.MIN_AREA].thresholds["error_m2"] = float("nan")  # behind set()'s back
    with pytest.raises(ProfileError, match='rule "min_area", threshold "error_m2"'):
        save_profile(path, prof)
    assert geopackage.get_setting(path, "rules_profile") is None
    f = tmp_path / "rules.json"
    with pytest.raises(ProfileError):
        prof.save_file(str(f))
    assert not f.exists()
    with pytest.raises(ProfileError, match="finite"):  # nor does the engine run with it (the rule would be off)
        checker.run_checks(model.CheckInputs(patch_ids=[], patch_geoms=[], patch_attrs=[]), prof)


def store_raw_profile(path, data):
    geopackage.set_setting(path, "rules_profile", data)


def test_stored_malformed_profile_is_a_clear_error_in_checks_and_transitions(provider, tmp_path):
    import processing

    path = new_copy(tmp_path)
    patches = make_patches(path, ["accepted"])
    store_raw_profile(path, {"rules": {"min_area": {"enabled": "no", "thresholds": {"error_m2": -400}}}})
    with pytest.raises(StoredProfileError) as e:
        load_profile(path)
    text = str(e.value)
    assert path in text and "rules_profile" in text and 'rule "min_area", key "enabled"' in text
    assert 'threshold "error_m2": must be at least 0, got -400' in text
    assert isinstance(e.value, geopackage.WorkingCopyError) and isinstance(e.value, ValueError)
    with pytest.raises(StoredProfileError, match="min_area"):
        engine.check_working_copy(path)
    # a transition re-checks the stale patch with the stored profile: Processing says what is wrong with it
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET revision = 2 WHERE patch_id = ?", (patches[0]["patch_id"],))
    log_in_as(path, "county_reviewer")
    layer = QgsVectorLayer(geopackage.layer_uri(path, schema.PATCHES), "patches", "ogr")
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:transition", {
            "PATCHES": layer, "SELECTION": "stage = 'accepted'", "OUTPUT": "memory:", "COMMENT": "",
            "TARGET": schema.STAGES.values().index("confirmed")})
    assert 'rule "min_area", key "enabled"' in str(e.value) and "rules profile stored" in str(e.value)
    # not JSON at all
    with geopackage.connect(path) as con:
        con.execute("UPDATE forestry_settings SET value = '{oops' WHERE key = 'rules_profile'")
    with pytest.raises(StoredProfileError, match="not valid JSON"):
        load_profile(path)


def test_processing_refuses_a_bad_rules_file_with_the_message(provider, tmp_path):
    import processing

    path = new_copy(tmp_path)
    geopackage.write_features(path, schema.PATCHES, [patch(1)])
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps({"rules": {"min_aera": {"thresholds": {"error_m2": 300}}}}), encoding="utf-8")
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:checkpatches", {"PATCHES": geopackage.layer_uri(path, schema.PATCHES),
                                                  "BASEMAP": geopackage.layer_uri(path, schema.BASEMAP),
                                                  "RULES": str(rules_file), "OUTPUT": "memory:"})
    assert str(rules_file) in str(e.value) and 'unknown rule "min_aera" (did you mean "min_area"?)' in str(e.value)


# -- 3. curved geometries ---------------------------------------------------------------------------------------------

R_M = 50.0  # radius of the round patches
CURVED = {
    "circle": f"CURVEPOLYGON(CIRCULARSTRING({X0 - R_M} {Y0},{X0 + R_M} {Y0},{X0 - R_M} {Y0}))",
    # a half-disc: the straight edge and the arc in one CompoundCurve ring, inside a MultiSurface
    "half": f"MULTISURFACE(CURVEPOLYGON(COMPOUNDCURVE(({X0 + 400 - R_M} {Y0},{X0 + 400 + R_M} {Y0}),"
            f"CIRCULARSTRING({X0 + 400 + R_M} {Y0},{X0 + 400} {Y0 + R_M},{X0 + 400 - R_M} {Y0}))))",
    "square": f"MULTIPOLYGON((({X0 + 800} {Y0},{X0 + 900} {Y0},{X0 + 900} {Y0 + 100},{X0 + 800} {Y0 + 100},"
              f"{X0 + 800} {Y0})))",
}


def curved_layers(path):
    """A GeoPackage with a MultiSurface patch layer (a CurvePolygon, a MultiSurface with a CompoundCurve ring, a
    plain square) and a base map whose cropland parcel covers the right half of every patch."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("patches", srs=srs, geom_type=ogr.wkbMultiSurface, options=["FID=fid"])
    lyr.CreateField(ogr.FieldDefn("patch_id", ogr.OFTString))
    for name, wkt in CURVED.items():
        f = ogr.Feature(lyr.GetLayerDefn())
        f["patch_id"] = name
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    base = ds.CreateLayer("basemap", srs=srs, geom_type=ogr.wkbMultiPolygon, options=["FID=fid"])
    base.CreateField(ogr.FieldDefn(schema.LANDCLASS_FIELD, ogr.OFTString))
    base.CreateField(ogr.FieldDefn("BSM", ogr.OFTString))
    f = ogr.Feature(base.GetLayerDefn())
    f[schema.LANDCLASS_FIELD], f["BSM"] = "0103", "B1"  # irrigated land (cropland)
    f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.MultiPolygon([box(X0, Y0 - 500, X0 + 1000, Y0 + 500)]))))
    base.CreateFeature(f)
    ds = None
    return path


# right half of each patch on the cropland parcel: half the disc; the half-disc and square entirely
EXPECTED_CROP = {"circle": math.pi * R_M ** 2 / 2, "half": math.pi * R_M ** 2 / 2, "square": 10000.0}


def _crop_areas(rows):
    return {pid: value for pid, rule, value in rows if rule == R.CROPLAND}


def test_checkpatches_on_curved_geopackage_layer(provider, tmp_path):
    import processing

    path = curved_layers(str(tmp_path / "curved.gpkg"))
    patches_uri = f"{path}|layername=patches"
    # the direct GeoPackage read (whole table) and the QGIS feature read (a subset string forces it)
    filtered = QgsVectorLayer(patches_uri, "filtered", "ogr")
    assert filtered.isValid() and filtered.setSubsetString("fid > 0")
    for source in (patches_uri, filtered):
        res = processing.run("forestry:checkpatches", {"PATCHES": source, "BASEMAP": f"{path}|layername=basemap",
                                                        "ID_FIELD": "patch_id", "OUTPUT": "memory:"})
        rows = [(f["patch_id"], f["rule"], f["value"]) for f in res["OUTPUT"].getFeatures()]
        assert not [r for r in rows if r[1] == R.INVALID_GEOMETRY], rows  # read and checked, not dropped
        crop = _crop_areas(rows)
        assert set(crop) == set(CURVED)
        for pid, expected in EXPECTED_CROP.items():
            assert crop[pid] == pytest.approx(expected, rel=0.01), (source, pid)


def test_curved_patch_in_a_working_copy(tmp_path, qgis_app):
    path = new_copy(tmp_path)
    a, _w = patch(1, patch_id="curve")
    wkb = bytes(ogr.CreateGeometryFromWkt(CURVED["circle"]).ExportToIsoWkb())
    geopackage.write_features(path, schema.PATCHES, [(a, wkb)])  # OGR keeps the CurvePolygon as it is
    with sqlite3.connect(path) as con:
        blob = con.execute(f"SELECT geom FROM {schema.PATCHES}").fetchone()[0]
    assert ogr.CreateGeometryFromWkb(geopackage.wkb_from_blob(blob)).GetGeometryType() == ogr.wkbCurvePolygon
    res = engine.check_working_copy(path, write=False)
    mine = [f for f in res.findings if f.patch_id == "curve"]
    assert not [f for f in mine if f.rule == R.INVALID_GEOMETRY]
    small = [f for f in mine if f.rule == R.MIN_AREA]  # 7854 m2: well above both minimums, so no finding
    assert not small
    _attrs, geoms, _epsg = gpkg_io.read_table(path, schema.PATCHES)
    assert geoms[0].geom_type in ("Polygon", "MultiPolygon") and geoms[0].area == pytest.approx(math.pi * R_M ** 2,
                                                                                                   rel=0.005)


def test_linearize_helpers():
    g = geometry.geoms_from_wkb([bytes(ogr.CreateGeometryFromWkt(w).ExportToIsoWkb()) for w in CURVED.values()]
                              + [None, b"junk"])
    assert [x.geom_type for x in g[:3]] == ["Polygon", "MultiPolygon", "MultiPolygon"]
    assert g[3] is None and g[4] is None
    measured = ogr.CreateGeometryFromWkt("POLYGON M ((0 0 1,10 0 2,10 10 3,0 0 4))")
    g = geometry.geoms_from_wkb([bytes(measured.ExportToIsoWkb())])
    assert g[0] is not None and g[0].area == pytest.approx(50.0)


def test_curves_with_a_geos_that_reads_them(monkeypatch):
    """GEOS >= 3.13 reads arcs, and shapely then raises NotImplementedError (no class for them): linearized first."""
    real = shapely.from_wkb

    def from_wkb(data, *args, **kwargs):
        items = data if isinstance(data, np.ndarray) else [data]
        if any(w is not None and geometry.needs_linearizing(w) for w in items):
            raise NotImplementedError("CurvePolygon geometries are not supported")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(shapely, "from_wkb", from_wkb)
    wkbs = [bytes(ogr.CreateGeometryFromWkt(w).ExportToIsoWkb()) for w in CURVED.values()] + [None]
    g = geometry.geoms_from_wkb(wkbs)
    assert [x.geom_type for x in g[:3]] == ["Polygon", "MultiPolygon", "MultiPolygon"] and g[3] is None
    assert g[0].area == pytest.approx(math.pi * R_M ** 2, rel=0.005)


# -- 4. a working copy locked by another program ---------------------------------------------------------------------


def test_locked_working_copy_is_reported_quickly(tmp_path, qgis_app):
    path = new_copy(tmp_path)
    other = sqlite3.connect(path, isolation_level=None)  # "another program"
    other.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.perf_counter()
        with pytest.raises(geopackage.WorkingCopyError) as e:
            geopackage.verify_working_copy(path)
        elapsed = time.perf_counter() - t0
        assert elapsed < 10, elapsed
        text = str(e.value)
        assert "in use by another program" in text and "close it there" in text and "try again" in text, text
        assert "not a GeoPackage" not in text
        assert isinstance(e.value, geopackage.WorkingCopyLocked)
        # writes through geopackage.connect say the same, and are still sqlite3 errors for older callers
        t0 = time.perf_counter()
        with pytest.raises(sqlite3.OperationalError, match="in use by another program"):
            geopackage.set_setting(path, "x", 1)
        assert time.perf_counter() - t0 < 10
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert geopackage.verify_working_copy(path)["county_code"] == "339901"


# -- 5. a damaged GeoPackage -----------------------------------------------------------------------------------------


def test_damaged_working_copy_is_refused(tmp_path, qgis_app):
    path = new_copy(tmp_path)
    geopackage.write_features(path, schema.PATCHES, [patch(i) for i in range(1, 200)])
    geopackage.verify_working_copy(path)  # intact: accepted
    with sqlite3.connect(path) as con:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (schema.PATCHES,)).fetchone()[0]
        # a leaf page of the patches table, well inside the file (not page 1 with the file header)
        pages = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'",
                                           (schema.PATCHES,))] if _has_dbstat(con) else [root]
    inside = [p for p in pages if p > 1]
    page = inside[len(inside) // 2]
    size = os.path.getsize(path)
    offset = (page - 1) * page_size
    assert 100 < offset < size - page_size
    # Scribble over that table page's b-tree header and cell pointers (far from the file header on page 1): the
    # tables SQLite reads to open the file are intact, so only the integrity check can tell.
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xa5" * 64)
    with pytest.raises(geopackage.WorkingCopyDamaged) as e:
        geopackage.verify_working_copy(path)
    text = str(e.value)
    assert "is damaged" in text and "backup" in text and path in text, text


def _has_dbstat(con):
    try:
        con.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except sqlite3.Error:
        return False
