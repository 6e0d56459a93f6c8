"""The check engine: every rule of rules.py over plain arrays of shapely 2 geometries, vectorized.

Geometries are read once, invalid ones are detected (with the GEOS reason) and repaired with make_valid
(polygonal parts kept) *before* any overlay, then STRtree bulk queries and bulk intersection/area give
per-pair overlaps. Areas are ellipsoidal (CGCS2000): planar Gauss-Kruger area divided by the projection's
areal scale factor at the piece's centroid (see docs/checks.md and AreaModel).
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ... import schema
from ...i18n import tr, ui_language
from .. import clock, geopackage
from . import rules as R
from .profile import RuleProfile, load_profile

ProgressFn = Optional[Callable[[float], None]]
CanceledFn = Optional[Callable[[], bool]]


class CheckCanceled(Exception):
    """The run was canceled through is_canceled()."""


@dataclass
class Finding:
    """One problem found on one patch (patch_id "" for layer-level findings such as crs)."""

    patch_id: str
    rule: str
    severity: str
    message: str
    value: Optional[float] = None
    geometry: Optional[BaseGeometry] = None
    other_id: Optional[str] = None
    accepted: bool = False  # covered by an accepted exception (recorded, but not open)


@dataclass
class CheckInputs:
    """Everything a check run needs, as plain arrays in one projected CRS (`epsg`)."""

    patch_ids: Sequence[str]
    patch_geoms: Sequence[Optional[BaseGeometry]]
    patch_attrs: Sequence[Dict[str, Any]]
    epsg: Optional[int] = 4549  # CRS of every geometry below (projected; see project_inputs for 4490)
    layer_epsg: Optional[int] = None  # the patch layer's own CRS for the crs rule (default: epsg)
    basemap_geoms: Sequence[BaseGeometry] = ()
    basemap_ids: Sequence[str] = ()
    basemap_classes: Sequence[str] = ()
    admin_geoms: Sequence[BaseGeometry] = ()
    admin_codes: Sequence[str] = ()
    admin_levels: Sequence[str] = ()
    farmland_geoms: Sequence[BaseGeometry] = ()
    farmland_ids: Sequence[str] = ()
    history_geoms: Sequence[BaseGeometry] = ()
    history_ids: Sequence[str] = ()
    history_labels: Sequence[str] = ()  # 图斑编号 of the earlier years' patches, named in messages (default: ids)
    missing_fields: Sequence[str] = ()  # schema patch fields the layer lacks
    check_ids: Optional[Iterable[str]] = None  # only these patches get findings (all others still overlap them)
    exceptions: Iterable[Tuple[str, str, Optional[str]]] = ()  # (patch_id, rule, other_id or None = any)
    layer_name: str = ""


@dataclass
class CheckRunResult:
    """What check_working_copy did."""

    run_id: str
    findings: List[Finding]
    checked_ids: List[str]
    checked_at: str
    seconds: float
    timings: Dict[str, float] = field(default_factory=dict)

    @property
    def open_findings(self) -> List[Finding]:
        return [f for f in self.findings if not f.accepted]


# ---------------------------------------------------------------------------
# Ellipsoidal area
# ---------------------------------------------------------------------------


class AreaModel:
    """Ellipsoidal area of polygons in a projected CRS: planar area / areal scale factor at the centroid.

    Transverse Mercator (all CGCS2000 GK zones): the point scale factor from projected coordinates,
    k = k0 (1 + x²/(2ρν) + x⁴/(24ρ²ν²)), x = (E - FE)/k0, ρ, ν at the footpoint latitude (pure numpy);
    areal scale = k². Other projections: the Jacobian determinant of the forward projection (OSR, central
    differences 1e-4° apart) divided by the ellipsoid's area element M·N·cos φ. For patch-size polygons both equal
    QgsDistanceArea on EPSG:1024 to well under 0.01 m² (tests/test_checks_area.py).
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
        if self._tm is not None and len(g) >= _PAR_MIN:
            return _parallel(self._areas, g)
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


def project_inputs(inputs: CheckInputs) -> CheckInputs:
    """If inputs are geographic (EPSG:4490 etc.), reproject every layer to the CGCS2000 GK zone of their centre."""
    from osgeo import osr

    if inputs.epsg is None:
        return inputs
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(inputs.epsg))
    if not srs.IsGeographic():
        return inputs
    valid = [g for g in inputs.patch_geoms if g is not None and not g.is_empty]
    lon = float(np.mean(shapely.get_coordinates(shapely.centroid(np.asarray(valid, dtype=object)))[:, 0])) if valid else 120.0
    dst = gk_epsg_for_lon(lon)
    import dataclasses

    t = lambda gs: transform_geoms(gs, inputs.epsg, dst)  # noqa: E731
    return dataclasses.replace(
        inputs, epsg=dst, layer_epsg=inputs.layer_epsg or inputs.epsg, patch_geoms=t(inputs.patch_geoms),
        basemap_geoms=t(inputs.basemap_geoms), admin_geoms=t(inputs.admin_geoms),
        farmland_geoms=t(inputs.farmland_geoms), history_geoms=t(inputs.history_geoms))


# ---------------------------------------------------------------------------
# Geometry preparation
# ---------------------------------------------------------------------------

_POLY_TYPES = ("Polygon", "MultiPolygon")


def polygonal(g: Optional[BaseGeometry]) -> Optional[BaseGeometry]:
    """The polygonal part of a geometry (None if there is none)."""
    if g is None:
        return None
    if isinstance(g, (Polygon, MultiPolygon)):
        return None if g.is_empty else g
    if g.is_empty:
        return None
    polys = [p for p in shapely.get_parts(g) if p.geom_type in _POLY_TYPES and not p.is_empty]
    flat = [q for p in polys for q in (p.geoms if p.geom_type == "MultiPolygon" else [p])]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


def _level_label(level: str) -> str:
    return schema.ADMIN_LEVELS.label(level, ui_language())


def geos_reason(reason: str) -> str:
    """GEOS's validity reason ("Self-intersection[x y]") in the user's language, with rounded coordinates."""
    m = re.match(r"\s*([^\[]+?)\s*\[\s*([-\d.eE+]+)\s+([-\d.eE+]+)", reason or "")
    names = {"Self-intersection": tr("Self-intersection"), "Ring Self-intersection": tr("Ring self-intersection"),
             "Too few points in geometry component": tr("Too few points"),
             "Interior is disconnected": tr("Interior is disconnected"), "Hole lies outside shell": tr(
                 "Hole lies outside its shell"), "Nested shells": tr("Nested shells"), "Nested holes": tr("Nested holes"),
             "Duplicate Rings": tr("Duplicate rings"), "Invalid Coordinate": tr("Invalid coordinate"),
             "Ring is not closed": tr("Ring is not closed"), "not a polygon": tr("not a polygon")}
    if not m:
        return names.get((reason or "").strip(), reason or "")
    name = names.get(m.group(1), m.group(1))
    return tr("{0} at ({1:.1f}, {2:.1f})").format(name, float(m.group(2)), float(m.group(3)))


