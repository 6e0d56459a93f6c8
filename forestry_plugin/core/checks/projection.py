"""The CRS side of the checks: ellipsoidal areas in a projected CRS (AreaModel, CGCS2000 as 国土调查 requires)
and geographic inputs reprojected to the CGCS2000 Gauss-Kruger zone of their centre (project_inputs).

Pure numpy and OSR (no QGIS): core/area.py is the QgsDistanceArea counterpart the GUI measures with, and the two
agree to well under 0.01 m² (tests/core/checks/test_projection.py).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .model import CheckInputs
from .parallel import PAR_MIN, parallel


class AreaModel:
    """Ellipsoidal area of polygons in a projected CRS: planar area / areal scale factor at the centroid.

    Transverse Mercator (all CGCS2000 GK zones): the point scale factor from projected coordinates,
    k = k0 (1 + x²/(2ρν) + x⁴/(24ρ²ν²)), x = (E - FE)/k0, ρ, ν at the footpoint latitude (pure numpy);
    areal scale = k². Other projections: the Jacobian determinant of the forward projection (OSR, central
    differences 1e-4° apart) divided by the ellipsoid's area element M·N·cos φ. For patch-size polygons both equal
    QgsDistanceArea on EPSG:1024 to well under 0.01 m² (tests/core/checks/test_projection.py).
    """

    def __init__(self, epsg: int, analytic: bool = True):
        from osgeo import osr

        osr.UseExceptions()
        self.epsg = int(epsg)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(self.epsg)
        if srs.IsGeographic():
            raise ValueError(f"EPSG:{epsg} is geographic: project the data first (project_inputs)")
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        geo = srs.CloneGeogCS()
        geo.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        self._inv = osr.CoordinateTransformation(srs, geo)
        self._fwd = osr.CoordinateTransformation(geo, srs)
        a = srs.GetSemiMajor()
        inv_f = srs.GetInvFlattening()
        f = 1.0 / inv_f if inv_f else 0.0
        self._a, self._e2 = a, f * (2 - f)
        self._tm = None
        if analytic and srs.GetAttrValue("PROJECTION") == "Transverse_Mercator" and \
                abs(srs.GetLinearUnits() - 1.0) < 1e-12:
            self._tm = (srs.GetProjParm(osr.SRS_PP_FALSE_EASTING, 0.0), srs.GetProjParm(osr.SRS_PP_FALSE_NORTHING, 0.0),
                        srs.GetProjParm(osr.SRS_PP_SCALE_FACTOR, 1.0),
                        math.radians(srs.GetProjParm(osr.SRS_PP_LATITUDE_OF_ORIGIN, 0.0)))

    def _meridian_arc(self, phi: float) -> float:
        e2 = self._e2
        e4, e6 = e2 * e2, e2 * e2 * e2
        return self._a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024)
                          * math.sin(2 * phi) + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
                          - (35 * e6 / 3072) * math.sin(6 * phi))

    def _scale_tm(self, xy: np.ndarray) -> np.ndarray:
        fe, fn, k0, phi0 = self._tm
        e2 = self._e2
        m = (xy[:, 1] - fn) / k0 + self._meridian_arc(phi0)
        mu = m / (self._a * (1 - e2 / 4 - 3 * e2 ** 2 / 64 - 5 * e2 ** 3 / 256))
        e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
        phi1 = (mu + (3 * e1 / 2 - 27 * e1 ** 3 / 32) * np.sin(2 * mu) + (21 * e1 ** 2 / 16 - 55 * e1 ** 4 / 32)
                * np.sin(4 * mu) + (151 * e1 ** 3 / 96) * np.sin(6 * mu) + (1097 * e1 ** 4 / 512) * np.sin(8 * mu))
        w = 1 - e2 * np.sin(phi1) ** 2
        rho_nu = self._a * self._a * (1 - e2) / w ** 2  # ρ·ν
        x2 = ((xy[:, 0] - fe) / k0) ** 2 / rho_nu
        k = k0 * (1 + x2 / 2 + x2 * x2 / 24)
        return k * k

    def scale(self, xy: np.ndarray) -> np.ndarray:
        """Areal scale factor (projected area / ellipsoidal area) at projected points xy (n, 2)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy):
            return np.zeros(0)
        if self._tm is not None:
            return self._scale_tm(xy)
        ll = np.asarray(self._inv.TransformPoints(xy.tolist()))[:, :2]
        d = 1e-4
        lon, lat = ll[:, 0], ll[:, 1]
        pts = np.concatenate([np.column_stack([lon + d, lat]), np.column_stack([lon - d, lat]),
                              np.column_stack([lon, lat + d]), np.column_stack([lon, lat - d])])
        p = np.asarray(self._fwd.TransformPoints(pts.tolist()))[:, :2].reshape(4, len(xy), 2)
        dr = math.radians(d) * 2
        j_lon = (p[0] - p[1]) / dr
        j_lat = (p[2] - p[3]) / dr
        det = np.abs(j_lon[:, 0] * j_lat[:, 1] - j_lon[:, 1] * j_lat[:, 0])
        phi = np.radians(lat)
        w = 1 - self._e2 * np.sin(phi) ** 2
        m = self._a * (1 - self._e2) / w ** 1.5
        n = self._a / np.sqrt(w)
        return det / (m * n * np.cos(phi))

    def areas(self, geoms: Sequence[Optional[BaseGeometry]]) -> np.ndarray:
        """Ellipsoidal areas (m2) of polygonal geometries; 0 for None/empty/non-areal."""
        g = np.asarray(geoms, dtype=object)
        if self._tm is not None and len(g) >= PAR_MIN:
            return parallel(self._areas, g)
        return self._areas(g)

    def _areas(self, g: np.ndarray) -> np.ndarray:
        planar = shapely.area(g)
        planar = np.where(np.isnan(planar), 0.0, planar)
        out = planar.copy()
        nz = np.flatnonzero(planar > 0)
        if len(nz):
            c = shapely.get_coordinates(shapely.centroid(g[nz]))
            out[nz] = planar[nz] / self.scale(c)
        return out


