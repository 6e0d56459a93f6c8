"""Submission-package templates: JSON files naming the platform's fields, types, code tables, CRS and file names.

A template is validated when it is loaded; every problem is reported at once (TemplateError.problems), each naming
the file and the place in it. The format is described in docs/exchange.md.
"""

from __future__ import annotations

import glob
import json
import os
import re
import string
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ... import schema
from ...i18n import tr
from ...paths import resource_path
from ..forms import AUTO_FILLED

FORMAT_VERSION = 1
TYPES = ("string", "integer", "real", "date")
ENCODINGS = {"GBK": "GBK", "CP936": "GBK", "936": "GBK", "UTF-8": "UTF-8", "UTF8": "UTF-8"}
# Placeholders of file and layer names.
NAME_PLACEHOLDERS = ("county", "county_name", "year", "stage", "template", "date")
# Placeholders of "format" values: the names above and every patch field.
VALUE_PLACEHOLDERS = NAME_PLACEHOLDERS + schema.PATCH_FIELD_NAMES
AREA_UNITS = ("mu", "ha", "m2")
VALUE_KINDS = ("field", "const", "format", "area")
# Patch fields a returned package may never write: identity, workflow state and bookkeeping.
PROTECTED_FIELDS = frozenset(["patch_id", "stage", "parent_ids", "created_at", "updated_at", "revision",
                              "server_version"])
# Patch fields the plugin fills itself (forms.AUTO_FILLED: codes from the location, the area from the geometry, ...):
# a returned package may not overwrite them either (a verified area differing from the geometry's is a check finding).
GEOMETRY_AREA_FIELDS = frozenset(["area_mu", "area_ha"])
NOT_IMPORTABLE = PROTECTED_FIELDS | AUTO_FILLED | GEOMETRY_AREA_FIELDS
# Characters a substituted file or layer name value may not bring in (path separators, Windows-reserved, control).
_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_DOTS = re.compile(r"\.{2,}")
SHAPEFILE_NAME_BYTES = 10


