"""Read patches from contractors' files: GeoJSON, Shapefile, KML/KMZ and GPX (tracks walked around a patch).

The files come from outside and are not trusted (docs/import.md). Each suffix is opened only with its own GDAL driver
(a VRT or any other format named .geojson is refused, never opened); only plain local files are read, never
/vsi*, URLs or whatever a file refers to; a GeoJSON asking for its coordinate system from a web address is refused;
KMZ and zip archives are checked (member paths, unpacked size, compression ratio) and the one file to import is
unpacked, counting bytes, into a private temporary folder. The features are read through that one GDAL dataset
(QGIS's OGR provider, which picks its driver itself, is not used), transformed to the patch layer's CRS and their
columns mapped onto the patch schema (field names, Chinese and English labels, `schema.PATCH_IMPORT_ALIASES`); a
shapefile's text encoding is checked against its texts (.cpg and .dbf code pages are often wrong: GBK data said
to be UTF-8 or Latin-1). Invalid polygons are repaired, GPS tracks are closed into polygons, and anything that
cannot become a patch (too large, mostly outside the county, a second copy of an outline, ...) is listed with its
reason. Nothing is written here: `read_source_patches` returns the patches and a report, and the editing controller
adds them in one undo step, all or nothing. No GUI imports: used by the editing toolbar and by tests.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as _dt
import json
import mmap
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSpatialIndex,
    QgsVectorLayer,
    QgsWkbTypes,
)

from .. import schema
from ..i18n import tr
from .area import AreaCalculator, distance_area
from .forms import AUTO_FILLED
from .project import geopackage_table

SUFFIXES = (".geojson", ".json", ".shp", ".kml", ".kmz", ".gpx", ".zip")
# A track whose end is further from its start than this share of its length was not walked all the way round.
MAX_TRACK_GAP_SHARE = 0.2
MIN_AREA_M2 = 1.0
# An imported patch this close to an existing one (symmetric difference / area) is the same patch again; the same
# measure finds the second copy of an outline inside one file.
DUPLICATE_SHARE = 0.01
_GPX_POINT_LAYERS = ("route_points", "track_points")  # OGR's per-vertex copies of routes and tracks

# -- limits for files from outside (module constants: a county may change them, tests lower them) -----------------
MB = 1024 * 1024
MAX_FILE_BYTES = 500 * MB  # a delivered file (a shapefile: its .shp, .shx and .dbf together; a zip/KMZ itself)
MAX_UNPACKED_BYTES = 200 * MB  # what all members of a zip/KMZ unpack to together
MAX_RATIO = 100  # unpacked / compressed size of one zip member ...
RATIO_FREE_BYTES = 1 * MB  # ... once it unpacks to more than this (small texts may compress better)
MAX_ZIP_MEMBERS = 10000
MAX_PATCH_MU: Optional[float] = None  # None: the policy's area.max_patch_mu (resources/workflow.json: 15 000 mu)
FALLBACK_MAX_PATCH_MU = 15000.0  # when no policy can be read
MIN_SHARE_IN_COUNTY = 0.5  # a patch with less of its area inside the county is skipped

# The GDAL drivers each suffix may be opened with (nothing else: OGR_VRT and friends read other files and URLs).
_DRIVERS: Dict[str, Tuple[str, ...]] = {
    ".geojson": ("GeoJSON",),
    ".json": ("GeoJSON",),
    ".shp": ("ESRI Shapefile",),
    ".kml": ("LIBKML", "KML"),
    ".gpx": ("GPX",),
}
_FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "Shapefile", ".kml": "KML", ".kmz": "KMZ",
            ".gpx": "GPX", ".zip": "zip"}
# Drivers that may be asked only to *name* a refused file (GDAL may open a file to identify it: none of these
# reads other files or URLs when it does).
_NAMING_DRIVERS = ("GeoJSON", "GeoJSONSeq", "ESRIJSON", "TopoJSON", "ESRI Shapefile", "LIBKML", "KML", "GPX", "GML",
                   "CSV", "GPKG", "SQLite", "FlatGeobuf", "MapInfo File", "DXF", "OGR_VRT", "VRT", "GTiff", "PNG",
                   "JPEG")


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
    encoding: str = ""  # a shapefile's text encoding as read ("GBK", "UTF-8", ...)
    encoding_guessed: bool = False  # the file does not declare it: recognised from its texts
    # Per feature: (source, column, patch field, value as read, problem, dropped: left empty rather than changed)
    value_notes: List[Tuple[str, str, str, str, str, bool]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def notes(self, field_label: Callable[[str], str] = str) -> List[str]:
        """The file-wide lines of the report (who, encoding, repairs, columns); `field_label` names a schema field."""
        lines: List[str] = []
        if self.imported_by:
            lines.append(tr("Imported by {0}").format(self.imported_by))
        if self.encoding:
            lines.append(tr("Text encoding: {0} (not declared in the file, recognised from its texts)").format(
                self.encoding) if self.encoding_guessed else tr("Text encoding: {0}").format(self.encoding))
        if self.repaired:
            lines.append(tr("{0} invalid polygon(s) repaired.").format(self.repaired))
        if self.closed_tracks:
            lines.append(tr("{0} GPS track(s) closed into polygons.").format(self.closed_tracks))
        if self.mapped:
            lines.append(tr("Columns used: {0}").format(
                ", ".join(f"{k} → {field_label(v)}" for k, v in self.mapped.items())))
        if self.ignored:
            lines.append(tr("Columns ignored (computed from the geometry): {0}").format(", ".join(self.ignored)))
        if self.unmapped:
            lines.append(tr("Columns not recognised: {0}").format(", ".join(self.unmapped)))
        return lines

    def summary(self) -> str:
        name = os.path.basename(self.path)
        if self.errors:
            lines = [tr("Nothing imported from {0}:").format(name)] + self.errors
        else:
            lines = [tr("{0}: {1} patch(es) imported.").format(name, self.added)] + self.notes()
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


# -- sources: what a file is and how it is opened -------------------------------------------------------------------
def _mb(n: float) -> str:
    return f"{n / MB:.0f}"


@contextlib.contextmanager
def _quiet_gdal() -> Iterator[None]:
    """GDAL's errors are not printed (what matters is reported to the user)."""
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        yield
    finally:
        gdal.PopErrorHandler()