def gk_epsg_for_lon(lon: float) -> int:
    """CGCS2000 3-degree GK zone without prefix (EPSG:4534..4554) for a longitude."""
    zone = int(round(lon / 3.0))
    return 4534 + min(max(zone, 25), 45) - 25


def transform_geoms(geoms: Sequence[Optional[BaseGeometry]], src_epsg: int, dst_epsg: int) -> np.ndarray:
    """Reproject shapely geometries with OSR (traditional lon/lat axis order)."""
    from osgeo import osr

    g = np.asarray(geoms, dtype=object)
    if src_epsg == dst_epsg or not len(g):
        return g
    s, d = osr.SpatialReference(), osr.SpatialReference()
    s.ImportFromEPSG(int(src_epsg))
    d.ImportFromEPSG(int(dst_epsg))
    for srs in (s, d):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(s, d)

    def fn(xy: np.ndarray) -> np.ndarray:
        if not len(xy):
            return xy
        return np.asarray(ct.TransformPoints(xy.tolist()))[:, :2]

    return shapely.transform(g, fn)


def is_geographic(epsg: int) -> bool:
    """True for a geographic CRS (EPSG:4490, 4326, ...)."""
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(epsg))
    return bool(srs.IsGeographic())


def metres_in(epsg: Optional[int], m: float) -> float:
    """`m` metres in the units of the CRS `epsg` (degrees, about, for a geographic one): margins and tolerances."""
    return m / 111000.0 if epsg and is_geographic(int(epsg)) else m


def gk_epsg_of(geoms: Sequence[Optional[BaseGeometry]]) -> int:
    """The CGCS2000 GK zone of geographic patches: the zone of their centroids' mean longitude (120E without any)."""
    valid = [g for g in geoms if g is not None and not g.is_empty]
    lon = float(np.mean(shapely.get_coordinates(shapely.centroid(np.asarray(valid, dtype=object)))[:, 0])) if valid else 120.0
    return gk_epsg_for_lon(lon)


def project_inputs(inputs: CheckInputs) -> CheckInputs:
    """If inputs are geographic (EPSG:4490 etc.), reproject every layer to the CGCS2000 GK zone of their centre."""
    if inputs.epsg is None or not is_geographic(inputs.epsg):
        return inputs
    dst = gk_epsg_of(inputs.patch_geoms)
    t = lambda gs: transform_geoms(gs, inputs.epsg, dst)  # noqa: E731
    return dataclasses.replace(
        inputs, epsg=dst, layer_epsg=inputs.layer_epsg or inputs.epsg, patch_geoms=t(inputs.patch_geoms),
        basemap_geoms=t(inputs.basemap_geoms), admin_geoms=t(inputs.admin_geoms),
        farmland_geoms=t(inputs.farmland_geoms), history_geoms=t(inputs.history_geoms))