def repair(geoms: Sequence[Optional[BaseGeometry]]) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Dict[int, str]]:
    """(repaired polygonal geometries, null mask, invalid mask, {index: GEOS reason}) of `geoms`."""
    g = np.asarray(geoms, dtype=object) if len(geoms) else np.zeros(0, dtype=object)
    missing = shapely.is_missing(g)
    null = missing.copy()
    null[~missing] = shapely.is_empty(g[~missing])
    valid = _parallel(shapely.is_valid, g) if len(g) else np.zeros(0, dtype=bool)
    types = shapely.get_type_id(g)
    nonpoly = ~null & ~np.isin(types, [3, 6])  # not Polygon / MultiPolygon
    bad = ~null & (~valid | nonpoly)
    out = g.copy()
    out[null] = None
    reasons: Dict[int, str] = {}
    idx = np.flatnonzero(bad)
    if len(idx):
        rs = shapely.is_valid_reason(g[idx])
        fixed = shapely.make_valid(g[idx])
        for k, i in enumerate(idx):
            reasons[int(i)] = str(rs[k]) if not valid[i] else "not a polygon"
            out[i] = polygonal(fixed[k])
    null_after = shapely.is_missing(out)
    return out, null | null_after, bad, reasons


# Shapely 2 releases the GIL in its vectorized functions: big bulk operations are split over a few threads.
THREADS = max(1, min(4, os.cpu_count() or 1))
_PAR_MIN = 20000