class TemplateError(ValueError):
    """A template that cannot be used; `problems` lists every problem found, one sentence each."""

    def __init__(self, source: str, problems: Sequence[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(tr("Template {0} is not valid:").format(source) + "\n  - " + "\n  - ".join(self.problems))


@dataclass
class TargetField:
    """One field of the platform's layer and where its value comes from."""

    name: str
    type: str
    width: int
    precision: int
    zh: str
    value: Dict[str, Any]


@dataclass
class ImportField:
    """One column of a returned package and the patch field it maps back to."""

    column: str
    field: str
    code_table: Optional[str] = None
    unit: Optional[str] = None  # for area fields: the unit of the column (mu, ha, m2)
    decimals: Optional[int] = None


@dataclass
class Template:
    name: str
    version: str
    title: str
    description: str
    encoding: str
    crs: str
    package_name: str
    layer_name: str
    id_field: Optional[str]
    stages: List[str]
    stage_name: str
    filter: Dict[str, List[Any]]
    outputs: Dict[str, bool]
    code_tables: Dict[str, Dict[str, Any]]
    fields: List[TargetField]
    import_id_field: Optional[str] = None
    import_fields: List[ImportField] = field(default_factory=list)
    match_by_geometry: bool = True
    min_overlap: float = 0.9
    path: str = ""
    raw: Dict[str, Any] = field(default_factory=dict)

    @property
    def epsg(self) -> int:
        return int(self.crs.split(":")[1])

    def field(self, name: str) -> Optional[TargetField]:
        for f in self.fields:
            if f.name.lower() == name.lower():
                return f
        return None

    def codes(self, table: str) -> Dict[str, str]:
        return self.code_tables[table]["codes"]

    def reverse_codes(self, table: str) -> Dict[str, str]:
        """Platform code -> our code of a code table."""
        return reverse_table(self.code_tables[table]["codes"])


# -- code tables (shared with the WFS service descriptions, core/sync/wfs.py) -------------------------------------

_CODE_UNSAFE = re.compile("[\x00-\x1f\x7f\ufffe\uffff]")


def parse_code_tables(tables_raw: Any, p, text_only: bool = False) -> Dict[str, Dict[str, Any]]:
    """Code tables as a template or a WFS service description writes them, `{"TABLE": {"code_list": "<a schema
    code list>", "codes": {"<our code>": "<platform code>"}}}`, checked against the schema's code lists: every
    problem goes to `p` (one sentence each, naming the table and the code); returns the tables that can be used,
    `{"TABLE": {"code_list": ..., "codes": {ours: theirs as text}}}`. With `text_only`, a platform code must be a
    text (no number: 01 and 1 are different codes) without surrounding spaces or control characters."""
    tables: Dict[str, Dict[str, Any]] = {}
    if tables_raw is None:
        return tables
    if not isinstance(tables_raw, dict):
        p(tr("\"code_tables\" must be an object: table name -> {\"code_list\": ..., \"codes\": {...}}"))
        return tables
    for tname, t in tables_raw.items():
        if not isinstance(t, dict) or not isinstance(t.get("codes"), dict):
            p(tr("Code table {0}: needs \"code_list\" and \"codes\" (our code -> platform code)").format(tname))
            continue
        cl = schema.CODE_LISTS.get(t.get("code_list")) if isinstance(t.get("code_list"), str) else None
        if cl is None:
            p(tr("Code table {0}: unknown code list {1!r} (known: {2})").format(
                tname, t.get("code_list"), ", ".join(sorted(schema.CODE_LISTS))))
            continue
        codes = {}
        for ours, theirs in t["codes"].items():
            if ours not in cl:
                p(tr("Code table {0}: unknown code {1!r} in code list {2}").format(tname, ours, cl.name))
            if text_only:
                if not isinstance(theirs, str) or theirs == "" or theirs != theirs.strip() or \
                        _CODE_UNSAFE.search(theirs):
                    p(tr("Code table {0}: the platform code of {1!r} must be a non-empty text (in quotes, such as "
                         "\"01\"), without surrounding spaces or control characters; got {2!r}").format(
                        tname, ours, theirs))
            elif not isinstance(theirs, (str, int)) or isinstance(theirs, bool) or str(theirs) == "":
                p(tr("Code table {0}: the platform code of {1!r} must be a non-empty text or number").format(tname, ours))
            codes[ours] = str(theirs)
        tables[tname] = {"code_list": cl.name, "codes": codes}
    return tables


def shared_codes(codes: Dict[str, str]) -> Dict[str, List[str]]:
    """The platform codes a table gives to several of our codes (it cannot be read back): platform code -> ours."""
    by_theirs: Dict[str, List[str]] = {}
    for ours, theirs in codes.items():
        by_theirs.setdefault(str(theirs), []).append(ours)
    return {theirs: sorted(ours) for theirs, ours in by_theirs.items() if len(ours) > 1}


def reverse_table(codes: Dict[str, str]) -> Dict[str, str]:
    """Platform code -> our code of a table's codes (our code -> platform code)."""
    return {str(v): k for k, v in codes.items()}


def templates_dir() -> str:
    """The folder of the bundled templates (resources/templates)."""
    return resource_path("templates")


def bundled_templates() -> Dict[str, str]:
    """Name (file name without .json) -> path of every bundled template."""
    return {os.path.splitext(os.path.basename(p))[0]: p
            for p in sorted(glob.glob(os.path.join(templates_dir(), "*.json")))}


def resolve(name_or_path: str) -> str:
    """The file of a template given as a path or as the name of a bundled template."""
    text = (name_or_path or "").strip()
    if text and os.path.isfile(text):
        return text
    bundled = bundled_templates()
    key = os.path.splitext(os.path.basename(text))[0]
    if key in bundled:
        return bundled[key]
    raise TemplateError(text or "?", [tr("No template file and no bundled template of that name (bundled: {0})").format(
        ", ".join(sorted(bundled)) or "-")])


def load_template(name_or_path: str) -> Template:
    """Load and validate a template (a path or the name of a bundled template); raises TemplateError."""
    path = resolve(name_or_path)
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, UnicodeDecodeError) as e:
        raise TemplateError(path, [tr("Cannot read the file: {0}").format(e)]) from e
    except json.JSONDecodeError as e:
        raise TemplateError(path, [tr("Not valid JSON (line {0}, column {1}): {2}").format(e.lineno, e.colno, e.msg)]) from e
    return parse_template(raw, os.path.basename(path), path)


def _placeholders(text: str) -> List[str]:
    try:
        return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return ["{"]


def _formatted_placeholders(text: str) -> List[str]:
    """Placeholders of `text` with a format spec or a conversion ({year:>9}, {county!r}): not allowed.

    A spec such as {year:>999999999} would build a text of a billion characters; nested fields hide in specs too.
    """
    try:
        return ["{" + name + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}"
                for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None and (spec or conv)]
    except ValueError:
        return []


