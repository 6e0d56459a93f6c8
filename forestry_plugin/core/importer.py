"""Read patches from contractors' files: GeoJSON, Shapefile, KML/KMZ and GPX (tracks walked around a patch).

Every layer of the file is read through OGR, transformed to the patch layer's CRS and its columns mapped onto the
patch schema (field names, Chinese and English labels, `schema.PATCH_IMPORT_ALIASES`). Invalid polygons are
repaired, GPS tracks are closed into polygons, and anything that cannot become a patch is listed with its reason.
Nothing is written here: `read_patches` returns the patches and a report, and the editing controller adds them
in one undo step, all or nothing. No GUI imports: used by the editing toolbar and by tests.
"""

from __future__ import annotations

import datetime as _dt
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)

from .. import schema
from ..i18n import tr
from .area import AreaCalculator, distance_area
from .forms import AUTO_FILLED

SUFFIXES = (".geojson", ".json", ".shp", ".kml", ".kmz", ".gpx")
# A track whose end is further from its start than this share of its length was not walked all the way round.
MAX_TRACK_GAP_SHARE = 0.2
MIN_AREA_M2 = 1.0
# An imported patch this close to an existing one (symmetric difference / area) is the same patch again.
DUPLICATE_SHARE = 0.01
_GPX_POINT_LAYERS = ("route_points", "track_points")  # OGR's per-vertex copies of routes and tracks


class ImportError_(Exception):  # noqa: N801 (not the builtin ImportError)
    """The file cannot be imported at all; the message is for the user."""


@dataclass
class ImportedPatch:
    source: str  # "layer #n" for messages
    geometry: QgsGeometry  # in the target CRS, multipolygon
    attrs: Dict[str, Any]  # user-entered schema fields only; the rest is computed when the patch is added


@dataclass
class ImportReport:
    path: str
    patches: List[ImportedPatch] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # fatal: nothing is imported
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # (source, reason)
    warnings: List[str] = field(default_factory=list)
    repaired: int = 0
    closed_tracks: int = 0
    mapped: Dict[str, str] = field(default_factory=dict)  # source column -> patch field
    ignored: List[str] = field(default_factory=list)  # columns of computed fields (ids, codes, areas, stage)
    unmapped: List[str] = field(default_factory=list)
    added: int = 0  # set by whoever adds the patches
    imported_by: str = ""  # the acting person (core.identity), named in the report

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        name = os.path.basename(self.path)
        if self.errors:
            lines = [tr("Nothing imported from {0}:").format(name)] + self.errors
        else:
            lines = [tr("{0}: {1} patch(es) imported.").format(name, self.added)]
            if self.imported_by:
                lines.append(tr("Imported by {0}").format(self.imported_by))
            if self.repaired:
                lines.append(tr("{0} invalid polygon(s) repaired.").format(self.repaired))
            if self.closed_tracks:
                lines.append(tr("{0} GPS track(s) closed into polygons.").format(self.closed_tracks))
            if self.mapped:
                lines.append(tr("Columns used: {0}").format(", ".join(f"{k} → {v}" for k, v in self.mapped.items())))
            if self.ignored:
                lines.append(tr("Columns ignored (computed from the geometry): {0}").format(", ".join(self.ignored)))
            if self.unmapped:
                lines.append(tr("Columns not recognised: {0}").format(", ".join(self.unmapped)))
        if self.skipped:
            lines.append(tr("{0} feature(s) skipped:").format(len(self.skipped)))
            lines.extend(f"  {src}: {why}" for src, why in self.skipped[:50])
            if len(self.skipped) > 50:
                lines.append(tr("  … and {0} more").format(len(self.skipped) - 50))
        lines.extend(self.warnings)
        return "\n".join(lines)


# -- columns --------------------------------------------------------------------------------------
def _column_lookup(with_placemark_names: bool) -> Tuple[Dict[str, str], Dict[str, str]]:
    """(key -> field for user fields, key -> field for computed fields); keys are lower-case."""
    user: Dict[str, str] = {}
    computed: Dict[str, str] = {}
    for f in schema.PATCH_FIELDS:
        keys = [f.name, f.zh, f.en] + list(schema.PATCH_IMPORT_ALIASES.get(f.name, ()))
        target = computed if (f.name in AUTO_FILLED or not f.editable) else user
        for k in keys:
            target.setdefault(k.strip().lower(), f.name)
    if with_placemark_names:  # KML/GPX: a placemark's name is the patch number, its description a remark
        user.setdefault("name", "tuban_no")
        user.setdefault("description", "remark")
        user.setdefault("desc", "remark")
    return user, computed