def _parallel(fn: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """fn(*arrays) computed in THREADS chunks (element-wise functions only)."""
    n = len(arrays[0])
    if THREADS < 2 or n < _PAR_MIN:
        return fn(*arrays)
    from concurrent.futures import ThreadPoolExecutor

    bounds = np.linspace(0, n, THREADS + 1).astype(int)
    with ThreadPoolExecutor(THREADS) as ex:
        parts = list(ex.map(lambda ab: fn(*(x[ab[0]:ab[1]] for x in arrays)), zip(bounds[:-1], bounds[1:])))
    return np.concatenate(parts)


def _query(tree: shapely.STRtree, geoms: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """tree.query(geoms, predicate='intersects') split over THREADS chunks of the query geometries."""
    n = len(geoms)
    if THREADS < 2 or n < _PAR_MIN // 4:
        return tree.query(geoms, predicate="intersects")
    from concurrent.futures import ThreadPoolExecutor

    bounds = np.linspace(0, n, THREADS + 1).astype(int)
    with ThreadPoolExecutor(THREADS) as ex:
        parts = list(ex.map(lambda ab: tree.query(geoms[ab[0]:ab[1]], predicate="intersects"),
                            zip(bounds[:-1], bounds[1:])))
    qi = np.concatenate([p[0] + b for p, b in zip(parts, bounds[:-1])])
    ti = np.concatenate([p[1] for p in parts])
    return qi, ti


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # empty results are expected (touching neighbours)
        return shapely.intersection(a, b)


def _safe_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bulk intersection; falls back to element-wise with a 1 mm grid where GEOS raises a topology error."""
    try:
        return _parallel(_intersection, a, b)
    except shapely.errors.GEOSException:
        out = np.empty(len(a), dtype=object)
        for k in range(len(a)):
            try:
                out[k] = shapely.intersection(a[k], b[k])
            except shapely.errors.GEOSException:
                out[k] = shapely.intersection(a[k], b[k], grid_size=0.001)
        return out


class _Layer:
    """A reference layer: repaired geometries and their STRtree."""

    def __init__(self, geoms: Sequence[BaseGeometry], ids: Sequence[Any], **columns: Sequence[Any]):
        rep, null, _bad, _r = repair(geoms)
        keep = np.flatnonzero(~null)
        self.geoms = rep[keep]
        self.ids = np.asarray([None if i is None else str(i) for i in ids], dtype=object)[keep] if len(ids) else \
            np.asarray([str(k) for k in keep], dtype=object)
        self.cols = {k: np.asarray(list(v), dtype=object)[keep] for k, v in columns.items()}
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None

    def __len__(self) -> int:
        return len(self.geoms)


class ReferenceData:
    """Base map, admin units, basic farmland and earlier years' patches, repaired and indexed once."""

    def __init__(self, inputs: CheckInputs):
        self.base = _Layer(inputs.basemap_geoms, inputs.basemap_ids,
                           cls=[("" if c is None else str(c).strip()) for c in inputs.basemap_classes]
                           if len(inputs.basemap_classes) else [""] * len(inputs.basemap_geoms))
        cls = self.base.cols["cls"]
        self.crop = np.isin(cls, list(schema.CROPLAND_CLASSES))
        self.builtup_water = np.isin(cls, list(schema.BUILTUP_CLASSES | schema.WATER_CLASSES))
        self.forest = np.isin(cls, list(schema.EXISTING_FOREST_CLASSES))
        levels = list(inputs.admin_levels) if len(inputs.admin_levels) else [None] * len(inputs.admin_geoms)
        codes = ["" if c is None else str(c).strip() for c in inputs.admin_codes]
        levels = [lv if lv in ("county", "township", "village") else {6: "county", 9: "township", 12: "village"}.get(
            len(c), "") for lv, c in zip(levels, codes)]
        self.admin = _Layer(inputs.admin_geoms, codes, level=levels)
        self.admin_index: Dict[Tuple[str, str], int] = {}
        for k, (c, lv) in enumerate(zip(self.admin.ids, self.admin.cols.get("level", []))):
            self.admin_index.setdefault((lv, c), k)
        self.admin_levels = set(self.admin.cols.get("level", []))
        if len(self.admin):
            shapely.prepare(self.admin.geoms)
        self.farmland = _Layer(inputs.farmland_geoms, inputs.farmland_ids)
        self.history = _Layer(inputs.history_geoms, inputs.history_ids,
                              label=[schema.patch_label(i, inputs.history_labels[k] if k < len(inputs.history_labels) else None)
                                     for k, i in enumerate(inputs.history_ids)])


class PatchSet:
    """Patches others are overlapped with: repaired geometries, ids, years and an STRtree."""

    def __init__(self, ids: Sequence[str], geoms: Sequence[Optional[BaseGeometry]], years: Sequence[Any],
                 labels: Optional[Sequence[Any]] = None):
        self.ids = np.asarray([str(i) for i in ids], dtype=object)
        # What messages call each patch: its 图斑编号, else the first 8 characters of its id.
        self.labels = np.asarray([schema.patch_label(i, labels[k] if labels is not None and k < len(labels) else None)
                                  for k, i in enumerate(self.ids)], dtype=object)
        self.raw = np.asarray(geoms, dtype=object) if len(geoms) else np.zeros(0, dtype=object)
        self.geoms, self.null, self.bad, self.reasons = repair(self.raw)
        self.years = _years(years)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None



def _years(values: Sequence[Any]) -> np.ndarray:
    """Years as floats, NaN where missing or not a number."""
    return np.asarray([np.nan if y is None else float(y) if isinstance(y, (int, float)) else
                       (_to_int(y) if _to_int(y) is not None else np.nan) for y in values], dtype=float)


def _to_int(v: Any) -> Optional[int]:
    try:
        return None if v is None or v == "" else int(v)
    except (TypeError, ValueError):
        return None


def _list_label(code_list: Any, lang: str) -> str:
    return code_list.zh if lang.startswith("zh") else code_list.en


def _to_float(v: Any) -> Optional[float]:
    try:
        return None if v is None or v == "" else float(v)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


def run_checks(inputs: CheckInputs, profile: Optional[RuleProfile] = None, progress: ProgressFn = None,
               is_canceled: CanceledFn = None) -> List[Finding]:
    """Run every enabled rule over `inputs`; findings covered by inputs.exceptions are marked accepted.

    A profile with invalid settings (changed behind RuleProfile.set) raises ProfileError rather than silently
    switching rules off."""
    profile = (profile or RuleProfile.default()).validate()
    inputs = project_inputs(inputs)
    step = _Stepper(progress, is_canceled)
    findings: List[Finding] = []
    layer_epsg = inputs.layer_epsg if inputs.layer_epsg is not None else inputs.epsg
    if profile.enabled(R.CRS) and (layer_epsg is None or int(layer_epsg) not in schema.CGCS2000_EPSG_CODES):
        findings.append(Finding("", R.CRS, profile.severity(R.CRS), tr(
            "Layer {0} is in {1}, not CGCS2000 (EPSG:4490 or a CGCS2000 Gauss-Kruger zone); it was reprojected "
            "for the checks").format(inputs.layer_name, f"EPSG:{layer_epsg}" if layer_epsg else tr("an unknown CRS"))))
    if inputs.missing_fields and profile.enabled(R.ATTRIBUTE):
        findings.append(Finding("", R.ATTRIBUTE, profile.severity(R.ATTRIBUTE), tr(
            "The layer lacks fields: {0}; rules that need them were skipped").format(", ".join(inputs.missing_fields))))
    step(0.02)
    ref = ReferenceData(inputs)
    step(0.15)
    patches = PatchSet(inputs.patch_ids, inputs.patch_geoms, [a.get("year") for a in inputs.patch_attrs],
                       [a.get("tuban_no") for a in inputs.patch_attrs])
    step(0.25)
    if inputs.check_ids is None:
        sel = np.arange(len(patches.ids))
    else:
        wanted = set(inputs.check_ids)
        sel = np.asarray([i for i, p in enumerate(patches.ids) if p in wanted], dtype=int)
    if inputs.epsg is None:
        raise ValueError("CheckInputs.epsg is required")
    checker = _Checker(ref, profile, AreaModel(inputs.epsg), set(inputs.missing_fields))
    findings += checker.check(patches, sel, list(inputs.patch_attrs), step.sub(0.25, 0.98))
    _mark_exceptions(findings, inputs.exceptions)
    step(1.0)
    return findings


def _mark_exceptions(findings: List[Finding], exceptions: Iterable[Tuple[str, str, Optional[str]]]) -> None:
    exc = {(p, r, (o or None)) for p, r, o in exceptions}
    if not exc:
        return
    for f in findings:
        if (f.patch_id, f.rule, None) in exc or (f.other_id and (f.patch_id, f.rule, f.other_id) in exc):
            f.accepted = True


class _Stepper:
    """Progress/cancel helper; sub(a, b) maps 0..1 of a stage onto a..b."""

    def __init__(self, progress: ProgressFn, is_canceled: CanceledFn, a: float = 0.0, b: float = 1.0):
        self.progress, self.is_canceled, self.a, self.b = progress, is_canceled, a, b

    def __call__(self, fraction: float) -> None:
        if self.is_canceled is not None and self.is_canceled():
            raise CheckCanceled(tr("The check was canceled"))
        if self.progress is not None:
            self.progress(self.a + (self.b - self.a) * min(max(fraction, 0.0), 1.0))

    def sub(self, a: float, b: float) -> _Stepper:
        return _Stepper(self.progress, self.is_canceled, self.a + (self.b - self.a) * a, self.a + (self.b - self.a) * b)


# Base-map land classes any rule looks at; other parcels never produce a finding.
BASEMAP_CLASSES = schema.CROPLAND_CLASSES | schema.BUILTUP_CLASSES | schema.WATER_CLASSES | schema.EXISTING_FOREST_CLASSES

_ADMIN_FIELDS = (("county", "county_code"), ("township", "township_code"), ("village", "village_code"))


def sliver_candidates(geoms: np.ndarray, area: np.ndarray, perimeter: np.ndarray, width: float) -> np.ndarray:
    """Mask of the polygons whose negative buffer by width/2 can be empty (the only ones worth buffering).

    A polygon narrower than 2r everywhere (inradius <= r) has area <= r * perimeter + pi * r² * holes: its inner
    parallel sets shrink by at most their perimeter, which never grows beyond the outline's except by 2*pi*t per
    hole. A multipolygon is narrow only if every part is, so the same bound holds for the sums. r is taken 5 %
    above width/2 so that GEOS's buffer approximations never put a narrow patch outside; anything wider than this
    bound keeps a non-empty core and is not a sliver by width (the thinness test still applies)."""
    r = 0.525 * width
    holes = np.zeros(len(geoms))
    parts, index = shapely.get_parts(geoms, return_index=True)
    if len(parts):
        holes = np.bincount(index, weights=shapely.get_num_interior_rings(parts), minlength=len(geoms))
    return area <= r * perimeter + math.pi * r * r * holes


class _Checker:
    """Applies the per-patch rules of a profile against prepared reference data."""

    def __init__(self, ref: ReferenceData, profile: RuleProfile, area_model: AreaModel, missing_fields: Set[str]):
        self.ref, self.p, self.am, self.missing = ref, profile, area_model, missing_fields

    def _f(self, out: List[Finding], pid: str, rule: str, message: str, value: Optional[float] = None,
           geometry: Optional[BaseGeometry] = None, other_id: Optional[str] = None, severity: Optional[str] = None) -> None:
        out.append(Finding(pid, rule, severity or self.p.severity(rule), message,
                           None if value is None else float(value), geometry, other_id))

    def check(self, ps: PatchSet, sel: np.ndarray, attrs: List[Dict[str, Any]], step: _Stepper,
              targets: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Dict[int, str]]] = None
              ) -> List[Finding]:
        """Findings of patches `sel` of `ps` (or of separate `targets` = (ids, repaired, null, bad, reasons))."""
        out: List[Finding] = []
        p = self.p
        if targets is None:
            ids, geoms, null, bad = ps.ids[sel], ps.geoms[sel], ps.null[sel], ps.bad[sel]
            reasons = {k: ps.reasons[int(i)] for k, i in enumerate(sel) if int(i) in ps.reasons}
            raw = ps.raw[sel]
            tattrs = [attrs[int(i)] for i in sel]
            self_index = np.asarray(sel, dtype=int)
        else:
            ids, geoms, null, bad, reasons = targets
            raw = geoms
            tattrs = attrs
            self_index = None
        n = len(ids)
        if n == 0:
            return out
        area = self.am.areas(np.where(null, None, geoms))
        step(0.05)
        # invalid_geometry: first, with the reason; the repaired geometry is what every overlay below uses.
        if p.enabled(R.INVALID_GEOMETRY):
            for k in np.flatnonzero(null):
                self._f(out, ids[k], R.INVALID_GEOMETRY, tr("The patch has no (polygonal) geometry"))
            for k in np.flatnonzero(bad & ~null):
                self._f(out, ids[k], R.INVALID_GEOMETRY, tr("Invalid geometry: {0}; repaired for the checks "
                                                            "(repaired area {1:.2f} m²)").format(geos_reason(reasons.get(k, "")), area[k]),
                        area[k], geoms[k])
            for k in np.flatnonzero(bad & null & ~shapely.is_missing(raw)):
                self._f(out, ids[k], R.INVALID_GEOMETRY, tr("Invalid geometry: {0}; nothing polygonal is left after "
                                                            "repair").format(geos_reason(reasons.get(k, ""))))
        live = np.flatnonzero(~null)
        if p.enabled(R.MIN_AREA):
            err, warn = p.threshold(R.MIN_AREA, "error_m2"), p.threshold(R.MIN_AREA, "warning_m2")
            for k in live:
                a = area[k]
                if a < err:
                    self._f(out, ids[k], R.MIN_AREA, tr("Area {0:.2f} m² is below the minimum of {1:.2f} m²").format(a, err),
                            a, geoms[k])
                elif a < warn:
                    self._f(out, ids[k], R.MIN_AREA, tr("Area {0:.2f} m² is below {1:.2f} m² (1 mu)").format(a, warn),
                            a, geoms[k], severity=R.WARNING)
        step(0.1)
        if p.enabled(R.SLIVER) and len(live):
            self._slivers(out, ids, geoms, live)
        step(0.15)
        if p.enabled(R.PATCH_OVERLAP) and ps is not None and ps.tree is not None and len(live):
            self._patch_overlaps(out, ps, ids, geoms, live, self_index, tattrs)
        step(0.45)
        if len(live) and len(self.ref.base):
            self._basemap(out, ids, geoms, live, tattrs)
        step(0.65)
        if len(live) and p.enabled(R.BASIC_FARMLAND) and len(self.ref.farmland):
            self._overlap_layer(out, ids, geoms, live, self.ref.farmland, R.BASIC_FARMLAND,
                                tr("Overlaps permanent basic farmland {0} by {1:.2f} m²"))
        if len(live) and p.enabled(R.HISTORY_OVERLAP) and len(self.ref.history):
            self._overlap_layer(out, ids, geoms, live, self.ref.history, R.HISTORY_OVERLAP,
                                tr("Overlaps earlier years' counted patch {0} by {1:.2f} m²"), skip_same_id=True)
        step(0.8)
        if p.enabled(R.OUTSIDE_ADMIN):
            self._admin(out, ids, geoms, live, tattrs)
        step(0.9)
        if p.enabled(R.AREA_MISMATCH):
            self._area_mismatch(out, ids, geoms, area, live, tattrs)
        if p.enabled(R.ATTRIBUTE):
            self._attributes(out, ids, geoms, tattrs)
        step(1.0)
        return out

    # -- geometry rules -----------------------------------------------------------------

    def _slivers(self, out: List[Finding], ids, geoms, live) -> None:
        width = self.p.threshold(R.SLIVER, "min_width_m")
        thin_max = self.p.threshold(R.SLIVER, "max_thinness")
        g = geoms[live]
        a = shapely.area(g)
        per = shapely.length(g)
        thin = 4 * math.pi * a / np.maximum(per, 1e-9) ** 2
        # Only shapes that are not compact can be narrower than `width` everywhere: buffer those.
        cand = np.flatnonzero((thin < 0.5) | (a < width * width * 4))
        if len(cand) and width > 0:
            cand = cand[sliver_candidates(g[cand], a[cand], per[cand], width)]
        narrow = np.zeros(len(live), dtype=bool)
        if len(cand) and width > 0:
            narrow[cand] = shapely.is_empty(shapely.buffer(g[cand], -width / 2.0, quad_segs=2))
        for j in np.flatnonzero(narrow | (thin < thin_max)):
            k = live[j]
            mean_w = 2 * a[j] / per[j] if per[j] else 0.0
            if narrow[j]:
                msg = tr("Sliver: narrower than {0:.1f} m everywhere (mean width {1:.2f} m, thinness {2:.3f})").format(
                    width, mean_w, thin[j])
            else:
                msg = tr("Sliver: thinness {0:.3f} below {1:.3f} (mean width {2:.2f} m)").format(thin[j], thin_max, mean_w)
            self._f(out, ids[k], R.SLIVER, msg, mean_w, geoms[k])

    def _patch_overlaps(self, out: List[Finding], ps: PatchSet, ids, geoms, live, self_index, tattrs) -> None:
        tol = self.p.threshold(R.PATCH_OVERLAP, "tolerance_m2")
        qi, oi = _query(ps.tree, geoms[live])
        qk = live[qi]  # index into targets
        if self_index is not None:
            me = self_index[qk]
            keep = oi != me
            in_sel = np.zeros(len(ps.ids), dtype=bool)
            in_sel[self_index] = True
            # Each pair of two checked patches once (the lower index computes it for both).
            keep &= ~(in_sel[oi] & (oi < me))
        else:
            keep = ps.ids[oi] != ids[qk]
        ty, oy = _years([a.get("year") for a in tattrs])[qk], ps.years[oi]
        keep &= np.isnan(ty) | np.isnan(oy) | (ty == oy)
        qk, oi = qk[keep], oi[keep]
        if not len(qk):
            return
        inter = _safe_intersection(geoms[qk], ps.geoms[oi])
        areas = self.am.areas(inter)
        pos = {int(i): k for k, i in enumerate(self_index)} if self_index is not None else {}
        for k, o, g, a in zip(qk, oi, inter, areas):
            if a <= tol:
                continue
            g = polygonal(g)
            msg = tr("Overlaps patch {0} of the same year by {1:.2f} m²")
            self._f(out, ids[k], R.PATCH_OVERLAP, msg.format(ps.labels[o], a), a, g, ps.ids[o])
            if int(o) in pos:  # the other patch is checked too: its side of the pair
                self._f(out, ps.ids[o], R.PATCH_OVERLAP, msg.format(ps.labels[self_index[k]], a), a, g, ids[k])

    def _pairs(self, geoms, live, layer: _Layer, mask: Optional[np.ndarray] = None):
        qi, ri = _query(layer.tree, geoms[live])
        if mask is not None:
            m = mask[ri]
            qi, ri = qi[m], ri[m]
        if not len(qi):
            return qi, ri, np.zeros(0, dtype=object), np.zeros(0)
        k = live[qi]
        inter = _safe_intersection(geoms[k], layer.geoms[ri])
        return k, ri, inter, self.am.areas(inter)

    def _emit(self, out: List[Finding], rule: str, severity: str, pids: List[str], msgs: List[str],
              values: np.ndarray, geoms: np.ndarray, others: List[Optional[str]]) -> None:
        """Append findings in bulk (the polygonal part of each geometry)."""
        types = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, dtype=int)
        for pid, msg, v, g, t, o in zip(pids, msgs, values.tolist(), geoms, types.tolist(), others):
            out.append(Finding(pid, rule, severity, msg, v, g if t in (3, 6) else polygonal(g), o))

    def _overlap_layer(self, out, ids, geoms, live, layer: _Layer, rule: str, msg: str, skip_same_id: bool = False) -> None:
        tol = self.p.threshold(rule, "tolerance_m2")
        k, ri, inter, areas = self._pairs(geoms, live, layer)
        hit = areas > tol
        if skip_same_id and len(k):
            hit &= layer.ids[ri] != ids[k]
        j = np.flatnonzero(hit)
        other = layer.ids[ri[j]].tolist()
        named = layer.cols["label"][ri[j]].tolist() if "label" in layer.cols else other
        self._emit(out, rule, self.p.severity(rule), ids[k[j]].tolist(),
                   [msg.format(o, a) for o, a in zip(named, areas[j].tolist())], areas[j], inter[j], other)

    def _basemap(self, out, ids, geoms, live, tattrs) -> None:
        p = self.p
        ref = self.ref
        on_crop, on_bw, on_forest = p.enabled(R.CROPLAND), p.enabled(R.BUILTUP_WATER), p.enabled(R.EXISTING_FOREST)
        if not (on_crop or on_bw or on_forest) or ref.base.tree is None:
            return
        approved = np.asarray([bool(str(a.get("approval_no") or "").strip()) for a in tattrs], dtype=bool)
        allowed = np.asarray([a.get("method") in schema.METHODS_ALLOWED_ON_FOREST for a in tattrs], dtype=bool)
        qi, ri = _query(ref.base.tree, geoms[live])
        k = live[qi]
        # Only pairs that can become a finding are intersected (approved cropland, allowed forest methods are not).
        crop = ref.crop[ri] & on_crop & ~approved[k]
        bw = ref.builtup_water[ri] & on_bw
        forest = ref.forest[ri] & on_forest & ~allowed[k]
        need = crop | bw | forest
        k, ri, crop, bw = k[need], ri[need], crop[need], bw[need]
        if not len(k):
            return
        inter = _safe_intersection(geoms[k], ref.base.geoms[ri])
        areas = self.am.areas(inter)
        tols = [p.threshold(r, "tolerance_m2") for r in (R.CROPLAND, R.BUILTUP_WATER, R.EXISTING_FOREST)]
        kind = np.where(crop, 0, np.where(bw, 1, 2))
        hit = areas > np.asarray(tols)[kind]
        templates = [tr("On cropland {0} (base-map parcel {1}) by {2:.2f} m² without an approval number"),
                     tr("On built-up land or water {0} (base-map parcel {1}) by {2:.2f} m²"),
                     tr("On existing forest land {0} (base-map parcel {1}) by {2:.2f} m², but the method is not "
                        "regeneration or restoration")]
        cls = ref.base.cols["cls"]
        for code, rule, t in zip(range(3), (R.CROPLAND, R.BUILTUP_WATER, R.EXISTING_FOREST), templates):
            j = np.flatnonzero(hit & (kind == code))
            if not len(j):
                continue
            c = cls[ri[j]].tolist()
            labels = {x: f"{x} {schema.LAND_CLASSES.label(x, ui_language())}" for x in set(c)}
            bsm = ref.base.ids[ri[j]].tolist()
            msgs = [t.format(labels[x], b, a) for x, b, a in zip(c, bsm, areas[j].tolist())]
            self._emit(out, rule, p.severity(rule), ids[k[j]].tolist(), msgs, areas[j], inter[j], bsm)

    def _admin(self, out, ids, geoms, live, tattrs) -> None:
        min_share = self.p.threshold(R.OUTSIDE_ADMIN, "min_share")
        ref = self.ref
        flagged: Set[int] = set()
        # Codes that contradict each other (village not in its township, township not in its county).
        for k, at in enumerate(tattrs):
            c, t, v = (str(at.get(f) or "").strip() for f in ("county_code", "township_code", "village_code"))
            if (t and c and not t.startswith(c)) or (v and t and not v.startswith(t)):
                self._f(out, ids[k], R.OUTSIDE_ADMIN, tr("Administrative codes disagree: county {0}, township {1}, "
                                                         "village {2}").format(c, t, v), None,
                        geoms[k] if k in set(live) else None)
                flagged.add(k)
        if not len(ref.admin) or not len(live):
            return
        for level, fname in _ADMIN_FIELDS:
            if level not in ref.admin_levels or fname in self.missing:
                continue
            ks, us = [], []
            for k in live:
                code = str(tattrs[k].get(fname) or "").strip()
                if not code:
                    continue  # a missing code is an attribute finding
                u = ref.admin_index.get((level, code))
                if u is None:
                    self._f(out, ids[k], R.OUTSIDE_ADMIN, tr("Declared {0} code {1} is not in the administrative "
                                                             "units").format(_level_label(level), code), None, geoms[k], code)
                    continue
                ks.append(k)
                us.append(u)
            if not ks:
                continue
            ks_a, us_a = np.asarray(ks), np.asarray(us)
            inside = shapely.covers(ref.admin.geoms[us_a], geoms[ks_a])
            rest = np.flatnonzero(~inside)
            if not len(rest):
                continue
            inter = _safe_intersection(geoms[ks_a[rest]], ref.admin.geoms[us_a[rest]])
            share = shapely.area(inter) / np.maximum(shapely.area(geoms[ks_a[rest]]), 1e-12)
            for j in np.flatnonzero(share < min_share):
                k, u = ks_a[rest[j]], us_a[rest[j]]
                outside = polygonal(shapely.difference(geoms[k], ref.admin.geoms[u]))
                self._f(out, ids[k], R.OUTSIDE_ADMIN, tr("Only {0:.1f} % of the patch lies in its declared {1} {2} "
                                                         "(at least {3:.1f} % required)").format(
                    share[j] * 100, _level_label(level), ref.admin.ids[u], min_share * 100), share[j] * 100, outside,
                    ref.admin.ids[u])

    def _area_mismatch(self, out, ids, geoms, area, live, tattrs) -> None:
        tol_mu = self.p.threshold(R.AREA_MISMATCH, "tolerance_mu")
        tol_rel = self.p.threshold(R.AREA_MISMATCH, "tolerance_rel")
        for k in live:
            at = tattrs[k]
            mu_calc = schema.m2_to_mu(area[k])
            m = R.area_mismatch(_to_float(at.get("area_mu")), _to_float(at.get("area_ha")), mu_calc, tol_mu, tol_rel)
            if m is not None:  # the one rule the workflow's area precondition uses too
                self._f(out, ids[k], R.AREA_MISMATCH, tr(
                    "{0} = {1} but the mapped area is {2:.2f} mu ({3:.4f} ha); difference {4:+.2f} mu exceeds "
                    "{5:.2f} mu").format(schema.PATCH_FIELD[m.field].label(ui_language()), m.declared, mu_calc,
                                         schema.m2_to_ha(area[k]), m.difference_mu, m.tolerance_mu),
                    m.difference_mu, geoms[k])

    def _attributes(self, out, ids, geoms, tattrs) -> None:
        # Precompiled per-field checks (code sets, patterns, ranges): this loop runs for every patch.
        specs = []
        for f in schema.PATCH_FIELDS:
            if f.name in self.missing:
                continue
            codes = frozenset(schema.CODE_LISTS[f.code_list].values()) if f.code_list else None
            specs.append((f, f.name, codes, re.compile(f.pattern) if f.pattern else None,
                          f.type in (schema.REAL, schema.INTEGER)))
        required = {st: frozenset(f.name for f in schema.PATCH_FIELDS if f.is_required_at(st)) for st in schema.STAGE_ORDER}
        t_missing = tr("{0} ({1}) is missing")
        t_code = tr("{0} ({1}) = '{2}' is not a code of {3}")
        t_format = tr("{0} ({1}) = '{2}' has the wrong format")
        t_nan = tr("{0} ({1}) = '{2}' is not a number")
        t_range = tr("{0} ({1}) = {2} is out of range")
        t_restore = tr("Restoration method (restore_method) is required for restoration")
        check_restore = "restore_method" not in self.missing
        lang = ui_language()  # field and list names in messages: the user's language, like the rest of the text
        for k, at in enumerate(tattrs):
            stage = at.get("stage")
            req = required.get(stage) or required["design"]
            problems = []
            for f, name, codes, pattern, numeric in specs:
                v = at.get(name)
                if v is None or (isinstance(v, str) and not v.strip()):
                    if name in req:
                        problems.append(t_missing.format(f.label(lang), name))
                    continue
                if codes is not None:
                    if str(v) not in codes:
                        problems.append(t_code.format(f.label(lang), name, v, _list_label(schema.CODE_LISTS[f.code_list], lang)))
                elif pattern is not None:
                    if not pattern.match(str(v)):
                        problems.append(t_format.format(f.label(lang), name, v))
                elif numeric:
                    x = _to_float(v)
                    if x is None:
                        problems.append(t_nan.format(f.label(lang), name, v))
                    elif (f.min_value is not None and x < f.min_value) or (f.max_value is not None and x > f.max_value):
                        problems.append(t_range.format(f.label(lang), name, v))
            if check_restore and at.get("method") == "restoration" and not at.get("restore_method"):
                problems.append(t_restore)
            if problems:
                self._f(out, ids[k], R.ATTRIBUTE, "; ".join(problems), float(len(problems)), geoms[k])