def _check_crs(crs: Any) -> Optional[str]:
    from osgeo import osr

    if not isinstance(crs, str) or ":" not in crs or crs.split(":")[0].upper() != "EPSG" \
            or not crs.split(":")[1].isdigit():
        return tr("\"crs\" must be an EPSG code such as \"EPSG:4490\", got {0!r}").format(crs)
    srs = osr.SpatialReference()
    try:
        if srs.ImportFromEPSG(int(crs.split(":")[1])) != 0:  # an error code, unless exceptions are on elsewhere
            raise RuntimeError(crs)
    except Exception:  # noqa: BLE001 - GDAL raises RuntimeError when some other module turned exceptions on
        return tr("\"crs\": {0} is not a known coordinate reference system").format(crs)
    return None


def _int(v: Any, default: int) -> Optional[int]:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int):
        return None
    return v


def parse_template(raw: Any, source: str = "template", path: str = "") -> Template:
    """Validate a template's JSON content and build the Template; raises TemplateError with every problem."""
    problems: List[str] = []
    p = problems.append
    if not isinstance(raw, dict):
        raise TemplateError(source, [tr("The file must hold a JSON object")])
    known = {"format_version", "name", "version", "title", "description", "encoding", "crs", "package_name",
             "layer_name", "id_field", "stages", "stage_name", "filter", "outputs", "code_tables", "fields", "import"}
    for k in raw:
        if k not in known and not str(k).startswith("_"):
            p(tr("Unknown key \"{0}\" (known: {1})").format(k, ", ".join(sorted(known))))
    if raw.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        p(tr("\"format_version\" {0} is not supported (this plugin reads {1})").format(raw.get("format_version"),
                                                                                      FORMAT_VERSION))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        p(tr("\"name\" is required (a short text)"))
    version = raw.get("version")
    if not isinstance(version, (str, int, float)) or str(version).strip() == "":
        p(tr("\"version\" is required (such as \"1.0\")"))
    enc_raw = str(raw.get("encoding", "GBK")).upper()
    encoding = ENCODINGS.get(enc_raw)
    if encoding is None:
        p(tr("\"encoding\" must be GBK or UTF-8, got {0!r}").format(raw.get("encoding")))
        encoding = "GBK"
    crs = raw.get("crs", schema.CGCS2000_GEOGRAPHIC)
    err = _check_crs(crs)
    if err:
        p(err)
    for key, default in (("package_name", "{county}_{year}_{template}"), ("layer_name", "{county}_{year}")):
        text = raw.get(key, default)
        if not isinstance(text, str) or not text.strip():
            p(tr("\"{0}\" must be a non-empty text").format(key))
            continue
        for ph in _placeholders(text):
            if ph not in NAME_PLACEHOLDERS:
                p(tr("\"{0}\": unknown placeholder {{{1}}} (known: {2})").format(
                    key, ph, ", ".join("{" + n + "}" for n in NAME_PLACEHOLDERS)))
        for ph in _formatted_placeholders(text):
            p(tr("\"{0}\": the placeholder {1} has a format or conversion; write placeholders plainly, such as "
                 "{{year}}").format(key, ph))
        if any(c in text for c in '/\\:*?"<>|') or _NAME_UNSAFE.search(text) or ".." in text:
            p(tr("\"{0}\" must not contain any of / \\ : * ? \" < > |, control characters or \"..\"").format(key))
    stages = raw.get("stages", [])
    if not isinstance(stages, list):
        p(tr("\"stages\" must be a list of stage codes"))
        stages = []
    for s in stages:
        if s not in schema.STAGES:
            p(tr("\"stages\": unknown stage {0!r} (known: {1})").format(s, ", ".join(schema.STAGES.values())))
    flt = raw.get("filter", {}) or {}
    if not isinstance(flt, dict):
        p(tr("\"filter\" must be an object: patch field -> list of allowed values"))
        flt = {}
    filt: Dict[str, List[Any]] = {}
    for fname, allowed in flt.items():
        sf = schema.PATCH_FIELD.get(fname)
        if sf is None:
            p(tr("\"filter\": unknown schema field {0!r}").format(fname))
            continue
        allowed = allowed if isinstance(allowed, list) else [allowed]
        if sf.code_list:
            for v in allowed:
                if v not in schema.CODE_LISTS[sf.code_list]:
                    p(tr("\"filter\": {0!r} is not a code of {1} ({2})").format(v, fname, sf.code_list))
        filt[fname] = allowed
    outputs_raw = raw.get("outputs", {}) or {}
    outputs = {"shapefile": True, "filegdb": False, "xlsx": True}
    if not isinstance(outputs_raw, dict):
        p(tr("\"outputs\" must be an object such as {\"filegdb\": true, \"xlsx\": true}"))
    else:
        for k, v in outputs_raw.items():
            if k not in outputs or not isinstance(v, bool):
                p(tr("\"outputs\": {0!r} must be one of shapefile, filegdb, xlsx with true or false").format(k))
            else:
                outputs[k] = v
        outputs["shapefile"] = True  # always: the Shapefile set is what every platform takes

    # Code tables: our code -> platform code, keyed by a schema code list.
    tables = parse_code_tables(raw.get("code_tables", {}) or {}, p)

    # Fields.
    fields: List[TargetField] = []
    seen: Dict[str, str] = {}
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        p(tr("\"fields\" must be a non-empty list of fields"))
        fields_raw = []
    for i, fr in enumerate(fields_raw, 1):
        if not isinstance(fr, dict):
            p(tr("Field {0}: must be an object").format(i))
            continue
        fname = fr.get("name")
        where = tr("Field {0} ({1})").format(i, fname)
        if not isinstance(fname, str) or not fname.strip():
            p(tr("Field {0}: \"name\" is required").format(i))
            continue
        try:
            nbytes = len(fname.encode("gbk" if encoding == "GBK" else "utf-8"))
        except UnicodeEncodeError:
            p(tr("{0}: the name cannot be written in {1}").format(where, encoding))
            nbytes = 0
        if nbytes > SHAPEFILE_NAME_BYTES:
            p(tr("{0}: the name is {1} bytes in {2}; Shapefile field names have at most 10 bytes (a Chinese character "
                 "is 2 bytes in GBK, 3 in UTF-8)").format(where, nbytes, encoding))
        if fname.lower() in seen:
            p(tr("{0}: duplicate field name (also field {1}; Shapefile names ignore case)").format(where,
                                                                                                seen[fname.lower()]))
        seen[fname.lower()] = str(i)
        ftype = fr.get("type", "string")
        if ftype not in TYPES:
            p(tr("{0}: unknown type {1!r} (known: {2})").format(where, ftype, ", ".join(TYPES)))
            ftype = "string"
        width = _int(fr.get("width"), {"string": 50, "integer": 10, "real": 18, "date": 8}[ftype])
        precision = _int(fr.get("precision"), 4 if ftype == "real" else 0)
        if width is None or precision is None or width < 1 or precision < 0:
            p(tr("{0}: \"width\" and \"precision\" must be whole numbers (width at least 1)").format(where))
            width, precision = width or 1, precision or 0
        elif ftype == "string" and width > 254:
            p(tr("{0}: a Shapefile text field has at most 254 characters, width is {1}").format(where, width))
        elif ftype == "real" and precision >= width:
            p(tr("{0}: the precision must be smaller than the width").format(where))
        value = fr.get("value")
        if not isinstance(value, dict) or len([k for k in VALUE_KINDS if k in value]) != 1:
            p(tr("{0}: \"value\" must be an object with exactly one of {1}").format(where, ", ".join(VALUE_KINDS)))
            value = {"const": None}
        else:
            _check_value(value, where, tables, p, ftype, width)
        zh = fr.get("zh") or ""
        if not isinstance(zh, str):
            p(tr("{0}: \"zh\" (the Chinese column header) must be a text").format(where))
            zh = ""
        fields.append(TargetField(fname, ftype, width, precision, zh, value))
    id_field = raw.get("id_field")
    if id_field is not None and id_field.lower() not in seen:
        p(tr("\"id_field\" {0!r} is not one of the template's fields").format(id_field))

    # Import: which returned columns map back onto which patch fields.
    imp = raw.get("import", {}) or {}
    import_fields: List[ImportField] = []
    import_id = id_field
    match_geom, min_overlap = True, 0.9
    if not isinstance(imp, dict):
        p(tr("\"import\" must be an object"))
        imp = {}
    if imp:
        import_id = imp.get("id_field", id_field)
        if import_id is not None and (not isinstance(import_id, str) or not import_id.strip()):
            p(tr("\"import\": \"id_field\" must be a column name"))
        match_geom = imp.get("match_by_geometry", True)
        if not isinstance(match_geom, bool):
            p(tr("\"import\": \"match_by_geometry\" must be true or false"))
        min_overlap = imp.get("min_overlap", 0.9)
        if not isinstance(min_overlap, (int, float)) or isinstance(min_overlap, bool) or not 0.5 <= min_overlap <= 1:
            p(tr("\"import\": \"min_overlap\" must be a number between 0.5 and 1"))
            min_overlap = 0.9
        cols_seen = set()
        for i, fr in enumerate(imp.get("fields", []) or [], 1):
            if not isinstance(fr, dict) or not isinstance(fr.get("column"), str) or not isinstance(fr.get("field"), str):
                p(tr("Import field {0}: needs \"column\" (the returned column) and \"field\" (our patch field)").format(i))
                continue
            where = tr("Import field {0} ({1})").format(i, fr["column"])
            if fr["column"].lower() in cols_seen:
                p(tr("{0}: duplicate column").format(where))
            cols_seen.add(fr["column"].lower())
            sf = schema.PATCH_FIELD.get(fr["field"])
            if sf is None:
                p(tr("{0}: unknown schema field {1!r}").format(where, fr["field"]))
                continue
            if sf.name in PROTECTED_FIELDS or not sf.editable:
                p(tr("{0}: the field {1} is kept by the plugin and cannot be imported").format(where, sf.name))
            elif sf.name in NOT_IMPORTABLE:
                p(tr("{0}: the field {1} is filled in by the plugin (from the location or the geometry) and cannot be "
                     "imported; map the column to nothing or to a remark").format(where, sf.name))
            table = fr.get("code_table")
            if table is not None:
                if table not in tables:
                    p(tr("{0}: unknown code table {1!r}").format(where, table))
                elif tables[table]["code_list"] != sf.code_list:
                    p(tr("{0}: code table {1} translates {2}, but {3} uses {4}").format(
                        where, table, tables[table]["code_list"], sf.name, sf.code_list or "-"))
                elif shared_codes(tables[table]["codes"]):
                    p(tr("{0}: code table {1} gives several of our codes the same platform code, so it cannot "
                         "be read back").format(where, table))
            unit = fr.get("unit")
            if unit is not None and unit not in AREA_UNITS:
                p(tr("{0}: \"unit\" must be one of {1}").format(where, ", ".join(AREA_UNITS)))
            decimals = fr.get("decimals")
            if decimals is not None and (_int(decimals, 0) is None or decimals < 0):
                p(tr("{0}: \"decimals\" must be a whole number").format(where))
            import_fields.append(ImportField(fr["column"], sf.name, table, unit, decimals))
    if problems:
        raise TemplateError(source, problems)
    return Template(
        name=name.strip(), version=str(version), title=str(raw.get("title") or name), description=str(
            raw.get("description") or ""), encoding=encoding, crs=crs.upper(),
        package_name=raw.get("package_name", "{county}_{year}_{template}"),
        layer_name=raw.get("layer_name", "{county}_{year}"), id_field=id_field, stages=list(stages),
        stage_name=str(raw.get("stage_name") or ""), filter=filt, outputs=outputs, code_tables=tables,
        fields=fields, import_id_field=import_id, import_fields=import_fields, match_by_geometry=bool(match_geom),
        min_overlap=float(min_overlap), path=path, raw=raw)


