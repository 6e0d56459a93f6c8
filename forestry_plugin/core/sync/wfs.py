"""The WFS-T adapter: sync a county with a standard OGC WFS-T server (GeoServer, QGIS Server, SuperMap iServer,
ArcGIS Server) that publishes the patch layer.

What the server must publish (a service description, `resources/platforms/*.json`, names it): one feature type
with the patch id, a whole-number version, a change time (text, ISO 8601 UTC), the county code and the schema's
fields it keeps (any names: the description maps ours onto theirs). Everything goes through QGIS's network stack
(proxy, TLS verification, QGIS's timeouts) in `PlatformClient._request`.

- **Download**: GetFeature filtered by county and by change time (since the last download, less a margin for
  writers' clocks), in pages (STARTINDEX with MAXFEATURES / COUNT), as GeoJSON where the server offers it, else
  GML read with OGR. A WFS server keeps no tombstones and the change times come from the writers' clocks, so every
  download also lists each patch's id and version (no geometry): a patch gone there was deleted, one newer there
  than here is fetched.
- **Upload**: one Transaction per batch: Insert for new patches, Update filtered by id *and* the base version
  (optimistic concurrency: zero features updated is a conflict), Delete filtered the same way. Before a batch goes
  out, the adapter reads what the server holds of its patches, so a batch replayed after a lost reply inserts
  nothing twice and takes its own earlier update for what it is.
- **Review moves** are Updates of the stage filtered by id, base version and the stage the move starts from.
- **Read-only servers** (`"read_only": true`: MapServer, which has no WFS-T; a province publishing its verified
  patches): downloads only; nothing is ever sent (`accepts_uploads` False: the engine keeps local work queued and
  says so). Such a server may speak WFS 2.0.0: GetFeature with TYPENAMES / COUNT / STARTINDEX, FES 2.0 filters,
  GML 3.2 (read with OGR) or GeoJSON. Uploads go through WFS-T 1.1.0 only: 2.0.0 without read_only is refused.
- **Code tables** (`code_tables`, the submission templates' format): the server's codes are written on upload
  (the stage in a review move's filter too) and read back into ours on download. A server code the table lacks is
  never stored (the record is set aside by the engine, the explanation kept with it); a code of ours it lacks is
  not sent. In a number column (DescribeFeatureType), codes are compared as numbers, first: "01" stored there comes
  back as "1" or 1 and is read back as ours. Codes of one table that are the same number ("1" and "01") cannot be
  told apart there: the table is named when the description meets the server (`notices`, told at every sync), a
  record holding that number is set aside with the explanation, and a patch with such a code is not sent.
- **Not kept by a WFS server**: who the session is (its role is this copy's), the workflow policy (the bundled
  one), the audit chain (stays in the working copy) and accepted exceptions (stay pending here). What the
  server's own access control enforces (which accounts may write the layer) is all it enforces.
- **Authentication**: HTTP Basic from the QGIS authentication database, or a token in a header the description
  names; both live in memory only and never appear in a message.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlencode

from osgeo import gdal, ogr, osr

from ... import schema
from ...i18n import tr
from ...paths import resource_path
from ..exchange.template import parse_code_tables, reverse_table, shared_codes
from .adapter import WFS, Page, Platform, normalized_address, same_geometry, same_value
from .client import (
    AuthError,
    ForbiddenError,
    HttpTransport,
    NetworkError,
    PlatformError,
    ProtocolError,
    ServerError,
    TimedOut,
    redact,
)

NS = {"wfs": "http://www.opengis.net/wfs", "ogc": "http://www.opengis.net/ogc", "gml": "http://www.opengis.net/gml",
      "ows": "http://www.opengis.net/ows", "wfs2": "http://www.opengis.net/wfs/2.0",
      "fes": "http://www.opengis.net/fes/2.0", "ows11": "http://www.opengis.net/ows/1.1", "xsd":
      "http://www.w3.org/2001/XMLSchema"}
GEOJSON_FORMATS = ("application/vnd.geo+json", "application/geo+json", "application/json", "json", "geojson")
VERSIONS = ("1.1.0", "2.0.0")  # 2.0.0: reading only (see check_description)
# DescribeFeatureType types of number columns (XML Schema's, and what servers write: QGIS Server int / decimal /
# long, MapServer integer / double, GeoServer xsd:int ...)
NUMBER_TYPES = {"int", "integer", "long", "short", "byte", "decimal", "double", "float", "real", "number",
                "nonnegativeinteger", "positiveinteger", "negativeinteger", "nonpositiveinteger", "unsignedlong",
                "unsignedint", "unsignedshort", "unsignedbyte"}
DEFAULT_DESCRIPTION = "platforms/wfs_qgis_server.json"
_TYPES = {f.name: f.type for f in schema.PATCH_FIELDS}
SYNCED = [f.name for f in schema.PATCH_FIELDS if f.synced]


class DescriptionError(ValueError):
    """A service description that cannot be used; the message names the file, the key and what is wrong."""


def load_description(path: Optional[str] = None) -> Dict[str, Any]:
    """Read and check a WFS service description (JSON); the bundled one when `path` is empty."""
    path = path or resource_path(DEFAULT_DESCRIPTION)
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DescriptionError(tr("The WFS service description {0} cannot be read: {1}").format(
            os.path.basename(path), e)) from None
    return check_description(raw, os.path.basename(path))


def check_description(raw: Any, name: str = "") -> Dict[str, Any]:
    """The description with its defaults, or DescriptionError naming every problem (it is input, not code)."""
    problems: List[str] = []
    if not isinstance(raw, dict):
        raise DescriptionError(tr("The WFS service description {0} is not a JSON object").format(name))
    d = {"version": "1.1.0", "type_name": "patches", "namespace_uri": "http://www.qgis.org/gml",
         "namespace_prefix": "qgs", "geometry_name": "geometry", "srs_name": "EPSG:4490",
         "output_format": "", "id_field": "patch_id", "version_field": "version", "changed_field": "changed_at",
         "county_field": "county_code", "fields": {}, "code_tables": {}, "page_size": 500,
         "clock_margin_s": 600, "coordinate_tolerance": 1e-7, "token_header": "", "read_only": False}
    unknown = sorted(set(raw) - set(d) - {"kind", "title", "comment"})
    if unknown:
        problems.append(tr("unknown keys: {0}").format(", ".join(unknown)))
    d.update({k: v for k, v in raw.items() if k in d})
    if d["version"] not in VERSIONS:
        problems.append(tr("version must be 1.1.0 or 2.0.0, not {0}").format(d["version"]))
    if not isinstance(d["read_only"], bool):
        problems.append(tr("read_only must be true or false"))
    elif d["version"] == "2.0.0" and not d["read_only"]:
        # uploads go through WFS-T 1.1.0, which every WFS-T server named in docs/sync.md speaks (QGIS Server
        # included); no WFS-T 2.0 server could be tested, so 2.0.0 is for a server that only publishes the layer
        problems.append(tr("version 2.0.0 is only for downloading: add \"read_only\": true for a server that only "
                           "publishes the layer, or use version 1.1.0 (WFS-T) to upload"))
    # the prefix goes into the XML of every Transaction (xmlns:prefix="uri"): an XML name, not one of the
    # prefixes the requests use themselves; the URI an absolute one without characters XML would need escaped
    if not isinstance(d["namespace_prefix"], str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$",
                                                                  d["namespace_prefix"]) \
            or d["namespace_prefix"].lower().startswith("xml") or d["namespace_prefix"] in NS:
        problems.append(tr("namespace_prefix must be an XML name other than {0}").format(", ".join(sorted(NS))))
    if not isinstance(d["namespace_uri"], str) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>&\"']+$",
                                                               d["namespace_uri"]):
        problems.append(tr("namespace_uri must be an absolute URI"))
    for key in ("type_name", "geometry_name", "srs_name", "id_field", "version_field", "changed_field",
                "county_field"):
        if not isinstance(d[key], str) or not d[key].strip() or any(c in d[key] for c in "<>&\"' "):
            problems.append(tr("{0} must be a name").format(key))
    if not isinstance(d["fields"], dict) or not all(
            isinstance(k, str) and k in SYNCED and (v is None or (isinstance(v, str) and v and not
                                                                  any(c in v for c in "<>&\"' ")))
            for k, v in d["fields"].items()):
        problems.append(tr("fields must map the plugin's field names to the server's names (or null)"))
    d["code_tables"] = _check_code_tables(d["code_tables"], d["fields"], problems)
    for key, lo, hi in (("page_size", 1, 10000), ("clock_margin_s", 0, 86400 * 7)):
        if isinstance(d[key], bool) or not isinstance(d[key], int) or not lo <= d[key] <= hi:
            problems.append(tr("{0} must be a whole number from {1} to {2}").format(key, lo, hi))
    if isinstance(d["coordinate_tolerance"], bool) or not isinstance(d["coordinate_tolerance"], (int, float)) \
            or not 0 <= d["coordinate_tolerance"] <= 0.01:
        problems.append(tr("coordinate_tolerance must be a number of degrees from 0 to 0.01"))
    try:
        srs = osr.SpatialReference()
        if srs.SetFromUserInput(str(d["srs_name"])) != 0:
            raise RuntimeError
    except RuntimeError:
        problems.append(tr("srs_name {0} is not a coordinate reference system").format(d["srs_name"]))
    if problems:
        raise DescriptionError(tr("The WFS service description {0} cannot be used: {1}").format(
            name, "; ".join(problems)))
    return d


# A synced field with a code list has its own: a table names its code list, and the field is the one using it.
_FIELD_OF_LIST: Dict[str, List[str]] = {}
for _f in schema.PATCH_FIELDS:
    if _f.synced and _f.code_list:
        _FIELD_OF_LIST.setdefault(_f.code_list, []).append(_f.name)
_TABLE_KEYS = {"code_list", "codes", "field", "comment"}


def _check_code_tables(raw: Any, fields: Any, problems: List[str]) -> Dict[str, Dict[str, Any]]:
    """The description's code tables, in the templates' format (core/exchange/template.py, checked by the same
    code): `{"TABLE": {"code_list": "stage", "codes": {"design": "01", ...}}}`, each with the field it translates
    (`"field"`, or the one synced field using the code list). Every table must read back (one of their codes per
    code of ours) and its codes be texts. Problems go to `problems`; the checked tables are returned."""
    start = len(problems)

    def p(text: str) -> None:
        problems.append(tr("code_tables: {0}").format(text))

    tables = parse_code_tables(raw, p, text_only=True)
    taken: Dict[str, str] = {}
    for tname, table in tables.items():
        t = raw[tname]
        extra = sorted(str(k) for k in t if k not in _TABLE_KEYS)
        if extra:
            p(tr("Code table {0}: unknown keys {1} (known: {2})").format(tname, ", ".join(extra),
                                                                       ", ".join(sorted(_TABLE_KEYS))))
        field = t.get("field")
        if field is None:
            users = _FIELD_OF_LIST.get(table["code_list"], [])
            if len(users) != 1:
                p(tr("Code table {0}: no synced field or several use the code list {1}; name the field "
                     "(\"field\")").format(tname, table["code_list"]))
                continue
            field = users[0]
        elif not isinstance(field, str) or field not in SYNCED:
            p(tr("Code table {0}: unknown field {1!r} (a synced field of the plugin with a code list: {2})").format(
                tname, field, ", ".join(sorted(n for ns in _FIELD_OF_LIST.values() for n in ns))))
            continue
        elif schema.PATCH_FIELD[field].code_list != table["code_list"]:
            p(tr("Code table {0}: the field {1} uses the code list {2}, not {3}").format(
                tname, field, schema.PATCH_FIELD[field].code_list or "-", table["code_list"]))
            continue
        if field in taken:
            p(tr("Code table {0}: the field {1} has a code table already ({2})").format(tname, field, taken[field]))
        taken[field] = tname
        if isinstance(fields, dict) and field in fields and fields[field] is None:
            p(tr("Code table {0}: the field {1} is not kept by the server (null under fields)").format(tname, field))
        for theirs, ours in sorted(shared_codes(table["codes"]).items()):
            p(tr("Code table {0}: the server's code {1!r} is given to several of our codes ({2}), so it cannot be "
                 "read back").format(tname, theirs, ", ".join(ours)))
        table["field"] = field
    return tables if len(problems) == start else {}


class _NoCode(ValueError):
    """A value of ours the description's code table for its field has no code for (the patch is not sent)."""

    def __init__(self, field: str, value: Any, message: Optional[str] = None):
        self.field, self.value = field, value
        super().__init__(message or tr("The service description's code table for {0} has no server code for {1!r}: "
                                       "the patch is not sent (add the code to the table; see docs/sync.md)").format(
            field, value))