# ---------------------------------------------------------------------------
# Working copy
# ---------------------------------------------------------------------------


# GeoPackage geometry header size by its flags byte (None: empty geometry or an unknown envelope code).
_HEADER_SIZE = {f: (8 + (0, 32, 48, 48, 64)[(f >> 1) & 7] if ((f >> 1) & 7) < 5 and not f & 0x10 else None)
                for f in range(256)}


# ISO WKB base types (code % 1000) shapely/GEOS cannot take as they are: CircularString, CompoundCurve, CurvePolygon,
# MultiCurve, MultiSurface, Curve, Surface, PolyhedralSurface, TIN, Triangle.
_CURVED_WKB = frozenset(range(8, 18))


def _wkb_type(wkb: bytes) -> Optional[int]:
    """A WKB's geometry type: the ISO base type (code % 1000), plus 10000 if it carries M; None if unreadable."""
    if wkb is None or len(wkb) < 5 or wkb[0] not in (0, 1):
        return None
    code = int.from_bytes(wkb[1:5], "little" if wkb[0] == 1 else "big")
    has_m = bool(code & 0x40000000) or (code & 0x0FFFFFFF) // 1000 in (2, 3)
    return (code & 0x0FFFFFFF) % 1000 + (10000 if has_m else 0)


def _needs_ogr(wkb: Optional[bytes]) -> bool:
    t = _wkb_type(wkb) if wkb is not None else None
    return t is not None and (t >= 10000 or t in _CURVED_WKB)