def _code(code_list: str, value: str) -> Optional[str]:
    v = value.strip()
    low = v.lower()
    for c in schema.CODE_LISTS[code_list]:
        if low in (c.code.lower(), c.zh.lower(), c.en.lower(), f"{c.code} {c.zh}".lower()):
            return c.code
    return None


def _date(value: Any) -> Optional[str]:
    if hasattr(value, "toString") and not isinstance(value, str):  # QDate / QDateTime
        return value.toString("yyyy-MM-dd") or None
    s = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日"):
        try:
            return _dt.datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def convert_value(name: str, value: Any) -> Tuple[Any, Optional[str]]:
    """A source value as the patch field stores it, and a problem text (value dropped) or None."""
    if value is None or (hasattr(value, "isNull") and value.isNull()) or (isinstance(value, str) and not value.strip()):
        return None, None
    f = schema.PATCH_FIELD[name]
    if f.code_list:
        code = _code(f.code_list, str(value))
        return (code, None) if code else (None, tr("not in the code list"))
    try:
        if f.type == schema.INTEGER:
            return int(round(float(str(value).strip()))), None
        if f.type == schema.REAL:
            return float(str(value).strip()), None
    except (ValueError, OverflowError):
        return None, tr("not a number")
    if f.type == schema.DATE:
        d = _date(value)
        return (d, None) if d else (None, tr("not a date"))
    s = str(value).strip()
    if f.length and len(s) > f.length:
        return s[:f.length], tr("cut to {0} characters").format(f.length)
    return s, None


# -- geometry -------------------------------------------------------------------------------------
def _flat(geom: QgsGeometry) -> QgsGeometry:
    g = QgsGeometry(geom)
    abstract = g.get()
    if abstract is not None:
        abstract.dropZValue()
        abstract.dropMValue()
    return g


def _close_track(geom: QgsGeometry, da) -> Tuple[Optional[QgsGeometry], Optional[str]]:
    """A polygon from a line (a GPS track walked around the patch; track segments joined in order).

    `da` (QgsDistanceArea of the line's CRS) measures in metres, also for a working copy in degrees.
    """
    points: List[QgsPointXY] = []
    parts = geom.asMultiPolyline() if geom.isMultipart() else [geom.asPolyline()]
    for part in parts:
        for p in part:
            if not points or p != points[-1]:
                points.append(QgsPointXY(p))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len({(round(p.x(), 6), round(p.y(), 6)) for p in points}) < 3:
        return None, tr("a line with fewer than three points")
    length = da.measureLine(points)
    gap = da.measureLine([points[-1], points[0]])
    if length > 0 and gap > MAX_TRACK_GAP_SHARE * (length + gap):
        return None, tr("the track is not closed: its ends are {0:.0f} m apart").format(gap)
    return QgsGeometry.fromPolygonXY([points + [points[0]]]), None


def _polygonal(geom: QgsGeometry) -> QgsGeometry:
    """The polygon parts of a (repaired) geometry; makeValid may return a collection with lines and points."""
    if geom.isNull() or QgsWkbTypes.geometryType(geom.wkbType()) == QgsWkbTypes.PolygonGeometry:
        return geom
    polys = [QgsGeometry(p.clone()) for p in geom.constParts()
             if QgsWkbTypes.geometryType(p.wkbType()) == QgsWkbTypes.PolygonGeometry]
    return QgsGeometry.unaryUnion(polys) if polys else QgsGeometry()


# -- sources --------------------------------------------------------------------------------------
def _datasource(path: str) -> str:
    """What OGR should open; KMZ falls back to the KML inside the zip without the LIBKML driver."""
    if not path.lower().endswith(".kmz"):
        return path
    try:
        from osgeo import ogr

        if ogr.GetDriverByName("LIBKML") is not None:
            return path
    except ImportError:
        pass
    try:
        with zipfile.ZipFile(path) as z:
            kml = next((n for n in z.namelist() if n.lower().endswith(".kml")), None)
    except (zipfile.BadZipFile, OSError) as e:
        raise ImportError_(tr("{0} is not a KMZ (zip) file: {1}").format(os.path.basename(path), e)) from e
    if kml is None:
        raise ImportError_(tr("{0} holds no KML document.").format(os.path.basename(path)))
    return f"/vsizip/{path}/{kml}"


