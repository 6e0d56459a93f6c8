"""The editing context (automatic admin codes, 前地类, area) reading a city's or province's reference tables in
PostGIS, as the working copy's `reference_source` setting says: the same attributes as from the working copy's
own tables, read around each patch through the GiST index. A real server (tests/helpers/pg_server.py); skipped, with the
reason, where PostgreSQL/PostGIS is not installed."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsApplication, QgsFeatureRequest, QgsVectorLayer

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.attributes import PatchContext, postgis_reference_layers
from forestry_plugin.core.checks import pg_source
from forestry_plugin.core.sync.auth import store_basic_config
from forestry_plugin.settings import WorkingCopyKey
from tests.helpers.pg_server import PgServer
from tests.helpers.working_copies import without_reference

pytestmark = pytest.mark.skipif(PgServer.available() is not None, reason=str(PgServer.available()))


def _pointing_copy(sample_county, tmp_path, pg, **extra) -> str:
    """The sample county without admin units and base map of its own, pointing at the city's tables."""
    return without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn, "tables": {
        "basemap": "city_dltb", "admin": "city_xzq"}, **extra}, tables=(schema.BASEMAP, schema.ADMIN))


def _patches(path: str, n: int):
    layer = QgsVectorLayer(geopackage.layer_uri(path, schema.PATCHES), "p", "ogr")
    return [f.geometry() for f in layer.getFeatures(QgsFeatureRequest().setLimit(n)) if f.hasGeometry()]


def test_attributes_from_postgis_are_those_from_the_working_copy(pg, sample_county, tmp_path):
    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables={"basemap": "city_dltb", "admin": "city_xzq"})
    own = PatchContext.from_working_copy(sample_county.path)
    other = _pointing_copy(sample_county, tmp_path, pg)
    from_pg = PatchContext.from_working_copy(other)
    assert from_pg.warning is None
    assert from_pg.crs == own.crs  # the working copy's CRS, not the database table's
    assert from_pg._base.layer.providerType() == "postgres"
    geoms = _patches(sample_county.path, 60)
    assert len(geoms) == 60
    got = [from_pg.geometry_attributes(g) for g in geoms]
    want = [own.geometry_attributes(g) for g in geoms]
    keys = ("county_code", "township_code", "village_code", "prev_dlbm", "area_mu", "area_ha", "remark")
    assert [{k: a.get(k) for k in keys} for a in got] == [{k: a.get(k) for k in keys} for a in want]
    assert sum(1 for a in got if a.get("village_code")) > 50 and sum(1 for a in got if a.get("prev_dlbm")) > 50
    # without the setting, the emptied copy's own tables give nothing: the database is what filled them
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, "")
    bare = PatchContext.from_working_copy(other)
    assert not any(bare.geometry_attributes(g).get("village_code") for g in geoms[:10])


def test_a_database_that_cannot_be_used_is_said_and_loses_nothing(pg, sample_county, tmp_path):
    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables={"basemap": "city_dltb", "admin": "city_xzq"})
    other = _pointing_copy(sample_county, tmp_path, pg)
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": pg.dsn, "tables": {"basemap": "no_such_table", "admin": "city_xzq"}}))
    ctx = PatchContext.from_working_copy(other)
    assert ctx.warning and "no_such_table" in ctx.warning
    attrs = ctx.new_patch(_patches(sample_county.path, 1)[0])  # a patch can still be drawn: area, id
    assert attrs["area_mu"] > 0 and attrs["patch_id"]
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, "{not json")
    assert "JSON" in PatchContext.from_working_copy(other).warning
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, json.dumps({"dsn": "host=/nonexistent dbname=x"}))
    assert "cannot be reached" in PatchContext.from_working_copy(other).warning


def test_login_from_the_auth_manager_stays_out_of_the_layer_source(pg, sample_county, tmp_path):
    """The user and password come from QgsAuthManager (authcfg); the layers QGIS opens carry only the id."""
    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables={"basemap": "city_dltb", "admin": "city_xzq"})
    secret = "Pg-Secret-99713"
    pg.sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN "
           f"CREATE ROLE reader LOGIN PASSWORD '{secret}'; END IF; END $$")
    pg.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    am = QgsApplication.authManager()
    if not am.masterPasswordIsSet():
        assert am.setMasterPassword("forestry-test-master", True)  # the suite's master password
    cfg_id = store_basic_config("city reference", "reader", secret)
    dsn = pg.dsn.replace(f"user={pg.user}", "").strip()
    other = _pointing_copy(sample_county, tmp_path, pg)
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, json.dumps(
        {"dsn": dsn, "authcfg": cfg_id, "tables": {"basemap": "city_dltb", "admin": "city_xzq"}}))
    try:
        admin, base = postgis_reference_layers(other)
        assert admin.isValid() and base.isValid()
        assert sum(1 for _ in base.getFeatures(QgsFeatureRequest().setLimit(1001))) > 1000  # read as "reader"
        for layer in (admin, base):
            assert secret not in layer.source() and "reader" not in layer.source()
            assert f"authcfg={cfg_id}" in layer.source()
        ctx = PatchContext.from_working_copy(other)
        assert ctx.warning is None
        assert ctx.geometry_attributes(_patches(sample_county.path, 1)[0]).get("village_code")
    finally:
        am.removeAuthenticationConfig(cfg_id)


def test_live_check_reads_postgis_where_no_patch_is_yet(pg, sample_county, tmp_path):
    """The first patch of a county whose reference is in PostGIS: the live check has the county's base map
    (the window is the county's admin units, not only the patches there are)."""
    from forestry_plugin.core.checks import engine
    from forestry_plugin.core.checks import rules as R
    from forestry_plugin.core.checks.gpkg_io import read_check_patches
    from forestry_plugin.core.checks.live import LiveChecker

    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables={"basemap": "city_dltb", "admin": "city_xzq"})
    found = engine.check_working_copy(sample_county.path, write=False)
    on_crop = next(f.patch_id for f in found.findings if f.rule == R.CROPLAND)
    data = read_check_patches(sample_county.path)
    k = data["patch_ids"].index(on_crop)
    geom, attrs = data["patch_geoms"][k], dict(data["patch_attrs"][k])
    other = _pointing_copy(sample_county, tmp_path, pg)
    with geopackage.connect(other) as con:
        con.execute(f"DELETE FROM {schema.PATCHES}")  # no patch yet: no patch window
        for table in (schema.FARMLAND, schema.HISTORY):
            con.execute(f"DELETE FROM {table}")
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, json.dumps(
        {"dsn": pg.dsn, "tables": {"basemap": "city_dltb", "admin": "city_xzq"}}))
    live = LiveChecker(other)
    rules = {f.rule for f in live.check_patch(geom, attrs, on_crop)}
    assert R.CROPLAND in rules
    assert rules == {f.rule for f in LiveChecker(sample_county.path).check_patch(geom, attrs, on_crop)} - {
        R.PATCH_OVERLAP}
