"""Reference data in PostgreSQL/PostGIS: a real server (Debian's postgresql-15 + postgis, initdb into a temporary
directory, a private socket; tests/helpers/pg_server.py) holds the base map, farmland, earlier years and admin units; a
working copy pointing at it (setting reference_source) gets the same findings as with its own tables, reading
only its window through the GiST index. Skipped, with the reason, where PostgreSQL/PostGIS is not installed."""

from __future__ import annotations

import json

import pytest

from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import engine, gpkg_io, pg_source
from forestry_plugin.core.checks.rules import BASEMAP_CLASSES
from forestry_plugin.settings import WorkingCopyKey
from tests.helpers.pg_server import PgServer
from tests.helpers.working_copies import without_reference

pytestmark = pytest.mark.skipif(PgServer.available() is not None, reason=str(PgServer.available()))


def _findings(result):
    return sorted((f.patch_id, f.rule, f.other_id or "", round(float(f.value), 3) if f.value is not None else None)
                  for f in result.findings)


def test_same_findings_with_the_reference_in_postgis(pg, sample_county, tmp_path):
    counts = pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables={"basemap": "dltb"})
    assert counts["dltb"] > 1000
    own = engine.check_working_copy(sample_county.path, write=False)
    # a working copy that no longer holds the reference tables, pointing at the database instead
    other = without_reference(sample_county.path, tmp_path)
    emptied = engine.check_working_copy(other, write=False)
    assert _findings(emptied) != _findings(own)  # the reference matters (else this test proves nothing)
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": pg.dsn, "tables": {"basemap": "dltb"}}))
    from_pg = engine.check_working_copy(other, write=False)
    assert _findings(from_pg) == _findings(own)
    assert {f.rule for f in from_pg.findings} >= {"cropland", "basic_farmland"}


def test_only_the_window_of_the_patches_is_read(pg, sample_county):
    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables={"basemap": "province"})
    source = pg_source.parse_source({"dsn": pg.dsn, "tables": {"basemap": "province"}})
    data = gpkg_io.read_check_inputs(sample_county.path)
    before = pg_source.reference_data(source, data["patch_geoms"], data["epsg"], sorted(BASEMAP_CLASSES))
    # the rest of the province: the same parcels again, 300 km east (another county's)
    pg.sql('INSERT INTO province ("BSM", "DLBM", geom) SELECT \'X\' || substr("BSM", 2), "DLBM", ST_Translate(geom, 300000, 0) '
           'FROM province')
    after = pg_source.reference_data(source, data["patch_geoms"], data["epsg"], sorted(BASEMAP_CLASSES))
    assert len(after["basemap_ids"]) == len(before["basemap_ids"]) > 0
    assert not any(b.startswith("X") for b in after["basemap_ids"])
    plan = " ".join(r[0] for r in pg.sql('EXPLAIN SELECT 1 FROM province WHERE geom && ST_MakeEnvelope(0, 0, 1, 1, '
                                         '4549)'))
    assert "province" in plan  # the query runs against the table (its GiST index when the planner wants it)


def test_hostile_or_broken_sources_say_what_is_wrong(pg, sample_county):
    with pytest.raises(pg_source.ReferenceSourceError, match="password"):
        pg_source.parse_source({"dsn": pg.dsn + " password=secret-in-setting"})
    with pytest.raises(pg_source.ReferenceSourceError) as e:
        pg_source.parse_source({"dsn": pg.dsn, "tables": {"basemap": "x; DROP TABLE y", "nope": "t"}})
    assert "basemap" in str(e.value) and "nope" in str(e.value)
    with pytest.raises(pg_source.ReferenceSourceError):
        pg_source.parse_source("{not json")
    geopackage.set_setting(sample_county.path, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": "host=/nonexistent/socket port=5432 dbname=none user=none"}))
    with pytest.raises(pg_source.ReferenceSourceError, match="cannot be reached"):
        engine.check_working_copy(sample_county.path, write=False)
    geopackage.set_setting(sample_county.path, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": pg.dsn, "tables": {"basemap": "no_such_table"}}))
    with pytest.raises(pg_source.ReferenceSourceError, match="no_such_table"):
        engine.check_working_copy(sample_county.path, write=False)


def test_processing_loads_and_points_a_working_copy_at_postgis(pg, sample_county, provider, tmp_path):
    """forestry:loadreferencepostgis then forestry:setreferencesource, as a user runs them from the Toolbox."""
    import processing

    tables = {"BASEMAP_TABLE": "city_dltb", "FARMLAND_TABLE": "city_jbnt", "HISTORY_TABLE": "city_history",
              "ADMIN_TABLE": "city_xzq"}
    loaded = processing.run("forestry:loadreferencepostgis", {"SOURCE": sample_county.path, "DSN": pg.dsn,
                                                              "SCHEMA": "public", **tables})
    assert loaded["LOADED"] > 1000
    out = processing.run("forestry:setreferencesource", {"WORKING_COPY": sample_county.path, "DSN": pg.dsn,
                                                         "SCHEMA": "public", **tables})
    assert out["BASEMAP"] > 0
    assert pg_source.configured(sample_county.path)["tables"]["basemap"] == "city_dltb"
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="no_such"):
        processing.run("forestry:setreferencesource", {"WORKING_COPY": sample_county.path, "DSN": pg.dsn,
                                                       "SCHEMA": "public", **tables, "ADMIN_TABLE": "no_such"})
    assert pg_source.configured(sample_county.path)["tables"]["admin"] == "city_xzq"  # unchanged on failure
    processing.run("forestry:setreferencesource", {"WORKING_COPY": sample_county.path, "DSN": "",
                                                   "SCHEMA": "public", **tables})
    assert pg_source.configured(sample_county.path) is None
