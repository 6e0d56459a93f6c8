"""Export a submission package from a working copy and map a package the platform returns back onto the patches.

Export: the patches a template covers (its stages and filter, an optional selection) as a zip holding the
Shapefile set (.shp .shx .dbf .prj .cpg) in the template's CRS and encoding, optionally a File Geodatabase, an
Excel attribute table with Chinese headers and manifest.json (counts, area in mu, SHA-256 of every file, template,
who exported it and when). Patches with open check errors are left out unless asked for.

Import: read a returned package, match its features to our patches (by the template's id column, else by
geometry: the largest overlap covering >= 90 % of both), list what would change (field, old, new per patch) and
apply that in one SQLite transaction. No GUI imports.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import datetime as _dt
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from osgeo import gdal, ogr, osr

from ... import schema
from ...i18n import tr
from .. import clock, geopackage, identity, importer
from ..checks import store
from ..output_file import OutputFileError, OutputIncomplete, atomic_output, reason, write_failed
from .template import AREA_UNITS, Template, load_template, names_for

# No ogr/osr/gdal.UseExceptions() here: that would change GDAL for the whole QGIS process. Return values are
# checked instead (and RuntimeError caught where another module may have turned exceptions on).

MANIFEST = "manifest.json"
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_OGR_TYPE = {"string": ogr.OFTString, "integer": ogr.OFTInteger, "real": ogr.OFTReal, "date": ogr.OFTDate}
# The only GDAL drivers a returned package is opened with (OGR_VRT and others read other files and URLs).
_RETURNED_DRIVERS = {".shp": "ESRI Shapefile", ".gdb": "OpenFileGDB"}
# A .cpg's code page -> the encoding name given to GDAL.
_CPG = {"936": "CP936", "CP936": "CP936", "GBK": "CP936", "GB2312": "CP936", "GB18030": "GB18030",
        "UTF-8": "UTF-8", "UTF8": "UTF-8", "65001": "UTF-8"}


class ExchangeError(Exception):
    """An export or import that cannot be done; str() says why in the user's language."""


@dataclass
class ExportResult:
    path: str
    count: int
    area_mu: float
    manifest: Dict[str, Any]
    excluded_with_errors: List[str] = field(default_factory=list)
    included_with_errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Reading the patches
# ---------------------------------------------------------------------------------------------------------------


def _patch_srs(path: str) -> osr.SpatialReference:
    try:
        ds = ogr.Open(path)
    except RuntimeError as e:
        raise ExchangeError(tr("Cannot open the patches of {0}").format(path)) from e
    if ds is None:
        raise ExchangeError(tr("Cannot open the patches of {0}").format(path))
    try:
        lyr = ds.GetLayerByName(schema.PATCHES)
        if lyr is None:
            raise ExchangeError(tr("Cannot open the patches of {0}").format(path))
        srs = lyr.GetSpatialRef()
        srs = srs.Clone() if srs is not None else geopackage.srs_from_authid(schema.DEFAULT_PROJECT_CRS)
    finally:
        ds = None
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def select_patch_ids(path: str, expression: str) -> Set[str]:
    """patch_id of every patch for which a QGIS expression is true (evaluated by QGIS on the patches layer)."""
    from qgis.core import QgsExpression, QgsFeatureRequest, QgsVectorLayer

    expr = QgsExpression(expression)
    if expr.hasParserError():
        raise ExchangeError(tr("The selection expression is not valid: {0}").format(expr.parserErrorString()))
    layer = QgsVectorLayer(geopackage.layer_uri(path, schema.PATCHES), "patches", "ogr")
    if not layer.isValid():
        raise ExchangeError(tr("Cannot open the patches of {0}").format(path))
    req = QgsFeatureRequest(expr)
    req.setFlags(QgsFeatureRequest.NoGeometry if not expr.needsGeometry() else QgsFeatureRequest.NoFlags)
    ids = {str(f["patch_id"]) for f in layer.getFeatures(req)}
    if req.filterExpression() is not None and req.filterExpression().hasEvalError():
        raise ExchangeError(tr("The selection expression failed: {0}").format(req.filterExpression().evalErrorString()))
    del layer
    return ids


def _covered(template: Template, attrs: Dict[str, Any], stages: Optional[Sequence[str]]) -> bool:
    if stages and attrs.get("stage") not in stages:
        return False
    for fname, allowed in template.filter.items():
        if attrs.get(fname) not in allowed:
            return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------


def _area_mu(attrs: Dict[str, Any]) -> float:
    if attrs.get("area_mu") is not None:
        return float(attrs["area_mu"])
    if attrs.get("area_ha") is not None:
        return float(attrs["area_ha"]) * schema.MU_PER_HA
    return 0.0


def _from_mu(mu: float, unit: str) -> float:
    return {"mu": mu, "ha": mu / schema.MU_PER_HA, "m2": schema.mu_to_m2(mu)}[unit]


