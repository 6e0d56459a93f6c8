"""Any QGIS polygon layer as check input, and findings into a QGIS feature sink (forestry:checkpatches).

A layer that is a whole GeoPackage table already in the checks' CRS is read like the working copy's tables
(gpkg_io.read_table, no per-feature QGIS work); any other layer (a memory layer, a shapefile, a subset, another
CRS) feature by feature through QGIS, reprojected to the checks' CRS, its values converted with
schema.plain_value. Invalid geometries are read as they are: they are the invalid_geometry rule's job.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingFeatureSource,
    QgsProviderRegistry,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ... import schema
from ...i18n import tr
from .. import geopackage
from . import rules as R
from .geometry import geoms_from_wkb, multi_wkbs
from .gpkg_io import FINDING_COLUMNS, finding_row, read_table, spatial_filter
from .model import CanceledFn, CheckCanceled, CheckInputs, ProgressFn
from .projection import gk_epsg_for_lon
from .tiles import WindowReader

# (ids, shapely geometries, attribute dicts) of a layer
LayerRows = Tuple[List[str], np.ndarray, List[Dict[str, Any]]]
Table = Optional[Tuple[str, str]]  # (GeoPackage path, table name) of a layer read straight from the file


def check_crs(crs: QgsCoordinateReferenceSystem, extent, transform_context) -> QgsCoordinateReferenceSystem:
    """The CRS the checks run in: the layer's own if it is a projected CGCS2000 one, else the CGCS2000 GK zone of
    its centre."""
    if crs.isValid() and not crs.isGeographic() and crs.postgisSrid() in schema.CGCS2000_EPSG_CODES:
        return crs
    lon = 120.0
    if crs.isValid() and extent is not None and not extent.isEmpty():
        ct = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(schema.CGCS2000_GEOGRAPHIC), transform_context)
        try:
            lon = ct.transform(extent.center()).x()
        except Exception:  # noqa: BLE001 - keep the default zone on a failing transform
            lon = 120.0
    return QgsCoordinateReferenceSystem(f"EPSG:{gk_epsg_for_lon(lon)}")


def gpkg_table(layer: Optional[QgsVectorLayer], crs: QgsCoordinateReferenceSystem) -> Table:
    """(path, table) when a layer shows a whole GeoPackage table (no subset) already in `crs`, else None."""
    if layer is None or layer.providerType() != "ogr" or layer.subsetString() or layer.crs() != crs:
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, table = parts.get("path") or "", parts.get("layerName") or ""
    if not (path.lower().endswith(".gpkg") and table):
        return None
    return path, table


def read_layer(source, crs: QgsCoordinateReferenceSystem, transform_context, fields: Any = "all",
               id_field: Optional[str] = None, classes: Optional[Tuple[str, Sequence[str]]] = None,
               table: Table = None, progress: ProgressFn = None, is_canceled: CanceledFn = None,
               window: Optional[Tuple[float, float, float, float]] = None,
               extents: Optional[Dict[str, Any]] = None) -> LayerRows:
    """(ids, shapely geometries in `crs`, attribute dicts) of a feature source: `fields` ("all" or the names
    wanted), ids from `id_field` ("fid <feature id>" where it is missing or empty), only features whose
    classes[0] field is one of classes[1] when given, only those whose bounding box meets `window` (in `crs`,
    through the provider's spatial index: GeoPackage R-tree, PostGIS GiST, ...) when given. With `table`
    (gpkg_table), read straight from the file."""
    names = source.fields().names()
    id_field = id_field if id_field and id_field in names else None
    where = expression = ""
    if classes is not None:
        column = QgsExpression.quotedColumnRef(classes[0])
        values = ",".join(f"'{c}'" for c in classes[1])
        where, expression = f"trim({column}) IN ({values})", f"{column} IN ({values})"
    if table is not None:
        path, name = table
        cols = None if fields == "all" else list({*fields, "fid", *([id_field] if id_field else [])})
        con = geopackage.open_connection(path)
        try:
            spatial = spatial_filter(con, name, window, extents)
            both = " AND ".join(f"({c})" for c in (where, spatial) if c)
            attrs, geoms, _epsg = read_table(path, name, cols, con, where=both)
        finally:
            con.close()
        ids = []
        for a in attrs:
            v = a.get(id_field) if id_field else None
            ids.append(str(v) if v not in (None, "") else "fid {}".format(a.get("fid")))
        return ids, geoms, attrs
    req = QgsFeatureRequest().setDestinationCrs(crs, transform_context)
    wanted = [f for f in fields if f in names] if fields != "all" else names
    if fields != "all":
        req.setSubsetOfAttributes(list({*wanted, *([id_field] if id_field else [])}), source.fields())
    if expression:
        req.setFilterExpression(expression)
    if window is not None:
        req.setFilterRect(QgsRectangle(*window))  # in the destination CRS (`crs`)
    ids, wkbs, attrs = [], [], []
    total = max(source.featureCount(), 1)
    # Invalid geometries are the invalid_geometry rule's job: never let Processing drop or reject them.
    for k, feat in enumerate(source.getFeatures(req, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)):
        if is_canceled is not None and is_canceled():
            raise CheckCanceled(tr("The check was canceled"))
        g = feat.geometry()
        if g is None or g.isNull() or g.isEmpty():
            wkbs.append(None)
        else:
            # Curves (CurvePolygon, MultiSurface, CompoundCurve rings) as the polygon QGIS draws for them.
            if QgsWkbTypes.isCurvedType(g.wkbType()):
                g = QgsGeometry(g.constGet().segmentize())
            wkbs.append(bytes(g.asWkb()))
        a = {n: schema.plain_value(feat[n]) for n in wanted}
        attrs.append(a)
        fid = a.get(id_field) if id_field else None
        ids.append(str(fid) if fid not in (None, "") else f"fid {feat.id()}")
        if progress is not None and k % 5000 == 0:
            progress(k / total)
    return ids, geoms_from_wkb(wkbs), attrs


def read_layer_inputs(patches, basemap, crs: QgsCoordinateReferenceSystem, transform_context, *, admin=None,
                      farmland=None, history=None, landclass_field: str = schema.LANDCLASS_FIELD,
                      id_field: str = schema.PATCH_ID_FIELD, tables: Optional[Dict[str, Table]] = None,
                      progress: ProgressFn = None, is_canceled: CanceledFn = None,
                      warn: Optional[Callable[[str], None]] = None) -> Tuple[CheckInputs, WindowReader]:
    """A check run's inputs from feature sources, for tiles.run_tiled: the patches (every field; schema fields
    they lack are named in missing_fields) and the optional admin units (whole) in `crs`, and a reader of the
    base map (only parcels of the classes a rule looks at), basic farmland and earlier years' patches in a window.
    tables: {"patches"|"basemap"|"admin"|"farmland"|"history": gpkg_table of that layer} for those read straight
    from their GeoPackage. progress goes to 0.1 here (the windows are read in the tiles)."""
    tables = tables or {}
    extents: Dict[str, Any] = {}  # the GeoPackage tables' R-tree extents, kept between windows

    def read(role, source, fields, ids, weight=None, classes=None, window=None):
        step = None if progress is None or weight is None else (lambda f: progress(weight * f))
        return read_layer(source, crs, transform_context, fields, ids, classes, tables.get(role), step, is_canceled,
                          window, extents.setdefault(role, {}))

    src_crs = patches.sourceCrs()
    pnames = patches.fields().names()
    p_ids, p_geoms, p_attrs = read("patches", patches, "all", id_field, 0.08)
    inputs: Dict[str, Any] = {}
    if admin is not None:
        _i, a_geoms, a_attrs = read("admin", admin, ["code", "level"], None, 0.1)
        if "code" not in admin.fields().names():
            if warn is not None:
                warn(tr("The administrative layer has no field 'code': the outside_admin rule is skipped"))
        else:
            inputs.update(admin_geoms=a_geoms, admin_codes=[a.get("code") for a in a_attrs],
                          admin_levels=[a.get("level") for a in a_attrs])

    def read_window(w) -> Dict[str, Any]:
        b_ids, b_geoms, b_attrs = read("basemap", basemap, [landclass_field, "BSM"], "BSM",
                                       classes=(landclass_field, sorted(R.BASEMAP_CLASSES)), window=w)
        out = dict(basemap_geoms=b_geoms, basemap_ids=b_ids,
                   basemap_classes=[a.get(landclass_field) for a in b_attrs])
        if farmland is not None:
            f_ids, f_geoms, _a = read("farmland", farmland, ["jbnt_id"], "jbnt_id", window=w)
            out.update(farmland_geoms=f_geoms, farmland_ids=f_ids)
        if history is not None:
            h_ids, h_geoms, h_attrs = read("history", history, [schema.PATCH_ID_FIELD, "tuban_no"],
                                           schema.PATCH_ID_FIELD, window=w)
            out.update(history_geoms=h_geoms, history_ids=h_ids,  # messages name them by 图斑编号
                       history_labels=[a.get("tuban_no") or "" for a in h_attrs])
        return out

    return CheckInputs(patch_ids=p_ids, patch_geoms=p_geoms, patch_attrs=p_attrs, epsg=crs.postgisSrid(),
                       layer_epsg=src_crs.postgisSrid() if src_crs.isValid() else None,
                       missing_fields=[f.name for f in schema.PATCH_FIELDS if f.name not in pnames],
                       layer_name=patches.sourceName(), **inputs), read_window


_KINDS = {"string": QVariant.String, "double": QVariant.Double, "int": QVariant.Int}


def finding_fields() -> QgsFields:
    """The fields of a findings layer (gpkg_io.FINDING_COLUMNS)."""
    fields = QgsFields()
    for name, kind, length in FINDING_COLUMNS:
        fields.append(QgsField(name, _KINDS[kind], len=length))
    return fields


class SinkWriteError(RuntimeError):
    """A feature sink refused findings; the message says which output and why."""


def add_findings_to_sink(sink, fields: QgsFields, findings: Sequence[Any]) -> int:
    """Add findings (gpkg_io.finding_row, the polygonal part of their geometry as a MultiPolygon) to a feature sink
    in batches of 10 000; return the count. SinkWriteError when the sink refuses a batch (a count that is not the
    findings' count must never look like a finished check)."""
    wkbs = multi_wkbs([f.geometry for f in findings])
    batch = []

    def flush() -> None:
        if batch and not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
            error = sink.lastError() if hasattr(sink, "lastError") else ""
            raise SinkWriteError(error or tr("the output refused the features"))
        batch.clear()

    for f, wkb in zip(findings, wkbs):
        feat = QgsFeature(fields)
        feat.setAttributes(list(finding_row(f)))
        if wkb is not None:
            g = QgsGeometry()
            g.fromWkb(wkb)
            feat.setGeometry(g)
        batch.append(feat)
        if len(batch) == 10000:
            flush()
    flush()
    return len(wkbs)