def _gdal_open(path: str, drivers: Tuple[str, ...], options: Optional[List[str]] = None):
    """The dataset at `path` opened by one of `drivers` only, or None."""
    from osgeo import gdal

    allowed = [d for d in drivers if gdal.GetDriverByName(d) is not None]
    if not allowed:
        return None
    with _quiet_gdal():
        try:
            return gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=allowed,
                               open_options=options or [])
        except RuntimeError:  # with gdal.UseExceptions() on
            return None


def _what_is(path: str) -> Tuple[Optional[str], Optional[str]]:
    """(GDAL driver short name or None, a description for the user or None) of a file no allowed driver opened."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None, None
    low = head.lower()
    if not head.strip():
        return None, tr("an empty file")
    if b"<ogrvrtdatasource" in low:
        return "OGR_VRT", tr("an OGR virtual data source (VRT), which reads other files or web addresses")
    if b"<vrtdataset" in low:
        return "VRT", tr("a GDAL virtual raster (VRT), which reads other files or web addresses")
    if head.startswith(b"SQLite format 3\x00"):
        return "SQLite", tr("an SQLite database (such as a GeoPackage or a QGIS settings database)")
    if head.startswith(b"PK\x03\x04"):
        return None, tr("a zip archive")
    from osgeo import gdal

    with _quiet_gdal():
        try:
            drv = gdal.IdentifyDriverEx(path, gdal.OF_VECTOR | gdal.OF_RASTER, allowed_drivers=[
                d for d in _NAMING_DRIVERS if gdal.GetDriverByName(d) is not None])
        except RuntimeError:
            drv = None
    if drv is None:
        return None, None
    return drv.ShortName, tr("a file of type {0}").format(f"{drv.LongName} ({drv.ShortName})")


def _check_path(path: str) -> str:
    """The absolute path of a plain local file with an importable suffix; ImportError_ for anything else."""
    name = os.path.basename(path) or path
    if path.strip().replace("\\", "/").lower().startswith("/vsi") or "://" in path:
        raise ImportError_(tr("{0} is not a file on this computer or a shared folder: web addresses and GDAL "
                              "virtual paths (/vsi…) are not imported.").format(path))
    full = os.path.abspath(path)
    if not os.path.exists(full):
        raise ImportError_(tr("{0} does not exist.").format(path))
    if not full.lower().endswith(SUFFIXES):
        raise ImportError_(tr("{0}: unsupported file type (GeoJSON, Shapefile, KML/KMZ, GPX, or a zip holding one "
                              "of them).").format(name))
    if not os.path.isfile(full):
        raise ImportError_(tr("{0} is not a regular file.").format(name))
    return full


def _check_size(path: str, label: str) -> None:
    base, ext = os.path.splitext(path)
    parts = [path]
    if ext.lower() == ".shp":
        parts += [base + e for e in (".shx", ".SHX", ".dbf", ".DBF") if os.path.isfile(base + e)]
    size = sum(os.path.getsize(p) for p in set(parts))
    if size > MAX_FILE_BYTES:
        raise ImportError_(tr("{0} is {1} MB, more than the {2} MB a file may have.").format(
            label, _mb(size), _mb(MAX_FILE_BYTES)))


# A "crs" member, also spelt with JSON escapes or in capitals (GDAL looks members up case-insensitively).
_CRS_MEMBER = re.compile(rb'"(?:c|\\u00[46]3)(?:r|\\u00[57]2)(?:s|\\u00[57]3)"\s*:', re.IGNORECASE)


class _Members(list):
    """A JSON object as its (name, value) pairs, duplicates kept (GDAL takes the first, Python the last)."""


def _check_geojson_crs(path: str, label: str) -> None:
    """Refuse a GeoJSON whose coordinate system is a link or URL: GDAL would fetch it while opening the file."""
    if os.path.getsize(path) == 0:
        return
    decoder = json.JSONDecoder(object_pairs_hook=_Members)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for m in _CRS_MEMBER.finditer(data):
            text = data[m.end():m.end() + 65536].decode("utf-8", "replace").lstrip()
            try:
                value, _end = decoder.raw_decode(text)
            except ValueError as e:  # cut (a crs of more than 64 KB) or broken
                raise ImportError_(tr("{0}: its coordinate system (crs) cannot be checked; the file is not "
                                      "imported.").format(label)) from e
            if not isinstance(value, _Members):  # null or a plain value (a column called crs): no CRS
                continue
            kinds = [str(v).strip().lower() for k, v in value if str(k).lower() == "type"]
            bad = [k for k in kinds if k not in ("name", "epsg")]
            if bad:
                raise ImportError_(tr("{0} asks for its coordinate system from elsewhere (crs of type \"{1}\"): "
                                      "such references are not followed. Save the file with a named coordinate "
                                      "system (EPSG code).").format(label, bad[0]))


# -- shapefile text encoding -----------------------------------------------------------------------------------------
# dBASE language driver ids (byte 29 of the .dbf header) -> Python codec.
_LDID = {
    0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x04: "mac_roman", 0x08: "cp865", 0x09: "cp437", 0x0A: "cp850",
    0x0B: "cp437", 0x0D: "cp437", 0x0E: "cp850", 0x0F: "cp437", 0x10: "cp850", 0x11: "cp437", 0x12: "cp850",
    0x13: "cp932", 0x14: "cp850", 0x15: "cp437", 0x16: "cp850", 0x17: "cp865", 0x18: "cp437", 0x19: "cp437",
    0x1A: "cp850", 0x1B: "cp437", 0x1C: "cp863", 0x1D: "cp850", 0x1F: "cp852", 0x22: "cp852", 0x23: "cp852",
    0x24: "cp860", 0x25: "cp850", 0x26: "cp866", 0x37: "cp850", 0x40: "cp852", 0x4D: "gbk", 0x4E: "cp949",
    0x4F: "cp950", 0x50: "cp874", 0x57: "cp1252", 0x58: "cp1252", 0x59: "cp1252", 0x64: "cp852", 0x65: "cp866",
    0x66: "cp865", 0x67: "cp861", 0x6A: "cp737", 0x6B: "cp857", 0x78: "cp950", 0x79: "cp949", 0x7A: "gbk",
    0x7B: "cp932", 0x7C: "cp874", 0x86: "cp737", 0x87: "cp852", 0x88: "cp857", 0xC8: "cp1250", 0xC9: "cp1251",
    0xCA: "cp1254", 0xCB: "cp1253", 0xCC: "cp1257",
}
_GBK_FAMILY = ("gbk", "gb2312", "gb18030")
_MULTIBYTE = _GBK_FAMILY + ("utf-8", "big5", "cp950", "big5hkscs", "cp932", "shift_jis", "cp949", "euc_kr", "euc_jp")
_SAMPLE_BYTES = 4 * MB  # of records read to recognise the encoding


@dataclass
class _Encoding:
    used: str  # Python codec name
    declared: Optional[str]  # codec the file declares, None: nothing (or nothing known)
    where: str  # "cpg", "ldid" or "" (nothing declared)
    label: str  # the declaration as written: "UTF-8" (a .cpg), "CP1252 (LDID 87)" (a .dbf)
    has_text: bool  # any non-ASCII byte in names or texts

    @property
    def gdal(self) -> str:
        """The name GDAL's ENCODING open option takes."""
        return {"utf-8": "UTF-8", "gbk": "GBK", "gb2312": "GB2312", "gb18030": "GB18030", "iso8859-1": "ISO-8859-1",
                "latin-1": "ISO-8859-1", "big5": "BIG5", "mac-roman": "MACINTOSH"}.get(
            self.used, self.used.upper().replace("ISO8859-", "ISO-8859-").replace("_", "-"))

    @property
    def shown(self) -> str:
        return {"gbk": "GBK", "utf-8": "UTF-8"}.get(self.used, self.gdal)