def _shapefile_encoding(path: str) -> Optional[str]:
    """GBK for a Chinese shapefile without a .cpg whose texts are not UTF-8 (ArcGIS and most Chinese software
    write GBK); None when the file says its encoding or is plain ASCII/UTF-8."""
    base, ext = os.path.splitext(path)
    if ext.lower() != ".shp" or any(os.path.exists(base + e) for e in (".cpg", ".CPG")):
        return None
    dbf = next((base + e for e in (".dbf", ".DBF") if os.path.exists(base + e)), None)
    if dbf is None:
        return None
    with open(dbf, "rb") as fh:
        data = fh.read(256 * 1024)
    if len(data) < 32 or data[29] != 0:  # a language driver id: GDAL knows the encoding
        return None
    header_len = int.from_bytes(data[8:10], "little")
    names = b"".join(data[p:p + 11] for p in range(32, min(header_len, len(data)) - 31, 32))
    sample = names + data[header_len:]  # field names and records: the texts (the rest is binary)
    try:
        sample.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        if e.start > len(sample) - 4:  # a character cut by the sample size
            return None
    try:
        sample[:len(sample) - 1].decode("gb18030")
        return "GBK"
    except UnicodeDecodeError:
        return None


def _layer_names(source: str) -> List[str]:
    from osgeo import gdal, ogr

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        ds = ogr.Open(source)
    except RuntimeError:  # with gdal.UseExceptions() on
        ds = None
    finally:
        gdal.PopErrorHandler()
    if ds is None:
        return []
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def _open_layers(path: str) -> List[Tuple[str, QgsVectorLayer]]:
    if not os.path.exists(path):
        raise ImportError_(tr("{0} does not exist.").format(path))
    if not path.lower().endswith(SUFFIXES):
        raise ImportError_(tr("{0}: unsupported file type (GeoJSON, Shapefile, KML/KMZ or GPX).").format(
            os.path.basename(path)))
    source = _datasource(path)
    names = _layer_names(source)
    if not names:
        raise ImportError_(tr("{0} cannot be read: it is damaged or not a {1} file.").format(
            os.path.basename(path), os.path.splitext(path)[1].lstrip(".").upper()))
    options = QgsVectorLayer.LayerOptions(QgsProject.instance().transformContext())
    options.skipCrsValidation = True  # never ask for a CRS in a dialog: a missing CRS is reported instead
    layers = []
    for name in names:
        if path.lower().endswith(".gpx") and name in _GPX_POINT_LAYERS:
            continue
        layer = QgsVectorLayer(f"{source}|layername={name}", name, "ogr", options)
        encoding = _shapefile_encoding(path) if layer.isValid() else None
        if encoding:
            layer.setProviderEncoding(encoding)
        if not layer.isValid():
            raise ImportError_(tr("Layer {0} of {1} cannot be read.").format(name, os.path.basename(path)))
        layers.append((name, layer))
    return layers


def _old_datum(crs: QgsCoordinateReferenceSystem) -> Optional[str]:
    """'Beijing 1954' or 'Xian 1980' if the CRS uses one of those datums (no exact conversion to CGCS2000)."""
    text = f"{crs.description()} {crs.toWkt()}".lower()
    for key, name in (("beijing 1954", "Beijing 1954"), ("beijing_1954", "Beijing 1954"),
                      ("xian 1980", "Xian 1980"), ("xian_1980", "Xian 1980")):
        if key in text:
            return name
    return None


def _existing_match(existing: Optional[QgsVectorLayer], geom: QgsGeometry) -> Optional[str]:
    """patch_id of an existing patch with (nearly) the same geometry, if any."""
    if existing is None:
        return None
    area = geom.area()
    req = QgsFeatureRequest().setFilterRect(geom.boundingBox())
    for f in existing.getFeatures(req):
        other = f.geometry()
        if other.isEmpty():
            continue
        diff = geom.symDifference(other)
        if diff is not None and not diff.isNull() and diff.area() <= DUPLICATE_SHARE * max(area, other.area()):
            return str(f["patch_id"])
    return None