def _to_mu(value: float, unit: str) -> float:
    return {"mu": value, "ha": value * schema.MU_PER_HA, "m2": schema.m2_to_mu(value)}[unit]


def field_value(template: Template, tf, attrs: Dict[str, Any], context: Dict[str, Any],
                warn: Callable[[str], None]) -> Any:
    """The value of one target field for one patch."""
    v = tf.value
    out: Any
    if "const" in v:
        out = v["const"]
    elif "format" in v:
        values = collections.defaultdict(str, {k: ("" if x is None else x) for k, x in context.items()})
        values.update({k: ("" if x is None else x) for k, x in attrs.items()})
        out = v["format"].format_map(values)
    elif "area" in v:
        out = _from_mu(_area_mu(attrs), v["area"])
    else:
        raw = attrs.get(v["field"])
        sf = schema.PATCH_FIELD.get(v["field"])
        if raw is not None and sf is not None and sf.type == schema.DATETIME:
            local = clock.local(raw)  # a stored stamp (UTC, or local in older copies) goes out in local time
            raw = local.isoformat() if local is not None else raw
        out = raw
        if raw is not None and v.get("code_table"):
            codes = template.codes(v["code_table"])
            if str(raw) in codes:
                out = codes[str(raw)]
            else:
                warn(tr("{0} {1!r} has no code in the template's table {2}: {3} left empty").format(
                    v["field"], raw, v["code_table"], tf.name))
                out = None
        elif raw is not None and v.get("label"):
            sf = schema.PATCH_FIELD[v["field"]]
            out = schema.CODE_LISTS[sf.code_list].label(str(raw), v["label"])
        if out is not None and v.get("slice"):
            a, b = v["slice"]
            out = str(out)[a:b]
        if out is not None and tf.type == "date" and isinstance(out, str):
            out = out[:10]
        if out is not None and v.get("date_format") and isinstance(raw, str) and len(raw) >= 10:
            out = _dt.date.fromisoformat(raw[:10]).strftime(v["date_format"])
    if out is None or out == "":
        out = v.get("default", out if out != "" else None)
        if out is None and tf.type == "string" and "format" in v:
            out = ""
    if out is None:
        return None
    if tf.type == "integer":
        try:
            return int(round(float(out)))
        except (TypeError, ValueError):
            warn(tr("{0}: {1!r} is not a whole number, left empty").format(tf.name, out))
            return None
    if tf.type == "real":
        try:
            num = float(out)
        except (TypeError, ValueError):
            warn(tr("{0}: {1!r} is not a number, left empty").format(tf.name, out))
            return None
        decimals = v.get("decimals", tf.precision)
        return round(num, decimals)
    if tf.type == "date":
        return str(out)[:10]
    text = str(out)
    if len(text) > tf.width:
        warn(tr("{0}: {1!r} is longer than {2} characters and was cut").format(tf.name, text, tf.width))
        text = text[:tf.width]
    return text


def _set(feat: ogr.Feature, i: int, tf, value: Any) -> None:
    if value is None:
        feat.SetFieldNull(i)
    elif tf.type == "date":
        y, m, d = (int(x) for x in str(value)[:10].split("-"))
        feat.SetField(i, y, m, d, 0, 0, 0, 0)
    else:
        feat.SetField(i, value)


def _field_defn(tf, for_gdb: bool = False) -> ogr.FieldDefn:
    fd = ogr.FieldDefn(tf.name, _OGR_TYPE[tf.type])
    if tf.type == "string":
        fd.SetWidth(tf.width)
    elif tf.type == "integer":
        fd.SetWidth(min(tf.width, 10))
    elif tf.type == "real" and not for_gdb:
        fd.SetWidth(tf.width)
        fd.SetPrecision(tf.precision)
    if for_gdb and tf.zh and hasattr(fd, "SetAlternativeName"):
        fd.SetAlternativeName(tf.zh)
    return fd


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------


def filegdb_supported() -> bool:
    """True when this GDAL's OpenFileGDB driver can write File Geodatabases (GDAL >= 3.6)."""
    drv = ogr.GetDriverByName("OpenFileGDB")
    return drv is not None and drv.GetMetadataItem("DCAP_CREATE") == "YES"


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _transformation(src, dst):
    try:
        ct = osr.CreateCoordinateTransformation(src, dst)
    except RuntimeError:
        ct = None
    if ct is None:
        raise ExchangeError(tr("No coordinate transformation from {0} to {1}").format(
            src.GetName(), dst.GetName()))
    return ct


def _transform(geom, ct) -> bool:
    try:
        return geom.Transform(ct) == 0
    except RuntimeError:  # when another module turned GDAL exceptions on
        return False


@contextlib.contextmanager
def _shape_recoding(encoding: str):
    """Let the Shapefile driver recode names and values to and from `encoding` (a GDAL/iconv name) while inside.

    QGIS's OGR provider sets the GDAL option SHAPE_ENCODING to "" (no recoding; QGIS recodes itself), and with it
    GDAL would write UTF-8 bytes under a GBK .cpg. The option is set for this thread only (other threads and QGIS
    keep theirs), to the encoding itself (unsetting a thread-local value would fall back to the global ""), and the
    thread's previous value is restored afterwards.
    """
    old = gdal.GetThreadLocalConfigOption("SHAPE_ENCODING", None)
    gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", encoding)
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", old)


