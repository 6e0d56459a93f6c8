"""The clip and snap fixes read the working copy's reference where it is: its own tables, or the PostGIS tables its
`reference_source` setting names (a real server, tests/helpers/pg_server.py; skipped, with the reason, where
PostgreSQL/PostGIS is not installed). A copy pointing at PostGIS has no base map or farmland of its own: read from
the file, "clip to allowed land" would give the patch back unchanged."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely import affinity
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import fixes, geopackage
from forestry_plugin.core.checks import engine, pg_source
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.gpkg_io import read_check_patches, read_table
from forestry_plugin.settings import WorkingCopyKey
from tests.helpers.working_copies import without_reference

TABLES = {"basemap": "city_dltb", "farmland": "city_jbnt", "history": "city_history", "admin": "city_xzq"}


@pytest.fixture()
def pointing(pg, sample_county, tmp_path):
    """(the sample county, a copy of it without reference tables pointing at the same tables in PostGIS)."""
    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables=TABLES)
    return sample_county.path, without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn, "tables": TABLES})


def _patch_on(path: str, rule: str):
    """(patch geometry, the finding) of a patch the checks find on `rule`'s land."""
    found = engine.check_working_copy(path, write=False)
    f = next(f for f in found.findings if f.rule == rule and f.value and f.value > 50)
    data = read_check_patches(path)
    return data["patch_geoms"][data["patch_ids"].index(f.patch_id)], f


def straddling_cropland(path: str):
    """(a 60 m square half on a cropland parcel of the working copy's own base map, what the clip leaves of it
    there): around a vertex of the parcel's outline, where the clip keeps part of the square."""
    attrs, geoms, _ = read_table(path, schema.BASEMAP, [schema.LANDCLASS_FIELD])
    for a, parcel in zip(attrs, geoms):
        if str(a.get(schema.LANDCLASS_FIELD) or "").strip() not in schema.CROPLAND_CLASSES:
            continue
        for x, y in shapely.get_coordinates(parcel.boundary)[::5]:
            g = box(x - 30, y - 30, x + 30, y + 30)
            left = fixes.clip_to_allowed(g, fixes.forbidden_near(path, fixes.window(g, 4549)))
            if 0.2 * g.area < left.area < 0.8 * g.area and g.intersection(parcel).area > 0.2 * g.area:
                return g, left
    raise AssertionError("no cropland parcel edge in the sample county")


def test_clip_removes_the_cropland_in_postgis(pointing):
    own, other = pointing
    g, expected = straddling_cropland(own)
    epsg = fixes.patches_epsg(other)
    assert epsg == 4549
    bbox = fixes.window(g, epsg)
    forbidden = fixes.forbidden_near(other, bbox)
    assert forbidden  # read from the database: the copy's own tables are empty
    assert read_table(other, schema.BASEMAP, [])[1].size == 0
    clipped = fixes.clip_to_allowed(g, forbidden)
    assert 0 < clipped.area < 0.8 * g.area
    assert clipped.area == pytest.approx(expected.area, abs=1e-6)
    assert clipped.symmetric_difference(expected).area < 1e-6
    crop = [p for p in forbidden if p.intersects(g)]
    assert shapely.union_all(crop).intersection(clipped).area < 1.0
    # an approval number allows the cropland: it stays (only farmland, built-up land and water are cut)
    approved = fixes.clip_to_allowed(g, fixes.forbidden_near(other, bbox, approved_cropland=True))
    assert approved.area == pytest.approx(
        fixes.clip_to_allowed(g, fixes.forbidden_near(own, bbox, approved_cropland=True)).area, abs=1e-6)
    assert approved.area > clipped.area + 0.1 * g.area


def test_forbidden_classes_are_those_of_the_land_rules():
    assert fixes.forbidden_classes() == schema.CROPLAND_CLASSES | schema.BUILTUP_CLASSES | schema.WATER_CLASSES
    assert fixes.forbidden_classes() <= R.BASEMAP_CLASSES  # the classes the checks read
    assert fixes.forbidden_classes(approved_cropland=True) == schema.BUILTUP_CLASSES | schema.WATER_CLASSES
    assert not fixes.forbidden_classes() & schema.EXISTING_FOREST_CLASSES  # a warning, not forbidden land


def test_snap_uses_the_parcels_in_postgis(pointing):
    own, other = pointing
    g, _f = _patch_on(own, R.CROPLAND)
    bbox = fixes.window(g, 4549)
    parcels = fixes.parcels_near(other, bbox)
    assert len(parcels) == len(fixes.parcels_near(own, bbox)) > 0
    parcel = max(parcels, key=lambda p: p.area)
    moved = affinity.translate(parcel, 0.4, -0.3)  # drawn 0.5 m off the parcel's outline
    snapped = fixes.snap_to_basemap(moved, fixes.parcels_near(other, fixes.window(moved, 4549)), tolerance_m=1.0)
    assert snapped.symmetric_difference(parcel).area < 0.01 * moved.symmetric_difference(parcel).area


def test_the_margin_is_metres_in_a_geographic_copy():
    g = box(120.0, 30.0, 120.001, 30.001)
    x0, y0, x1, y1 = fixes.window(g, 4490)
    assert 120.0 - x0 == pytest.approx(5.0 / 111000.0) and y1 - 30.001 == pytest.approx(5.0 / 111000.0)
    x0, _y0, _x1, _y1 = fixes.window(box(500000, 3330000, 500100, 3330100), 4549)
    assert x0 == 500000 - fixes.FIX_MARGIN_M
    from forestry_plugin.core.checks.projection import metres_in

    assert metres_in(4490, 1.0) == pytest.approx(1 / 111000.0) and metres_in(4549, 1.0) == 1.0


def test_a_database_that_cannot_be_reached_raises(pointing):
    own, other = pointing
    g, _f = _patch_on(own, R.CROPLAND)
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": "host=/nonexistent/socket port=5432 dbname=none user=none"}))
    with pytest.raises(pg_source.ReferenceSourceError, match="cannot be reached"):
        fixes.forbidden_near(other, fixes.window(g, 4549))
    with pytest.raises(pg_source.ReferenceSourceError, match="cannot be reached"):
        fixes.parcels_near(other, fixes.window(g, 4549))
    # without the setting the copy's own (empty) tables are read, as before
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, "")
    assert fixes.forbidden_near(other, fixes.window(g, 4549)) == []