def linear_wkb(wkb: bytes) -> Optional[bytes]:
    """Curved or measured WKB (CurvePolygon, MultiSurface, CompoundCurve rings, ... and M values) as plain linear
    ISO WKB shapely can read: arcs linearized by OGR (GetLinearGeometry), surfaces as polygons; None if unreadable."""
    from osgeo import ogr

    try:
        g = ogr.CreateGeometryFromWkb(bytes(wkb))
    except Exception:  # noqa: BLE001 - OGR raises RuntimeError (UseExceptions) or returns None
        return None
    if g is None:
        return None
    if g.HasCurveGeometry():
        g = g.GetLinearGeometry()
    flat = ogr.GT_Flatten(g.GetGeometryType())
    if flat in (ogr.wkbPolyhedralSurface, ogr.wkbTIN, ogr.wkbTriangle, ogr.wkbMultiSurface, ogr.wkbSurface):
        g = ogr.ForceToMultiPolygon(g)
    elif flat in (ogr.wkbCurvePolygon,):
        g = ogr.ForceToPolygon(g)
    if g.IsMeasured():
        g.SetMeasured(False)
    return bytes(g.ExportToIsoWkb())


def geoms_from_wkb(wkbs: Sequence[Optional[bytes]]) -> np.ndarray:
    """Shapely geometries of WKBs (None where missing or unreadable); curved and measured geometries are linearized
    first (linear_wkb), so a CurvePolygon patch is checked like the polygon it draws, never dropped or raised on."""
    if not len(wkbs):
        return np.zeros(0, dtype=object)
    arr = np.asarray(list(wkbs), dtype=object)
    try:
        geoms = np.asarray(shapely.from_wkb(arr, on_invalid="ignore"), dtype=object)
    except (NotImplementedError, shapely.errors.GEOSException, ValueError, TypeError):
        # GEOS >= 3.13 reads curves that shapely has no class for (NotImplementedError): linearize those first.
        fixed = [linear_wkb(w) if _needs_ogr(w) else w for w in arr]
        geoms = np.empty(len(arr), dtype=object)
        for k, w in enumerate(fixed):
            try:
                geoms[k] = None if w is None else shapely.from_wkb(w, on_invalid="ignore")
            except (NotImplementedError, shapely.errors.GEOSException, ValueError, TypeError):
                geoms[k] = None
        return geoms
    # Older GEOS refuses curves (and M) quietly: those come back None; read them again linearized.
    for k in np.flatnonzero(shapely.is_missing(geoms)):
        w = arr[k]
        if w is not None and _needs_ogr(w):
            lw = linear_wkb(w)
            try:
                geoms[k] = None if lw is None else shapely.from_wkb(lw, on_invalid="ignore")
            except (NotImplementedError, shapely.errors.GEOSException, ValueError, TypeError):
                geoms[k] = None
    return geoms


