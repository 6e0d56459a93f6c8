"""Ellipsoidal area on the CGCS2000 ellipsoid (EPSG:1024), checked against the known value."""

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsGeometry, QgsProject

from forestry_plugin.core.area import AreaCalculator, ellipsoidal_area

CELL = "POLYGON((120 30, 120.001 30, 120.001 30.001, 120 30.001, 120 30))"


def test_known_cell_at_30n():
    # docs/domain.md: a 0.001 x 0.001 degree cell at 30N measures 10 695.687 m2 on the CGCS2000 ellipsoid.
    area = ellipsoidal_area(QgsGeometry.fromWkt(CELL), "EPSG:4490")
    assert area.m2 == pytest.approx(10695.687, abs=0.001)
    assert area.mu == pytest.approx(10695.687 / (2000 / 3), abs=1e-5)
    assert area.ha == pytest.approx(1.0695687, abs=1e-6)


def test_same_area_from_gauss_kruger():
    # 1.4 degrees east of the zone's central meridian (120E) the GK scale factor is ~1.00025.
    g = QgsGeometry.fromWkt("POLYGON((121.4 30, 121.401 30, 121.401 30.001, 121.4 30.001, 121.4 30))")
    g = QgsGeometry(g.densifyByCount(50))  # straight GK edges vs. geographic edges: densify first
    ct = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4490"), QgsCoordinateReferenceSystem("EPSG:4549"),
                                QgsProject.instance())
    g.transform(ct)
    gk = AreaCalculator("EPSG:4549").area(g)
    assert gk.m2 == pytest.approx(10695.687, abs=0.01)
    # The planar GK area differs (scale factor), which is why the plugin never reports planar areas.
    assert abs(g.area() - gk.m2) > 1.0


def test_empty_and_invalid_crs():
    calc = AreaCalculator("EPSG:4549")
    assert calc.area(QgsGeometry()).m2 == 0.0
    with pytest.raises(ValueError):
        AreaCalculator("EPSG:999999")
