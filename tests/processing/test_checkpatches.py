"""forestry:checkpatches through processing.run and headless through qgis_process.bin."""

from __future__ import annotations

import json
import os
import sys

import openpyxl
import pytest
import shapely
from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsProcessingException, QgsVectorLayer

from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.profile import RuleProfile
from tests.helpers import qgis_process


def uri(path, layer):
    return f"{path}|layername={layer}"


def findings_of(out):
    lyr = QgsVectorLayer(out, "o", "ogr")
    assert lyr.isValid()
    return [dict(zip(lyr.fields().names(), f.attributes()), geom=f.geometry()) for f in lyr.getFeatures()]


def test_processing_run_on_sample_county(provider, sample_county, tmp_path):
    import processing

    p = sample_county.path
    out, rep = str(tmp_path / "f.gpkg"), str(tmp_path / "r.xlsx")
    res = processing.run("forestry:checkpatches", {
        "PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"), "ADMIN": uri(p, "admin_units"),
        "FARMLAND": uri(p, "basic_farmland"), "HISTORY": uri(p, "history_patches"), "OUTPUT": out, "REPORT": rep})
    rows = findings_of(res["OUTPUT"])
    assert {r["patch_id"] for r in rows} == set(sample_county.faults)
    by = {}
    for r in rows:
        by.setdefault(r["patch_id"], set()).add(r["rule"])
    assert by == {k: set(v) for k, v in sample_county.faults.items()}
    ov = [r for r in rows if r["rule"] == R.PATCH_OVERLAP]
    assert all(r["value"] > 1 and not r["geom"].isNull() for r in ov)
    assert {f.name() for f in QgsVectorLayer(res["OUTPUT"], "o", "ogr").fields()} >= {
        "patch_id", "rule", "severity", "message", "value"}
    wb = openpyxl.load_workbook(res["REPORT"])
    assert wb.worksheets[2].max_row == len(rows) + 1


def test_rules_profile_parameter(provider, sample_county, tmp_path):
    import processing

    prof = RuleProfile.default()
    for code in R.RULE_CODES:
        prof.set(code, enabled=code == R.MIN_AREA)
    rules_file = str(tmp_path / "rules.json")
    prof.save_file(rules_file)
    p = sample_county.path
    res = processing.run("forestry:checkpatches", {"PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"),
                                                    "RULES": rules_file, "OUTPUT": "memory:"})
    lyr = res["OUTPUT"]
    assert {f["rule"] for f in lyr.getFeatures()} == {R.MIN_AREA}
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(QgsProcessingException):
        processing.run("forestry:checkpatches", {"PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"),
                                                  "RULES": str(bad), "OUTPUT": "memory:"})


def _memory_layer(crs, features, fields=""):
    lyr = QgsVectorLayer(f"MultiPolygon?crs={crs}{fields}", "arbitrary", "memory")
    feats = []
    for wkt, attrs in features:
        f = QgsFeature(lyr.fields())
        if wkt:
            f.setGeometry(QgsGeometry.fromWkt(wkt))
        for k, v in attrs.items():
            f[k] = v
        feats.append(f)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def test_arbitrary_layer_wrong_crs_missing_fields_null_geometry(provider, sample_county):
    import processing
    import shapely

    from forestry_plugin.core.checks.projection import transform_geoms

    # A WGS 84 layer with only a 'name' field: one tiny square, one null geometry, one bow-tie.
    x, y = 500000.0, 3330000.0
    tiny = transform_geoms([shapely.box(x, y, x + 10, y + 10)], 4549, 4326)[0].wkt
    bow = transform_geoms([shapely.Polygon([(x, y), (x + 60, y + 60), (x + 60, y), (x, y + 60)])], 4549, 4326)[0].wkt
    lyr = _memory_layer("EPSG:4326", [(tiny, {"name": "a"}), (None, {"name": "b"}), (bow, {"name": "c"})],
                        "&field=name:string")
    p = sample_county.path
    res = processing.run("forestry:checkpatches", {"PATCHES": lyr, "BASEMAP": uri(p, "basemap"), "OUTPUT": "memory:"})
    out = res["OUTPUT"]
    assert out.crs().authid() == "EPSG:4549"  # checked in the CGCS2000 GK zone of the data
    rows = [(f["patch_id"], f["rule"], f["message"]) for f in out.getFeatures()]
    layer_rules = sorted(r for pid, r, _m in rows if pid == "")
    assert layer_rules == [R.ATTRIBUTE, R.CRS]
    assert "species" in [m for pid, r, m in rows if pid == "" and r == R.ATTRIBUTE][0]
    per = {}
    for pid, r, _m in rows:
        per.setdefault(pid, set()).add(r)
    ids = sorted(k for k in per if k)
    assert len(ids) == 3 and all(k.startswith("fid ") for k in ids)  # no ID field: feature ids
    assert R.MIN_AREA in per[ids[0]] and per[ids[1]] == {R.INVALID_GEOMETRY} and R.INVALID_GEOMETRY in per[ids[2]]