def read_table(path: str, table: str, columns: Optional[Sequence[str]] = None,
               con: Optional[sqlite3.Connection] = None, keep: Optional[Callable[[Dict[str, Any]], bool]] = None,
               where: str = "") -> Tuple[List[Dict[str, Any]], np.ndarray, Optional[int]]:
    """(attribute rows, shapely geometries, EPSG code) of a GeoPackage table, read once with sqlite3 (read-only).

    keep(attrs) -> bool drops rows before their geometry is parsed.
    """
    own = con is None
    con = con or geopackage.open_connection(path)  # clear errors for a missing or locked file
    try:
        row = con.execute("SELECT g.column_name, s.organization_coordsys_id, s.organization FROM gpkg_geometry_columns g "
                          "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE lower(g.table_name) = lower(?)",
                          (table,)).fetchone()
        geom_col, epsg = (row[0], int(row[1]) if row[1] is not None and str(row[2]).upper() == "EPSG" else None) \
            if row else (None, None)
        names = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        cols = [c for c in (columns if columns is not None else names) if c in names and c != geom_col]
        sel = ", ".join(f'"{c}"' for c in cols) or "1"
        sql = f'SELECT {sel}, "{geom_col}" FROM "{table}"' if geom_col else f'SELECT {sel}, NULL FROM "{table}"'
        if where:
            sql += " WHERE " + where
        rows = con.execute(sql + " ORDER BY fid" if "fid" in names else sql).fetchall()
    finally:
        if own:
            con.close()
    attrs = [dict(zip(cols, r[:-1])) for r in rows]
    if keep is not None:
        kept = [k for k, a in enumerate(attrs) if keep(a)]
        attrs = [attrs[k] for k in kept]
        rows = [rows[k] for k in kept]
    hdr = _HEADER_SIZE
    wkbs = [None if r[-1] is None or len(r[-1]) < 8 or hdr[r[-1][3]] is None else r[-1][hdr[r[-1][3]]:] for r in rows]
    return attrs, geoms_from_wkb(wkbs), epsg