class _SharedNumber(_NoCode):
    """A value of ours whose server code is the same number as another code of the table, for a number column:
    the server would store both alike (the patch is not sent)."""

    def __init__(self, field: str, value: Any, code: str, others: List[str]):
        super().__init__(field, value, tr("The code table for {0} gives {1!r} the code {2!r}, the same number as the "
                                          "code of {3}: the WFS server's number column would store them alike, so the "
                                          "patch is not sent (give them different numbers; see docs/sync.md)").format(
            field, value, code, ", ".join(others)))


def _whole(value: Any) -> Optional[int]:
    """A version as a whole number (GML gives text, GeoJSON may give 3.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _number(value: Any) -> Optional[Decimal]:
    """A code as a number ("01", "1", 1 and 1.0 are all 1), else None: how a number column compares codes."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        n = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def _numeric_back(codes: Dict[str, str]) -> Dict[Decimal, List[str]]:
    """The number a server code stands for -> our codes with a server code of that number (more than one: a number
    column cannot tell "1" from "01", such a value is ambiguous and set aside)."""
    out: Dict[Decimal, List[str]] = {}
    for ours, theirs in codes.items():
        n = _number(theirs)
        if n is not None:
            out.setdefault(n, []).append(ours)
    return {n: sorted(ours) for n, ours in out.items()}


# a GML 3.2 time property (MapServer writes a date column with gml_types "auto" as a gml:TimeInstantType element):
# its text, as other servers write it, for OGR's reader (which would take the timePosition for a field of its own)
_TIME_PROPERTY = re.compile(
    rb"<(?P<tag>[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)(?:\s[^<>]*)?>\s*"
    rb"(?:<(?:[A-Za-z_][\w.-]*:)?TimeInstant(?:\s[^<>]*)?>\s*)?"
    rb"<(?:[A-Za-z_][\w.-]*:)?timePosition(?:\s[^<>]*)?>(?P<text>[^<]*)</(?:[A-Za-z_][\w.-]*:)?timePosition>\s*"
    rb"(?:</(?:[A-Za-z_][\w.-]*:)?TimeInstant>\s*)?</(?P=tag)>")


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0 at all


def _feature_id(feat: Dict[str, Any]) -> Any:
    """The server's own id of a feature as read back (GeoJSON "id", or gml_id from OGR's GML reader)."""
    fid = feat.get("id")
    return fid if isinstance(fid, str) else (feat.get("properties") or {}).get("gml_id")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_last_stamp = [""]


def _claim_mark(key: Optional[str], pid: str) -> str:
    """The microseconds (".123456Z") a delete claim of batch `key` for patch `pid` carries: the same on every try of
    the batch, so a claim whose answer was lost is recognised when the batch is sent again (one in a million
    chance of taking another writer's change for it)."""
    import hashlib

    digest = int(hashlib.sha1(f"{key}|{pid}".encode()).hexdigest()[:8], 16) % 1_000_000
    return f".{digest:06d}Z"


