"""Checks in tiles (core/checks/tiles.py): the reference read per tile window gives the same findings as an
untiled run (a patch checked once, overlaps across tile edges found once per side, layer findings once), on the
sample county from its working copy, from PostGIS and through forestry:checkpatches, and on constructed hostile
cases (duplicate patch ids across tiles, patches without geometry, geographic coordinates)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import engine, pg_source
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.checker import run_checks
from forestry_plugin.core.checks.model import CheckInputs
from forestry_plugin.core.checks.projection import AreaModel, transform_geoms
from forestry_plugin.core.checks.tiles import patch_bounds, plan_tiles, run_tiled
from tests.helpers.working_copies import without_reference

X0, Y0 = 500000.0, 3330000.0


def key(findings):
    """What a finding says, order aside (the value and the problem area rounded)."""
    return sorted((f.patch_id, f.rule, f.severity, f.message, f.other_id or "", f.accepted,
                   None if f.value is None else round(float(f.value), 3),
                   None if f.geometry is None else round(float(f.geometry.area), 2)) for f in findings)


def test_tiles_cover_every_patch_once_and_keep_to_their_size():
    rng = np.random.default_rng(3)
    n = 5000
    x = np.concatenate([rng.normal(0, 50, n // 2), rng.uniform(0, 20000, n - n // 2)])  # a dense cluster + spread
    y = rng.uniform(0, 8000, n)
    geoms = np.asarray([box(a, b, a + 30, b + 30) for a, b in zip(x, y)], dtype=object)
    geoms[7] = None  # no geometry: still in a tile
    bounds = patch_bounds(geoms)
    tiles = plan_tiles(bounds, np.arange(n), 600)
    every = np.concatenate(tiles)
    assert sorted(every.tolist()) == list(range(n))
    assert len(tiles) >= n // 600 and max(len(t) for t in tiles) <= 601
    assert 7 in tiles[0]
    assert plan_tiles(bounds, np.arange(10), 600)[0].tolist() == list(range(10))


@pytest.mark.parametrize("size", [7, 40])
def test_the_sample_county_in_tiles_gives_the_untiled_findings(sample_county, size):
    whole = engine.check_working_copy(sample_county.path, write=False, tile_size=10 ** 9)
    tiled = engine.check_working_copy(sample_county.path, write=False, tile_size=size)
    assert whole.timings["tiles"] == 1 and tiled.timings["tiles"] > 1
    assert len(tiled.findings) == len(whole.findings) > 30
    assert key(tiled.findings) == key(whole.findings)
    rules = {f.rule for f in whole.findings}
    assert {R.PATCH_OVERLAP, R.CROPLAND, R.BASIC_FARMLAND, R.OUTSIDE_ADMIN} <= rules  # the test proves something


def test_checking_a_few_patches_reads_only_the_parcels_around_them(sample_county, monkeypatch):
    from forestry_plugin.core.checks import gpkg_io

    seen = []
    real = gpkg_io.read_table

    def counting(path, table, *a, **kw):
        out = real(path, table, *a, **kw)
        if table == schema.BASEMAP:
            seen.append(len(out[0]))
        return out

    monkeypatch.setattr(gpkg_io, "read_table", counting)
    whole = engine.check_working_copy(sample_county.path, write=False)
    ids = [f.patch_id for f in whole.findings if f.rule == R.CROPLAND][:3]
    seen.clear()
    few = engine.check_working_copy(sample_county.path, patch_ids=ids, write=False)
    with geopackage.connect(sample_county.path) as con:
        total = con.execute(f"SELECT COUNT(*) FROM {schema.BASEMAP}").fetchone()[0]
    assert seen and max(seen) < 0.1 * total  # the parcels near three patches, not the county's
    assert key(few.findings) == key([f for f in whole.findings if f.patch_id in set(ids)])


def test_tiles_with_the_reference_in_postgis(pg, sample_county, tmp_path):
    pg_source.load_from_geopackage(sample_county.path, pg.dsn)
    whole = engine.check_working_copy(sample_county.path, write=False)
    other = without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn})
    tiled = engine.check_working_copy(other, write=False, tile_size=150)
    assert tiled.timings["tiles"] > 1
    assert key(tiled.findings) == key(whole.findings)


# -- constructed cases: run_tiled against run_checks on the same arrays --------------------------------------------

def _grid_inputs(epsg=4549):
    """60 x 20 patches of 40 m on a 50 m pitch, every third one overlapping its right neighbour; a base map of
    100 m cells of cropland and forest under them; a patch id used twice, far apart; one patch without geometry."""
    am = AreaModel(4549)
    geoms, attrs = [], []
    for i in range(60):
        for j in range(20):
            w = 55 if (i + j) % 3 == 0 else 40
            g = box(X0 + i * 50, Y0 + j * 50, X0 + i * 50 + w, Y0 + j * 50 + 40)
            m2 = float(am.areas([g])[0])
            geoms.append(g)
            attrs.append({"patch_id": str(uuid.uuid4()), "county_code": "339901", "township_code": "339901101",
                          "village_code": "339901101200", "year": 2025, "method": "planting",
                          "forest_type": "protection", "species": "camphor", "stage": "design", "revision": 1,
                          "area_mu": round(schema.m2_to_mu(m2), 2), "area_ha": round(schema.m2_to_ha(m2), 4)})
    attrs[-1]["patch_id"] = attrs[0]["patch_id"]  # the same id at both ends of the county
    geoms[500] = None
    base = [box(X0 + i * 100, Y0 + j * 100, X0 + i * 100 + 100, Y0 + j * 100 + 100)
            for i in range(31) for j in range(11)]
    classes = ["0103" if (k % 4 == 0) else "0301" if k % 4 == 1 else "0404" for k in range(len(base))]
    admin = [box(X0 - 100, Y0 - 100, X0 + 3200, Y0 + 1200)]
    if epsg != 4549:
        geoms = list(transform_geoms(geoms, 4549, epsg))
        base = list(transform_geoms(base, 4549, epsg))
        admin = list(transform_geoms(admin, 4549, epsg))
    inputs = CheckInputs(patch_ids=[a["patch_id"] for a in attrs], patch_geoms=geoms, patch_attrs=attrs, epsg=epsg,
                         basemap_geoms=base, basemap_ids=[f"B{k}" for k in range(len(base))],
                         basemap_classes=classes, admin_geoms=admin, admin_codes=["339901101200"],
                         admin_levels=["village"], layer_name="patches", missing_fields=["design_date"])
    return inputs


def _reader(inputs):
    base = np.asarray(inputs.basemap_geoms, dtype=object)
    b = shapely.bounds(base)
    reads = []

    def read(w):
        hit = np.flatnonzero(~((b[:, 0] > w[2]) | (b[:, 2] < w[0]) | (b[:, 1] > w[3]) | (b[:, 3] < w[1])))
        reads.append(len(hit))
        return dict(basemap_geoms=base[hit], basemap_ids=[inputs.basemap_ids[k] for k in hit],
                    basemap_classes=[inputs.basemap_classes[k] for k in hit])
    return read, reads


@pytest.mark.parametrize("epsg", [4549, 4490, 4326])
def test_run_tiled_equals_run_checks(epsg):
    inputs = _grid_inputs(epsg)
    whole = run_checks(inputs)
    read, reads = _reader(inputs)
    stats = {}
    tiled = run_tiled(inputs, read, tile_size=97, stats=stats)
    assert stats["tiles"] > 10 and max(reads) < len(inputs.basemap_geoms) / 4  # each tile read its window only
    assert key(tiled) == key(whole)
    by_rule = {r: sum(1 for f in whole if f.rule == r) for r in {f.rule for f in whole}}
    assert by_rule.get(R.PATCH_OVERLAP, 0) > 100 and by_rule.get(R.CROPLAND, 0) > 100
    assert by_rule.get(R.CRS, 0) == (1 if epsg == 4326 else 0) and by_rule[R.ATTRIBUTE] >= 1
    assert sum(1 for f in tiled if f.patch_id == "") == sum(1 for f in whole if f.patch_id == "")  # once
    assert sum(1 for f in tiled if f.rule == R.INVALID_GEOMETRY) == 1  # the patch without geometry, once


def test_run_tiled_checks_only_the_chosen_positions():
    inputs = _grid_inputs()
    read, _reads = _reader(inputs)
    chosen = list(range(0, 1200, 7))
    tiled = run_tiled(inputs, read, tile_size=50, check_index=chosen)
    whole = run_checks(CheckInputs(**{**inputs.__dict__, "check_index": chosen}))
    assert key(tiled) == key(whole)
    dup = inputs.patch_ids[0]  # the id used twice: only the chosen position's findings
    assert {f.patch_id for f in tiled} - {""} <= {inputs.patch_ids[i] for i in chosen}
    assert sum(1 for f in tiled if f.patch_id == dup) == sum(1 for f in whole if f.patch_id == dup)


def test_tiles_run_two_at_a_time_with_progress_and_cancel():
    from forestry_plugin.core.checks.model import CheckCanceled

    inputs = _grid_inputs()
    read, _reads = _reader(inputs)
    seen = []
    one = run_tiled(inputs, read, tile_size=97, workers=1)
    two = run_tiled(inputs, read, tile_size=97, workers=2, progress=seen.append)
    assert [(f.patch_id, f.rule, f.other_id) for f in two] == [(f.patch_id, f.rule, f.other_id) for f in one]
    assert seen and seen[-1] == pytest.approx(1.0) and len(seen) > 12  # fine-grained, from every tile
    calls = []

    def cancel_after_a_while():
        calls.append(1)
        return len(calls) > 40

    with pytest.raises(CheckCanceled):
        run_tiled(inputs, read, tile_size=97, workers=2, is_canceled=cancel_after_a_while)


def test_a_window_reads_a_geopackage_whose_key_is_not_fid(tmp_path):
    """Contractors' GeoPackages (ArcGIS's OBJECTID ...): the R-tree window selects by rowid, the key's alias."""
    from osgeo import ogr, osr

    from forestry_plugin.core.checks.gpkg_io import read_table, spatial_filter

    path = str(tmp_path / "objectid.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    lyr = ds.CreateLayer("dltb", srs, ogr.wkbMultiPolygon, ["FID=OBJECTID"])
    lyr.CreateField(ogr.FieldDefn("BSM", ogr.OFTString))
    for k in range(100):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("BSM", f"B{k}")
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.MultiPolygon([box(X0 + k * 10, Y0,
                                                                                       X0 + k * 10 + 10, Y0 + 10)]))))
        lyr.CreateFeature(f)
    ds = None
    con = geopackage.open_connection(path)
    try:
        where = spatial_filter(con, "dltb", (X0, Y0, X0 + 95, Y0 + 10), {})
        assert where.startswith("rowid IN")
        attrs, geoms, _epsg = read_table(path, "dltb", ["BSM"], con, where=where)
    finally:
        con.close()
    assert sorted(a["BSM"] for a in attrs) == sorted(f"B{k}" for k in range(10))  # those reaching x <= 95