def test_empty_layer(provider, sample_county):
    import processing

    lyr = _memory_layer("EPSG:4549", [])
    res = processing.run("forestry:checkpatches", {"PATCHES": lyr, "BASEMAP": uri(sample_county.path, "basemap"),
                                                    "OUTPUT": "memory:"})
    rows = [f["rule"] for f in res["OUTPUT"].getFeatures()]
    assert rows == [R.ATTRIBUTE]  # only the layer-level "fields missing" finding


def test_missing_landclass_field_is_a_clear_error(provider, sample_county):
    import processing

    p = sample_county.path
    with pytest.raises(QgsProcessingException):
        processing.run("forestry:checkpatches", {"PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "admin_units"),
                                                  "LANDCLASS_FIELD": "DLBM", "OUTPUT": "memory:"})


@pytest.mark.skipif(not qgis_process.available(), reason="qgis_process.bin not installed")
def test_qgis_process_headless(sample_county, tmp_path):
    env, _root = qgis_process.profile_with_plugin(tmp_path)
    p = sample_county.path
    out, rep = str(tmp_path / "out.gpkg"), str(tmp_path / "r.xlsx")
    proc = qgis_process.run(env, "forestry:checkpatches", {
        "PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"), "ADMIN": uri(p, "admin_units"),
        "FARMLAND": uri(p, "basic_farmland"), "HISTORY": uri(p, "history_patches"), "OUTPUT": out,
        "REPORT": rep}, as_json=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout[proc.stdout.index("{"):])
    assert doc["results"]["OUTPUT"] == out
    rows = findings_of(out)
    assert {r["patch_id"] for r in rows} == set(sample_county.faults)
    assert os.path.exists(rep)
    assert sys.executable  # the test ran in the venv; qgis_process used the system Python + venv shapely


@pytest.mark.skipif(not qgis_process.available(), reason="qgis_process.bin not installed")
def test_sample_county_inside_qgis_process_uses_one_geos(tmp_path):
    """Inside qgis_process the system GEOS is loaded: a shapely with its own GEOS crashed here (contains_xy)."""
    from forestry_plugin.dependencies import shapely_geos_problem

    assert shapely_geos_problem() is None, "setup must build shapely against QGIS's GEOS"
    env, _root = qgis_process.profile_with_plugin(tmp_path)
    out = str(tmp_path / "sample.gpkg")
    proc = qgis_process.run(env, "forestry:createworkingcopy", {"OUTPUT": out, "CRS": "EPSG:4549", "SAMPLE": "true"},
                            as_json=True)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    with geopackage.connect(out) as con:
        assert con.execute("SELECT COUNT(*) FROM patches").fetchone()[0] > 100