def _claim_stamp(key: Optional[str], pid: str) -> str:
    if not key:
        return _stamp()
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + _claim_mark(key, pid)


def _fid_order(fid: str):
    """Feature ids in the order the server gave them out ("patches.12" before "patches.100")."""
    tail = fid.rsplit(".", 1)[-1]
    return (0, int(tail), fid) if tail.isdigit() else (1, 0, fid)


def _stamp() -> str:
    """A change time no other write of this process shares (microseconds, never repeated): a write that comes
    back with it is recognised as this one (a Transaction that Qt sent twice, or whose reply was lost)."""
    t = _dt.datetime.now(_dt.timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    while text <= _last_stamp[0]:
        t += _dt.timedelta(microseconds=1)
        text = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    _last_stamp[0] = text
    return text


class WfsPlatform(HttpTransport, Platform):
    """A WFS-T server as a platform (see the module text)."""

    kind = WFS
    verifies_identity = serves_policy = keeps_audit = keeps_exceptions = lists_deletes = False
    explains_records = True  # a server code the description's tables lack: the record's "problem" says which

    def __init__(self, base_url: str, description: Optional[Dict[str, Any]] = None, **kwargs):
        super().__init__(base_url, **kwargs)
        self.d = check_description(description) if description is not None else load_description()
        self._credentials: Optional[Tuple[str, str]] = None
        self._logged_in = False
        self.server_fields: List[str] = []  # the feature type's attributes (DescribeFeatureType)
        # the code tables by our field: ours -> theirs (upload), theirs -> ours (download)
        self._codes = {t["field"]: dict(t["codes"]) for t in self.d["code_tables"].values()}
        self._back = {field: reverse_table(codes) for field, codes in self._codes.items()}
        self._back_number = {field: _numeric_back(codes) for field, codes in self._codes.items()}
        self.numeric_fields: set = set()  # the feature type's number columns (DescribeFeatureType)
        # a server that only publishes the layer (MapServer; a province publishing its verified patches): nothing
        # is ever sent to it (Platform.accepts_uploads; the engine keeps local work queued and says so)
        self.accepts_uploads = not self.d["read_only"]
        self.output_format = ""
        self._wgs = osr.SpatialReference()
        self._wgs.ImportFromEPSG(4490)
        self._wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        theirs = osr.SpatialReference()
        theirs.SetFromUserInput(self.d["srs_name"])
        theirs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        same = theirs.IsSame(self._wgs)
        self._to_server = None if same else osr.CoordinateTransformation(self._wgs, theirs)
        self._from_server = None if same else osr.CoordinateTransformation(theirs, self._wgs)

    def __repr__(self) -> str:
        return f"WfsPlatform({self.base_url!r}, {self.d['type_name']!r})"

    def identity(self) -> str:
        """The server's address and the feature type as the description names it, prefix included (another layer
        of the same server holds other patches: a county's `county339901:patches` is not the province's
        `prov:patches`)."""
        return f"{self.kind}:{normalized_address(self.base_url)}#{self.d['type_name']}"

    @property
    def _v2(self) -> bool:
        """WFS 2.0.0 (reading only): its parameter names, FES 2.0 filters, GML 3.2 replies."""
        return self.d["version"] == "2.0.0"

    def _writable(self) -> None:
        """Refuse, before anything goes out, to write to a server that only publishes the layer."""
        if not self.accepts_uploads:
            raise PlatformError(tr("This platform takes no uploads (its service description says read_only): "
                                   "nothing was sent"))

    # -- session --------------------------------------------------------------------------
    def _authorize(self, req, blocking) -> None:
        if not self._credentials:
            return
        user, secret = self._credentials
        if self.d["token_header"]:
            req.setRawHeader(self.d["token_header"].encode(), secret.encode())
        else:
            req.setRawHeader(b"Authorization", b"Basic " + base64.b64encode(f"{user}:{secret}".encode()))

    def secrets(self) -> Tuple[str, ...]:
        if not self._credentials:
            return ()
        user, secret = self._credentials
        return secret, base64.b64encode(f"{user}:{secret}".encode()).decode()

    def _secrets(self, body: Any = None) -> Tuple[str, ...]:
        return self.secrets()

    def login(self, username: str, password: str) -> Dict[str, Any]:
        """Check the server with these credentials (capabilities and the feature type); nothing is stored."""
        self._credentials = (username, password) if (username or password) else None
        try:
            self._capabilities()
            self._describe()
        except BaseException:
            self._credentials = None
            raise
        self._logged_in = True
        # A WFS server does not say who the session is: no role, no units; this copy's identity stands.
        self.user = {"username": username, "display_name": username}
        return self.user

    def forget(self) -> None:
        self._credentials = None
        self._logged_in = False
        self.user = {}

    def logout(self) -> None:
        self.forget()

    @property
    def logged_in(self) -> bool:
        return self._logged_in

    def workflow(self) -> Dict[str, Any]:
        raise PlatformError(tr("A WFS server serves no workflow policy: the plugin's own applies"))

    # -- transport ------------------------------------------------------------------------
    def _url(self, params: Dict[str, str]) -> str:
        sep = "&" if "?" in self.base_url else "?"
        return self.base_url + sep + urlencode({"SERVICE": "WFS", "VERSION": self.d["version"], **params})

    def _exchange(self, params: Dict[str, str], xml: Optional[bytes] = None, retry: bool = True) -> bytes:
        """One WFS request (GET with `params`, or POST of `xml`); OGC exception reports become PlatformErrors.
        Reads are retried like the REST client's calls (a silent deadline once); a Transaction is never resent
        blindly (the next upload looks at what the server holds first)."""
        attempt, timeouts = 0, 0
        while True:
            try:
                if xml is None:
                    status, content, _h = self._request("GET", self._url(params), accept="*/*")
                else:
                    status, content, _h = self._request("POST", self._url(params), raw=xml, accept="*/*",
                                                        content_type="text/xml; charset=utf-8")
                self._check(status, content)
                return content
            except PlatformError as e:
                if not (e.retryable or getattr(e, "retryable_reply", False)):
                    raise
                attempt += 1
                timeouts += isinstance(e, TimedOut)
                if not retry or attempt > self.retries or timeouts > 1:
                    raise
                self._wait(min(self.backoff_s * (2 ** (attempt - 1)), 8.0))

    def _check(self, status: int, content: bytes) -> None:
        secrets = self.secrets()
        if status == 401:
            raise AuthError(tr("Wrong user name or password"), expired=False, code="unauthorized")
        if status == 403:
            raise ForbiddenError(tr("Not allowed: {0}").format(redact(self._exception_text(content), secrets)))
        if status >= 500:
            raise ServerError(tr("The WFS server failed (HTTP {0}): {1}").format(
                status, redact(self._exception_text(content), secrets)))
        text = self._exception_text(content) if content[:400].lstrip().startswith(b"<") else ""
        if text or status >= 400:
            if "Security" in text or "permission" in text.lower():
                raise ForbiddenError(tr("The WFS server refused: {0}").format(redact(text, secrets)))
            raise ProtocolError(tr("The WFS server refused the request (HTTP {0}): {1}").format(
                status, redact(text or tr("{0} bytes").format(len(content)), secrets)))

    @staticmethod
    def _exception_text(content: bytes) -> str:
        """The message of an OGC exception report ("" when the reply is not one)."""
        try:
            root = ET.fromstring(content)
        except ET.ParseError:
            return ""
        if _local(root.tag) not in ("ServiceExceptionReport", "ExceptionReport"):
            return ""
        texts = []
        for el in root.iter():
            if _local(el.tag) in ("ServiceException", "ExceptionText") and (el.text or "").strip():
                code = el.get("code") or el.get("exceptionCode") or ""
                texts.append(f"{code}: {el.text.strip()}" if code else el.text.strip())
        return "; ".join(texts) or "exception"

    def _xml(self, content: bytes) -> ET.Element:
        try:
            return ET.fromstring(content)
        except ET.ParseError:
            e = ProtocolError(tr("The WFS server sent a reply that is not XML ({0} bytes): it may have been cut "
                                 "off on the way; try again").format(len(content)))
            e.retryable_reply = True
            raise e from None

    # -- what the server offers -------------------------------------------------------------------
    def _capabilities(self) -> None:
        root = self._xml(self._exchange({"REQUEST": "GetCapabilities"}))
        wanted = self.d["type_name"]
        if self._v2:
            return self._capabilities_2(root)
        names = [(el.text or "").strip() for el in root.iter() if _local(el.tag) == "Name"
                 and el.text and _local(el.tag) == "Name"]
        if not any(n == wanted or n.split(":")[-1] == wanted for n in names):
            raise ProtocolError(redact(tr("The WFS server publishes no feature type {0}").format(wanted),
                                       self.secrets()))
        formats: List[str] = []
        for op in root.iter():
            if _local(op.tag) == "Operation" and op.get("name") == "GetFeature":
                for p in op.iter():
                    if _local(p.tag) == "Parameter" and (p.get("name") or "").lower() == "outputformat":
                        formats += [(v.text or "").strip() for v in p.iter() if _local(v.tag) == "Value"]
        if self.d["output_format"]:
            self.output_format = self.d["output_format"]
        else:
            self.output_format = next((f for f in formats if f.lower() in GEOJSON_FORMATS), "")  # "" = GML

    def _capabilities_2(self, root: ET.Element) -> None:
        """WFS 2.0 capabilities: the version the server answered in, the feature types' names
        (FeatureTypeList/FeatureType/Name) and the GetFeature output formats (OWS 1.1: Operation / Parameter /
        AllowedValues / Value, and each feature type's OutputFormats)."""
        wanted = self.d["type_name"]
        answered = root.get("version") or ""
        if _local(root.tag) != "WFS_Capabilities" or (answered and answered != "2.0.0"):
            # a server that does not speak 2.0.0 answers in the highest version it speaks
            raise ProtocolError(tr("The WFS server does not speak WFS 2.0.0 (it answered {0}): use version 1.1.0 in "
                                   "the service description").format(answered or _local(root.tag)))
        formats: List[str] = []
        found = False
        for ft in root.iter():
            if _local(ft.tag) != "FeatureType":
                continue
            name = next(((el.text or "").strip() for el in ft if _local(el.tag) == "Name"), "")
            if name == wanted or name.split(":")[-1] == wanted:
                found = True
                formats += [(el.text or "").strip() for el in ft.iter() if _local(el.tag) == "Format"]
        if not found:
            raise ProtocolError(redact(tr("The WFS server publishes no feature type {0}").format(wanted),
                                       self.secrets()))
        for op in root.iter():
            if _local(op.tag) == "Operation" and op.get("name") == "GetFeature":
                for p in op:
                    if _local(p.tag) == "Parameter" and (p.get("name") or "").lower() == "outputformat":
                        formats += [(v.text or "").strip() for v in p.iter() if _local(v.tag) == "Value"]
        if self.d["output_format"]:
            self.output_format = self.d["output_format"]
        else:
            self.output_format = next((f for f in formats if self._is_geojson(f)), "")  # "" = GML 3.2

    def _is_geojson(self, fmt: str) -> bool:
        """True when an output format is GeoJSON (WFS 2.0 servers also name it by a MIME subtype, MapServer's
        OGR output "application/json; subtype=geojson")."""
        low = (fmt or "").strip().lower()
        if low in GEOJSON_FORMATS:
            return True
        return self._v2 and ("geojson" in low or "geo+json" in low or low.split(";")[0].strip() == "application/json")

    def _describe(self) -> None:
        root = self._xml(self._exchange({"REQUEST": "DescribeFeatureType",
                                         "TYPENAMES" if self._v2 else "TYPENAME": self.d["type_name"]}))
        elements = [el for el in root.iter() if _local(el.tag) == "element"
                    and el.get("name") and el.get("type") and not el.get("substitutionGroup")]
        self.server_fields = [el.get("name") for el in elements]
        # a number column stores a code "01" as 1 and sends back "1" (GML) or 1 (GeoJSON): its codes are read back
        # by the number they stand for
        self.numeric_fields = {el.get("name") for el in elements if _local(el.get("type")).lower() in NUMBER_TYPES}
        needed = [self.d[k] for k in ("id_field", "version_field", "changed_field", "county_field")]
        missing = [n for n in needed if n not in self.server_fields]
        if missing:
            raise ProtocolError(tr("The WFS feature type {0} lacks the fields {1} (see docs/sync.md: what a WFS "
                                   "server must publish)").format(self.d["type_name"], ", ".join(missing)))
        self.notices = tuple(self._shared_numbers())

    def _column(self, field: str) -> Optional[str]:
        """The server's column of one of our synced fields (None: not kept), as the description names it."""
        return self.d["fields"].get(field, field) if field in self.d["fields"] else field

    def _shared_numbers(self) -> List[str]:
        """For each code table whose column the server says is a number: the codes of ours whose server codes are
        the same number (the column stores them alike; it cannot tell them apart)."""
        out = []
        for tname, table in sorted(self.d["code_tables"].items()):
            field = table["field"]
            column = self._column(field)
            if column not in self.numeric_fields:
                continue
            codes = self._codes.get(field, {})
            for n, ours in sorted(self._back_number.get(field, {}).items()):
                if len(ours) > 1:
                    out.append(tr("The service description's code table {0} gives codes that are the same number "
                                  "({1}) to {2}, but the WFS server's column {3} is a number column: it stores them "
                                  "alike and cannot tell them apart. Patches with these values are not sent and the "
                                  "server's records holding that number are set aside; give these codes different "
                                  "numbers (see docs/sync.md)").format(
                        tname, n, ", ".join(f"{o} ({codes[o]})" for o in ours), column))
        return out

    def _ensure(self) -> None:
        if not self.server_fields:
            self._capabilities()
            self._describe()

    def field_map(self) -> Dict[str, str]:
        """Ours → theirs for every synced field the server keeps."""
        self._ensure()
        out = {}
        for name in SYNCED:
            theirs = self.d["fields"].get(name, name) if name in self.d["fields"] else name
            if theirs and theirs in self.server_fields:
                out[name] = theirs
        out["patch_id"] = self.d["id_field"]
        out["county_code"] = self.d["county_field"]
        return out

    def _theirs(self, field: str, value: Any) -> Any:
        """Our value of `field` as the server stores it: its code where the description has a code table for the
        field (_NoCode when the table has none for the value), else unchanged."""
        table = self._codes.get(field)
        if table is None or value is None or value == "":
            return value
        if not isinstance(value, str) or value not in table:
            raise _NoCode(field, value)
        if self._column(field) in self.numeric_fields:
            shared = self._back_number.get(field, {}).get(_number(table[value]), [])
            if len(shared) > 1:  # a number column stores it as it stores another of our codes
                raise _SharedNumber(field, value, table[value], [o for o in shared if o != value])
        return table[value]

    # -- reading ---------------------------------------------------------------------------
    def _fes(self) -> Tuple[str, str]:
        """The filter encoding's namespace and its element naming a property: OGC Filter 1.1 (ogc:PropertyName)
        for WFS 1.1.0, FES 2.0 (fes:ValueReference) for WFS 2.0.0."""
        if self._v2:
            ET.register_namespace("fes", NS["fes"])
            return NS["fes"], "ValueReference"
        return NS["ogc"], "PropertyName"

    def _filter(self, county: str, since: Optional[str] = None, ids: Optional[List[str]] = None) -> ET.Element:
        ogc, prop = self._fes()
        conds = [self._equal(self.d["county_field"], county)]
        if since:
            c = ET.Element(f"{{{ogc}}}PropertyIsGreaterThanOrEqualTo")
            ET.SubElement(c, f"{{{ogc}}}{prop}").text = self.d["changed_field"]
            ET.SubElement(c, f"{{{ogc}}}Literal").text = since
            conds.append(c)
        if ids:
            if len(ids) == 1:
                conds.append(self._equal(self.d["id_field"], ids[0]))
            else:
                alt = ET.Element(f"{{{ogc}}}Or")
                alt.extend(self._equal(self.d["id_field"], i) for i in ids)
                conds.append(alt)
        f = ET.Element(f"{{{ogc}}}Filter")
        if len(conds) == 1:
            f.append(conds[0])
        else:
            both = ET.SubElement(f, f"{{{ogc}}}And")
            both.extend(conds)
        return f

    def _equal(self, name: str, value: Any) -> ET.Element:
        ogc, prop = self._fes()
        c = ET.Element(f"{{{ogc}}}PropertyIsEqualTo")
        ET.SubElement(c, f"{{{ogc}}}{prop}").text = name
        ET.SubElement(c, f"{{{ogc}}}Literal").text = str(value)
        return c

    def _get_features(self, flt: ET.Element, start: int = 0, count: int = 0,
                      properties: Optional[List[str]] = None) -> List[Dict[str, Any]]:
        v2 = self._v2  # WFS 2.0: TYPENAMES, and COUNT for 1.1's MAXFEATURES
        params = {"REQUEST": "GetFeature", "TYPENAMES" if v2 else "TYPENAME": self.d["type_name"],
                  "SRSNAME": self.d["srs_name"], "FILTER": ET.tostring(flt, encoding="unicode")}
        if self.output_format:
            params["OUTPUTFORMAT"] = self.output_format
        if count:
            params["COUNT" if v2 else "MAXFEATURES"] = str(count)
            params["STARTINDEX"] = str(start)
        if properties:
            params["PROPERTYNAME"] = ",".join(properties)
        content = self._exchange(params)
        return self._parse_features(content)

    def _parse_features(self, content: bytes) -> List[Dict[str, Any]]:
        if self._is_geojson(self.output_format):
            try:
                data = json.loads(content.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                e = ProtocolError(tr("The WFS server sent a reply that could not be read ({0} bytes): it may have "
                                     "been cut off on the way; try again").format(len(content)))
                e.retryable_reply = True
                raise e from None
            feats = data.get("features") if isinstance(data, dict) else None
            if not isinstance(feats, list):
                raise ProtocolError(tr("The WFS server sent a malformed reply: {0}").format("no features"))
            return feats
        return self._gml_features(content)

    def _gml_features(self, content: bytes) -> List[Dict[str, Any]]:
        """GML read with OGR's GML driver: every value as text (a code such as 0012 stays 0012; the schema's types
        are applied after), no schema downloaded from the server's schemaLocation."""
        head = content[:4096]
        if not re.search(rb"<(?:[A-Za-z0-9_]+:)?FeatureCollection\b", head):
            # an HTML page with HTTP 200 (a login redirect, a captive portal) must never read as "nothing there"
            e = ProtocolError(tr("The WFS server sent a reply that is not a feature collection ({0} bytes)").format(
                len(content)))
            e.retryable_reply = True
            raise e
        returned = None
        if self._v2:  # a GML 3.2 wfs:FeatureCollection says how many members it holds (numberReturned)
            said = re.search(rb"\snumberReturned\s*=\s*[\"'](\d+)[\"']", content[:65536])
            returned = int(said.group(1)) if said else None
            if returned == 0:
                return []
            content = _TIME_PROPERTY.sub(rb"<\g<tag>>\g<text></\g<tag>>", content)
        name = f"/vsimem/wfs_{uuid.uuid4().hex}.gml"
        gdal.FileFromMemBuffer(name, content)
        try:
            before = gdal.GetThreadLocalConfigOption("GML_FIELDTYPES", None)
            gdal.SetThreadLocalConfigOption("GML_FIELDTYPES", "ALWAYS_STRING")
            try:
                # axis order as OGR reads srsName (urn:...EPSG::4490 is lat/lon), written out as lon/lat
                ds = gdal.OpenEx(name, gdal.OF_VECTOR, open_options=["DOWNLOAD_SCHEMA=NO", "EXPOSE_GML_ID=YES"])
            except RuntimeError:
                ds = None
            finally:
                gdal.SetThreadLocalConfigOption("GML_FIELDTYPES", before)
            if ds is None:
                if b"featureMember" not in content and b"member" not in content:
                    return []  # an empty feature collection
                raise ProtocolError(tr("The WFS server sent GML that could not be read"))
            out = []
            for i in range(ds.GetLayerCount()):
                for f in ds.GetLayer(i):
                    out.append(json.loads(f.ExportToJson(options=["COORDINATE_PRECISION=9"])))
            if returned is not None and len(out) != returned:
                e = ProtocolError(tr("The WFS server said it sent {0} features, but {1} could be read: the reply may "
                                     "have been cut off on the way; try again").format(returned, len(out)))
                e.retryable_reply = True
                raise e
            return out
        finally:
            gdal.Unlink(name)
            for ext in (".gfs", ".xsd"):
                if gdal.VSIStatL(name[:-4] + ext) is not None:
                    gdal.Unlink(name[:-4] + ext)

    def _record(self, feat: Any) -> Any:
        """A server feature as the engine's record (our names, types and EPSG:4490); anything odd is passed on
        as it is, for the engine to set aside with its reason."""
        if not isinstance(feat, dict) or not isinstance(feat.get("properties"), dict):
            return feat
        theirs = feat["properties"]
        props: Dict[str, Any] = {}
        unknown: List[Tuple[str, Any]] = []
        ambiguous: List[Tuple[str, Any, List[str]]] = []
        for ours, name in self.field_map().items():
            value = theirs.get(name)
            value = None if value == "" else value  # GML has no NULL but an absent or empty element
            kind = _TYPES.get(ours)
            if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            elif isinstance(value, str) and kind in ("integer", "real") and value.strip():
                try:
                    value = int(value) if kind == "integer" else float(value)
                except ValueError:
                    pass
            back = self._back.get(ours)
            if back is not None and value is not None:
                # a number column holds numbers: its value is compared by number first ("01" stored there comes
                # back as "1" or 1; read as text, "1" would be another code of the table that is "1")
                by_number = self._back_number.get(ours, {}).get(_number(value)) \
                    if name in self.numeric_fields else None
                if by_number and len(by_number) == 1:
                    value = by_number[0]
                elif by_number:  # several of our codes stand for that number: which one is unknown
                    ambiguous.append((ours, value, by_number))
                    value = {"ambiguous_code": value}
                elif isinstance(value, str) and value in back:
                    value = back[value]
                else:  # never stored as if it were one of ours: the engine sets the record aside
                    unknown.append((ours, value))
                    value = {"not_in_code_table": value}
            props[ours] = value
        version = theirs.get(self.d["version_field"])
        whole = _whole(version)
        props["version"] = whole if whole is not None else version  # anything else: set aside by the engine
        props["deleted"] = False
        changed = theirs.get(self.d["changed_field"])
        props["changed_at"] = changed if isinstance(changed, str) else None
        geometry = feat.get("geometry")
        if geometry and self._from_server is not None:
            geometry = self._transform(geometry, self._from_server)
        record = {"type": "Feature", "properties": props, "geometry": geometry}
        if unknown or ambiguous:
            # the engine refuses a field holding an object ("not a single value") and keeps the record, this
            # explanation included, among the records set aside (sync_quarantine)
            record["problem"] = "; ".join(
                [tr("the WFS server's value {0!r} of {1} (patch {2}) is not in the service description's code table "
                    "for {1}: add it to the table (see docs/sync.md)").format(value, field, props.get("patch_id"))
                 for field, value in unknown] +
                [tr("the WFS server's value {0!r} of {1} (patch {2}) is a number that several codes of the service "
                    "description's code table for {1} stand for ({3}): its column is a number column, which cannot "
                    "tell them apart; give these codes different numbers (see docs/sync.md)").format(
                    value, field, props.get("patch_id"), ", ".join(ours)) for field, value, ours in ambiguous])
        return record

    @staticmethod
    def _transform(geojson: Dict[str, Any], ct) -> Optional[Dict[str, Any]]:
        try:
            g = ogr.CreateGeometryFromJson(json.dumps(geojson))
        except RuntimeError:
            return geojson
        if g is None:
            return geojson
        g.Transform(ct)
        return json.loads(g.ExportToJson(options=["COORDINATE_PRECISION=9"]))

    def iter_pages(self, county: str, changed_since: Optional[str] = None, page_size: int = 500) -> Iterator[Page]:
        """The county's patches changed since the cursor (a change time), less the clock margin. The cursor
        moves only after the last page (a canceled download starts over: the merge takes nothing twice)."""
        self._ensure()
        page_size = min(page_size, self.d["page_size"])
        since = None
        if changed_since and changed_since != "0":
            t = None
            for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
                try:
                    t = _dt.datetime.strptime(changed_since, fmt)
                    break
                except ValueError:
                    continue
            # a cursor of another kind of platform: everything
            since = (t - _dt.timedelta(seconds=self.d["clock_margin_s"])).strftime("%Y-%m-%dT%H:%M:%S.%fZ") \
                if t is not None else None
        started = _now()
        latest, start, seen = "", 0, set()
        while True:
            feats = self._get_features(self._filter(county, since), start, page_size)
            records = [self._record(f) for f in feats]
            ids = [r["properties"].get("patch_id") for r in records if isinstance(r, dict)
                   and isinstance(r.get("properties"), dict)]
            for f in feats:
                changed = (f.get("properties") or {}).get(self.d["changed_field"]) if isinstance(f, dict) else None
                if isinstance(changed, str) and changed > latest:
                    latest = changed
            last = len(feats) < page_size
            if feats and ids and all(i in seen for i in ids):
                raise ProtocolError(tr("The WFS server does not page its answers (STARTINDEX): lower the page "
                                       "size in the service description, or ask for paging to be enabled"))
            seen.update(ids)
            # the cursor: the latest change time seen, but never later than when this download started
            cursor = min(latest, started) if latest else (changed_since or "0")
            yield records, (cursor if last else (changed_since or "0")), last
            if last:
                return
            start += len(feats)

    def present_versions(self, county: str) -> Dict[str, int]:
        self._ensure()
        out: Dict[str, int] = {}
        start, size = 0, self.d["page_size"]
        while True:
            feats = self._get_features(self._filter(county), start, size,
                                       [self.d["id_field"], self.d["version_field"]])
            for f in feats:
                p = (f or {}).get("properties") or {} if isinstance(f, dict) else {}
                pid, version = p.get(self.d["id_field"]), p.get(self.d["version_field"])
                version = _whole(version)
                if isinstance(pid, str) and pid and version is not None:
                    out[pid] = version
            if len(feats) < size:
                return out
            start += len(feats)

    def fetch(self, county: str, patch_ids: List[str]) -> List[Dict[str, Any]]:
        return [self._record(f) for f in self._fetch_raw(county, patch_ids)]

    def _fetch_raw(self, county: str, patch_ids: List[str]) -> List[Any]:
        self._ensure()
        out: List[Any] = []
        for i in range(0, len(patch_ids), 25):  # 25 ids keep the GET URL under 8 KB (Apache, nginx, Tomcat)
            out += self._get_features(self._filter(county, ids=patch_ids[i:i + 25]))
        return out

    def _held(self, county: str, patch_ids: List[str], dedupe: bool = False
              ) -> Dict[str, Tuple[Dict[str, Any], str]]:
        """What the server holds of these patches: record and the server's own feature id, by patch id. With
        `dedupe`, copies of one write (same patch id and the same change time: an insert Qt sent twice whose
        answers were both lost) are removed first, the lowest feature id staying."""
        out: Dict[str, Tuple[Dict[str, Any], str]] = {}
        copies: Dict[Tuple[str, Any], List[Tuple[str, Dict[str, Any]]]] = {}
        for f in self._fetch_raw(county, patch_ids):
            r = self._record(f)
            if isinstance(r, dict) and isinstance(r.get("properties"), dict) and r["properties"].get("patch_id"):
                fid = str(_feature_id(f) or "")
                pid = r["properties"]["patch_id"]
                out[pid] = (r, fid)
                copies.setdefault((pid, r["properties"].get("changed_at")), []).append((fid, r))
        if dedupe:
            groups = {key: cs for key, cs in copies.items() if key[1] and len(cs) > 1 and all(fid for fid, _r in cs)}
            extra = self._extra_copies(groups)
            if extra and self._delete_ids(extra) == len(extra):
                for (pid, _changed), cs in groups.items():
                    kept_fid, kept = min(cs, key=lambda c: _fid_order(c[0]))
                    out[pid] = (kept, kept_fid)
        return out

    def _extra_copies(self, groups: Dict[Any, List[Tuple[str, Dict[str, Any]]]]) -> List[str]:
        """The feature ids of all but the first (lowest feature id) of each group of copies."""
        return [fid for copies in groups.values() if len(copies) > 1
                for fid, _rec in sorted(copies, key=lambda c: _fid_order(c[0]))[1:]]

    def _delete_ids(self, fids: List[str]) -> int:
        """Delete features by their server ids in one Transaction; how many went."""
        ogc, wfs = NS["ogc"], NS["wfs"]
        actions = []
        for fid in fids:
            action = ET.Element(f"{{{wfs}}}Delete", {"typeName": self.d["type_name"]})
            ET.SubElement(ET.SubElement(action, f"{{{ogc}}}Filter"), f"{{{ogc}}}FeatureId", {"fid": fid})
            actions.append(action)
        return self._transaction(actions)["deleted"]

    # -- writing ---------------------------------------------------------------------------
    def _transaction(self, actions: List[ET.Element]) -> Dict[str, Any]:
        """Send one Transaction; its totals, inserted ids and per-action messages (by handle)."""
        self._writable()
        wfs = NS["wfs"]
        root = ET.Element(f"{{{wfs}}}Transaction", {"service": "WFS", "version": self.d["version"]})
        root.extend(actions)
        ET.register_namespace(self.d["namespace_prefix"], self.d["namespace_uri"])
        for k in ("wfs", "ogc", "gml"):
            ET.register_namespace(k, NS[k])
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        content = self._exchange({}, xml=body, retry=False)
        try:
            reply = ET.fromstring(content)
        except ET.ParseError:
            # the answer was cut off on the way: the server may or may not have applied the change (the next
            # upload looks at what it holds before anything is sent again)
            raise NetworkError(tr("The WFS server's answer to the upload was cut off ({0} bytes); nothing is lost: "
                                  "the next upload checks what the server holds").format(len(content))) from None
        totals = {"inserted": 0, "updated": 0, "deleted": 0}
        messages: Dict[str, str] = {}
        for el in reply.iter():
            name = _local(el.tag)
            if name in ("totalInserted", "totalUpdated", "totalDeleted", "totalReplaced"):
                try:
                    totals[name[5:].lower()] = int((el.text or "0").strip())
                except ValueError:
                    pass
            elif name == "Action":
                text = " ".join((m.text or "").strip() for m in el.iter() if _local(m.tag) == "Message")
                messages[el.get("locator") or ""] = redact(text, self.secrets())
        return {**totals, "messages": messages}

    def _gml(self, geojson: Dict[str, Any]) -> ET.Element:
        """A (Multi)Polygon as GML 2 MultiPolygon (what WFS 1.x servers read, QGIS Server included)."""
        gml = NS["gml"]
        if self._to_server is not None:
            geojson = self._transform(geojson, self._to_server)
        polys = [geojson["coordinates"]] if geojson.get("type") == "Polygon" else geojson["coordinates"]
        mp = ET.Element(f"{{{gml}}}MultiPolygon", {"srsName": self.d["srs_name"]})
        for poly in polys:
            p = ET.SubElement(ET.SubElement(mp, f"{{{gml}}}polygonMember"), f"{{{gml}}}Polygon")
            for i, ring in enumerate(poly):
                b = ET.SubElement(p, f"{{{gml}}}outerBoundaryIs" if i == 0 else f"{{{gml}}}innerBoundaryIs")
                ET.SubElement(ET.SubElement(b, f"{{{gml}}}LinearRing"), f"{{{gml}}}coordinates").text = " ".join(
                    f"{float(x):.9f},{float(y):.9f}" for x, y, *_ in ring)
        return mp

    @staticmethod
    def _text(value: Any) -> Optional[str]:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float):
            return repr(value)
        return _XML_BAD.sub("", str(value))  # a control character would make the whole Transaction unreadable

    def _insert(self, item: Dict[str, Any], county: str, stamp: str) -> ET.Element:
        wfs, ns = NS["wfs"], self.d["namespace_uri"]
        action = ET.Element(f"{{{wfs}}}Insert", {"handle": item["patch_id"]})
        feat = ET.SubElement(action, f"{{{ns}}}{self.d['type_name'].split(':')[-1]}")
        ET.SubElement(feat, f"{{{ns}}}{self.d['geometry_name']}").append(self._gml(item["geometry"]))
        props = dict(item.get("properties") or {})
        props["county_code"] = props.get("county_code") or county
        values = {theirs: self._text(self._theirs(ours, props.get(ours))) for ours, theirs in self.field_map().items()}
        values[self.d["version_field"]] = "1"
        values[self.d["changed_field"]] = stamp
        for name, text in values.items():
            if text is not None:  # an empty element is not NULL to every server: left out instead
                ET.SubElement(feat, f"{{{ns}}}{name}").text = text
        return action

    def _update(self, item: Dict[str, Any], county: str, base: int, stamp: str,
                only: Optional[Dict[str, Any]] = None, stage_from: Optional[str] = None) -> ET.Element:
        wfs = NS["wfs"]
        action = ET.Element(f"{{{wfs}}}Update", {"typeName": self.d["type_name"], "handle": item["patch_id"]})

        def prop(name: str, value: Optional[str] = None, geometry: Optional[ET.Element] = None) -> None:
            p = ET.SubElement(action, f"{{{wfs}}}Property")
            ET.SubElement(p, f"{{{wfs}}}Name").text = name
            if geometry is not None:
                ET.SubElement(p, f"{{{wfs}}}Value").append(geometry)
            elif value is not None:
                ET.SubElement(p, f"{{{wfs}}}Value").text = value  # no Value element: NULL

        fields = self.field_map()
        if only is None:
            props = dict(item.get("properties") or {})
            props["county_code"] = props.get("county_code") or county
            prop(self.d["geometry_name"], geometry=self._gml(item["geometry"]))
            for ours, theirs in fields.items():
                if ours != "patch_id":
                    prop(theirs, self._text(self._theirs(ours, props.get(ours))))
        else:
            for ours, value in only.items():  # {}: only the version and the change time (a claim)
                if ours in fields:
                    prop(fields[ours], self._text(self._theirs(ours, value)))
        prop(self.d["version_field"], str(base + 1))
        prop(self.d["changed_field"], stamp)
        action.append(self._version_filter(item["patch_id"], base, county, stage_from))
        return action

    def _version_filter(self, pid: str, base: int, county: str, stage_from: Optional[str] = None) -> ET.Element:
        ogc = NS["ogc"]
        f = ET.Element(f"{{{ogc}}}Filter")
        both = ET.SubElement(f, f"{{{ogc}}}And")
        both.append(self._equal(self.d["id_field"], pid))
        both.append(self._equal(self.d["version_field"], base))
        both.append(self._equal(self.d["county_field"], county))
        if stage_from is not None and "stage" in self.field_map():
            both.append(self._equal(self.field_map()["stage"], self._theirs("stage", stage_from)))
        return f

    def _delete(self, item: Dict[str, Any], county: str, base: int, fid: str, key: Optional[str] = None,
                held: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Delete one patch if the server still holds the version it was deleted on. QGIS Server 3.22 finds no
        feature for an attribute filter in a Delete (only for feature ids), so the version is claimed first by an
        Update under the version filter (base -> base + 1), then the feature is deleted by its id."""
        if held is not None and self._claimed(held, key, item["patch_id"]) and \
                (held.get("properties") or {}).get("version") == base + 1:
            claim = {"updated": 1, "messages": {}}  # claimed by an earlier try whose answer was lost
            stamp = (held.get("properties") or {}).get("changed_at") or ""
        else:
            stamp = _claim_stamp(key, item["patch_id"])
            claim = self._transaction([self._update(item, county, base, stamp, only={})])
        if claim["updated"] != 1 or claim["messages"]:
            now = self._held(county, [item["patch_id"]]).get(item["patch_id"])
            if now is None:
                return {"status": "accepted", "version": None}  # gone there already
            if not self._written_by(now[0], stamp, base + 1):
                return {"status": "conflict", "server": now[0],
                        "server_version": now[0]["properties"].get("version")}
            fid = now[1] or fid  # the claim went through (sent twice, or its reply lost): ours
        if not fid:
            return {"status": "rejected", "code": "server_refused", "reasons": [
                tr("The WFS server gave the patch no feature id: it cannot be deleted through WFS")]}
        ogc, wfs = NS["ogc"], NS["wfs"]
        action = ET.Element(f"{{{wfs}}}Delete", {"typeName": self.d["type_name"], "handle": item["patch_id"]})
        ET.SubElement(ET.SubElement(action, f"{{{ogc}}}Filter"), f"{{{ogc}}}FeatureId", {"fid": fid})
        done = self._transaction([action])
        if done["deleted"] == 1:
            return {"status": "accepted", "version": None}
        now = self._held(county, [item["patch_id"]]).get(item["patch_id"])
        if now is None:
            return {"status": "accepted", "version": None}
        return {"status": "rejected", "code": "server_refused", "server": now[0], "reasons": [
            tr("The WFS server refused the change: {0}").format(
                "; ".join(done["messages"].values()) or tr("no reason given"))]}

    @staticmethod
    def _claimed(record: Dict[str, Any], key: Optional[str], pid: str) -> bool:
        """True when the record's change time carries the mark of this batch's delete claim for the patch."""
        changed = (record.get("properties") or {}).get("changed_at")
        return bool(key) and isinstance(changed, str) and changed.endswith(_claim_mark(key, pid))

    def _written_by(self, record: Dict[str, Any], stamp: str, version: int) -> bool:
        """True when the server's record is the one a write stamped `stamp` made (version and change time)."""
        props = record.get("properties") or {}
        return props.get("version") == version and props.get("changed_at") == stamp

    def _same(self, item: Dict[str, Any], server: Dict[str, Any]) -> bool:
        """True when the server's record holds what the item sends (fields the server keeps, and the geometry)."""
        mine, theirs = item.get("properties") or {}, server.get("properties") or {}
        fields = [f for f in self.field_map() if f not in ("county_code",)]
        if not all(same_value(mine.get(f), theirs.get(f)) for f in fields if f in mine):
            return False
        return same_geometry(item.get("geometry"), server.get("geometry"), self.d["coordinate_tolerance"])

    def _dedupe(self, county: str, inserted: Dict[str, str]) -> int:
        """Delete the extra copies of patches this batch inserted (same patch id, same change time): the one with
        the lowest feature id stays. Copies made by anyone else are left alone. Returns how many went."""
        groups: Dict[str, List[Tuple[str, Dict[str, Any]]]] = {}
        for f in self._fetch_raw(county, sorted(inserted)):
            rec = self._record(f)
            if not isinstance(rec, dict) or not isinstance(rec.get("properties"), dict):
                continue
            pid = rec["properties"].get("patch_id")
            fid = _feature_id(f)
            if pid in inserted and fid and rec["properties"].get("changed_at") == inserted[pid]:
                groups.setdefault(pid, []).append((str(fid), rec))
        extra = self._extra_copies(groups)
        return self._delete_ids(extra) if extra else 0

    @staticmethod
    def _tombstone(pid: str, version: int) -> Dict[str, Any]:
        return {"type": "Feature", "properties": {"patch_id": pid, "version": version, "deleted": True},
                "geometry": None}

    def upsert(self, items: List[Dict[str, Any]], county: str, idempotency_key: Optional[str] = None
               ) -> List[Dict[str, Any]]:
        self._writable()
        self._ensure()
        held = self._held(county, [it["patch_id"] for it in items], dedupe=True)
        results: List[Optional[Dict[str, Any]]] = [None] * len(items)
        actions, sent, deletes = [], [], []  # (index, what was sent)
        stamps: Dict[int, str] = {}  # the change time each insert and update carries
        for i, it in enumerate(items):
            pid, base = it["patch_id"], it.get("base_version")
            server, fid = held.get(pid, (None, ""))
            sv = server["properties"].get("version") if server else None
            if it.get("op") == "delete":
                if server is None:
                    results[i] = {"status": "accepted", "version": None}  # gone already (our lost delete too)
                elif sv == base or (isinstance(sv, int) and isinstance(base, int) and sv == base + 1 and
                                    self._claimed(server, idempotency_key, pid)):
                    deletes.append((i, fid))  # (a claim of ours whose answer was lost: the delete goes on)
                else:
                    results[i] = {"status": "conflict", "server": server, "server_version": sv}
            elif not it.get("geometry"):  # never sent: one record the server cannot take must not block the rest
                results[i] = {"status": "rejected", "code": "server_refused", "server": server,
                              "reasons": [tr("The patch has no geometry: draw it before it is uploaded")]}
            elif base is None:
                if server is None:
                    stamps[i] = _stamp()
                    try:
                        actions.append(self._insert(it, county, stamps[i]))
                    except _NoCode as e:  # never sent: the server would store a code of ours it does not know
                        results[i] = {"status": "rejected", "code": "server_refused", "server": None,
                                      "reasons": [str(e)]}
                        continue
                    sent.append(i)
                elif self._same(it, server):  # our own insert whose reply was lost
                    results[i] = {"status": "accepted", "version": sv}
                else:
                    results[i] = {"status": "conflict", "server": server, "server_version": sv}
            elif server is None:  # deleted on the server since
                results[i] = {"status": "conflict", "server": self._tombstone(pid, int(base) + 1),
                              "server_version": int(base) + 1}
            elif sv == base:
                stamps[i] = _stamp()
                try:
                    actions.append(self._update(it, county, int(base), stamps[i]))
                except _NoCode as e:
                    results[i] = {"status": "rejected", "code": "server_refused", "server": server,
                                  "reasons": [str(e)]}
                    continue
                sent.append(i)
            elif isinstance(sv, int) and sv == int(base) + 1 and self._same(it, server):
                results[i] = {"status": "accepted", "version": sv}  # our own update whose reply was lost
            else:
                results[i] = {"status": "conflict", "server": server, "server_version": sv}
        outcome = None
        if actions:
            try:
                outcome = self._transaction(actions)
            except ProtocolError as e:
                # A server that refuses a whole Transaction for one bad feature (GeoServer's are atomic): each
                # patch on its own, so that one refusal does not hold back the others (or block every later sync).
                if len(sent) > 1:
                    for i in sent:
                        results[i] = self.upsert([items[i]], county, idempotency_key)[0]
                else:
                    results[sent[0]] = {"status": "rejected", "code": "server_refused", "server": None,
                                        "reasons": [tr("The WFS server refused the change: {0}").format(str(e))]}
        if outcome is not None:
            inserted = {items[i]["patch_id"]: stamps[i] for i in sent if items[i].get("base_version") is None}
            if inserted:
                # Qt sends a POST again by itself when a kept-alive connection closes before the answer (seen with
                # QGIS Server: each patch inserted twice); copies carrying this batch's change time are removed
                self._dedupe(county, inserted)
            expected = {"inserted": len(inserted), "updated": len(sent) - len(inserted), "deleted": 0}
            clean = not outcome["messages"] and all(outcome[k] == v for k, v in expected.items())
            after = {} if clean else {pid: rec for pid, (rec, _fid) in
                                      self._held(county, [items[i]["patch_id"] for i in sent]).items()}
            for i in sent:
                it = items[i]
                pid, base = it["patch_id"], it.get("base_version")
                want = 1 if base is None else int(base) + 1
                if clean:
                    results[i] = {"status": "accepted", "version": want}
                    continue
                now = after.get(pid)
                nv = now["properties"].get("version") if now else None
                if now is not None and (self._written_by(now, stamps[i], want) or (nv == want and self._same(it, now))):
                    results[i] = {"status": "accepted", "version": want}
                elif (now is None and base is None) or (now is not None and nv == base):
                    # nothing changed there: the server would not take it
                    results[i] = {"status": "rejected", "code": "server_refused", "server": now,
                                  "reasons": [tr("The WFS server refused the change: {0}").format(
                                      outcome["messages"].get(pid) or tr("no reason given"))]}
                else:  # someone else's version came between
                    results[i] = {"status": "conflict", "server": now or self._tombstone(pid, int(base) + 1),
                                  "server_version": nv if now else int(base) + 1}
        for i, fid in deletes:
            results[i] = self._delete(items[i], county, int(items[i]["base_version"]), fid, idempotency_key,
                                      held[items[i]["patch_id"]][0])
        return [r or {"status": "rejected", "code": "server_refused", "reasons": []} for r in results]

    # -- review moves: stage updates under the same optimistic concurrency --------------------------
    def submit_audit(self, county: str, copy_id: str, items: List[Dict[str, Any]], copy_secret: str) -> Dict[str, Any]:
        """Moves (transition / return rows) become stage Updates filtered by id, base version and the stage the
        move starts from; other rows stay in the working copy (a WFS server keeps no audit chain)."""
        self._writable()
        self._ensure()
        results = []
        for row in items:
            if row.get("action") not in ("transition", "return"):
                results.append({"status": "noted"})
                continue
            pid, base = row.get("patch_id"), row.get("base_version")
            if not isinstance(base, int):
                results.append({"status": "rejected", "code": "changed_on_platform", "server": None,
                                "rejections": [{"code": "changed_on_platform"}]})
                continue
            only = {"stage": row.get("to_stage")}
            # the change time carries a mark of this move (its client key, the same on every try): after a lost
            # reply the move is recognised as ours, not taken from another copy that made the same stage change
            key = row.get("client_key") or None
            try:
                action = self._update({"patch_id": pid}, county, base, _claim_stamp(key, pid), only=only,
                                      stage_from=row.get("from_stage"))
            except _NoCode as e:  # a stage the table has no code for: nothing sent, the move refused here
                now = next(iter(self.fetch(county, [pid])), None)
                results.append({"status": "rejected", "code": "server_refused", "reasons": [str(e)],
                                "server": now if isinstance(now, dict) else None})
                continue
            outcome = self._transaction([action])
            if outcome["updated"] == 1 and not outcome["messages"]:
                results.append({"status": "accepted", "version": base + 1})
                continue
            now = next(iter(self.fetch(county, [pid])), None)
            props = (now or {}).get("properties") or {}
            if props.get("version") == base + 1 and props.get("stage") == row.get("to_stage") and \
                    self._claimed(now or {}, key, pid):
                results.append({"status": "accepted", "version": base + 1})  # the reply of an earlier try was lost
            else:
                results.append({"status": "rejected", "code": "changed_on_platform",
                                "rejections": [{"code": "changed_on_platform"}],
                                "server": now if isinstance(now, dict) else None})
        return {"results": results}