def read_patches(path: str, target_crs: QgsCoordinateReferenceSystem, extent: Optional[QgsRectangle] = None,
                 existing: Optional[QgsVectorLayer] = None) -> ImportReport:
    """Patches of a file in `target_crs`; `extent` (target CRS) is the county, `existing` the patch layer.

    Fatal problems (unreadable file, no CRS, nothing inside the county) go to report.errors and
    report.patches stays empty.
    """
    report = ImportReport(path)
    try:
        from . import identity

        wc = existing.source().split("|")[0] if existing is not None else None
        report.imported_by = identity.current_user(wc if wc and os.path.exists(wc) else None).username
    except Exception:  # noqa: BLE001 - naming the person must never stop an import
        report.imported_by = ""
    try:
        layers = _open_layers(path)
    except ImportError_ as e:
        report.errors.append(str(e))
        return report
    placemarks = path.lower().endswith((".kml", ".kmz", ".gpx"))
    calc = AreaCalculator(target_crs)  # metres and square metres whatever the CRS units
    da = distance_area(target_crs)
    user_cols, computed_cols = _column_lookup(placemarks)
    outside = 0
    candidates = 0
    value_problems: Dict[Tuple[str, str, bool], List[str]] = {}
    for name, layer in layers:
        if layer.featureCount() == 0:
            continue
        crs = layer.crs()
        if not crs.isValid():
            report.errors.append(tr("Layer {0} has no coordinate system (is the .prj file missing?). Save it "
                                    "with its CRS and import again.").format(name))
            continue
        xform = QgsCoordinateTransform(crs, target_crs, QgsProject.instance())
        datum = _old_datum(crs)
        if datum:
            report.warnings.append(tr("Layer {0} is in {1}: converted to {2} with the general parameters, which "
                                      "can be tens of metres off. Check the patches against the base map, or convert "
                                      "the file with the province's official parameters first.").format(
                name, datum, target_crs.authid()))
        mapping: Dict[str, str] = {}
        for col in layer.fields().names():
            key = col.strip().lower()
            if key in user_cols and user_cols[key] not in mapping.values():
                mapping[col] = user_cols[key]
                report.mapped.setdefault(col, user_cols[key])
            elif key in computed_cols:
                if col not in report.ignored:
                    report.ignored.append(col)
            elif col not in report.unmapped and col not in report.mapped and not placemarks:
                report.unmapped.append(col)
        for n, f in enumerate(layer.getFeatures(), start=1):
            src = f"{name} #{n}"
            geom = f.geometry()
            if geom is None or geom.isNull() or geom.isEmpty():
                report.skipped.append((src, tr("no geometry")))
                continue
            geom = _flat(geom)
            gtype = QgsWkbTypes.geometryType(geom.wkbType())
            if gtype == QgsWkbTypes.PointGeometry:
                report.skipped.append((src, tr("a point, not a patch outline")))
                continue
            candidates += 1
            try:
                geom.transform(xform)
                box = geom.boundingBox()
                if not (box.isFinite() and all(abs(v) < 1e9 for v in (box.xMinimum(), box.xMaximum(),
                                                                       box.yMinimum(), box.yMaximum()))):
                    raise QgsCsException("no finite coordinates")
            except QgsCsException:
                outside += 1
                report.skipped.append((src, tr("coordinates cannot be transformed from {0} to {1}").format(
                    crs.authid(), target_crs.authid())))
                continue
            if gtype == QgsWkbTypes.LineGeometry:
                geom, why = _close_track(geom, da)
                if geom is None:
                    report.skipped.append((src, why))
                    continue
                report.closed_tracks += 1
            if extent is not None and not geom.boundingBox().intersects(extent):
                outside += 1
                report.skipped.append((src, tr("outside the county")))
                continue
            repaired = not geom.isGeosValid()
            if repaired:
                geom = _polygonal(geom.makeValid())
            if geom.isEmpty() or calc.area(geom).m2 < MIN_AREA_M2:
                report.skipped.append((src, tr("invalid polygon that cannot be repaired") if repaired
                                       else tr("no area")))
                continue
            report.repaired += repaired
            geom.convertToMultiType()
            dup = _existing_match(existing, geom)
            if dup:
                report.skipped.append((src, tr("already in the layer (patch {0})").format(dup[:8])))
                continue
            attrs: Dict[str, Any] = {}
            for col, target in mapping.items():
                value, problem = convert_value(target, f[col])
                if problem:
                    value_problems.setdefault((col, problem, value is None), []).append(str(f[col]))
                if value is not None:
                    attrs[target] = value
            report.patches.append(ImportedPatch(src, geom, attrs))
    if candidates and outside == candidates:
        report.errors.append(tr("None of the {0} patch(es) lies in the county: the file's coordinate system "
                                "({1}) is probably wrong.").format(candidates, layers[0][1].crs().authid() or "?"))
    if not report.errors and not report.patches:
        report.errors.append(tr("No feature of {0} can become a new patch.").format(os.path.basename(path))
                             if report.skipped else
                             tr("{0} holds no patch outlines (polygons or GPS tracks).").format(os.path.basename(path)))
    if report.errors:
        report.patches = []
    for (col, problem, dropped), values in value_problems.items():
        shown = ", ".join(sorted(set(values))[:5])
        if dropped:
            report.warnings.append(tr("{0}: {1} value(s) {2} ({3}); left empty.").format(col, len(values), problem,
                                                                                        shown))
        else:
            report.warnings.append(tr("{0}: {1} value(s) {2}.").format(col, len(values), problem))
    return report