def test_fast_and_feature_paths_agree(provider, sample_county):
    """GeoPackage tables read directly (fast path) and through QGIS features (a subset string forces it) agree."""
    import processing

    p = sample_county.path
    layers = {k: QgsVectorLayer(uri(p, t), k, "ogr") for k, t in (
        ("PATCHES", "patches"), ("BASEMAP", "basemap"), ("ADMIN", "admin_units"), ("FARMLAND", "basic_farmland"),
        ("HISTORY", "history_patches"))}
    fast = processing.run("forestry:checkpatches", {**{k: uri(p, t) for k, t in (
        ("PATCHES", "patches"), ("BASEMAP", "basemap"), ("ADMIN", "admin_units"), ("FARMLAND", "basic_farmland"),
        ("HISTORY", "history_patches"))}, "OUTPUT": "memory:"})["OUTPUT"]
    for lyr in layers.values():
        lyr.setSubsetString("1 = 1")
    slow = processing.run("forestry:checkpatches", {**layers, "OUTPUT": "memory:"})["OUTPUT"]

    def rows(lyr):
        return sorted((f["patch_id"], f["rule"], f["other_id"] or "", round(f["value"] or 0, 4)) for f in lyr.getFeatures())

    assert rows(fast) == rows(slow) and len(rows(fast)) > 30
    # in tiles of 9 patches, each reading its window of the base map (R-tree, or QGIS's filter rectangle)
    tiled_fast = processing.run("forestry:checkpatches", {**{k: uri(p, t) for k, t in (
        ("PATCHES", "patches"), ("BASEMAP", "basemap"), ("ADMIN", "admin_units"), ("FARMLAND", "basic_farmland"),
        ("HISTORY", "history_patches"))}, "OUTPUT": "memory:", "TILE_SIZE": 9})["OUTPUT"]
    tiled_slow = processing.run("forestry:checkpatches", {**layers, "OUTPUT": "memory:", "TILE_SIZE": 9})["OUTPUT"]
    assert rows(tiled_fast) == rows(fast) and rows(tiled_slow) == rows(fast)


def test_earlier_year_patches_named_by_their_patch_number(provider, sample_county):
    """checkpatches (straight from the file and through QGIS features) and the live check name an earlier year's
    patch by its 图斑编号, as the working-copy check does, not by its id."""
    import processing

    from forestry_plugin.core.checks.engine import check_working_copy
    from forestry_plugin.core.checks.live import LiveChecker

    p = sample_county.path
    with geopackage.connect(p) as con:
        con.execute("UPDATE history_patches SET tuban_no = 'H-' || fid")
        con.commit()
        labels = {r[0]: r[1] for r in con.execute("SELECT patch_id, tuban_no FROM history_patches")}
    expected = sorted((f.patch_id, f.message) for f in check_working_copy(p, write=False).findings
                      if f.rule == R.HISTORY_OVERLAP)
    assert expected and all(any(v in m for v in labels.values()) for _i, m in expected)
    assert not any(k[:8] in m for _i, m in expected for k in labels)
    tables = {k: uri(p, t) for k, t in (("PATCHES", "patches"), ("BASEMAP", "basemap"), ("ADMIN", "admin_units"),
                                        ("FARMLAND", "basic_farmland"), ("HISTORY", "history_patches"))}
    layers = {k: QgsVectorLayer(v, k, "ogr") for k, v in tables.items()}
    for lyr in layers.values():
        lyr.setSubsetString("1 = 1")  # through QGIS features
    for params in (tables, layers):
        out = processing.run("forestry:checkpatches", {**params, "OUTPUT": "memory:"})["OUTPUT"]
        got = sorted((f["patch_id"], f["message"]) for f in out.getFeatures() if f["rule"] == R.HISTORY_OVERLAP)
        assert got == expected
    live = LiveChecker(p)
    with geopackage.connect(p) as con:
        pid = expected[0][0]
        wkb, = con.execute("SELECT geom FROM patches WHERE patch_id = ?", (pid,)).fetchone()
    g = shapely.from_wkb(bytes(wkb)[geopackage.HEADER_SIZE[bytes(wkb)[3]]:])
    got = [f.message for f in live.check_patch(g, {"year": 2025}, pid) if f.rule == R.HISTORY_OVERLAP]
    assert got and got[0] in {m for i, m in expected if i == pid}


