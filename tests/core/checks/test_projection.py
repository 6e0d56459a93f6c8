"""The engine's vectorized ellipsoidal area agrees with core.area.AreaCalculator (QgsDistanceArea, EPSG:1024)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from qgis.core import QgsGeometry

from forestry_plugin.core.area import AreaCalculator
from forestry_plugin.core.checks.projection import AreaModel, gk_epsg_for_lon, transform_geoms


@pytest.mark.parametrize("epsg,x0", [(4549, 500000.0), (4549, 360000.0), (4549, 650000.0), (4548, 450000.0),
                                     (4528, 40380000.0)])
def test_patch_areas_match_qgis(epsg, x0, qgis_app):
    rng = np.random.default_rng(epsg)
    geoms = []
    for _ in range(25):
        c = shapely.Point(x0 + rng.uniform(-3e3, 3e3), 3330000 + rng.uniform(-4e5, 4e5))
        g = shapely.affinity.scale(c.buffer(rng.uniform(10, 300), quad_segs=4), 1, rng.uniform(0.3, 2.0))
        geoms.append(shapely.affinity.rotate(g, rng.uniform(0, 90)))
    mine = AreaModel(epsg).areas(geoms)
    calc = AreaCalculator(f"EPSG:{epsg}")
    for g, a in zip(geoms, mine):
        q = QgsGeometry()
        q.fromWkb(shapely.to_wkb(g))
        assert abs(a - calc.area(q).m2) < 0.005  # m2, for patches up to ~50 ha (this draws up to ~57 ha)
    # And the correction is real: far from the central meridian planar and ellipsoidal area differ.
    if abs(x0 % 1e6 - 500000) > 100000:
        assert abs(mine[0] - geoms[0].area) > 0.05


def test_reference_cell_and_geographic(qgis_app):
    # docs/domain.md: a 0.001 x 0.001 degree cell at 30N is 10 695.687 m2 on CGCS2000.
    cell = shapely.box(120.0, 30.0, 120.001, 30.001)
    gk = transform_geoms([shapely.segmentize(cell, 0.0001)], 4490, gk_epsg_for_lon(120.0))[0]
    assert AreaModel(4549).areas([gk])[0] == pytest.approx(10695.687, abs=0.01)
    with pytest.raises(ValueError):
        AreaModel(4490)


def test_empty_and_none(qgis_app):
    assert list(AreaModel(4549).areas([None, shapely.Polygon(), shapely.LineString([(0, 0), (1, 1)])])) == [0, 0, 0]
