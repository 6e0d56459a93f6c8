"""Safe, obvious geometry fixes for patches (pure shapely; the GUI applies them in QGIS's edit buffer).

- repair: make_valid, keeping only the polygonal parts (never a zero-area result from a bow-tie).
- remove_slivers: drop parts and fill holes below an area, and cut off spikes thinner than a width.
- clip_to_allowed: remove the parts lying on forbidden land (basic farmland, cropland, built-up land, water).
- snap_to_basemap: move vertices onto nearby base-map vertices (closes tiny gaps/overlaps along parcel edges).

forbidden_near and parcels_near read the reference around a patch: the working copy's own tables, or the PostGIS
tables its reference_source setting names (checks.pg_source.read_window, through the GiST index).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Tuple

import shapely
from osgeo import ogr
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from .. import schema
from .checks.geometry import as_multipolygon, polygon_parts
from .checks.gpkg_io import patches_epsg
from .checks.projection import metres_in


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


def forbidden_classes(approved_cropland: bool = False) -> frozenset:
    """Base-map land classes (DLBM) a patch must not cover, the families of the checks' land rules (schema, as
    checks.index.ReferenceData and rules.BASEMAP_CLASSES use them): built-up land and water, and cropland unless
    the patch has an approval number. Existing forest (a warning, not forbidden) is not among them."""
    return frozenset(schema.BUILTUP_CLASSES | schema.WATER_CLASSES
                     | (frozenset() if approved_cropland else schema.CROPLAND_CLASSES))


FIX_MARGIN_M = 5.0  # reference data read this far around a patch for the clip and snap fixes


def window(g: BaseGeometry, epsg: Optional[int], margin_m: float = FIX_MARGIN_M) -> Tuple[float, float, float, float]:
    """The bounding box of `g` plus `margin_m` metres, in g's CRS `epsg` (metres or degrees)."""
    m = metres_in(epsg, margin_m)
    x0, y0, x1, y1 = g.bounds
    return x0 - m, y0 - m, x1 + m, y1 + m


def _reference(path: str, bbox: Tuple[float, float, float, float], roles: Sequence[str],
               classes: Optional[Iterable[str]]) -> Optional[dict]:
    """{role: geometries} from the working copy's PostGIS reference source in `bbox` (working-copy CRS), base-map
    parcels only of `classes` when given; None when the copy's own tables are the reference. Raises
    pg_source.ReferenceSourceError (a ValueError) for a setting or a database that cannot be used."""
    from .checks import pg_source

    source = pg_source.configured(path)
    if source is None:
        return None
    epsg = pg_source.need_epsg(patches_epsg(path))
    got = pg_source.read_window(source, tuple(bbox), epsg, sorted(classes) if classes else (), roles=roles,
                                timeout=pg_source.INTERACTIVE_TIMEOUT_S)  # the person waits for the fix
    return {role: [g for g in (shapely.from_wkb(w) for w in got[role][1] if w is not None) if not g.is_empty]
            for role in roles}


def forbidden_near(path: str, bbox: Tuple[float, float, float, float], approved_cropland: bool = False,
                   classes: Optional[Iterable[str]] = None) -> list:
    """Forbidden polygons near a bounding box (the working copy's CRS): basic farmland, and base-map parcels of
    forbidden_classes (or `classes`), from the working copy's reference: its PostGIS source when the setting
    reference_source names one (raises pg_source.ReferenceSourceError when it cannot be read), else its own
    tables."""
    wanted = frozenset(classes) if classes is not None else forbidden_classes(approved_cropland)
    ref = _reference(path, bbox, ("farmland", "basemap") if wanted else ("farmland",), wanted)
    if ref is not None:
        return ref["farmland"] + ref.get("basemap", [])
    out = []
    ds = ogr.Open(path)
    try:
        for table, keep in ((schema.FARMLAND, None), (schema.BASEMAP, wanted)):
            lyr = ds.GetLayerByName(table)
            if lyr is None:
                continue
            lyr.SetSpatialFilterRect(*bbox[:2], *bbox[2:])
            for f in lyr:
                if keep is not None and str(f.GetField(schema.LANDCLASS_FIELD) or "").strip() not in keep:
                    continue
                geom = f.GetGeometryRef()
                if geom is not None:
                    out.append(shapely.from_wkb(bytes(geom.ExportToWkb())))
    finally:
        ds = None
    return out


def parcels_near(path: str, bbox: Tuple[float, float, float, float]) -> list:
    """Base-map parcels near a bounding box (the working copy's CRS), from its PostGIS reference source when it
    has one (raises pg_source.ReferenceSourceError when it cannot be read), else from its own base map."""
    ref = _reference(path, bbox, ("basemap",), None)
    if ref is not None:
        return ref["basemap"]
    ds = ogr.Open(path)
    try:
        lyr = ds.GetLayerByName(schema.BASEMAP)
        if lyr is None:
            return []
        lyr.SetSpatialFilterRect(*bbox[:2], *bbox[2:])
        return [shapely.from_wkb(bytes(f.GetGeometryRef().ExportToWkb())) for f in lyr if f.GetGeometryRef()]
    finally:
        ds = None