def read_working_copy(path: str) -> Dict[str, Any]:
    """Every input of a check run from a working copy, read once."""
    from . import pg_source

    source = pg_source.configured(path)  # the base map etc. in PostGIS (a city's or province's database)?
    con = geopackage.open_connection(path)
    try:
        data = read_patches(path, con)
        if source is not None:
            data.update(pg_source.reference_data(source, data["patch_geoms"], data["epsg"],
                                                 sorted(BASEMAP_CLASSES)))
            return data
        # Only parcels some rule looks at (cropland, built-up/water, existing forest) are parsed and indexed.
        b_attrs, b_geoms, _ = read_table(path, schema.BASEMAP, ["BSM", schema.LANDCLASS_FIELD], con,
                                         where="trim({}) IN ({})".format(
                                             schema.LANDCLASS_FIELD, ",".join(_q(c) for c in sorted(BASEMAP_CLASSES))))
        a_attrs, a_geoms, _ = read_table(path, schema.ADMIN, ["code", "level"], con)
        f_attrs, f_geoms, _ = read_table(path, schema.FARMLAND, ["fid", "jbnt_id"], con)
        h_attrs, h_geoms, _ = read_table(path, schema.HISTORY, ["fid", "patch_id", "tuban_no"], con)
    finally:
        con.close()
    data.update(reference_inputs((b_attrs, b_geoms), (a_attrs, a_geoms), (f_attrs, f_geoms), (h_attrs, h_geoms)))
    return data


def reference_inputs(basemap, admin, farmland, history) -> Dict[str, Any]:
    """The reference part of a check run's inputs from (attribute rows, geometries) of the base map, admin units,
    farmland and earlier years' patches, wherever they were read (the working copy, or PostGIS: pg_source)."""
    (b_attrs, b_geoms), (a_attrs, a_geoms), (f_attrs, f_geoms), (h_attrs, h_geoms) = basemap, admin, farmland, history
    return dict(
        basemap_geoms=b_geoms, basemap_ids=[a.get("BSM") or "" for a in b_attrs],
        basemap_classes=[a.get(schema.LANDCLASS_FIELD) for a in b_attrs],
        admin_geoms=a_geoms, admin_codes=[a.get("code") for a in a_attrs], admin_levels=[a.get("level") for a in a_attrs],
        farmland_geoms=f_geoms, farmland_ids=[a.get("jbnt_id") or "JBNT fid {}".format(a.get("fid")) for a in f_attrs],
        history_geoms=h_geoms, history_ids=[a.get("patch_id") or "fid {}".format(a.get("fid")) for a in h_attrs],
        history_labels=[a.get("tuban_no") or "" for a in h_attrs])


def read_patches(path: str, con: Optional[sqlite3.Connection] = None) -> Dict[str, Any]:
    """The patches and accepted exceptions of a working copy (what changes while editing)."""
    own = con is None
    con = con or geopackage.open_connection(path)
    try:
        p_attrs, p_geoms, epsg = read_table(path, schema.PATCHES, None, con)
        exceptions = con.execute(f"SELECT patch_id, rule, other_id FROM {schema.EXCEPTIONS}").fetchall()
    finally:
        if own:
            con.close()
    return dict(epsg=epsg, patch_attrs=p_attrs, patch_geoms=p_geoms,
                patch_ids=[str(a.get("patch_id") or "") for a in p_attrs], exceptions=[tuple(e) for e in exceptions])


def _extent_tuple(extent: Any) -> Optional[Tuple[float, float, float, float]]:
    if extent is None:
        return None
    if hasattr(extent, "xMinimum"):
        return (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    return tuple(float(v) for v in extent)  # type: ignore[return-value]


def check_working_copy(path: str, patch_ids: Optional[Iterable[str]] = None, extent: Any = None,
                       profile: Optional[RuleProfile] = None, progress: ProgressFn = None,
                       is_canceled: CanceledFn = None, write: bool = True) -> CheckRunResult:
    """Check patches of a working copy (all, `patch_ids`, and/or those intersecting `extent` (layer CRS)).

    With write=True, the checked patches' rows in check_issues are replaced by the new findings (accepted ones
    included, they are recorded) and check_state is upserted (open error/warning counts, patch revision).
    """
    t0 = time.perf_counter()
    step = _Stepper(progress, is_canceled)
    timings: Dict[str, float] = {}
    data = read_working_copy(path)
    timings["read"] = time.perf_counter() - t0
    profile = profile or load_profile(path)
    ids = data["patch_ids"]
    chosen = set(ids) if patch_ids is None else set(patch_ids) & set(ids)
    ext = _extent_tuple(extent)
    if ext is not None:
        b = shapely.bounds(data["patch_geoms"])
        hit = ~((b[:, 0] > ext[2]) | (b[:, 2] < ext[0]) | (b[:, 1] > ext[3]) | (b[:, 3] < ext[1]))
        chosen &= {p for p, h in zip(ids, hit) if h}
    step(0.05)
    inputs = CheckInputs(patch_ids=ids, patch_geoms=data["patch_geoms"], patch_attrs=data["patch_attrs"],
                         epsg=data["epsg"], basemap_geoms=data["basemap_geoms"], basemap_ids=data["basemap_ids"],
                         basemap_classes=data["basemap_classes"], admin_geoms=data["admin_geoms"],
                         admin_codes=data["admin_codes"], admin_levels=data["admin_levels"],
                         farmland_geoms=data["farmland_geoms"], farmland_ids=data["farmland_ids"],
                         history_geoms=data["history_geoms"], history_ids=data["history_ids"],
                         history_labels=data.get("history_labels", ()), check_ids=chosen, exceptions=data["exceptions"], layer_name=schema.PATCHES)
    t1 = time.perf_counter()
    findings = run_checks(inputs, profile, step.sub(0.05, 0.9), is_canceled)
    timings["check"] = time.perf_counter() - t1
    run_id = str(uuid.uuid4())
    checked_at = clock.now_utc_iso()  # stored UTC, shown local (core/clock.py)
    checked = [p for p in ids if p in chosen]
    if write:
        t2 = time.perf_counter()
        revisions = {str(a.get("patch_id")): a.get("revision") for a in data["patch_attrs"]}
        write_results(path, run_id, checked_at, checked, findings, revisions, full=(len(chosen) == len(set(ids))))
        timings["write"] = time.perf_counter() - t2
    step(1.0)
    return CheckRunResult(run_id, findings, checked, checked_at, time.perf_counter() - t0, timings)


def _multi(g: Optional[BaseGeometry]) -> Optional[bytes]:
    g = polygonal(g)
    if g is None:
        return None
    if g.geom_type == "Polygon":
        g = MultiPolygon([g])
    return shapely.to_wkb(g, output_dimension=2)


def multi_wkbs(geoms: Sequence[Optional[BaseGeometry]]) -> List[Optional[bytes]]:
    """_multi of every geometry, in bulk: 2D little-endian MultiPolygon WKB of the polygonal part, None if none."""
    return _multi_bulk(geoms)[0]


def _multi_bulk(geoms: Sequence[Optional[BaseGeometry]]) -> Tuple[List[Optional[bytes]], np.ndarray]:
    """(multi_wkbs, the polygonal geometries they are of, None where there is none).

    Polygons get the one-part MultiPolygon header in front of their own WKB (byte for byte what shapely writes for
    MultiPolygon([polygon])); only non-polygonal geometries (rare: collections from an overlay) go through polygonal().
    """
    g = np.asarray(geoms, dtype=object) if len(geoms) else np.zeros(0, dtype=object)
    if not len(g):
        return [], g
    types = shapely.get_type_id(g)
    odd = np.flatnonzero((types >= 0) & (types != 3) & (types != 6))
    if len(odd):
        g = g.copy()
        for k in odd:
            g[k] = polygonal(g[k])
        types = shapely.get_type_id(g)
    g = np.where((types < 0) | shapely.is_empty(g), None, g)
    wkb = shapely.to_wkb(g, output_dimension=2, byte_order=1)
    head = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"  # little-endian MultiPolygon of 1 part
    return [None if w is None else (head + w if t == 3 else w) for w, t in zip(wkb.tolist(), types.tolist())], g


_GPKG_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("env", "<f8", (4,))])


