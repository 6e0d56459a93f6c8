"""Importing contractors' files (GeoJSON, Shapefile, KMZ, GPX) into the patch layer through the editing toolbar.

The files are written with OGR in the test: other CRSs, Chinese and abbreviated column names, a self-intersecting
polygon, GPS tracks, a file without CRS, one with the wrong CRS, a damaged one.
"""

from __future__ import annotations

import os
import zipfile

import pytest
from osgeo import ogr, osr
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject

from forestry_plugin import schema
from forestry_plugin.core import area, importer
from tests.helpers.editing_copy import TOWNSHIP, V_EAST, V_WEST, X0, Y0, new_features
from tests.helpers.vector_files import GK, dbf_to_gbk, lonlat, rect, ring_wkt, write

UUID_LEN = 36


def test_geojson_in_wgs84_with_chinese_and_abbreviated_columns(import_wc):
    tmp, patches, comp, shown = import_wc
    species = schema.CODE_LISTS["species"].get("camphor")
    forest = schema.CODE_LISTS["forest_type"].get("protection")
    cols = ["树种", "ZLFS", "林种", "年度", "设计日期", "TBBH", "XYZ", "patch_id", "area_mu"]
    west = ({"树种": species.zh, "ZLFS": "planting", "林种": forest.en, "年度": "2025", "设计日期": "2025/03/01",
             "TBBH": "T-01", "XYZ": "x", "patch_id": "not-a-uuid", "area_mu": "999"})
    bowtie = [lonlat(1500, 600), lonlat(1900, 900), lonlat(1900, 600), lonlat(1500, 900), lonlat(1500, 600)]
    fn = write(str(tmp / "contractor.geojson"), "GeoJSON", [
        (ring_wkt(rect(400, 400, 700, 700)), west),
        (ring_wkt(rect(1200, 100, 1400, 300)), {"树种": "红松", "ZLFS": "planting", "林种": forest.zh, "TBBH": "T-02"}),
        (ring_wkt(bowtie), {"TBBH": "T-03"}),
        ("POINT({!r} {!r})".format(*lonlat(50, 50)), {"TBBH": "P"}),
    ], cols)
    undo_before = patches.undoStack().count()
    before = patches.featureCount()
    report = comp.import_file(patches, fn)
    assert report.ok and report.added == 3, report.summary()
    assert patches.featureCount() == before + 3
    assert patches.undoStack().count() == undo_before + 1  # one undo step for the whole file
    assert report.repaired == 1
    assert [why for src, why in report.skipped] == ["a point, not a patch outline"]
    assert report.mapped == {"树种": "species", "ZLFS": "method", "林种": "forest_type", "年度": "year",
                             "设计日期": "design_date", "TBBH": "tuban_no"}
    assert set(report.ignored) == {"patch_id", "area_mu"} and report.unmapped == ["XYZ"]
    assert any("红松" in w and "left empty" in w for w in report.warnings)
    by_no = {f["tuban_no"]: f for f in new_features(patches)}
    t1 = by_no["T-01"]
    assert (t1["species"], t1["method"], t1["forest_type"], t1["year"]) == ("camphor", "planting", "protection", 2025)
    assert str(t1["design_date"].toString("yyyy-MM-dd") if hasattr(t1["design_date"], "toString")
               else t1["design_date"]) == "2025-03-01"
    assert len(t1["patch_id"]) == UUID_LEN and t1["patch_id"] != "not-a-uuid" and t1["stage"] == "design"
    assert (t1["township_code"], t1["village_code"]) == (TOWNSHIP, V_WEST)
    expected_mu = area.AreaCalculator(patches.crs()).area(t1.geometry()).mu
    assert t1["area_mu"] == pytest.approx(expected_mu, abs=1e-3) and abs(t1["area_mu"] - 135.0) < 1.0  # 300 m x 300 m
    assert by_no["T-02"]["village_code"] == V_EAST
    sp = by_no["T-02"]["species"]
    assert sp is None or (hasattr(sp, "isNull") and sp.isNull())  # 红松 is not in the code list: left empty
    assert by_no["T-03"].geometry().isGeosValid() and by_no["T-03"].geometry().area() > 0
    assert patches.selectedFeatureIds() and set(patches.selectedFeatureIds()) == {f.id() for f in by_no.values()}
    assert shown and shown[-1][0] is True and "3 patch(es) imported" in shown[-1][1]
    # undo takes the whole import back
    patches.undoStack().undo()
    assert patches.featureCount() == before
    # importing the same file again after it was added: everything is already there
    patches.undoStack().redo()
    again = comp.import_file(patches, fn)
    assert not again.ok and again.added == 0 and patches.featureCount() == before + 3
    assert sum("already in the layer" in why for _s, why in again.skipped) == 3


