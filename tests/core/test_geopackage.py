"""The working-copy GeoPackage: tables from the schema, settings, round trips, clear errors."""

import datetime
import sqlite3

import pytest
import shapely
from qgis.core import QgsVectorLayer
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.project import open_layer
from forestry_plugin.core.working_copy import create_working_copy


def test_tables_and_fields_follow_schema(empty_working_copy):
    with sqlite3.connect(empty_working_copy) as con:
        contents = {r[0]: r[1] for r in con.execute("SELECT table_name, data_type FROM gpkg_contents")}
        for ld in schema.LAYERS:
            assert ld.name in contents
            assert contents[ld.name] == ("features" if ld.geometry else "attributes")
            cols = {r[1] for r in con.execute(f"PRAGMA table_info({ld.name})")}
            assert {f.name for f in ld.fields} <= cols, ld.name
        srs = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name='patches'").fetchone()[0]
    assert srs == 4549


def test_settings_round_trip(empty_working_copy):
    s = geopackage.verify_working_copy(empty_working_copy)
    assert s["county_code"] == "339901" and s["crs"] == "EPSG:4549"
    geopackage.set_setting(empty_working_copy, "rules_profile", {"min_area": {"error_m2": 400}})
    assert geopackage.get_setting(empty_working_copy, "rules_profile") == {"min_area": {"error_m2": 400}}
    assert geopackage.get_setting(empty_working_copy, "missing", 7) == 7


def test_write_read_round_trip(empty_working_copy):
    attrs = {"patch_id": "0b6f2a59-3f0e-4a6c-9d57-1f2b3c4d5e6f", "year": 2025, "stage": "design", "area_mu": 12.5,
             "accept_date": datetime.date(2025, 10, 3), "updated_at": datetime.datetime(2025, 10, 3, 8, 30, 0)}
    n = geopackage.write_features(empty_working_copy, schema.PATCHES,
                                  [(attrs, shapely.to_wkb(box(500000, 3330000, 500100, 3330080)))])
    assert n == 1
    (fid, got, wkb), = geopackage.read_features(empty_working_copy, schema.PATCHES)
    assert got["patch_id"] == attrs["patch_id"] and got["year"] == 2025 and got["area_mu"] == 12.5
    assert got["accept_date"] == "2025-10-03" and got["updated_at"] == "2025-10-03T08:30:00"
    geom = shapely.from_wkb(wkb)
    assert geom.geom_type == "MultiPolygon" and geom.area == pytest.approx(8000)
    # QGIS reads the same feature.
    layer = QgsVectorLayer(geopackage.layer_uri(empty_working_copy, schema.PATCHES), "p", "ogr")
    assert layer.isValid() and layer.featureCount() == 1


def test_unique_patch_id(empty_working_copy):
    rec = ({"patch_id": "same"}, shapely.to_wkb(box(0, 0, 1, 1)))
    geopackage.write_features(empty_working_copy, schema.PATCHES, [rec])
    with pytest.raises(RuntimeError, match="(?i)unique"):
        geopackage.write_features(empty_working_copy, schema.PATCHES, [rec])
    # The failed write was rolled back as a whole.
    assert len(geopackage.read_features(empty_working_copy, schema.PATCHES)) == 1


def test_clear_errors(tmp_path, empty_working_copy):
    with pytest.raises(geopackage.WorkingCopyError, match="already exists"):
        create_working_copy(empty_working_copy)
    not_gpkg = tmp_path / "notes.gpkg"
    not_gpkg.write_text("not a database")
    with pytest.raises(geopackage.WorkingCopyError, match="not a GeoPackage"):
        geopackage.verify_working_copy(str(not_gpkg))
    with pytest.raises(geopackage.WorkingCopyError, match="not found"):
        geopackage.verify_working_copy(str(tmp_path / "missing.gpkg"))
    with pytest.raises(geopackage.WorkingCopyError, match="no table"):
        geopackage.read_features(empty_working_copy, "nope")


def test_default_styles_stored_in_geopackage(empty_working_copy):
    with sqlite3.connect(empty_working_copy) as con:
        styled = {r[0] for r in con.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
    assert {schema.PATCHES, schema.BASEMAP, schema.ISSUES, schema.ADMIN, schema.FARMLAND, schema.HISTORY} <= styled
    layer = open_layer(empty_working_copy, schema.PATCHES)
    assert layer.renderer().type() == "categorizedSymbol"
    assert layer.renderer().classAttribute() == "stage"
    assert {c.value() for c in layer.renderer().categories()} >= set(schema.STAGES.values())
    base = open_layer(empty_working_copy, schema.BASEMAP)
    assert base.renderer().classAttribute() == "DLBM"