def gpkg_blobs(wkbs: Sequence[Optional[bytes]], geoms: Sequence[Optional[BaseGeometry]], srs_id: int) -> List[Optional[bytes]]:
    """GeoPackage geometry blobs (little-endian header with the xy envelope) of WKBs, built in bulk."""
    n = len(wkbs)
    if not n:
        return []
    hdr = np.zeros(n, dtype=_GPKG_HEADER)
    hdr["magic"], hdr["flags"], hdr["srs"] = b"GP", 0b011, int(srs_id)  # little endian, envelope [minx maxx miny maxy]
    b = shapely.bounds(np.asarray(geoms, dtype=object))
    hdr["env"] = b[:, [0, 2, 1, 3]]
    raw = hdr.tobytes()
    size = _GPKG_HEADER.itemsize
    return [None if w is None else raw[k * size:(k + 1) * size] + w for k, w in enumerate(wkbs)]


def append_gpkg_features(con: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                         geoms: Sequence[Optional[BaseGeometry]]) -> int:
    """Append rows (attribute tuples in `columns` order) with their polygonal geometries (as MultiPolygons) to a
    GeoPackage feature table in bulk (an executemany per 50 000 rows), inside the caller's transaction; return the count.

    The table's triggers (rtree upkeep, feature counts) are dropped for the insert and put back afterwards; the
    rtree gets the new rows' envelopes in bulk, gpkg_contents its extent and gpkg_ogr_contents its count, so the
    file is what OGR would have written feature by feature."""
    row = con.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                      (table,)).fetchone()
    if row is None:
        raise geopackage.WorkingCopyError(f"{table} is not a GeoPackage feature table")
    geom_col, srs_id = row
    info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    pk = next((r[1] for r in info if r[5]), "fid")
    start = con.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"').fetchone()[0]
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND lower(tbl_name) = lower(?)",
                           (table,)).fetchall()
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    cols = ", ".join(f'"{c}"' for c in (pk, *columns, geom_col))
    marks = ", ".join("?" * (len(columns) + 2))
    rtree = f"rtree_{table}_{geom_col}"
    has_rtree = con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone() is not None
    ext = [math.inf, math.inf, -math.inf, -math.inf]
    step = 50000  # blobs of one chunk at a time: memory stays near that of the findings themselves
    for c0 in range(0, len(rows), step):
        wkbs, polys = _multi_bulk(geoms[c0:c0 + step])
        kept = ~shapely.is_missing(polys)
        blobs = gpkg_blobs(wkbs, polys, srs_id)
        fids = range(start + 1 + c0, start + 1 + c0 + len(wkbs))
        con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                        [(fid, *r, blob) for fid, r, blob in zip(fids, rows[c0:c0 + step], blobs)])
        b = shapely.bounds(polys)
        if has_rtree:
            con.executemany(f'INSERT OR REPLACE INTO "{rtree}" VALUES (?, ?, ?, ?, ?)',
                            [(fid, x0, x1, y0, y1) for fid, (x0, y0, x1, y1), k in zip(fids, b.tolist(), kept.tolist())
                             if k])
        if kept.any():
            ext = [min(ext[0], np.nanmin(b[kept, 0])), min(ext[1], np.nanmin(b[kept, 1])),
                   max(ext[2], np.nanmax(b[kept, 2])), max(ext[3], np.nanmax(b[kept, 3]))]
    for _name, sql in triggers:
        con.execute(sql)
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
        con.execute(f'UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM "{table}") '
                    "WHERE lower(table_name) = lower(?)", (table,))
    if math.isfinite(ext[0]):
        x0, y0, x1, y1 = (float(v) for v in ext)
        con.execute("UPDATE gpkg_contents SET min_x = min(COALESCE(min_x, ?), ?), min_y = min(COALESCE(min_y, ?), ?), "
                    "max_x = max(COALESCE(max_x, ?), ?), max_y = max(COALESCE(max_y, ?), ?), "
                    "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE lower(table_name) = lower(?)",
                    (x0, x0, y0, y0, x1, x1, y1, y1, table))
    return len(rows)


def write_results(path: str, run_id: str, checked_at: str, checked: Sequence[str], findings: Sequence[Finding],
                  revisions: Dict[str, Any], full: bool = False) -> None:
    """Replace check_issues rows of `checked` patches with `findings` and upsert their check_state (one transaction each)."""
    from osgeo import ogr

    checked_set = set(checked)
    ds = ogr.Open(path, update=1)
    if ds is None:
        raise geopackage.WorkingCopyError(f"cannot open {path} for writing")
    lyr = ds.GetLayerByName(schema.ISSUES)
    defn = lyr.GetLayerDefn()
    ds.StartTransaction()
    try:
        if full:
            ds.ExecuteSQL(f"DELETE FROM {schema.ISSUES}")
        else:
            ids = list(checked_set)
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                ds.ExecuteSQL(f"DELETE FROM {schema.ISSUES} WHERE patch_id IN ({','.join(_q(x) for x in chunk)})")
        for f in findings:
            if f.patch_id not in checked_set:
                continue  # layer-level findings are returned, not stored per patch
            feat = ogr.Feature(defn)
            for k, v in (("run_id", run_id), ("patch_id", f.patch_id), ("rule", f.rule), ("severity", f.severity),
                         ("message", f.message[:254]), ("value", f.value), ("other_id", f.other_id),
                         ("checked_at", checked_at.replace("T", " "))):
                if v is None:
                    feat.SetFieldNull(k)
                else:
                    feat.SetField(k, v)
            wkb = _multi(f.geometry)
            if wkb is not None:
                feat.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
            lyr.CreateFeature(feat)
        ds.CommitTransaction()
    except BaseException:
        ds.RollbackTransaction()
        raise
    finally:
        ds = None
    counts: Dict[str, List[int]] = {p: [0, 0] for p in checked}
    for f in findings:
        if f.patch_id in counts and not f.accepted:
            if f.severity == R.ERROR:
                counts[f.patch_id][0] += 1
            elif f.severity == R.WARNING:
                counts[f.patch_id][1] += 1
    from .. import identity

    who = identity.current_user(path).username  # the person who ran the check, as the audit would name them
    with geopackage.connect(path) as con:
        if "checked_by" not in {r[1] for r in con.execute(f"PRAGMA table_info({schema.CHECK_STATE})")}:
            con.execute(f'ALTER TABLE {schema.CHECK_STATE} ADD COLUMN "checked_by" TEXT')  # a copy made before it
        con.executemany(
            f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings, checked_by) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT(patch_id) DO UPDATE SET checked_at=excluded.checked_at, "
            "patch_revision=excluded.patch_revision, errors=excluded.errors, warnings=excluded.warnings, "
            "checked_by=excluded.checked_by",
            [(p, checked_at, _to_int(revisions.get(p)), e, w, who) for p, (e, w) in counts.items()])


def _q(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


__all__ = ["Finding", "CheckInputs", "CheckRunResult", "CheckCanceled", "AreaModel", "run_checks", "check_working_copy",
           "read_working_copy", "read_table", "geoms_from_wkb", "linear_wkb", "repair", "polygonal", "transform_geoms", "gk_epsg_for_lon",
           "ReferenceData", "PatchSet", "write_results"]