def test_shapefile_without_prj_is_refused(import_wc):
    tmp, patches, comp, shown = import_wc
    fn = write(str(tmp / "noprj.shp"), "ESRI Shapefile", [(ring_wkt(rect(100, 500, 300, 700, False)), {})], [],
               epsg=None, geom_type=ogr.wkbPolygon)
    assert not os.path.exists(str(tmp / "noprj.prj"))
    before = patches.featureCount()
    report = comp.import_file(patches, fn)
    assert not report.ok and report.added == 0 and patches.featureCount() == before
    assert ".prj" in report.summary()
    assert shown[-1][0] is False


def test_wrong_crs_is_refused_with_a_hint(import_wc):
    tmp, patches, comp, shown = import_wc
    # metres of the county's GK zone, but the .prj says China Geodetic CGCS2000 lon/lat
    fn = write(str(tmp / "wrongcrs.shp"), "ESRI Shapefile", [(ring_wkt(rect(100, 500, 300, 700, False)), {})], [],
               epsg=4490, geom_type=ogr.wkbPolygon)
    before = patches.featureCount()
    report = comp.import_file(patches, fn)
    assert not report.ok and patches.featureCount() == before
    assert "coordinate system" in report.summary() and "EPSG:4490" in report.summary()


def test_shapefile_in_the_layer_crs_with_english_labels(import_wc):
    tmp, patches, comp, shown = import_wc
    fn = write(str(tmp / "gk.shp"), "ESRI Shapefile",
               [(ring_wkt(rect(600, 100, 900, 300, False)), {"Tree speci": "camphor", "method": "planting"})],
               ["Tree speci", "method"], epsg=4549, geom_type=ogr.wkbPolygon)
    report = comp.import_file(patches, fn)
    assert report.ok and report.added == 1
    f = new_features(patches)[0]
    assert f["method"] == "planting"
    # Shapefile cuts column names to 10 characters: "Tree species" arrives as "Tree speci" and is not guessed
    assert report.unmapped == ["Tree speci"]
    assert f.geometry().boundingBox().xMinimum() == pytest.approx(X0 + 600, abs=1e-6)  # no transformation


