"""Geometry fixes: each does what it says and never silently loses the patch."""

import pytest
import shapely
from shapely.geometry import Polygon, box

from forestry_plugin.core import fixes


def test_repair_bow_tie_keeps_area():
    bow = Polygon([(0, 0), (60, 60), (60, 0), (0, 60), (0, 0)])
    assert not bow.is_valid
    fixed = fixes.repair(bow)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    assert fixed.area == pytest.approx(1800.0)  # not the 0 a naive area of the bow-tie gives


def test_remove_slivers():
    main = box(0, 0, 100, 100)
    crumb = box(200, 200, 203, 203)  # 9 m2 part
    hole = box(40, 40, 45, 45)  # 25 m2 hole
    spike = box(100, 48, 160, 50)  # 2 m wide, 60 m long
    g = shapely.union_all([main.difference(hole), crumb, spike])
    out = fixes.remove_slivers(g, min_part_m2=50, min_hole_m2=50, min_width_m=5)
    assert len(out.geoms) == 1 and len(out.geoms[0].interiors) == 0
    assert out.area == pytest.approx(10000, rel=1e-3)
    assert out.bounds[2] == pytest.approx(100, abs=0.5)


def test_clip_to_allowed():
    patch = box(0, 0, 100, 100)
    farmland = box(80, 0, 120, 100)
    out = fixes.clip_to_allowed(patch, [farmland])
    assert out.area == pytest.approx(8000) and not out.intersects(farmland.buffer(-0.001))
    assert fixes.clip_to_allowed(patch, []).area == pytest.approx(10000)


def test_snap_to_basemap():
    parcel = box(0, 0, 100, 100)
    patch = Polygon([(0.4, 0.3), (99.6, 0.2), (99.7, 99.5), (0.3, 99.6)])
    out = fixes.snap_to_basemap(patch, [parcel], tolerance_m=1.0)
    assert out.is_valid and out.symmetric_difference(parcel).area < 1e-6