def test_findings_stream_to_the_output_per_tile_and_a_cancel_leaves_no_file(provider, sample_county, tmp_path):
    """Each tile's findings are written as the tile ends (the same rows as one run that writes at the end); a run
    canceled part way through its tiles leaves no half-written findings file behind."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    p = sample_county.path
    params = {k: uri(p, t) for k, t in (("PATCHES", "patches"), ("BASEMAP", "basemap"), ("ADMIN", "admin_units"),
                                        ("FARMLAND", "basic_farmland"), ("HISTORY", "history_patches"))}

    def rows(path):
        return sorted((r["patch_id"], r["rule"], r["message"], r["pairs"], round(r["value"] or 0, 4))
                      for r in findings_of(path))

    whole = processing.run("forestry:checkpatches", {**params, "OUTPUT": str(tmp_path / "whole.gpkg")})["OUTPUT"]
    tiled = processing.run("forestry:checkpatches", {**params, "OUTPUT": str(tmp_path / "tiled.gpkg"),
                                                     "TILE_SIZE": 7})["OUTPUT"]
    assert rows(tiled) == rows(whole) and len(rows(whole)) > 30
    alg = QgsApplication.processingRegistry().createAlgorithmById("forestry:checkpatches")
    for temporary in ("TEMPORARY_OUTPUT", "memory:"):  # QGIS's default output: streamed too, the same rows
        assert alg._temporary_destination({"OUTPUT": temporary}, QgsProcessingContext())
        layer = processing.run("forestry:checkpatches", {**params, "OUTPUT": temporary, "TILE_SIZE": 7})["OUTPUT"]
        layer = layer if isinstance(layer, QgsVectorLayer) else QgsVectorLayer(layer, "t", "ogr")
        assert sorted((f["patch_id"], f["rule"], f["message"], f["pairs"], round(f["value"] or 0, 4))
                      for f in layer.getFeatures()) == rows(whole)

    class CancelPartWay(QgsProcessingFeedback):
        def setProgress(self, value):  # noqa: N802
            super().setProgress(value)
            if value > 40:
                self.cancel()

    out = tmp_path / "canceled.gpkg"
    context, feedback = QgsProcessingContext(), CancelPartWay()
    ok_params = {**params, "OUTPUT": str(out), "TILE_SIZE": 7}
    results, _ok = alg.run(ok_params, context, feedback)
    assert feedback.isCanceled() and not results.get("OUTPUT")
    assert not out.exists()
    shp = tmp_path / "canceled.shp"  # other destinations are written at the end: nothing is made
    feedback = CancelPartWay()
    results, _ok = alg.run({**ok_params, "OUTPUT": str(shp)}, QgsProcessingContext(), feedback)
    assert feedback.isCanceled() and not results.get("OUTPUT") and not shp.exists()


@pytest.mark.parametrize("name,full_disk", [("findings.shp", "20k"), ("findings.geojson", "20k"),
                                            ("findings.gpkg", "400k")], indirect=["full_disk"])
def test_a_full_disk_fails_the_run_and_leaves_no_half_written_file(provider, sample_county, full_disk, name,
                                                                   monkeypatch):
    """Shapefile and GeoJSON writers find out at closing that the disk is full and QGIS 3.22 says nothing: the
    run must not end as a check with findings missing (it used to end well, with 0 of 36 in the file). The
    GeoPackage (the default output, its findings appended with sqlite3 per tile): QGIS makes the file, then the
    disk is full; SQLite rolls the transaction back itself at COMMIT, and the plugin's own ROLLBACK used to raise
    'cannot rollback - no transaction is active' in place of the disk being full."""
    import processing

    from forestry_plugin.processing.algs import checkpatches
    from tests.helpers import disk

    append = checkpatches.append_findings_to_gpkg

    def append_on_a_full_disk(path, findings):
        disk.fill(full_disk)  # the GeoPackage QGIS made is there; not a byte more
        return append(path, findings)

    monkeypatch.setattr(checkpatches, "append_findings_to_gpkg", append_on_a_full_disk)
    p = sample_county.path
    out = full_disk / name
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:checkpatches", {
            "PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"), "ADMIN": uri(p, "admin_units"),
            "FARMLAND": uri(p, "basic_farmland"), "HISTORY": uri(p, "history_patches"), "OUTPUT": str(out),
            "AGGREGATE": False})
    assert str(e.value).startswith(f"Could not write {out}: ") and "Nothing was saved" in str(e.value), str(e.value)
    if name.endswith(".gpkg"):
        assert str(e.value) == f"Could not write {out}: the disk is full. Nothing was saved.", str(e.value)
    assert disk.outputs(full_disk) == []  # no .shp / .shx / .dbf / .prj / .cpg / -journal left looking like a result


@pytest.mark.parametrize("full_disk", ["400k"], indirect=True)
def test_a_full_geopackage_says_so_in_the_users_language(provider, sample_county, full_disk, monkeypatch, zh):
    """SQLite's 'database or disk is full' was passed on as it is: in Chinese, 磁盘已满 like every other output."""
    import processing

    from forestry_plugin.processing.algs import checkpatches
    from tests.helpers import disk

    append = checkpatches.append_findings_to_gpkg
    monkeypatch.setattr(checkpatches, "append_findings_to_gpkg",
                        lambda path, findings: (disk.fill(full_disk), append(path, findings))[1])
    p = sample_county.path
    out = full_disk / "findings.gpkg"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:checkpatches", {
            "PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"), "OUTPUT": str(out)})
    assert "磁盘已满" in str(e.value) and "disk" not in str(e.value), str(e.value)
    assert disk.outputs(full_disk) == []