def test_gpx_tracks_are_closed_into_patches(import_wc):
    tmp, patches, comp, shown = import_wc
    walk = [lonlat(x, y) for x, y in [(1100, 600), (1400, 600), (1400, 900), (1100, 900), (1100, 605)]]
    open_walk = [lonlat(x, y) for x, y in [(1500, 100), (1900, 100), (1900, 400)]]
    fn = str(tmp / "walk.gpx")
    ds = ogr.GetDriverByName("GPX").CreateDataSource(fn)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    wpt = ds.CreateLayer("waypoints", srs, ogr.wkbPoint)  # GPX wants waypoints before tracks
    f = ogr.Feature(wpt.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT({!r} {!r})".format(*lonlat(10, 10))))
    wpt.CreateFeature(f)
    trk = ds.CreateLayer("tracks", srs, ogr.wkbMultiLineString)
    for name, pts in (("walk-1", walk), ("walk-2", open_walk)):
        f = ogr.Feature(trk.GetLayerDefn())
        f.SetField("name", name)
        f.SetGeometry(ogr.CreateGeometryFromWkt("MULTILINESTRING(({}))".format(", ".join(f"{x!r} {y!r}" for x, y in pts))))
        trk.CreateFeature(f)
    ds = None
    report = comp.import_file(patches, fn)
    assert report.ok and report.added == 1 and report.closed_tracks == 1, report.summary()
    reasons = sorted(why for _s, why in report.skipped)
    assert len(reasons) == 2 and any("not closed" in r for r in reasons) and any("point" in r for r in reasons)
    f = new_features(patches)[0]
    assert f["tuban_no"] == "walk-1" and f["village_code"] == V_EAST
    assert f.geometry().area() == pytest.approx(300 * 300, rel=0.02)


def test_kmz_placemarks(import_wc):
    tmp, patches, comp, shown = import_wc
    kml = write(str(tmp / "doc.kml"), "KML", [(ring_wkt(rect(1200, 500, 1450, 750)), {"Name": "K-7",
                                                                                         "Description": "ridge"})],
                [], layer="patches")
    kmz = str(tmp / "field.kmz")
    with zipfile.ZipFile(kmz, "w") as z:
        z.write(kml, "doc.kml")
    report = comp.import_file(patches, kmz)
    assert report.ok and report.added == 1, report.summary()
    f = new_features(patches)[0]
    assert (f["tuban_no"], f["remark"]) == ("K-7", "ridge")
    assert f.geometry().area() == pytest.approx(250 * 250, rel=0.01)


@pytest.mark.parametrize("name,content", [("broken.geojson", b'{"type": "FeatureCollection", "features": [ {"ty'),
                                          ("broken.kmz", b"PK\x03\x04 not really a zip"),
                                          ("notes.txt", b"hello")])
def test_damaged_or_foreign_files_change_nothing(import_wc, name, content):
    tmp, patches, comp, shown = import_wc
    fn = tmp / name
    fn.write_bytes(content)
    before, undo = patches.featureCount(), patches.undoStack().count()
    report = comp.import_file(patches, str(fn))
    assert not report.ok and report.errors
    assert patches.featureCount() == before and patches.undoStack().count() == undo
    assert shown[-1][0] is False and name in shown[-1][1]


def test_column_values_are_converted_per_schema():
    assert importer.convert_value("year", "2025.0") == (2025, None)
    assert importer.convert_value("design_date", "2025年3月1日") == ("2025-03-01", None)
    assert importer.convert_value("design_date", "yesterday")[0] is None
    assert importer.convert_value("density", "many")[0] is None
    assert importer.convert_value("density", "inf")[0] is None  # OverflowError, not a crash
    assert importer.convert_value("method", "PLANTING") == ("planting", None)
    value, problem = importer.convert_value("tuban_no", "x" * 30)
    assert value == "x" * 20 and problem


def test_working_copy_in_degrees_measures_in_metres(tmp_path):
    """A working copy in EPSG:4490 (lat/lon): minimum area and track gaps are still metres, not degrees."""
    cgcs = QgsCoordinateReferenceSystem("EPSG:4490")
    fn = write(str(tmp_path / "p.geojson"), "GeoJSON", [(ring_wkt(rect(100, 500, 300, 700)), {})], [])
    report = importer.read_source_patches(fn, cgcs)
    assert report.ok and len(report.patches) == 1, report.summary()
    assert area.AreaCalculator(cgcs).area(report.patches[0].geometry).m2 == pytest.approx(200 * 200, rel=0.01)
    walk = [lonlat(x, y) for x, y in [(1100, 600), (1400, 600), (1400, 900), (1100, 900), (1100, 610)]]
    gpx = str(tmp_path / "w.gpx")
    ds = ogr.GetDriverByName("GPX").CreateDataSource(gpx)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    trk = ds.CreateLayer("tracks", srs, ogr.wkbMultiLineString)
    f = ogr.Feature(trk.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt("MULTILINESTRING(({}))".format(", ".join(f"{x!r} {y!r}" for x, y in walk))))
    trk.CreateFeature(f)
    ds = None
    report = importer.read_source_patches(gpx, cgcs)
    assert report.ok and report.closed_tracks == 1, report.summary()  # a 10 m gap on a 1.2 km walk


def test_chinese_shapefile_without_cpg_is_read_as_gbk(import_wc):
    tmp, patches, comp, shown = import_wc
    species = schema.CODE_LISTS["species"].get("camphor").zh
    fn = write(str(tmp / "gbk.shp"), "ESRI Shapefile",
               [(ring_wkt(rect(600, 500, 800, 700, False)), {"树种": species, "备注": "东坡"})],
               ["树种", "备注"], epsg=4549, geom_type=ogr.wkbPolygon)
    dbf_to_gbk(tmp / "gbk.dbf")  # as many Chinese tools write it: GBK, no .cpg
    raw = (tmp / "gbk.dbf").read_bytes()
    assert species.encode("gbk") in raw and species.encode("utf-8") not in raw
    report = comp.import_file(patches, fn)
    assert report.ok and report.mapped == {"树种": "species", "备注": "remark"}, report.summary()
    f = new_features(patches)[0]
    assert (f["species"], f["remark"]) == ("camphor", "东坡")


def test_xian_1980_files_are_converted_with_a_warning(import_wc):
    tmp, patches, comp, shown = import_wc
    xf = QgsCoordinateTransform(GK, QgsCoordinateReferenceSystem("EPSG:2385"), QgsProject.instance())
    corners = [xf.transform(QgsPointXY(X0 + x, Y0 + y)) for x, y in [(600, 500), (800, 500), (800, 700), (600, 700),
                                                                     (600, 500)]]
    fn = write(str(tmp / "xian80.shp"), "ESRI Shapefile", [(ring_wkt([(p.x(), p.y()) for p in corners]), {})], [],
               epsg=2385, geom_type=ogr.wkbPolygon)
    report = comp.import_file(patches, fn)
    assert report.ok and report.added == 1, report.summary()
    assert any("Xian 1980" in w for w in report.warnings)
    assert shown[-1][0] is True and "Xian 1980" in shown[-1][1]  # the report is shown, not just a success note
