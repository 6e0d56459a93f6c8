"""Ellipsoidal area on the CGCS2000 ellipsoid (国土调查 rule), in m2, mu and ha."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsCoordinateReferenceSystem, QgsDistanceArea, QgsGeometry, QgsProject, QgsUnitTypes

from .. import schema


@dataclass(frozen=True)
class Area:
    """An area in the three units the plugin reports."""

    m2: float

    @property
    def mu(self) -> float:
        return schema.m2_to_mu(self.m2)

    @property
    def ha(self) -> float:
        return schema.m2_to_ha(self.m2)


def distance_area(crs: QgsCoordinateReferenceSystem, context=None) -> QgsDistanceArea:
    """A QgsDistanceArea measuring on the CGCS2000 ellipsoid for geometries in `crs`."""
    da = QgsDistanceArea()
    transform_context = context if context is not None else QgsProject.instance().transformContext()
    da.setSourceCrs(crs, transform_context)
    if not da.setEllipsoid(schema.CGCS2000_ELLIPSOID):
        raise RuntimeError("QGIS does not know the CGCS2000 ellipsoid (EPSG:1024)")
    return da


class AreaCalculator:
    """Measures ellipsoidal areas of geometries in one CRS; reuse it for many geometries."""

    def __init__(self, crs: QgsCoordinateReferenceSystem | str, context=None):
        if isinstance(crs, str):
            crs = QgsCoordinateReferenceSystem(crs)
        if not crs.isValid():
            raise ValueError(f"invalid CRS: {crs.authid() or crs.toWkt()[:60]}")
        self.crs = crs
        self._da = distance_area(crs, context)

    def area(self, geometry: QgsGeometry) -> Area:
        """Ellipsoidal area of a (multi)polygon; 0 for empty or non-areal geometries."""
        if geometry is None or geometry.isNull() or geometry.isEmpty():
            return Area(0.0)
        m2 = self._da.measureArea(geometry)
        m2 = self._da.convertAreaMeasurement(m2, QgsUnitTypes.AreaSquareMeters)
        return Area(float(m2))


def ellipsoidal_area(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem | str) -> Area:
    """One-off ellipsoidal area; use AreaCalculator for many geometries."""
    return AreaCalculator(crs).area(geometry)
