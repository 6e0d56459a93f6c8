"""Findings at city scale: forestry:checkpatches gives one finding per patch and rule (pairs summed, geometries
merged, the other ids listed, the pair count), the pairs kept in the Excel report's detail sheet; AGGREGATE=false
gives the pairs as before."""

from __future__ import annotations

import openpyxl
import pytest
from shapely.geometry import box

from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.aggregate import MAX_LISTED, PAIR_RULES, aggregate
from forestry_plugin.core.checks.model import Finding


def test_pairs_of_a_patch_and_rule_become_one():
    pairs = [Finding("p1", R.CROPLAND, R.ERROR, "x", 100.0, box(0, 0, 10, 10), f"B{i}") for i in range(3)]
    other = Finding("p1", R.MIN_AREA, R.ERROR, "small", 300.0, box(0, 0, 1, 1))
    accepted = Finding("p1", R.CROPLAND, R.ERROR, "x", 5.0, box(20, 0, 21, 1), "B9", accepted=True)
    second = Finding("p2", R.CROPLAND, R.ERROR, "y", 7.0, box(30, 0, 31, 1), "B7")
    out = aggregate([pairs[0], other, pairs[1], accepted, pairs[2], second])
    assert [(f.patch_id, f.rule, f.accepted, f.pairs) for f in out] == [
        ("p1", R.CROPLAND, False, 3), ("p1", R.MIN_AREA, False, 1), ("p1", R.CROPLAND, True, 1),
        ("p2", R.CROPLAND, False, 1)]
    merged = out[0]
    # the same square three times: merged, not tripled, in the geometry and in the area in conflict
    assert merged.value == pytest.approx(100.0) and merged.other_ids == ("B0", "B1", "B2")
    assert merged.geometry.area == pytest.approx(100.0)
    assert "3" in merged.message and "100" in merged.message
    # pairs that share nothing keep their exact sum (the ellipsoidal values, not the planar union's area)
    apart = aggregate([Finding("p3", R.CROPLAND, R.ERROR, "z", 99.7, box(0, 0, 10, 10), "B1"),
                       Finding("p3", R.CROPLAND, R.ERROR, "z", 49.9, box(10, 0, 15, 10), "B2")])
    assert apart[0].value == 99.7 + 49.9
    # two earlier-year patches that overlap each other, both under one patch: the shared part counted once
    hist = aggregate([Finding("p4", R.HISTORY_OVERLAP, R.WARNING, "h", 200.4, box(0, 0, 20, 10), "H1"),
                      Finding("p4", R.HISTORY_OVERLAP, R.WARNING, "h", 200.4, box(10, 0, 30, 10), "H2")])
    assert hist[0].value == pytest.approx(400.8 * 300 / 400)
    many = aggregate([Finding("p", R.PATCH_OVERLAP, R.ERROR, "o", 1.0, box(i, 0, i + 1, 1), f"q{i}")
                      for i in range(MAX_LISTED + 5)])
    assert len(many) == 1 and many[0].other_ids_text.endswith("(+5)")


def _add_patch_on_three_cropland_parcels(path: str) -> None:
    """A patch drawn across three neighbouring cropland parcels: three cropland pairs of one patch."""
    import shapely

    from forestry_plugin import schema
    from forestry_plugin.core.checks.gpkg_io import read_table

    attrs, geoms, _epsg = read_table(path, schema.BASEMAP, [schema.LANDCLASS_FIELD])
    crop = [k for k, a in enumerate(attrs) if str(a.get(schema.LANDCLASS_FIELD) or "").strip() in
            schema.CROPLAND_CLASSES and geoms[k] is not None]
    for k in crop:
        near = [j for j in crop if j != k and geoms[j].distance(geoms[k]) < 0.5]
        if len(near) >= 2:
            break
    else:
        pytest.fail("no three neighbouring cropland parcels in the sample county")
    patch = shapely.union_all([geoms[k], geoms[near[0]], geoms[near[1]]]).buffer(-0.5)
    _f, template, _g = next(iter(geopackage.read_features(path, schema.PATCHES)))
    row = {k: v for k, v in template.items() if k not in ("fid",)}
    row.update(patch_id="aaaaaaaa-0000-4000-8000-000000000001", tuban_no="AGG-1",
               area_mu=round(schema.m2_to_mu(patch.area), 4), area_ha=round(patch.area / 10000.0, 4))
    geopackage.write_features(path, schema.PATCHES, [(row, shapely.to_wkb(shapely.multipolygons([patch])
                                                                            if patch.geom_type == "Polygon" else patch))])


def test_checkpatches_aggregates_by_default_and_keeps_the_pairs(provider, sample_county, tmp_path):
    import processing

    p = sample_county.path
    _add_patch_on_three_cropland_parcels(p)
    layers = {k: geopackage.layer_uri(p, t) for k, t in (("PATCHES", "patches"), ("BASEMAP", "basemap"),
                                                          ("ADMIN", "admin_units"), ("FARMLAND", "basic_farmland"),
                                                          ("HISTORY", "history_patches"))}
    rep = str(tmp_path / "r.xlsx")
    agg = processing.run("forestry:checkpatches", {**layers, "OUTPUT": "memory:", "REPORT": rep})["OUTPUT"]
    flat = processing.run("forestry:checkpatches", {**layers, "OUTPUT": "memory:", "AGGREGATE": False})["OUTPUT"]
    a = [f.attributes() for f in agg.getFeatures()]
    names = agg.fields().names()
    assert {"pairs", "other_ids"} <= set(names)
    col = {n: names.index(n) for n in names}
    pair_rows = [r for r in a if r[col["rule"]] in PAIR_RULES]
    keys = [(r[col["patch_id"]], r[col["rule"]]) for r in pair_rows]
    assert len(keys) == len(set(keys))  # one per patch and pair rule
    fl = [(f["patch_id"], f["rule"], f["value"]) for f in flat.getFeatures()]
    sums, counts = {}, {}
    for pid, rule, value in fl:
        if rule in PAIR_RULES:
            sums[(pid, rule)] = sums.get((pid, rule), 0.0) + (value or 0.0)
            counts[(pid, rule)] = counts.get((pid, rule), 0) + 1
    assert max(counts.values()) > 1, "the sample county has no patch with several pairs: nothing was merged"
    assert len(a) == len(fl) - sum(n - 1 for n in counts.values())
    for r in pair_rows:  # the same patches and rules, the same sums, the same number of pairs
        key = (r[col["patch_id"]], r[col["rule"]])
        assert r[col["pairs"]] == counts[key]
        assert (r[col["value"]] or 0.0) == pytest.approx(sums[key], rel=1e-9, abs=1e-6)
    assert set(counts) == set(keys)
    wb = openpyxl.load_workbook(rep)
    assert wb.worksheets[2].max_row == len(a) + 1  # the findings sheet: one row per patch and rule
    detail = wb.worksheets[3]
    assert detail.max_row == len(fl) + 1  # the pairs, each with its other feature