def _check_value(value: Dict[str, Any], where: str, tables: Dict[str, Dict[str, Any]], p, ftype: str,
                 width: int) -> None:
    """Problems of one field's value source."""
    known = {"field", "const", "format", "area", "code_table", "label", "slice", "decimals", "default", "date_format"}
    for k in value:
        if k not in known:
            p(tr("{0}: unknown key {1!r} in \"value\" (known: {2})").format(where, k, ", ".join(sorted(known))))
    if "field" in value:
        sf = schema.PATCH_FIELD.get(value["field"])
        if sf is None:
            p(tr("{0}: unknown schema field {1!r}").format(where, value["field"]))
            return
        table = value.get("code_table")
        if table is not None:
            if table not in tables:
                p(tr("{0}: unknown code table {1!r}").format(where, table))
            elif tables[table]["code_list"] != sf.code_list:
                p(tr("{0}: code table {1} translates {2}, but {3} uses {4}").format(
                    where, table, tables[table]["code_list"], sf.name, sf.code_list or "-"))
            elif ftype == "string":
                long = [c for c in tables[table]["codes"].values() if len(c) > width]
                if long:
                    p(tr("{0}: platform codes longer than the field width {1}: {2}").format(where, width,
                                                                                          ", ".join(long)))
        label = value.get("label")
        if label is not None:
            if label not in ("zh", "en"):
                p(tr("{0}: \"label\" must be \"zh\" or \"en\"").format(where))
            if not sf.code_list:
                p(tr("{0}: \"label\" needs a field with a code list; {1} has none").format(where, sf.name))
        sl = value.get("slice")
        if sl is not None and not (isinstance(sl, list) and len(sl) == 2 and all(isinstance(x, int) for x in sl)):
            p(tr("{0}: \"slice\" must be [start, end] (whole numbers)").format(where))
    elif "format" in value:
        if not isinstance(value["format"], str):
            p(tr("{0}: \"format\" must be a text").format(where))
        else:
            for ph in _placeholders(value["format"]):
                if ph not in VALUE_PLACEHOLDERS:
                    p(tr("{0}: unknown placeholder {{{1}}} in \"format\" (a patch field or one of {2})").format(
                        where, ph, ", ".join(NAME_PLACEHOLDERS)))
            for ph in _formatted_placeholders(value["format"]):
                p(tr("{0}: the placeholder {1} in \"format\" has a format or conversion; write placeholders "
                     "plainly, such as {{year}}").format(where, ph))
    elif "area" in value:
        if value["area"] not in AREA_UNITS:
            p(tr("{0}: \"area\" must be one of {1}").format(where, ", ".join(AREA_UNITS)))
        if ftype != "real":
            p(tr("{0}: an area needs the type \"real\"").format(where))
    decimals = value.get("decimals")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
        p(tr("{0}: \"decimals\" must be a whole number").format(where))


