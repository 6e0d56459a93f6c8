"""The check engine's fast paths give the findings of the straightforward ones.

* the sliver prefilter (checker.sliver_candidates: only polygons whose negative buffer can be empty are buffered)
  against buffering every candidate of the thinness test;
* bulk WKB (geometry.multi_wkbs) against geometry.multi_wkb one geometry at a time;
* bulk GeoPackage writing (gpkg_io.append_gpkg_features, forestry:checkpatches writing a .gpkg) against OGR /
  the Processing sink feature by feature.
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box

from forestry_plugin.core.checks import checker, geometry, gpkg_io
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.model import CheckInputs
from forestry_plugin.core.checks.profile import RuleProfile

X0, Y0 = 500000.0, 3330000.0


def _key(findings):
    return sorted((f.patch_id, f.rule, f.other_id or "", round(f.value or 0.0, 6), f.message) for f in findings)


def _no_prefilter(monkeypatch):
    monkeypatch.setattr(checker, "sliver_candidates", lambda g, a, p, w: np.ones(len(g), dtype=bool))


def _run(geoms, profile=None):
    ids = [f"p{k}" for k in range(len(geoms))]
    attrs = [{"patch_id": i} for i in ids]
    return checker.run_checks(CheckInputs(patch_ids=ids, patch_geoms=geoms, patch_attrs=attrs, epsg=4549), profile)


def _ring_with_holes(size: float, corridor: float, hole: float) -> Polygon:
    """A square mesh: corridors `corridor` wide between square holes `hole` wide (narrow everywhere)."""
    holes = []
    step = corridor + hole
    n = int((size - corridor) // step)
    for i in range(n):
        for j in range(n):
            x, y = X0 + corridor + i * step, Y0 + corridor + j * step
            holes.append([(x, y), (x + hole, y), (x + hole, y + hole), (x, y + hole)])
    return Polygon([(X0, Y0), (X0 + size, Y0), (X0 + size, Y0 + size), (X0, Y0 + size)], holes)


def _edge_cases():
    width = R.RULE[R.SLIVER].thresholds["min_width_m"]
    out = []
    for k, w in enumerate((width * 0.98, width * 0.999, width * 1.001, width * 1.02, width * 1.5, width * 2.1)):
        out.append(box(X0 + k * 400, Y0, X0 + k * 400 + w, Y0 + 300))  # straight strips around the width
        # the same strips rotated: a different vertex layout for GEOS's buffer
        out.append(affinity.rotate(box(X0 + k * 400, Y0 + 1000, X0 + k * 400 + w, Y0 + 1300), 33, origin="center"))
    # a multipolygon with one thin part and one wide part (not narrow everywhere), and with two thin parts
    out.append(MultiPolygon([box(X0, Y0 + 2000, X0 + 3, Y0 + 2300), box(X0 + 50, Y0 + 2000, X0 + 120, Y0 + 2070)]))
    out.append(MultiPolygon([box(X0, Y0 + 2500, X0 + 3, Y0 + 2800), box(X0 + 50, Y0 + 2500, X0 + 54, Y0 + 2800)]))
    # L shapes of thin arms just below / above the width
    for k, w in enumerate((width * 0.99, width * 1.01)):
        x, y = X0 + 1000 + k * 400, Y0 + 2000
        out.append(Polygon([(x, y), (x + 200, y), (x + 200, y + w), (x + w, y + w), (x + w, y + 200), (x, y + 200)]))
    # a mesh of narrow corridors around many holes: narrow everywhere, yet area / perimeter is small only with holes
    out.append(_ring_with_holes(120, width * 0.9, 6.0))
    out.append(_ring_with_holes(120, width * 1.2, 6.0))
    # a compact small square (area < 4 w²) and a disk-like polygon of diameter just under / over the width
    out.append(box(X0 + 3000, Y0, X0 + 3000 + width * 0.95, Y0 + width * 0.95))
    for k, d in enumerate((width * 0.99, width * 1.01)):
        out.append(shapely.Point(X0 + 3100 + k * 50, Y0).buffer(d / 2, quad_segs=16))
    # invalid geometries: a bow-tie of thin triangles and a self-touching strip
    out.append(Polygon([(X0 + 4000, Y0), (X0 + 4200, Y0 + 4), (X0 + 4200, Y0), (X0 + 4000, Y0 + 4)]))
    out.append(Polygon([(X0 + 4500, Y0), (X0 + 4800, Y0 + 300), (X0 + 4800, Y0), (X0 + 4500, Y0 + 300)]))
    return out


def test_sliver_candidate_bound_holds_for_narrow_shapes():
    """Every polygon whose negative buffer is empty passes the prefilter (random strips, meshes, multipolygons)."""
    rng = np.random.default_rng(3)
    width = 5.0
    geoms = list(_edge_cases())
    for _ in range(400):
        w, h = rng.uniform(0.5, 12), rng.uniform(5, 400)
        g = box(0, 0, w, h)
        if rng.uniform() < 0.5:
            g = g.union(box(0, 0, h, rng.uniform(0.5, 12)))  # L shapes
        geoms.append(affinity.rotate(g, rng.uniform(0, 90)))
    g = geometry.repair_all(geoms)[0]
    g = g[~shapely.is_missing(g)]
    narrow = shapely.is_empty(shapely.buffer(g, -width / 2, quad_segs=2))
    cand = checker.sliver_candidates(g, shapely.area(g), shapely.length(g), width)
    assert narrow.sum() > 50 and (~narrow).sum() > 50
    assert not (narrow & ~cand).any()
    assert (~cand).sum() > 0  # the prefilter does drop wide shapes


@pytest.mark.parametrize("width", [5.0, 2.0, 12.0])
def test_sliver_prefilter_same_findings_on_edge_cases(monkeypatch, width):
    prof = RuleProfile.default()
    prof.set(R.SLIVER, min_width_m=width)
    geoms = _edge_cases()
    fast = _run(geoms, prof)
    _no_prefilter(monkeypatch)
    slow = _run(geoms, prof)
    assert _key(fast) == _key(slow)
    slivers = {f.patch_id for f in fast if f.rule == R.SLIVER}
    if width == 5.0:
        # the strips just below the width are slivers, those clearly above are not (thinness aside)
        assert "p0" in slivers and "p1" in slivers and "p8" not in slivers
        assert any(f.rule == R.INVALID_GEOMETRY for f in fast)


def test_sliver_prefilter_same_findings_on_sample_county(monkeypatch, sample_county):
    data = gpkg_io.read_check_inputs(sample_county.path)
    inputs = CheckInputs(
        patch_ids=data["patch_ids"], patch_geoms=data["patch_geoms"], patch_attrs=data["patch_attrs"],
        epsg=data["epsg"], basemap_geoms=data["basemap_geoms"], basemap_ids=data["basemap_ids"],
        basemap_classes=data["basemap_classes"], admin_geoms=data["admin_geoms"], admin_codes=data["admin_codes"],
        admin_levels=data["admin_levels"], farmland_geoms=data["farmland_geoms"], farmland_ids=data["farmland_ids"],
        history_geoms=data["history_geoms"], history_ids=data["history_ids"])
    fast = checker.run_checks(inputs)
    _no_prefilter(monkeypatch)
    slow = checker.run_checks(inputs)
    assert _key(fast) == _key(slow)
    assert any(f.rule == R.SLIVER for f in fast)


def test_multi_wkbs_is_multi_one_by_one():
    from shapely.geometry import GeometryCollection, LineString, Point

    geoms = [box(0, 0, 1, 1), MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]), None, Polygon(),
             GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (5, 5)])]), LineString([(0, 0), (1, 1)]),
             Point(1, 1), Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 0, 1)]),
             box(0, 0, 10, 10).difference(box(2, 2, 3, 3))]
    assert geometry.multi_wkbs(geoms) == [geometry.multi_wkb(g) for g in geoms]
    assert geometry.multi_wkbs([]) == []


def test_append_gpkg_features_keeps_rtree_and_counts(tmp_path, qgis_app):
    from osgeo import ogr, osr

    path = str(tmp_path / "out.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4549)
    lyr = ds.CreateLayer("findings", srs, ogr.wkbMultiPolygon)
    for name, kind in (("patch_id", ogr.OFTString), ("value", ogr.OFTReal)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("patch_id", "first")
    f.SetGeometry(ogr.CreateGeometryFromWkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))"))
    lyr.CreateFeature(f)
    ds = None
    rng = np.random.default_rng(1)
    n = 3000
    xy = rng.uniform(X0, X0 + 10000, (n, 2))
    geoms = list(shapely.buffer(shapely.points(xy), rng.uniform(1, 30, n), quad_segs=3))
    geoms[5] = None
    geoms[6] = shapely.GeometryCollection([box(0, 0, 1, 1), shapely.LineString([(0, 0), (9, 9)])])
    rows = [(f"p{k}", float(k)) for k in range(n)]
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    assert gpkg_io.append_gpkg_features(con, "findings", ("patch_id", "value"), rows, geoms) == n
    con.execute("COMMIT")
    con.close()
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("findings")
    assert lyr.GetFeatureCount() == n + 1
    got = {}
    for f in lyr:  # WKB copied while the feature lives (its geometry reference dies with it)
        g = f.GetGeometryRef()
        got[f.GetField("patch_id")] = None if g is None else shapely.from_wkb(bytes(g.ExportToIsoWkb()))
    assert got["p5"] is None and got["p6"].geom_type == "MultiPolygon" and got["p6"].equals(box(0, 0, 1, 1))
    for k in (0, 7, n - 1):
        assert got[f"p{k}"].equals(geoms[k])
    # the spatial index answers like a full scan, the extent covers everything
    x0, y0 = X0 + 2000, X0 + 3000
    lyr.SetSpatialFilterRect(x0, 3330000 - 1e7, y0, 3330000 + 1e7)
    by_index = {f.GetField("patch_id") for f in lyr}
    by_scan = {f"p{k}" for k, g in enumerate(geoms) if g is not None and k != 6
               and g.bounds[2] >= x0 and g.bounds[0] <= y0}
    assert by_index == by_scan
    ext = lyr.GetExtent()
    assert ext[0] == 0 and math.isclose(ext[1], max(g.bounds[2] for g in geoms if g is not None))
    ds = None
    con = sqlite3.connect(path)
    assert con.execute("SELECT feature_count FROM gpkg_ogr_contents").fetchone()[0] == n + 1
    assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'findings'"
                       ).fetchone()[0] >= 6  # OGR's rtree (and count) triggers are back
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_processing_gpkg_output_same_as_sink(provider, sample_county, tmp_path):
    """forestry:checkpatches to a new .gpkg (bulk writer) and to a memory layer (feature sink): the same rows."""
    import processing
    from qgis.core import QgsVectorLayer

    p = sample_county.path
    params = {k: f"{p}|layername={t}" for k, t in (
        ("PATCHES", "patches"), ("BASEMAP", "basemap"), ("ADMIN", "admin_units"), ("FARMLAND", "basic_farmland"),
        ("HISTORY", "history_patches"))}
    out = str(tmp_path / "findings.gpkg")
    res = processing.run("forestry:checkpatches", {**params, "OUTPUT": out})
    mem = processing.run("forestry:checkpatches", {**params, "OUTPUT": "memory:"})["OUTPUT"]
    lyr = QgsVectorLayer(res["OUTPUT"], "f", "ogr")
    assert lyr.isValid()

    def rows(layer):
        return sorted((f["patch_id"], f["rule"], f["severity"], f["message"], f["other_id"] or "",
                       round(f["value"] or 0, 6), f.geometry().asWkt(3)) for f in layer.getFeatures())

    a, b = rows(lyr), rows(mem)
    assert a == b and len(a) > 30
    e, m = lyr.extent(), mem.extent()
    assert lyr.featureCount() == len(a)
    assert max(abs(e.xMinimum() - m.xMinimum()), abs(e.yMinimum() - m.yMinimum()), abs(e.xMaximum() - m.xMaximum()),
               abs(e.yMaximum() - m.yMaximum())) < 1e-6
    del lyr
