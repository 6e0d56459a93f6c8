"""Safe, obvious geometry fixes for patches (pure shapely; the GUI applies them in QGIS's edit buffer).

- repair: make_valid, keeping only the polygonal parts (never a zero-area result from a bow-tie).
- remove_slivers: drop parts and fill holes below an area, and cut off spikes thinner than a width.
- clip_to_allowed: remove the parts lying on forbidden land (basic farmland, cropland, built-up land, water).
- snap_to_basemap: move vertices onto nearby base-map vertices (closes tiny gaps/overlaps along parcel edges).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Tuple

import shapely
from osgeo import ogr
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from .. import schema
from .checks.geometry import as_multipolygon, polygon_parts


def repair(g: BaseGeometry) -> MultiPolygon:
    """A valid multipolygon covering the same area (polygonal parts of make_valid); checks.geometry.repair_all is
    the checks' bulk counterpart."""
    return as_multipolygon(shapely.make_valid(g))


def remove_slivers(g: BaseGeometry, min_part_m2: float = 50.0, min_hole_m2: float = 50.0,
                   min_width_m: float = 0.0) -> MultiPolygon:
    """Drop small parts, fill small holes and (with min_width_m) cut off parts thinner than min_width_m."""
    g = repair(g)
    if min_width_m > 0:
        opened = g.buffer(-min_width_m / 2, join_style="mitre").buffer(min_width_m / 2, join_style="mitre")
        g = as_multipolygon(opened.intersection(g))
    parts = []
    for p in polygon_parts(g):
        if p.area < min_part_m2:
            continue
        holes = [h for h in p.interiors if Polygon(h).area >= min_hole_m2]
        parts.append(Polygon(p.exterior, holes))
    return MultiPolygon(parts)


def clip_to_allowed(g: BaseGeometry, forbidden: Iterable[BaseGeometry]) -> MultiPolygon:
    """The patch minus every forbidden polygon."""
    forbidden = [f for f in forbidden if f is not None and not f.is_empty]
    g = repair(g)
    if not forbidden:
        return g
    return as_multipolygon(g.difference(shapely.union_all(forbidden)))


def snap_to_basemap(g: BaseGeometry, parcels: Sequence[BaseGeometry], tolerance_m: float = 1.0) -> MultiPolygon:
    """Snap the patch's vertices to base-map vertices within the tolerance; keeps it valid."""
    g = repair(g)
    if not parcels:
        return g
    ref = shapely.union_all([p.boundary for p in parcels if p is not None])
    return repair(shapely.snap(g, ref, tolerance_m))


def forbidden_near(path: str, bbox: Tuple[float, float, float, float], approved_cropland: bool = False,
                   classes: Optional[Iterable[str]] = None) -> list:
    """Forbidden polygons of a working copy near a bounding box: basic farmland, and base-map parcels of
    cropland (unless approved), built-up land and water."""
    forbidden_classes = set(classes) if classes is not None else (
        set(schema.BUILTUP_CLASSES) | set(schema.WATER_CLASSES) | (set() if approved_cropland else
                                                                   set(schema.CROPLAND_CLASSES)))
    out = []
    ds = ogr.Open(path)
    try:
        for table, wanted in ((schema.FARMLAND, None), (schema.BASEMAP, forbidden_classes)):
            lyr = ds.GetLayerByName(table)
            lyr.SetSpatialFilterRect(*bbox[:2], *bbox[2:])
            for f in lyr:
                if wanted is not None and f.GetField(schema.LANDCLASS_FIELD) not in wanted:
                    continue
                geom = f.GetGeometryRef()
                if geom is not None:
                    out.append(shapely.from_wkb(bytes(geom.ExportToWkb())))
    finally:
        ds = None
    return out


def parcels_near(path: str, bbox: Tuple[float, float, float, float]) -> list:
    ds = ogr.Open(path)
    try:
        lyr = ds.GetLayerByName(schema.BASEMAP)
        lyr.SetSpatialFilterRect(*bbox[:2], *bbox[2:])
        return [shapely.from_wkb(bytes(f.GetGeometryRef().ExportToWkb())) for f in lyr if f.GetGeometryRef()]
    finally:
        ds = None