def _gdal_failed(what: str, code: Any = "?") -> Exception:
    """The error of a GDAL call that failed: a RuntimeError when GDAL's last message says a write failed (the disk
    full: classified by output_file.reason with the file-system errors), else ExchangeError naming `what`."""
    msg = gdal.GetLastErrorMsg()
    if write_failed(msg):
        return RuntimeError(msg)
    return ExchangeError(tr("GDAL could not {0}: {1}").format(what, msg or code))


def _ok(err: int, what: str) -> None:
    """Raise (_gdal_failed) when an OGR call returned an error code."""
    if err != 0:
        raise _gdal_failed(what, err)


def _check_count(path: str, expected: int) -> None:
    """OutputIncomplete unless the written dataset, read back, holds `expected` features (a writer may learn only
    at closing that the disk is full)."""
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    got = ds.GetLayer(0).GetFeatureCount() if ds is not None and ds.GetLayerCount() else 0
    ds = None
    if got != expected:
        raise OutputIncomplete(tr("{0} holds {1} of the {2} patches (is the disk full?)").format(
            os.path.basename(path), got, expected))


def _excel_text(value: Any) -> bool:
    """True for a text Excel or openpyxl would take for a formula (OWASP CSV/formula injection)."""
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")


def _write_layer(ds, layer_name: str, srs, template: Template, rows, options: List[str], for_gdb: bool) -> None:
    lyr = ds.CreateLayer(layer_name, srs=srs, geom_type=ogr.wkbMultiPolygon if for_gdb else ogr.wkbPolygon,
                         options=options)
    if lyr is None:
        raise _gdal_failed(tr("create the layer"))
    for tf in template.fields:
        _ok(lyr.CreateField(_field_defn(tf, for_gdb)), tr("create the field {0}").format(tf.name))
    defn = lyr.GetLayerDefn()
    if [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())] != [tf.name for tf in template.fields]:
        raise ExchangeError(tr("The driver did not create the fields of the template as named in {0}").format(layer_name))
    for values, geom in rows:
        feat = ogr.Feature(defn)
        for i, (tf, val) in enumerate(zip(template.fields, values)):
            _set(feat, i, tf, val)
        if geom is not None:
            _ok(feat.SetGeometry(geom), tr("set a geometry"))
        _ok(lyr.CreateFeature(feat), tr("write a feature"))
    _ok(lyr.SyncToDisk(), tr("write the layer"))


def _write_xlsx(path: str, template: Template, rows, title: str) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "属性表"
    ws.append([tf.zh or tf.name for tf in template.fields])
    ws.append([tf.name for tf in template.fields])
    for c in ws[1]:
        c.font = Font(bold=True)
    for values, _g in rows:
        ws.append(values)
    for row in ws.iter_rows():
        for c in row:
            if _excel_text(c.value):
                c.data_type = "s"  # plain text, never a formula: remarks come from contractors
    ws.freeze_panes = "A3"
    for i, tf in enumerate(template.fields, 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(10, min(40, len(tf.zh or tf.name) * 2 + 2))
    wb.properties.title = title
    buf = io.BytesIO()  # built in memory: openpyxl leaves its file open when a write fails (a full disk)
    wb.save(buf)
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())