def safe_name_part(value: Any) -> str:
    """`value` as text fit for a file name: path separators, Windows-reserved and control characters and runs of
    dots ("..") become "_"."""
    text = _NAME_UNSAFE.sub("_", str(value))
    return _DOTS.sub(lambda m: "_" * len(m.group(0)), text)


def names_for(template: Template, context: Dict[str, Any]) -> Tuple[str, str]:
    """(package name, layer name) of a template with its placeholders filled.

    The values (a county name, ...) are made safe for file names (safe_name_part): neither name can leave the folder
    it is written to. Placeholders are filled plainly: a template with format specs does not load, and one built
    without validation gets its specs refused here.
    """
    ctx = {k: safe_name_part(context.get(k, "")) for k in NAME_PLACEHOLDERS}
    out = []
    for text in (template.package_name, template.layer_name):
        pieces = []
        for lit, name, spec, conv in string.Formatter().parse(text):
            pieces.append(lit)
            if name is None:
                continue
            if spec or conv or name not in ctx:
                raise TemplateError(template.name, [tr("The name {0!r} has a placeholder that is not allowed: {1}").format(
                    text, "{" + name + "}")])
            pieces.append(ctx[name])
        out.append(safe_name_part("".join(pieces)) or "_")
    return out[0], out[1]