def _codec(name: str) -> Optional[str]:
    """The Python codec a .cpg names ("UTF-8", "GBK", "936", "ANSI 1252", "88591", ...), or None."""
    n = name.strip().strip("\x00").lower().replace("_", "-")
    if n.startswith("ansi "):
        n = n[5:].strip()
    if n.isdigit():
        n = {"65001": "utf-8", "936": "gbk", "54936": "gb18030", "20936": "gb2312"}.get(n) or \
            (f"iso8859-{n[4:]}" if n.startswith("8859") and len(n) > 4 else f"cp{n}")
    elif n.startswith("8859-"):
        n = "iso" + n
    try:
        found = codecs.lookup(n).name
    except LookupError:
        return None
    return "gbk" if found == "cp936" else found


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _looks_gbk(data: bytes) -> bool:
    """GBK Chinese: decodes as GBK and most of its characters are common ones (GB2312); Latin-1 or UTF-8 bytes read
    as GBK give rare characters (their second bytes are mostly below 0xA1)."""
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return False
    common = sum(1 for c in wide if _decodes(c.encode("gbk"), "gb2312"))
    return common >= 0.9 * len(wide)


def _dbf_texts(dbf: str) -> bytes:
    """Field names and the values of character fields of the first records (the rest of a .dbf is numbers)."""
    with open(dbf, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return b""
        n_records = int.from_bytes(head[4:8], "little")
        header_len = int.from_bytes(head[8:10], "little")
        record_len = int.from_bytes(head[10:12], "little")
        desc = fh.read(max(0, header_len - 32))
        names, fields, at = [], [], 1
        for p in range(0, len(desc) - 31, 32):
            if desc[p] == 0x0D:
                break
            names.append(desc[p:p + 11].split(b"\x00")[0])
            length = desc[p + 16]
            if desc[p + 11] == ord("C"):  # character field (the others hold digits, dates or binary numbers)
                fields.append((at, length))
            at += length
        texts = list(names)
        if record_len > 0 and fields:
            fh.seek(header_len)
            data = fh.read(min(n_records * record_len, _SAMPLE_BYTES // record_len * record_len or record_len))
            for r in range(0, len(data) - record_len + 1, record_len):
                texts.extend(data[r + s:r + s + n].rstrip(b" \x00") for s, n in fields)
    return b" ".join(t for t in texts if t)


def _shapefile_encoding(path: str) -> _Encoding:
    """The encoding to read a shapefile's .dbf with: what it declares (.cpg, else the .dbf's language driver id)
    unless its texts are not in that encoding but are UTF-8 or GBK (ArcGIS and most Chinese software write GBK,
    and often a .cpg or code page that says otherwise)."""
    base = os.path.splitext(path)[0]
    dbf = next((base + e for e in (".dbf", ".DBF") if os.path.isfile(base + e)), None)
    cpg = next((base + e for e in (".cpg", ".CPG") if os.path.isfile(base + e)), None)
    declared, where, label = None, "", ""
    if cpg:
        with open(cpg, "rb") as fh:
            raw = fh.read(64).decode("ascii", "replace").strip()
        declared, where, label = _codec(raw), "cpg", raw
    sample = b""
    if dbf:
        with open(dbf, "rb") as fh:
            head = fh.read(32)
        ldid = head[29] if len(head) > 29 else 0
        if not cpg and ldid:
            declared, where = (_codec(_LDID[ldid]) if ldid in _LDID else None), "ldid"
            label = f"{_Encoding(declared, None, '', '', False).gdal} (LDID {ldid})" if declared else f"LDID {ldid}"
        sample = _dbf_texts(dbf)
    if all(b < 0x80 for b in sample):
        return _Encoding(declared or "utf-8", declared, where, label, False)
    utf8 = _decodes(sample, "utf-8")
    gbk = _looks_gbk(sample)
    if declared in _GBK_FAMILY and _decodes(sample, declared) and (gbk or not utf8):
        used = declared
    elif declared in _MULTIBYTE and declared not in _GBK_FAMILY and _decodes(sample, declared):
        used = declared
    elif utf8:
        used = "utf-8"
    elif gbk:
        used = "gbk"
    else:
        used = declared or "latin-1"
    return _Encoding(used, declared, where, label, True)


# -- sources: zip and KMZ ----------------------------------------------------------------------------------------------
_IMPORTABLE_IN_ZIP = (".shp", ".geojson", ".json", ".kml", ".gpx")


def _unsafe_member(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None or ".." in parts
            or "\x00" in name)


def _unpack(path: str, label: str, tmpdir: str) -> Tuple[str, str]:
    """The one file to import from a zip or KMZ, unpacked into `tmpdir`: (its path there, its label)."""
    kmz = path.lower().endswith(".kmz")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise ImportError_(tr("{0} holds {1} files, more than the {2} allowed.").format(
                    label, len(infos), MAX_ZIP_MEMBERS))
            for i in infos:
                if _unsafe_member(i.filename):
                    raise ImportError_(tr("{0} holds a file with an unsafe path ({1}): refused.").format(
                        label, i.filename))
            total = sum(i.file_size for i in infos)
            if total > MAX_UNPACKED_BYTES:
                raise ImportError_(tr("{0} would unpack to {1} MB, more than the {2} MB allowed.").format(
                    label, _mb(total), _mb(MAX_UNPACKED_BYTES)))
            for i in infos:
                if i.file_size > RATIO_FREE_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    raise ImportError_(tr("{0}: {1} is compressed {2:.0f} times, more than the {3} times allowed "
                                          "(a zip bomb?).").format(label, i.filename,
                                                                   i.file_size / max(i.compress_size, 1), MAX_RATIO))
            files = [i for i in infos if not i.is_dir()]
            if kmz:
                chosen = [next((i for i in files if i.filename.lower().endswith(".kml")), None)]
                if chosen[0] is None:
                    raise ImportError_(tr("{0} holds no KML document.").format(label))
            else:
                found = [i for i in files if i.filename.lower().endswith(_IMPORTABLE_IN_ZIP)
                         and "__macosx" not in i.filename.lower().split("/")
                         and not os.path.basename(i.filename).startswith("._")]
                if not found:
                    raise ImportError_(tr("{0} holds no GeoJSON, Shapefile, KML or GPX file.").format(label))
                if len(found) > 1:
                    raise ImportError_(tr("{0} holds several files to import ({1}): unzip it and import them one "
                                          "by one.").format(label, ", ".join(i.filename for i in found[:5])))
                chosen = found
                main = found[0].filename
                if main.lower().endswith(".shp"):
                    stem = os.path.splitext(main)[0].lower()
                    chosen += [i for i in files if i is not found[0]
                               and os.path.splitext(i.filename)[0].lower() == stem]
            budget = MAX_UNPACKED_BYTES
            for i in chosen:
                budget -= _extract(z, i, os.path.join(tmpdir, os.path.basename(i.filename)), budget, label)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as e:  # RuntimeError: encrypted; NotImplementedError: unknown compression
        kind = "KMZ" if kmz else "zip"
        raise ImportError_(tr("{0} is not a {1} file that can be unpacked: {2}").format(label, kind, e)) from e
    return os.path.join(tmpdir, os.path.basename(chosen[0].filename)), f"{label}/{chosen[0].filename}"


def _extract(z: zipfile.ZipFile, info: zipfile.ZipInfo, dest: str, budget: int, label: str) -> int:
    """Unpack one member, counting what it really unpacks to (a zip may lie about its sizes)."""
    written = 0
    with z.open(info) as src, open(dest, "wb") as out:
        while True:
            chunk = src.read(MB)
            if not chunk:
                break
            written += len(chunk)
            if written > budget:
                raise ImportError_(tr("{0} would unpack to {1} MB, more than the {2} MB allowed.").format(
                    label, f"> {_mb(MAX_UNPACKED_BYTES - budget + written)}", _mb(MAX_UNPACKED_BYTES)))
            if written > RATIO_FREE_BYTES and written > MAX_RATIO * max(info.compress_size, 1):
                raise ImportError_(tr("{0}: {1} is compressed {2:.0f} times, more than the {3} times allowed "
                                      "(a zip bomb?).").format(label, info.filename,
                                                               written / max(info.compress_size, 1), MAX_RATIO))
            out.write(chunk)
    return written


# -- sources: reading -------------------------------------------------------------------------------------------------
def _qgs_crs(srs) -> QgsCoordinateReferenceSystem:
    if srs is None:
        return QgsCoordinateReferenceSystem()
    auth, code = srs.GetAuthorityName(None), srs.GetAuthorityCode(None)
    if auth and code and auth.upper() == "EPSG":
        crs = QgsCoordinateReferenceSystem(f"EPSG:{code}")
        if crs.isValid():
            return crs
    return QgsCoordinateReferenceSystem.fromWkt(srs.ExportToWkt(["FORMAT=WKT2_2019", "MULTILINE=NO"]))


def _value(f, i: int, kind: int) -> Any:
    from osgeo import ogr

    if not f.IsFieldSetAndNotNull(i):
        return None
    if kind == ogr.OFTDate:
        y, m, d = f.GetFieldAsDateTime(i)[:3]
        return f"{y:04d}-{m:02d}-{d:02d}"
    if kind == ogr.OFTDateTime:
        y, m, d, hh, mm, ss = f.GetFieldAsDateTime(i)[:6]
        return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{int(ss):02d}"
    if kind == ogr.OFTBinary:
        return None
    try:
        return f.GetField(i)
    except (UnicodeDecodeError, RuntimeError):
        try:
            return f.GetFieldAsBinary(i).decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - an unreadable value is left empty
            return None


@dataclass
class _Layer:
    name: str
    crs: QgsCoordinateReferenceSystem
    fields: List[str]
    count: int
    lyr: Any  # ogr.Layer; its dataset is kept open by the _Source

    def features(self) -> Iterator[Tuple[Optional[QgsGeometry], Dict[str, Any]]]:
        defn = self.lyr.GetLayerDefn()
        kinds = [defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())]
        self.lyr.ResetReading()
        for f in self.lyr:
            g = f.GetGeometryRef()
            geom = None
            if g is not None:
                geom = QgsGeometry()
                geom.fromWkb(g.ExportToIsoWkb())
            yield geom, {name: _value(f, i, kinds[i]) for i, name in enumerate(self.fields)}


class _Source:
    """A contractor's file, checked and opened by the one driver its suffix stands for (a context manager: the
    dataset is closed and anything unpacked is deleted on exit)."""

    def __init__(self, path: str):
        self.path = path
        self.label = os.path.basename(path)
        self.kind = ""  # the suffix of the file actually read (the KML of a KMZ, the file in a zip)
        self.encoding: Optional[_Encoding] = None
        self.layers: List[_Layer] = []
        self._ds = None
        self._tmp: Optional[str] = None

    def __enter__(self) -> _Source:
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    def close(self) -> None:
        self.layers = []
        self._ds = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _open(self) -> None:
        full = _check_path(self.path)
        _check_size(full, self.label)
        read, label = full, self.label
        ext = os.path.splitext(full)[1].lower()
        if ext in (".kmz", ".zip"):
            self._tmp = tempfile.mkdtemp(prefix="forestry-import-")
            read, label = _unpack(full, self.label, self._tmp)
            _check_size(read, label)
        self.kind = os.path.splitext(read)[1].lower()
        expected = _FORMATS[self.kind]
        drivers = _DRIVERS[self.kind]
        options: List[str] = []
        if self.kind in (".geojson", ".json"):
            _check_geojson_crs(read, label)
        if self.kind == ".shp":
            self.encoding = _shapefile_encoding(read)
            options.append(f"ENCODING={self.encoding.gdal}")
        ds = _gdal_open(read, drivers, options)
        if ds is None or ds.GetDriver().ShortName not in drivers:
            ds = None
            short, what = _what_is(read)
            if what and short not in drivers:
                raise ImportError_(tr("{0} is not a {1} file: it is {2}. Only GeoJSON, Shapefile, KML/KMZ and GPX "
                                      "files (or a zip holding one) are imported.").format(label, expected, what))
            raise ImportError_(tr("{0} cannot be read: it is damaged or not a {1} file.").format(label, expected))
        self._ds = ds
        for i in range(ds.GetLayerCount()):
            lyr = ds.GetLayer(i)
            name = lyr.GetName()
            if self.kind == ".gpx" and name in _GPX_POINT_LAYERS:
                continue
            defn = lyr.GetLayerDefn()
            self.layers.append(_Layer(name, _qgs_crs(lyr.GetSpatialRef()),
                                      [defn.GetFieldDefn(j).GetName() for j in range(defn.GetFieldCount())],
                                      lyr.GetFeatureCount(), lyr))
        if not self.layers:
            raise ImportError_(tr("{0} cannot be read: it is damaged or not a {1} file.").format(label, expected))


# -- the county and the plausible size -------------------------------------------------------------------------------
def _working_copy(existing: Optional[QgsVectorLayer]) -> Optional[str]:
    source = geopackage_table(existing)
    return source[0] if source else None


def _county_geometry(wc: Optional[str], target_crs: QgsCoordinateReferenceSystem) -> Optional[QgsGeometry]:
    """The county's outline (its county-level admin unit, else the union of all units) in `target_crs`."""
    if not wc:
        return None
    from osgeo import ogr

    with _quiet_gdal():
        ds = ogr.Open(wc)
    lyr = ds.GetLayerByName(schema.ADMIN) if ds is not None else None
    if lyr is None:
        return None
    crs = _qgs_crs(lyr.GetSpatialRef())
    by_level: Dict[str, List[QgsGeometry]] = {}
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None:
            continue
        geom = QgsGeometry()
        geom.fromWkb(g.ExportToIsoWkb())
        if not geom.isEmpty():
            by_level.setdefault(str(f.GetField("level") or ""), []).append(geom)
    ds = None
    parts = by_level.get("county") or [g for gs in by_level.values() for g in gs]
    if not parts:
        return None
    county = QgsGeometry.unaryUnion(parts)
    if crs.isValid() and crs != target_crs:
        try:
            county.transform(QgsCoordinateTransform(crs, target_crs, QgsProject.instance()))
        except QgsCsException:
            return None
    return county if not county.isEmpty() else None


def _max_patch_mu(wc: Optional[str]) -> float:
    """The largest plausible patch: MAX_PATCH_MU, else the policy in force (the platform refuses larger ones)."""
    if MAX_PATCH_MU is not None:
        return float(MAX_PATCH_MU)
    try:
        from .workflow import load_policy

        return float(load_policy(wc).max_patch_mu)
    except Exception:  # noqa: BLE001 - an unreadable policy must not stop the check
        return FALLBACK_MAX_PATCH_MU


def _old_datum(crs: QgsCoordinateReferenceSystem) -> Optional[str]:
    """'Beijing 1954' or 'Xian 1980' if the CRS uses one of those datums (no exact conversion to CGCS2000)."""
    text = f"{crs.description()} {crs.toWkt()}".lower()
    for key, name in (("beijing 1954", "Beijing 1954"), ("beijing_1954", "Beijing 1954"),
                      ("xian 1980", "Xian 1980"), ("xian_1980", "Xian 1980")):
        if key in text:
            return name
    return None


def _same_outline(geom: QgsGeometry, other: QgsGeometry) -> bool:
    diff = geom.symDifference(other)
    return diff is not None and not diff.isNull() and diff.area() <= DUPLICATE_SHARE * max(geom.area(), other.area())


def _existing_match(existing: Optional[QgsVectorLayer], geom: QgsGeometry) -> Optional[str]:
    """patch_id of an existing patch with (nearly) the same geometry, if any."""
    if existing is None:
        return None
    req = QgsFeatureRequest().setFilterRect(geom.boundingBox())
    for f in existing.getFeatures(req):
        other = f.geometry()
        if not other.isEmpty() and _same_outline(geom, other):
            return str(f["patch_id"])
    return None


class _Outlines:
    """The outlines accepted so far from one file, to find a second copy of one."""

    def __init__(self):
        self._index = QgsSpatialIndex()
        self._items: List[Tuple[str, QgsGeometry]] = []

    def match(self, geom: QgsGeometry) -> Optional[str]:
        for i in self._index.intersects(geom.boundingBox()):
            src, other = self._items[i]
            if _same_outline(geom, other):
                return src
        return None

    def add(self, src: str, geom: QgsGeometry) -> None:
        self._index.addFeature(len(self._items), geom.boundingBox())
        self._items.append((src, geom))


def read_source_patches(path: str, target_crs: QgsCoordinateReferenceSystem, extent: Optional[QgsRectangle] = None,
                        existing: Optional[QgsVectorLayer] = None, county: Optional[QgsGeometry] = None,
                        max_patch_mu: Optional[float] = None) -> ImportReport:
    """Patches of a file in `target_crs`; `extent` (target CRS) is the county's extent, `existing` the patch layer.

    `county` (target CRS) is the county's outline: by default the admin units of `existing`'s working copy, else
    `extent`. `max_patch_mu` is the largest plausible patch: by default MAX_PATCH_MU or the policy in force.
    Fatal problems (a file that is not what its suffix says, too large, unreadable, no CRS, nothing inside the
    county) go to report.errors and report.patches stays empty.
    """
    report = ImportReport(path)
    wc = _working_copy(existing)
    try:
        from . import identity

        report.imported_by = identity.current_user(wc).username
    except Exception:  # noqa: BLE001 - naming the person must never stop an import
        report.imported_by = ""
    try:
        with _Source(path) as source:
            _read(source, report, target_crs, extent, existing, county, max_patch_mu, wc)
    except ImportError_ as e:
        report.errors.append(str(e))
    if report.errors:
        report.patches = []
    return report


def _read(source: _Source, report: ImportReport, target_crs: QgsCoordinateReferenceSystem,
          extent: Optional[QgsRectangle], existing: Optional[QgsVectorLayer], county: Optional[QgsGeometry],
          max_patch_mu: Optional[float], wc: Optional[str]) -> None:
    layers = source.layers
    if source.encoding is not None:
        enc = source.encoding
        report.encoding = enc.shown
        if enc.has_text and enc.declared is not None and enc.used != enc.declared:
            report.warnings.append(
                (tr("The .cpg file of {0} says its texts are {1}, but they are {2}: read as {2}.") if enc.where == "cpg"
                 else tr("The .dbf file of {0} declares code page {1}, but its texts are {2}: read as {2}.")).format(
                    source.label, enc.label, enc.shown))
        elif enc.has_text and enc.declared is None:
            report.encoding_guessed = True
    placemarks = source.kind in (".kml", ".gpx")
    calc = AreaCalculator(target_crs)  # metres and square metres whatever the CRS units
    da = distance_area(target_crs)
    if county is None:
        county = _county_geometry(wc, target_crs)
    if county is None and extent is not None:
        county = QgsGeometry.fromRect(extent)
    engine = None
    if county is not None:
        engine = QgsGeometry.createGeometryEngine(county.constGet())
        engine.prepareGeometry()
    max_mu = _max_patch_mu(wc) if max_patch_mu is None else float(max_patch_mu)
    outlines = _Outlines()
    user_cols, computed_cols = _column_lookup(placemarks)
    outside = 0
    candidates = 0
    value_problems: Dict[Tuple[str, str, bool], List[str]] = {}
    for layer in layers:
        name = layer.name
        if layer.count == 0:
            continue
        crs = layer.crs
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
        for col in layer.fields:
            key = col.strip().lower()
            if key in user_cols and user_cols[key] not in mapping.values():
                mapping[col] = user_cols[key]
                report.mapped.setdefault(col, user_cols[key])
            elif key in computed_cols:
                if col not in report.ignored:
                    report.ignored.append(col)
            elif col not in report.unmapped and col not in report.mapped and not placemarks:
                report.unmapped.append(col)
        for n, (geom, values) in enumerate(layer.features(), start=1):
            src = f"{name} #{n}"
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
            size = calc.area(geom)
            if geom.isEmpty() or size.m2 < MIN_AREA_M2:
                report.skipped.append((src, tr("invalid polygon that cannot be repaired") if repaired
                                       else tr("no area")))
                continue
            if size.mu > max_mu:
                report.skipped.append((src, tr("implausibly large: {0:,.0f} mu, more than the {1:,.0f} mu a patch may "
                                               "have").format(size.mu, max_mu)))
                continue
            if engine is not None and not engine.contains(geom.constGet()):
                inside = geom.intersection(county)
                share = calc.area(inside).m2 / size.m2 if inside is not None and not inside.isNull() else 0.0
                if share < MIN_SHARE_IN_COUNTY:
                    report.skipped.append((src, tr("mostly outside the county: {0:.0f}% of it lies inside, at least "
                                                   "{1:.0f}% must").format(100 * share, 100 * MIN_SHARE_IN_COUNTY)))
                    continue
            report.repaired += repaired
            geom.convertToMultiType()
            dup = _existing_match(existing, geom)
            if dup:
                report.skipped.append((src, tr("already in the layer (patch {0})").format(dup[:8])))
                continue
            first = outlines.match(geom)
            if first:
                report.skipped.append((src, tr("the same outline as {0} of this file").format(first)))
                continue
            outlines.add(src, geom)
            attrs: Dict[str, Any] = {}
            for col, target in mapping.items():
                value, problem = convert_value(target, values.get(col))
                if problem:
                    value_problems.setdefault((col, problem, value is None), []).append(str(values.get(col)))
                    report.value_notes.append((src, col, target, str(values.get(col)), problem, value is None))
                if value is not None:
                    attrs[target] = value
            report.patches.append(ImportedPatch(src, geom, attrs))
    if candidates and outside == candidates:
        report.errors.append(tr("None of the {0} patch(es) lies in the county: the file's coordinate system "
                                "({1}) is probably wrong.").format(candidates, layers[0].crs.authid() or "?"))
    if not report.errors and not report.patches:
        label = source.label
        report.errors.append(tr("No feature of {0} can become a new patch.").format(label)
                             if report.skipped else
                             tr("{0} holds no patch outlines (polygons or GPS tracks).").format(label))
    for (col, problem, dropped), values in value_problems.items():
        shown = ", ".join(sorted(set(values))[:5])
        if dropped:
            report.warnings.append(tr("{0}: {1} value(s) {2} ({3}); left empty.").format(col, len(values), problem,
                                                                                        shown))
        else:
            report.warnings.append(tr("{0}: {1} value(s) {2}.").format(col, len(values), problem))
