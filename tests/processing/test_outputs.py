"""processing/outputs.py: a closed feature sink is called incomplete (and removed) only when it is read back exactly
with fewer rows than were written; what is removed goes with its side files; one test of "a plain file"."""

from __future__ import annotations

import json
import os

import pytest
from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsVectorLayer

from forestry_plugin.core.output_file import OutputFileError
from forestry_plugin.processing.outputs import file_destination, remove_output, verify_sink


class Warnings(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.warnings = []

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)
        super().pushWarning(warning)


def _geojson(path, n):
    feats = [{"type": "Feature", "properties": {"i": i}, "geometry": None} for i in range(n)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")


@pytest.mark.parametrize("dest,plain", [
    ("/data/findings.gpkg", True), ("C:/data/findings.shp", True), ("C:\\data\\f.geojson", True),
    ("memory:", False), ("memory:Findings", False), ("TEMPORARY_OUTPUT", False),
    ("Findings_6f1f3b0a_1d2c_4e8f_9a7b_0c1d2e3f4a5b", False),  # a memory sink's destination: its layer's id
    ("ogr:dbname='/data/a.gpkg' table=\"findings\" (geom)", False), ("postgis:dbname='x' table=\"t\"", False),
    ("postgres://u@h/db", False), ("spatialite:dbname=/data/a.sqlite", False), ("/data/a.gpkg|layername=t", False),
    ("", False), (None, False)])
def test_one_test_of_a_plain_file_destination(dest, plain, qgis_app):
    assert file_destination(dest) == (dest if plain else None)
    from qgis.core import QgsApplication

    from forestry_plugin.processing.provider import ForestryProvider

    provider = ForestryProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    try:
        alg = QgsApplication.processingRegistry().createAlgorithmById("forestry:checkpatches")
        gpkg = alg._plain_gpkg_destination({"OUTPUT": dest}, QgsProcessingContext()) if dest else None
    finally:
        QgsApplication.processingRegistry().removeProvider(provider)
    assert gpkg == (dest if plain and dest.endswith(".gpkg") else None)


@pytest.mark.parametrize("name,sides", [
    ("a.tab", [".dat", ".id", ".map", ".ind"]), ("a.gml", [".xsd", ".gfs"]),
    ("a.shp", [".shx", ".dbf", ".prj", ".cpg"]), ("a.gpkg", ["-journal"])])
def test_an_unfinished_output_goes_with_its_side_files(tmp_path, name, sides):
    """MapInfo's .dat .id .map .ind and GML's .xsd .gfs were left behind."""
    out = tmp_path / name
    out.write_bytes(b"x")
    for s in sides:
        (tmp_path / (name + s if s.startswith("-") else out.stem + s)).write_bytes(b"x")
    (tmp_path / "other.dat").write_bytes(b"not this run's")
    assert remove_output(str(out)) is True
    assert os.listdir(tmp_path) == ["other.dat"]


def test_a_shapefile_without_geometry_is_its_dbf(tmp_path, qgis_app):
    """OGR writes rows without geometry as a .dbf alone: counted there, and removed with it."""
    from osgeo import ogr

    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(tmp_path / "r.shp"))
    lyr = ds.CreateLayer("r", geom_type=ogr.wkbNone)
    lyr.CreateField(ogr.FieldDefn("a", ogr.OFTString))
    for i in range(3):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("a", str(i))
        lyr.CreateFeature(f)
    lyr = ds = None
    assert os.listdir(tmp_path) == ["r.dbf"]
    verify_sink(str(tmp_path / "r.shp"), 3, QgsProcessingContext())
    with pytest.raises(OutputFileError) as e:
        verify_sink(str(tmp_path / "r.shp"), 4, QgsProcessingContext())
    assert "3 of 4 rows are in it" in str(e.value) and "Nothing was saved" in str(e.value), str(e.value)
    assert os.listdir(tmp_path) == []


def test_only_fewer_rows_read_back_exactly_remove_an_output(tmp_path, qgis_app):
    context, feedback = QgsProcessingContext(), Warnings()
    more = tmp_path / "more.geojson"
    _geojson(more, 4)
    verify_sink(str(more), 3, context, feedback=feedback)  # more than written: kept, a warning
    assert more.exists() and any("holds 4 rows where 3 were written" in w for w in feedback.warnings)
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a GeoPackage at all" * 10)
    verify_sink(str(broken), 3, context, feedback=feedback)  # cannot be read: kept, a warning
    assert broken.exists() and any(w.startswith(f"{broken} could not be read back") for w in feedback.warnings)
    other = tmp_path / "r.kml"
    other.write_text("<kml/>", encoding="utf-8")
    verify_sink(str(other), 3, context, feedback=feedback)  # a format not read back row for row: kept
    assert other.exists()
    short = tmp_path / "short.geojson"
    _geojson(short, 2)
    with pytest.raises(OutputFileError) as e:
        verify_sink(str(short), 3, context, feedback=feedback)
    assert str(e.value) == f"Could not write {short}: 2 of 3 rows are in it (is the disk full?). Nothing was saved."
    assert not short.exists()


def test_a_geojson_cut_short_counts_its_whole_features(tmp_path, qgis_app):
    """A full disk cuts a GeoJSON file in the middle of a feature: OGR cannot open it, its whole features count."""
    cut = tmp_path / "cut.geojson"
    lines = ['{', '"type": "FeatureCollection",', '"features": ['] + \
        [json.dumps({"type": "Feature", "properties": {"i": i}, "geometry": None}) + "," for i in range(5)]
    cut.write_text("\n".join(lines)[:-30], encoding="utf-8")
    with pytest.raises(OutputFileError) as e:
        verify_sink(str(cut), 5, QgsProcessingContext())
    assert "4 of 5 rows are in it" in str(e.value), str(e.value)
    assert not cut.exists()


def test_a_memory_layer_that_refused_rows_is_named_by_its_name(qgis_app):
    """A memory sink's destination is its layer's id: the 'memory:' test never matched it, and the message named
    the id and said 'What is there is incomplete: remove it.'"""
    context = QgsProcessingContext()
    layer = QgsVectorLayer("None?field=a:string", "Findings", "memory")
    context.temporaryLayerStore().addMapLayer(layer)
    with pytest.raises(OutputFileError) as e:
        verify_sink(layer.id(), 3, context, refused="a geometry of the wrong type")
    assert str(e.value) == ("Could not write the temporary layer Findings: the layer refused rows (a geometry of the "
                            "wrong type). Nothing was saved."), str(e.value)
    with pytest.raises(OutputFileError) as e:
        verify_sink(layer.id(), 3, context)  # empty: 0 of 3
    assert str(e.value) == "Could not write the temporary layer Findings: 0 of 3 rows are in it. Nothing was saved."