def export_package(path: str, template: Any, output: str, stage: Optional[str] = None,
                   patch_ids: Optional[Iterable[str]] = None, selection: Optional[str] = None,
                   include_errors: bool = False, filegdb: Optional[bool] = None, xlsx: Optional[bool] = None,
                   progress: Optional[Callable[[float], None]] = None) -> ExportResult:
    """Write the submission package of `template` (a Template, a path or a bundled template's name) to `output`.

    stage: only patches at this stage (one of the template's stages); patch_ids / selection (a QGIS expression):
    only these patches. Patches with open check errors are left out unless include_errors. filegdb / xlsx
    override the template's outputs.
    """
    tpl = template if isinstance(template, Template) else load_template(template)
    settings = geopackage.verify_working_copy(path)
    if stage and tpl.stages and stage not in tpl.stages:
        raise ExchangeError(tr("The template {0} covers the stages {1}, not {2}").format(
            tpl.name, ", ".join(tpl.stages), stage))
    if stage and stage not in schema.STAGES:
        raise ExchangeError(tr("Unknown stage {0}").format(stage))
    stages = [stage] if stage else tpl.stages
    wanted = set(patch_ids) if patch_ids is not None else None
    if selection:
        sel = select_patch_ids(path, selection)
        wanted = sel if wanted is None else wanted & sel
    feats = [(a, w) for _fid, a, w in geopackage.read_features(path, schema.PATCHES)
             if _covered(tpl, a, stages) and (wanted is None or a.get("patch_id") in wanted)]
    feats.sort(key=lambda t: (str(t[0].get("tuban_no") or ""), str(t[0].get("patch_id"))))
    if not feats:
        raise ExchangeError(tr("No patches to export: none is at the template's stages and matches its filter and the "
                               "selection"))
    findings = store.open_findings(path, [a["patch_id"] for a, _w in feats])
    with_errors = {pid: sorted({f["rule"] for f in fs if f["severity"] == "error"})
                   for pid, fs in findings.items() if any(f["severity"] == "error" for f in fs)}
    excluded = [] if include_errors else [a["patch_id"] for a, _w in feats if a["patch_id"] in with_errors]
    if excluded:
        feats = [(a, w) for a, w in feats if a["patch_id"] not in with_errors]
        if not feats:
            raise ExchangeError(tr("Every one of the {0} patches has open check errors: fix them, or include them "
                                   "on purpose (include errors)").format(len(excluded)))
    included_err = [a["patch_id"] for a, _w in feats if a["patch_id"] in with_errors]

    years = sorted({a.get("year") for a, _w in feats if a.get("year")})
    year = str(years[0]) if len(years) == 1 else (f"{years[0]}-{years[-1]}" if years else "")
    stage_text = tpl.stage_name or (stage or "all")
    now = identity.utc_now()
    context = {"county": settings.get("county_code") or "", "county_name": settings.get("county_name") or "",
               "year": year, "stage": stage_text, "template": tpl.name, "date": now.strftime("%Y%m%d")}
    pkg_name, layer_name = names_for(tpl, context)
    warnings: List[str] = []
    warned: Set[str] = set()

    def warn(msg: str) -> None:
        if msg not in warned:
            warned.add(msg)
            warnings.append(msg)

    src, dst = _patch_srs(path), geopackage.srs_from_authid(tpl.crs)
    ct = None if src.IsSame(dst) else _transformation(src, dst)
    rows = []
    total_mu = 0.0
    for k, (attrs, wkb) in enumerate(feats):
        values = [field_value(tpl, tf, attrs, context, warn) for tf in tpl.fields]
        geom = None
        if wkb is not None:
            geom = ogr.CreateGeometryFromWkb(bytes(wkb))
            if geom is None:
                raise ExchangeError(tr("Patch {0} has a geometry GDAL cannot read").format(
                    attrs.get("tuban_no") or attrs.get("patch_id")))
            geom = ogr.ForceToMultiPolygon(geom)
            if ct is not None:
                if not _transform(geom, ct):
                    raise ExchangeError(tr("Patch {0} cannot be transformed to {1}").format(
                        attrs.get("tuban_no") or attrs.get("patch_id"), tpl.crs))
        else:
            warn(tr("Patch {0} has no geometry").format(attrs.get("tuban_no") or attrs.get("patch_id")))
        rows.append((values, geom))
        total_mu += _area_mu(attrs)
        if progress and k % 50 == 0:
            progress(0.6 * k / len(feats))

    user = identity.current_user(path)
    want_gdb = tpl.outputs.get("filegdb", False) if filegdb is None else bool(filegdb)
    want_xlsx = tpl.outputs.get("xlsx", True) if xlsx is None else bool(xlsx)
    # Everything is made in a folder of its own under the temporary folder, then zipped to `output` through
    # output_file.atomic_output (a hidden file beside it, on the disk, then renamed): a failure leaves neither a
    # package nor a part of one, and keeps a package already there (and its permissions) unchanged.
    tmp_root = tempfile.gettempdir()

    def in_temporary_folder(e: BaseException) -> ExchangeError:
        return ExchangeError(tr("Could not write the package {0}: in the temporary folder {1}, where its files are "
                                "made first: {2}. Nothing was exported.").format(
                                    os.path.abspath(output), tmp_root, reason(e, tmp_root)))

    try:
        work = tempfile.mkdtemp(prefix="forestry_pkg_")
    except OSError as e:
        raise in_temporary_folder(e) from None
    ds = gds = None
    try:
        try:
            enc = "GBK" if tpl.encoding == "GBK" else "UTF-8"
            shp_drv = ogr.GetDriverByName("ESRI Shapefile")
            with _shape_recoding("CP936" if enc == "GBK" else "UTF-8"):
                ds = shp_drv.CreateDataSource(work)
                if ds is None:
                    if write_failed(gdal.GetLastErrorMsg()):
                        raise RuntimeError(gdal.GetLastErrorMsg())
                    raise ExchangeError(tr("Cannot create the Shapefile in {0}: {1}").format(
                        work, gdal.GetLastErrorMsg()))
                _write_layer(ds, layer_name, dst, tpl, rows, [f"ENCODING={enc}", "2GB_LIMIT=YES"], False)
                ds = None
            _check_count(os.path.join(work, layer_name + ".shp"), len(rows))
            cpg = os.path.join(work, layer_name + ".cpg")
            with open(cpg, "w", encoding="ascii") as fh:  # always, whatever the GDAL version wrote
                fh.write(enc)
            files = [layer_name + ext for ext in SHAPEFILE_PARTS]
            for f in files:
                if not os.path.exists(os.path.join(work, f)):
                    raise ExchangeError(tr("The Shapefile part {0} was not written").format(f))
            skipped: Dict[str, str] = {}
            if want_gdb:
                if filegdb_supported():
                    gdb = os.path.join(work, layer_name + ".gdb")
                    gds = ogr.GetDriverByName("OpenFileGDB").CreateDataSource(gdb)
                    if gds is None:
                        if write_failed(gdal.GetLastErrorMsg()):
                            raise RuntimeError(gdal.GetLastErrorMsg())
                        raise ExchangeError(tr("Cannot create the File Geodatabase {0}: {1}").format(
                            gdb, gdal.GetLastErrorMsg()))
                    _write_layer(gds, layer_name, dst, tpl, rows, [], True)
                    gds = None
                    _check_count(gdb, len(rows))
                    for root, _dirs, names in os.walk(gdb):
                        files += sorted(os.path.relpath(os.path.join(root, n), work) for n in names)
                else:
                    msg = tr("File Geodatabase skipped: GDAL {0} cannot write it (its OpenFileGDB driver has no "
                             "creation support; GDAL 3.6 or later can)").format(gdal.__version__)
                    skipped["filegdb"] = msg
                    warn(msg)
            if progress:
                progress(0.8)
            if want_xlsx:
                xname = pkg_name + ".xlsx"
                _write_xlsx(os.path.join(work, xname), tpl, rows, pkg_name)
                files.append(xname)
            checks = {f.replace(os.sep, "/"): {"sha256": _sha256(os.path.join(work, f)),
                                              "bytes": os.path.getsize(os.path.join(work, f))} for f in files}
            manifest = {
                "package": pkg_name,
                "template": {"name": tpl.name, "version": tpl.version, "title": tpl.title,
                             "file": os.path.basename(tpl.path) if tpl.path else ""},
                "county": context["county"], "county_name": context["county_name"], "year": year,
                "stage": stage or None, "stages": stages or [], "selection": selection or None,
                "layer": layer_name, "crs": tpl.crs, "encoding": enc,
                "count": len(rows), "area_mu": round(total_mu, 4), "area_ha": round(total_mu / schema.MU_PER_HA, 4),
                "patch_ids": [a["patch_id"] for a, _w in feats],
                "included_with_errors": [{"patch_id": pid, "rules": with_errors[pid]} for pid in included_err],
                "excluded_with_errors": [{"patch_id": pid, "rules": with_errors[pid]} for pid in excluded],
                "exported_by": {"username": user.username, "display_name": user.display_name, "role": user.role,
                                "identity": user.source},
                "exported_at": identity.utc_text(now),
                "files": checks, "skipped": skipped, "warnings": warnings,
            }
            with open(os.path.join(work, MANIFEST), "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, ensure_ascii=False, indent=1)
        except (RuntimeError, OSError, OutputIncomplete) as e:  # GDAL's (exceptions on, or a write failure), the
            raise in_temporary_folder(e) from None  # system's, a layer read back short
        try:
            os.makedirs(os.path.dirname(os.path.abspath(output)) or ".", exist_ok=True)
        except OSError as e:
            raise ExchangeError(str(OutputFileError(os.path.abspath(output), reason(e, output),
                                                    os.path.isfile(output)))) from None
        try:
            with atomic_output(output) as tmp_zip:
                with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as zf:
                    for f in files + [MANIFEST]:
                        zf.write(os.path.join(work, f), f.replace(os.sep, "/"))
        except OutputFileError as e:  # the zip at `output`: which file, why, and the package there unchanged
            raise ExchangeError(str(e)) from None
    finally:
        ds = gds = None  # closed before the folder goes (a failed write leaves them open otherwise)
        shutil.rmtree(work, ignore_errors=True)
    if progress:
        progress(1.0)
    return ExportResult(output, len(rows), round(total_mu, 4), manifest, excluded, included_err, warnings)


# ---------------------------------------------------------------------------------------------------------------
# Import of a returned package
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class PatchChange:
    patch_id: str
    tuban_no: str
    matched_by: str  # "id" | "geometry"
    revision: Optional[int]
    changes: List[FieldChange]


@dataclass
class ImportReport:
    """What a returned package would change, per patch, and what could not be matched."""

    package: str
    template: str
    features: int
    matched: Dict[str, str] = field(default_factory=dict)  # patch_id -> id | geometry
    changes: List[PatchChange] = field(default_factory=list)
    unmatched: List[str] = field(default_factory=list)  # returned features no patch was found for
    problems: List[str] = field(default_factory=list)  # values that cannot be applied (not applied)
    missing_columns: List[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changed_fields(self) -> int:
        return sum(len(c.changes) for c in self.changes)

    def to_json(self) -> Dict[str, Any]:
        return {**asdict(self), "changed_patches": len(self.changes), "changed_fields": self.changed_fields}

    def lines(self) -> List[str]:
        """The diff as text lines: one per changed field."""
        out = []
        for c in self.changes:
            for fc in c.changes:
                out.append(tr("{0} ({1}, by {2}): {3}: {4} -> {5}").format(
                    c.tuban_no or c.patch_id, c.patch_id, c.matched_by, fc.field, fc.old, fc.new))
        return out


def _local_path(path: str) -> None:
    """Refuse GDAL virtual paths (/vsicurl/, /vsizip/, ...) and URLs: a returned package is a local file or folder."""
    text = str(path).strip().replace("\\", "/").lower()
    if text.startswith("/vsi") or "://" in text:
        raise ExchangeError(tr("{0} is not a file on this computer or a shared folder: web addresses and GDAL "
                               "virtual paths (/vsi…) are not read").format(path))


def _unzip(package: str, tmp: str) -> None:
    """Unpack a returned zip into `tmp` within the importer's limits (member count, names, size, ratio)."""
    label = os.path.basename(package)
    try:
        with zipfile.ZipFile(package) as zf:
            infos = zf.infolist()
            if len(infos) > importer.MAX_ZIP_MEMBERS:
                raise ExchangeError(tr("{0} holds {1} files, more than the {2} allowed").format(
                    label, len(infos), importer.MAX_ZIP_MEMBERS))
            root = os.path.realpath(tmp)
            for info in infos:
                target = os.path.realpath(os.path.join(tmp, info.filename))
                if importer._unsafe_member(info.filename) or not target.startswith(root + os.sep):  # noqa: SLF001
                    raise ExchangeError(tr("The package holds a file with an unsafe path: {0}").format(info.filename))
            total = sum(i.file_size for i in infos)
            if total > importer.MAX_UNPACKED_BYTES:
                raise ExchangeError(tr("{0} would unpack to {1} MB, more than the {2} MB allowed").format(
                    label, importer._mb(total), importer._mb(importer.MAX_UNPACKED_BYTES)))  # noqa: SLF001
            for info in infos:
                if info.file_size > importer.RATIO_FREE_BYTES \
                        and info.file_size > importer.MAX_RATIO * max(info.compress_size, 1):
                    raise ExchangeError(tr("{0}: {1} is compressed {2:.0f} times, more than the {3} times allowed "
                                           "(a zip bomb?)").format(label, info.filename,
                                                                   info.file_size / max(info.compress_size, 1),
                                                                   importer.MAX_RATIO))
            budget = importer.MAX_UNPACKED_BYTES
            for info in infos:
                dest = os.path.join(tmp, *[part for part in info.filename.replace("\\", "/").split("/") if part])
                if info.is_dir():
                    os.makedirs(dest, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                budget -= importer._extract(zf, info, dest, budget, label)  # noqa: SLF001 - counts real bytes
    except importer.ImportError_ as e:
        raise ExchangeError(str(e)) from e
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as e:  # RuntimeError: encrypted; NotImplementedError: unknown compression
        raise ExchangeError(tr("{0} is not a zip file that can be unpacked: {1}").format(label, e)) from e


def _open_returned(package: str, tmp: str) -> str:
    """The path of the returned package's Shapefile (or File Geodatabase), unpacked into `tmp` if it is a zip."""
    _local_path(package)
    if not os.path.exists(package):
        raise ExchangeError(tr("Package not found: {0}").format(package))
    if os.path.isdir(package):
        if package.rstrip("/\\").lower().endswith(".gdb"):
            return package
        base = package
    elif zipfile.is_zipfile(package):
        _unzip(package, tmp)
        base = tmp
    elif package.lower().endswith(".shp"):
        return package
    else:
        raise ExchangeError(tr("{0} is not a returned package: give the zip, its folder, a Shapefile (.shp) or a File "
                               "Geodatabase (.gdb)").format(os.path.basename(package)))
    candidates = []
    for root, dirs, names in os.walk(base):
        candidates += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith(".shp")]
        candidates += [os.path.join(root, d) for d in sorted(dirs) if d.lower().endswith(".gdb")]
    shp = [c for c in candidates if c.lower().endswith(".shp")] or candidates
    if not shp:
        raise ExchangeError(tr("The package {0} holds no Shapefile").format(os.path.basename(package)))
    return shp[0]


def _cpg_encoding(shp: str) -> Optional[str]:
    """The encoding (a GDAL name) a Shapefile's .cpg declares, or None."""
    stem = os.path.splitext(shp)[0]
    for ext in (".cpg", ".CPG"):
        if os.path.isfile(stem + ext):
            try:
                with open(stem + ext, "rb") as fh:
                    text = fh.read(64).decode("ascii", "replace").strip().upper()
            except OSError:
                return None
            if text in _CPG:
                return _CPG[text]
            try:
                codecs.lookup(text)
            except LookupError:
                return None
            return text
    return None


def _read_returned(src_path: str, template: Template):
    """(column names, [(attrs, ogr geometry or None)], srs) of a returned layer."""
    _local_path(src_path)
    key = os.path.splitext(src_path.rstrip("/\\"))[1].lower()
    if key not in _RETURNED_DRIVERS:
        raise ExchangeError(tr("{0} is neither a Shapefile (.shp) nor a File Geodatabase (.gdb): not read").format(
            os.path.basename(src_path)))
    if key == ".gdb":
        return _read_layer(src_path, _RETURNED_DRIVERS[key], [], template)
    enc = _cpg_encoding(src_path) or ("CP936" if template.encoding == "GBK" else "UTF-8")
    with _shape_recoding(enc):
        return _read_layer(src_path, _RETURNED_DRIVERS[key], [f"ENCODING={enc}"], template)


def _read_layer(src_path: str, driver: str, opts: List[str], template: Template):
    """Read the layer at `src_path` with the GDAL driver `driver` only (never one that reads other files)."""
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        try:
            ds = gdal.OpenEx(src_path, gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=[driver],
                             open_options=opts)
        except RuntimeError:  # when another module turned GDAL exceptions on
            ds = None
    finally:
        gdal.PopErrorHandler()
    if ds is None:
        what = importer._what_is(src_path)[1] if os.path.isfile(src_path) else None  # noqa: SLF001
        if what:
            raise ExchangeError(tr("{0} is not a {1} but {2}: refused, nothing was read").format(
                os.path.basename(src_path), driver, what))
        raise ExchangeError(tr("{0} cannot be opened as {1}: refused, nothing was read").format(
            os.path.basename(src_path), driver))
    if ds.GetDriver().ShortName != driver or ds.GetLayerCount() < 1:
        ds = None
        raise ExchangeError(tr("{0} cannot be opened as {1}: refused, nothing was read").format(
            os.path.basename(src_path), driver))
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    kinds = {n: defn.GetFieldDefn(i).GetType() for i, n in enumerate(names)}
    srs = lyr.GetSpatialRef()
    srs = srs.Clone() if srs is not None else geopackage.srs_from_authid(template.crs)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    out = []
    for feat in lyr:
        attrs = {n: geopackage._read_field(feat, n, kinds[n]) for n in names}  # noqa: SLF001 - shared date handling
        g = feat.GetGeometryRef()
        out.append((attrs, g.Clone() if g is not None else None))
    ds = None
    return names, out, srs


def _convert(template: Template, imf, raw: Any) -> Tuple[Any, Optional[str]]:
    """(our value, problem or None) of a returned cell."""
    sf = schema.PATCH_FIELD[imf.field]
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, None
    if imf.code_table:
        rev = template.reverse_codes(imf.code_table)
        key = str(raw).strip()
        if key not in rev:
            return None, tr("{0} {1!r} is not in the template's code table {2}").format(imf.column, raw, imf.code_table)
        raw = rev[key]
    try:
        if sf.type == schema.INTEGER:
            val: Any = int(round(float(raw)))
        elif sf.type == schema.REAL:
            val = float(raw)
            if imf.unit:
                target = "ha" if sf.name == "area_ha" else "mu"
                val = _from_mu(_to_mu(val, imf.unit), target) if imf.unit in AREA_UNITS else val
            if imf.decimals is not None:
                val = round(val, imf.decimals)
        elif sf.type in (schema.DATE, schema.DATETIME):
            text = str(raw).strip().replace("/", "-")
            if len(text) == 8 and text.isdigit():
                text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
            val = _dt.date.fromisoformat(text[:10]).isoformat()
        elif sf.type == schema.BOOLEAN:
            val = str(raw).strip().lower() in ("1", "true", "yes", "y", "是")
        else:
            val = str(raw).strip()
    except (TypeError, ValueError):
        return None, tr("{0}: {1!r} is not a valid {2} for {3}").format(imf.column, raw, sf.type, sf.name)
    if sf.code_list and val not in schema.CODE_LISTS[sf.code_list]:
        return None, tr("{0}: {1!r} is not a code of {2}").format(imf.column, val, sf.code_list)
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        if (sf.min_value is not None and val < sf.min_value) or (sf.max_value is not None and val > sf.max_value):
            return None, tr("{0}: {1} is outside {2}..{3} for {4}").format(imf.column, val, sf.min_value,
                                                                           sf.max_value, sf.name)
    if isinstance(val, str) and sf.length and len(val) > sf.length:
        return None, tr("{0}: {1!r} is longer than {2} characters").format(imf.column, val, sf.length)
    return val, None


def _same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(new, float) or isinstance(old, float):
        try:
            return abs(float(old) - float(new)) <= 1e-9 * max(1.0, abs(float(new)))
        except (TypeError, ValueError):
            return False
    if isinstance(old, str) and isinstance(new, str) and len(old) >= 10 and len(new) == 10 and old[4:5] == "-":
        return old[:10] == new  # dates stored with a time part
    return str(old) == str(new)


def read_returned_package(path: str, package: str, template: Any) -> ImportReport:
    """Match a returned package to the working copy's patches and list what it would change (nothing is written)."""
    import shapely

    tpl = template if isinstance(template, Template) else load_template(template)
    geopackage.verify_working_copy(path)
    tmp = tempfile.mkdtemp(prefix="forestry_ret_")
    try:
        src = _open_returned(package, tmp)
        names, rows, srs = _read_returned(src, tpl)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = ImportReport(package=package, template=tpl.name, features=len(rows))
    lower = {n.lower(): n for n in names}
    report.missing_columns = [f.column for f in tpl.import_fields if f.column.lower() not in lower]
    id_col = lower.get((tpl.import_id_field or "").lower()) if tpl.import_id_field else None
    ours = geopackage.read_features(path, schema.PATCHES)
    by_id = {a["patch_id"]: (a, w) for _fid, a, w in ours}
    # Geometry matching in the working copy's CRS.
    wc_srs = _patch_srs(path)
    ct = None if srs.IsSame(wc_srs) else _transformation(srs, wc_srs)
    our_ids = [a["patch_id"] for _fid, a, _w in ours]
    our_geoms = shapely.from_wkb([bytes(w) if w is not None else None for _fid, _a, w in ours])
    our_geoms = shapely.make_valid(our_geoms)
    tree = shapely.STRtree(our_geoms)
    taken: Dict[str, int] = {}
    for k, (attrs, geom) in enumerate(rows):
        label = str(attrs.get(id_col)) if id_col and attrs.get(id_col) not in (None, "") else tr("feature {0}").format(k + 1)
        pid, how = None, None
        if id_col and attrs.get(id_col) not in (None, "") and str(attrs[id_col]).strip() in by_id:
            pid, how = str(attrs[id_col]).strip(), "id"
        elif tpl.match_by_geometry and geom is not None:
            if ct is not None and not _transform(geom, ct):
                report.problems.append(tr("{0}: the geometry cannot be transformed to the working copy's CRS").format(
                    label))
                report.unmatched.append(label)
                continue
            theirs = shapely.make_valid(shapely.from_wkb(bytes(geom.ExportToIsoWkb())))
            best, best_area = None, 0.0
            ta = theirs.area
            for j in tree.query(theirs):
                inter = shapely.intersection(theirs, our_geoms[j]).area
                oa = our_geoms[j].area
                if ta > 0 and oa > 0 and inter >= tpl.min_overlap * ta and inter >= tpl.min_overlap * oa \
                        and inter > best_area:
                    best, best_area = j, inter
            if best is not None:
                pid, how = our_ids[best], "geometry"
        if pid is None:
            report.unmatched.append(label)
            continue
        if pid in taken:
            report.problems.append(tr("{0} and feature {1} both match patch {2}: the second is ignored").format(
                label, taken[pid] + 1, pid))
            continue
        taken[pid] = k
        report.matched[pid] = how
        our_attrs = by_id[pid][0]
        changes = []
        for imf in tpl.import_fields:
            col = lower.get(imf.column.lower())
            if col is None:
                continue
            new, problem = _convert(tpl, imf, attrs.get(col))
            if problem:
                report.problems.append(f"{our_attrs.get('tuban_no') or pid}: {problem}")
                continue
            if new is None:
                continue  # an empty returned cell leaves our value alone
            old = our_attrs.get(imf.field)
            if not _same(old, new):
                changes.append(FieldChange(imf.field, old, new))
        if changes:
            report.changes.append(PatchChange(pid, str(our_attrs.get("tuban_no") or ""), how,
                                              our_attrs.get("revision"), changes))
    return report


def _apply_patch(con, change: PatchChange, now: str) -> None:
    sets = ", ".join(f'"{fc.field}" = ?' for fc in change.changes)
    cur = con.execute(f"UPDATE {schema.PATCHES} SET {sets}, updated_at = ?, revision = COALESCE(revision, 0) + 1 "
                      "WHERE patch_id = ? AND revision IS ?",
                      [fc.new for fc in change.changes] + [now, change.patch_id, change.revision])
    if cur.rowcount != 1:
        raise ExchangeError(tr("Patch {0} changed since the package was read: read it again").format(
            change.tuban_no or change.patch_id))


def apply_import(path: str, report: ImportReport) -> int:
    """Write every change of a report in one SQLite transaction (all or nothing); returns the patches changed."""
    if not report.changes:
        return 0
    now = clock.now_utc_iso()  # written with SQL: UTC, as every stamp the plugin stores itself (core.clock)
    con = geopackage.open_connection(path)
    try:
        con.execute("BEGIN IMMEDIATE")
        for change in report.changes:
            _apply_patch(con, change, now)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()
    report.applied = True
    return len(report.changes)


def import_package(path: str, package: str, template: Any, dry_run: bool = False) -> ImportReport:
    """Read a returned package and (unless dry_run) apply what it changes in one transaction."""
    report = read_returned_package(path, package, template)
    if not dry_run:
        apply_import(path, report)
    return report
