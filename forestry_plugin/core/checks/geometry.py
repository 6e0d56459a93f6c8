"""Geometry preparation for the checks (shapely 2, in bulk where it matters).

- polygon parts: polygon_parts / polygonal / as_multipolygon, the one helper every module uses to keep the
  polygonal part of a geometry (make_valid and overlays may return collections with lines and points);
- repair: repair_all detects invalid geometries (with GEOS's reason, geos_reason in the user's language) and
  repairs them with make_valid *before* any overlay;
- WKB in: geoms_from_wkb (curved and measured geometries linearized first, linear_wkb);
- WKB out: multi_wkb / multi_wkbs, 2D little-endian MultiPolygon WKB of the polygonal part.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ...i18n import tr
from .parallel import parallel

# -- polygon parts ---------------------------------------------------------------------------------------------


def polygon_parts(g: Optional[BaseGeometry]) -> List[Polygon]:
    """The non-empty polygons of a geometry, in order, multipolygons and collections flattened ([] for None)."""
    if g is None or g.is_empty:
        return []
    if isinstance(g, Polygon):
        return [g]
    return [p for part in getattr(g, "geoms", []) for p in polygon_parts(part)]


def polygonal(g: Optional[BaseGeometry]) -> Optional[BaseGeometry]:
    """The polygonal part of a geometry: a (Multi)Polygon as it is, else its polygons as a Polygon or a
    MultiPolygon; None if there is none."""
    if g is None:
        return None
    if isinstance(g, (Polygon, MultiPolygon)):
        return None if g.is_empty else g
    parts = polygon_parts(g)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def as_multipolygon(g: Optional[BaseGeometry]) -> MultiPolygon:
    """The polygons of a geometry as one MultiPolygon (empty if there are none)."""
    return MultiPolygon(polygon_parts(g))


# -- validity and repair ---------------------------------------------------------------------------------------


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


def repair_all(geoms: Sequence[Optional[BaseGeometry]]) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Dict[int, str]]:
    """(repaired polygonal geometries, null mask, invalid mask, {index: GEOS reason}) of `geoms`, in bulk.

    Invalid or non-polygonal geometries get make_valid's polygonal part (None when nothing polygonal is left);
    fixes.repair is the same for one geometry a person chose to fix."""
    g = np.asarray(geoms, dtype=object) if len(geoms) else np.zeros(0, dtype=object)
    missing = shapely.is_missing(g)
    null = missing.copy()
    null[~missing] = shapely.is_empty(g[~missing])
    valid = parallel(shapely.is_valid, g) if len(g) else np.zeros(0, dtype=bool)
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


# -- WKB in ----------------------------------------------------------------------------------------------------

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


def needs_linearizing(wkb: Optional[bytes]) -> bool:
    """Whether a WKB is curved or measured (shapely cannot read it as it is: linear_wkb first)."""
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
        fixed = [linear_wkb(w) if needs_linearizing(w) else w for w in arr]
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
        if w is not None and needs_linearizing(w):
            lw = linear_wkb(w)
            try:
                geoms[k] = None if lw is None else shapely.from_wkb(lw, on_invalid="ignore")
            except (NotImplementedError, shapely.errors.GEOSException, ValueError, TypeError):
                geoms[k] = None
    return geoms


# -- WKB out ---------------------------------------------------------------------------------------------------


def multi_wkb(g: Optional[BaseGeometry]) -> Optional[bytes]:
    """2D MultiPolygon WKB of a geometry's polygonal part, None if there is none (one geometry: multi_wkbs in bulk)."""
    g = polygonal(g)
    if g is None:
        return None
    if g.geom_type == "Polygon":
        g = MultiPolygon([g])
    return shapely.to_wkb(g, output_dimension=2)


def multi_wkbs(geoms: Sequence[Optional[BaseGeometry]]) -> List[Optional[bytes]]:
    """multi_wkb of every geometry, in bulk: 2D little-endian MultiPolygon WKB of the polygonal part, None if none."""
    return multi_wkbs_with_polygons(geoms)[0]


def multi_wkbs_with_polygons(geoms: Sequence[Optional[BaseGeometry]]) -> Tuple[List[Optional[bytes]], np.ndarray]:
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