@pytest.mark.parametrize("output", ["f.gpkg", "TEMPORARY_OUTPUT"])
def test_a_report_that_cannot_be_saved_says_the_findings_were_written(provider, sample_county, full_disk, tmp_path,
                                                                      output):
    """The findings go to their GeoPackage (or QGIS's temporary layer); the Excel report on a full disk: the run
    ends with the findings as its OUTPUT (they load as usual) and no REPORT, and says so in one error that does not
    contradict itself (it used to raise, so that a temporary findings layer never loaded, with 'Could not write
    ...: the disk is full. Nothing was saved.' after 'findings were written to Findings_<id>'); no half-written
    workbook."""
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProcessingUtils

    from tests.helpers import disk

    class Errors(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatalError=False):  # noqa: N802, N803
            self.errors.append((error, fatalError))
            super().reportError(error, fatalError)

    p = sample_county.path
    out = str(tmp_path / output) if output.endswith(".gpkg") else output
    rep = full_disk / "r.xlsx"
    disk.fill(full_disk)
    alg = QgsApplication.processingRegistry().createAlgorithmById("forestry:checkpatches")
    context, feedback = QgsProcessingContext(), Errors()
    results, ok = alg.run({
        "PATCHES": uri(p, "patches"), "BASEMAP": uri(p, "basemap"), "ADMIN": uri(p, "admin_units"),
        "FARMLAND": uri(p, "basic_farmland"), "HISTORY": uri(p, "history_patches"), "OUTPUT": out,
        "REPORT": str(rep)}, context, feedback)
    assert ok and "REPORT" not in results and results["OUTPUT"], results
    where = out if output.endswith(".gpkg") else "the findings layer"
    (text, fatal), = [(t, f) for t, f in feedback.errors if "report" in t]
    assert not fatal and text.endswith(f"findings were written to {where}, but the check report {rep} was not "
                                       "saved: the disk is full."), text
    assert "Nothing was saved" not in text and "Could not write" not in text and disk.outputs(full_disk) == []
    layer = QgsProcessingUtils.mapLayerFromString(results["OUTPUT"], context)
    assert layer is not None and layer.featureCount() > 30
    del layer