@pytest.mark.parametrize("grouped", [True, False])
def test_tiles_aggregated_as_one_run_even_for_an_id_in_two_tiles(grouped):
    """Each tile's pairs aggregated in the tile (TileAggregation, as forestry:checkpatches does) give what
    aggregating the untiled run gives, also for the id two patches share at both ends of the county (their pairs
    land in two tiles and are merged at the end)."""
    from forestry_plugin.core.checks.aggregate import TileAggregation, aggregate, single_finding

    inputs = _grid_inputs()
    whole = run_checks(inputs)
    expected = aggregate(whole) if grouped else [single_finding(f) for f in whole]
    read, _reads = _reader(inputs)
    each = TileAggregation(grouped, keep_pairs=True)
    stats = {}
    got = each.finish(run_tiled(inputs, read, tile_size=97, stats=stats, each_tile=each))
    dup = inputs.patch_ids[0]
    assert stats["tiles"] > 10 and each.counted == len(whole)
    assert sum(1 for f in whole if f.patch_id == dup and f.rule == R.CROPLAND) >= 2

    assert key(got) == key(expected)
    assert sorted((f.patch_id, f.rule, f.pairs, tuple(sorted(f.other_ids))) for f in got) == sorted(
        (f.patch_id, f.rule, f.pairs, tuple(sorted(f.other_ids))) for f in expected)
    assert len(each.pairs) == (len(whole) if grouped else 0)
    # streamed: each tile's findings emitted as the tile ends, the shared id's held back and emitted merged
    from collections import Counter

    emitted, sizes = [], []

    def emit(part):
        sizes.append(len(part))
        emitted.extend(part)

    shared = [i for i, n in Counter(inputs.patch_ids).items() if n > 1]
    streamed = TileAggregation(grouped, emit=emit, keep=False, hold_ids=shared)
    assert streamed.finish(run_tiled(inputs, read, tile_size=97, each_tile=streamed)) == []
    assert key(emitted) == key(expected) and len(sizes) == stats["tiles"] + 1 and max(sizes) < len(emitted) / 5
    assert streamed.total == len(expected) and sum(streamed.counts.values()) == len(expected)
