"""Reference provincial platform: the documented contract (docs/platform-api.yaml) served for real.

HTTP (stdlib ThreadingHTTPServer) over SQLite. Patches are versioned per patch and carry a global change
sequence (`seq`) so "changed since" never misses or repeats a change; deletes leave tombstones. Batch upserts
use optimistic concurrency (each item's `base_version`) and an `Idempotency-Key` per request: a replayed key
returns the stored reply and applies nothing twice. Tokens expire; 401 bodies say which failure it is.

Accountable review: the platform enforces ONE workflow configuration (resources/workflow.json by default) from
the token's account, never from what a client claims. Creates start at design, edits and deletes follow the
per-stage permissions, stages change only through /transitions (checked against the transition matrix), every
uploaded audit row must continue the platform's hash chain of that working copy and is stored with the
platform's own identity beside the claimed one, and exceptions are accepted only by the roles the
configuration names. Values, geometry and areas are checked on every upsert.

Fault injection for tests (`server.faults`): {"error_500": n} answers the next n API requests with 500,
{"malformed": n} sends broken JSON, {"delay": seconds} sleeps before answering, {"access_ttl": s} issues
access tokens valid for s seconds. All off by default. `server.throttle` holds the login throttling
thresholds and `server.clock` the clock used for tokens and throttling (injectable in tests).

Limits: a connection silent for `request_timeout` seconds (30; a half-sent request, a stalled body, an idle
keep-alive) is closed; at most `max_connections` (100) are served at once, one thread each, and the next ones are
answered 503 server_busy at once; bodies over 32 MiB are refused before they are read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import sqlite3
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

from forestry_plugin import schema
from forestry_plugin.core import audit_chain
from forestry_plugin.core import policy as pol

API = "/api/v1"
ACCESS_TTL = 3600
REFRESH_TTL = 30 * 24 * 3600
MAX_BODY = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_ITEMS = 1000
MAX_AUDIT_ITEMS = 5000
REQUEST_TIMEOUT = 30.0  # seconds a connection may stay silent (headers, body, or idle between requests)
MAX_CONNECTIONS = 100  # connections served at once (one handler thread each); more are answered 503
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
KEY_RE = re.compile(r"[A-Za-z0-9._:-]{8,80}")
STAGES = tuple(schema.STAGES.values())
SERVER_KEYS = ("patch_id", "version", "deleted", "created_by", "updated_by")
NOTE_ACTIONS = ("platform_refused",)  # audit rows that record, and change nothing
DEFAULT_WORKFLOW = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources",
                                "workflow.json")
DEMO_PASSWORD = "demo-pass-2025"
# username, password, role, county, units (admin-code prefixes covered), display name (documented in docs/sync.md)
DEMO_USERS = (
    ("demo_tech", DEMO_PASSWORD, "county_technician", "339901", ("339901",), "示例县技术员"),
    ("demo_county", DEMO_PASSWORD, "county_reviewer", "339901", ("339901",), "示例县县级审核"),
    ("demo_city", DEMO_PASSWORD, "city_reviewer", "339901", ("3399",), "示例市市级核查"),
    ("demo_province", DEMO_PASSWORD, "province_reviewer", "339901", ("33",), "省级核查"),
    ("demo_contractor", DEMO_PASSWORD, "contractor", "339901", ("339901",), "示例施工队"),
    ("demo_contractor2", DEMO_PASSWORD, "contractor", "339901", ("339901",), "另一施工队"),
    ("demo_tech_other", DEMO_PASSWORD, "county_technician", "339902", ("339902",), "另一县技术员"),
)
# code, name, min_lon, min_lat, max_lon, max_lat: the sample county (centred on EPSG:4549 500000, 3330000)
DEMO_COUNTIES = (("339901", "示例县", 119.8, 29.9, 120.2, 30.3),)
DEFAULT_THROTTLE = {"user_failures": 5, "address_failures": 20, "window_s": 900.0, "lockout_s": 60.0}

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, salt BLOB NOT NULL, pw_hash BLOB NOT NULL,
    role TEXT NOT NULL, county TEXT NOT NULL, display_name TEXT, units TEXT);
CREATE TABLE IF NOT EXISTS sessions (family TEXT PRIMARY KEY, username TEXT NOT NULL, created REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, revoked_reason TEXT);
CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, family TEXT NOT NULL, username TEXT NOT NULL,
    kind TEXT NOT NULL, expires REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS tokens_family ON tokens(family);
CREATE TABLE IF NOT EXISTS patches (patch_id TEXT PRIMARY KEY, county TEXT NOT NULL, version INTEGER NOT NULL,
    seq INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, properties TEXT, geometry TEXT,
    updated_by TEXT, updated_at REAL, created_by TEXT);
CREATE INDEX IF NOT EXISTS patches_county_seq ON patches(county, seq);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT NOT NULL, username TEXT NOT NULL, county TEXT NOT NULL,
    body_hash TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL, PRIMARY KEY (key, username, county));
CREATE TABLE IF NOT EXISTS quotas (year INTEGER, unit_code TEXT, unit_level TEXT, quota_mu REAL,
    PRIMARY KEY (year, unit_code));
CREATE TABLE IF NOT EXISTS counties (code TEXT PRIMARY KEY, name TEXT, min_lon REAL, min_lat REAL,
    max_lon REAL, max_lat REAL);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, county TEXT NOT NULL,
    copy_id TEXT NOT NULL, client_key TEXT NOT NULL, patch_id TEXT, action TEXT, from_stage TEXT, to_stage TEXT,
    claimed_user_name, claimed_display_name, claimed_role, identity, reason, comment, approval_ref,
    patch_version, at, base_version INTEGER, prev_hash TEXT,
    row_hash TEXT NOT NULL, status TEXT NOT NULL, code TEXT, result TEXT NOT NULL, user_name TEXT NOT NULL,
    display_name TEXT, role TEXT NOT NULL, received_at TEXT NOT NULL, UNIQUE (county, copy_id, client_key));
CREATE INDEX IF NOT EXISTS audit_patch ON audit(county, patch_id);
CREATE TABLE IF NOT EXISTS exceptions (id INTEGER PRIMARY KEY AUTOINCREMENT, county TEXT NOT NULL,
    client_key TEXT NOT NULL, op TEXT, patch_id TEXT, rule TEXT, severity TEXT, other_id TEXT, reason TEXT,
    approval_ref TEXT, at TEXT, status TEXT NOT NULL, code TEXT, result TEXT NOT NULL,
    accepted_by TEXT NOT NULL, display_name TEXT, role TEXT NOT NULL, accepted_at TEXT NOT NULL,
    UNIQUE (county, accepted_by, client_key));
CREATE TABLE IF NOT EXISTS audit_copies (county TEXT NOT NULL, copy_id TEXT NOT NULL, secret_hash TEXT NOT NULL,
    first_user TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (county, copy_id));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters VALUES ('seq', 0);
"""

_DUMMY_SALT = secrets.token_bytes(16)


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 120_000)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (hex), never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def load_policy(path: Optional[str] = None) -> pol.Policy:
    """The workflow configuration at `path` (default resources/workflow.json), parsed; PolicyError if unusable."""
    with open(path or DEFAULT_WORKFLOW, encoding="utf-8") as fh:
        return pol.parse_policy(json.load(fh))


# ---------------------------------------------------------------------------
# Geometry: validation and ellipsoidal area on CGCS2000, pure Python
# ---------------------------------------------------------------------------

CGCS2000_A = 6378137.0
CGCS2000_F = 1.0 / 298.257222101
_E2 = CGCS2000_F * (2.0 - CGCS2000_F)
_E = math.sqrt(_E2)


def _q(phi: float) -> float:
    s = math.sin(phi)
    return (1.0 - _E2) * (s / (1.0 - _E2 * s * s) - (1.0 / (2.0 * _E)) * math.log((1.0 - _E * s) / (1.0 + _E * s)))


_QP = _q(math.pi / 2.0)
_R2 = CGCS2000_A * CGCS2000_A * _QP / 2.0  # squared authalic radius


def _ring_area(ring: List[List[float]]) -> float:
    """Area (m²) of a lon/lat ring: shoelace in (lon, sin(authalic latitude)) on the authalic sphere."""
    pts = [(math.radians(p[0]), _q(math.radians(p[1])) / _QP) for p in ring]
    s = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0 * _R2


def _polygons(geometry: Dict[str, Any]) -> List[List[List[List[float]]]]:
    c = geometry.get("coordinates")
    return [c] if geometry.get("type") == "Polygon" else list(c)


def ellipsoidal_area_m2(geometry: Dict[str, Any]) -> float:
    """Area (m²) on the CGCS2000 ellipsoid of a GeoJSON Polygon/MultiPolygon in lon/lat (EPSG:4490)."""
    total = 0.0
    for poly in _polygons(geometry):
        if not poly:
            continue
        total += _ring_area(poly[0]) - sum(_ring_area(h) for h in poly[1:])
    return total


def invalid_polygons(geometries: List[Any]) -> Dict[int, str]:
    """index -> why, for the structurally sound geometries of a batch that GEOS finds invalid (one vectorized
    pass: building shapes one by one is most of a batch's time)."""
    try:
        import shapely
        from shapely.validation import explain_validity
    except ImportError:  # pragma: no cover - shapely is a documented dependency of the reference platform
        return {}
    idx = [i for i, g in enumerate(geometries) if g is not None]
    if not idx:
        return {}
    try:
        shapes = shapely.from_geojson([json.dumps(geometries[i]) for i in idx], on_invalid="ignore")
    except Exception:  # noqa: BLE001 - one unreadable geometry: judge them one by one
        return {i: p for i in idx if (p := _geos_problem(geometries[i]))}
    valid = shapely.is_valid(shapes)
    out = {}
    for i, g, ok in zip(idx, shapes, valid):
        if g is None:
            out[i] = "unreadable polygon"
        elif g.is_empty:
            out[i] = "the geometry is empty"
        elif not ok:
            out[i] = explain_validity(g)
    return out


def _geos_problem(geometry: Dict[str, Any]) -> Optional[str]:
    try:
        from shapely.geometry import shape
        from shapely.validation import explain_validity

        g = shape(geometry)
        if g.is_empty:
            return "the geometry is empty"
        if not g.is_valid:
            return explain_validity(g)
    except ImportError:  # pragma: no cover
        pass
    except Exception as e:  # shapely refuses the coordinates themselves
        return f"unreadable polygon ({type(e).__name__})"
    return None


def geometry_problem(geometry: Any, geos: bool = True) -> Optional[str]:
    """None for a usable GeoJSON Polygon/MultiPolygon (finite coordinates, closed rings, valid), else what is wrong.
    geos=False: the structure only (validity is then judged for the whole batch by invalid_polygons)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return "geometry must be a Polygon or MultiPolygon"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        return "coordinates must be a non-empty list"
    polys = [coords] if geometry["type"] == "Polygon" else coords
    for poly in polys:
        if not isinstance(poly, list) or not poly:
            return "a polygon must be a non-empty list of rings"
        for ring in poly:
            if not isinstance(ring, list) or len(ring) < 4:
                return "a ring needs at least 4 positions"
            for p in ring:
                if not isinstance(p, list) or len(p) not in (2, 3) or any(
                        isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in p):
                    return "positions must be 2 or 3 finite numbers"
                if not (-180.0 <= p[0] <= 180.0 and -90.0 <= p[1] <= 90.0):
                    return "positions must be lon/lat in degrees (EPSG:4490)"
            if ring[0][:2] != ring[-1][:2]:
                return "rings must be closed"
    return _geos_problem(geometry) if geos else None


def bbox(geometry: Dict[str, Any]) -> Tuple[float, float, float, float]:
    xs, ys = [], []
    for poly in _polygons(geometry):
        for ring in poly:
            for p in ring:
                xs.append(p[0])
                ys.append(p[1])
    return min(xs), min(ys), max(xs), max(ys)


# ---------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------


class PlatformDB:
    """The platform's SQLite store; one connection per call, serialized writes (`lock`)."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with self.connect() as con:
            self._migrate(con)
            con.executescript(SCHEMA_SQL)

    @staticmethod
    def _migrate(con: sqlite3.Connection) -> None:
        """Bring a database made by an earlier version of this server up to date (tokens were stored raw)."""
        def cols(table):
            return {r[1] for r in con.execute(f"PRAGMA table_info({table})")}

        have = cols("users")
        for c in ("display_name", "units"):
            if have and c not in have:
                con.execute(f"ALTER TABLE users ADD COLUMN {c} TEXT")
        if cols("patches") and "created_by" not in cols("patches"):
            con.execute("ALTER TABLE patches ADD COLUMN created_by TEXT")
        if cols("tokens") and "token_hash" not in cols("tokens"):
            con.execute("DROP TABLE tokens")  # raw tokens of the old scheme: everyone logs in again
        if cols("idempotency") and "body_hash" not in cols("idempotency"):
            con.execute("DROP TABLE idempotency")
        if cols("audit") and "copy_id" not in cols("audit"):
            con.execute("ALTER TABLE audit RENAME TO audit_legacy")

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        return con

    def add_user(self, username: str, password: str, role: str, county: str,
                 units: Optional[Iterable[str]] = None, display_name: Optional[str] = None) -> None:
        if role not in schema.ROLES:
            raise ValueError(f"unknown role {role!r}")
        salt = secrets.token_bytes(16)
        pw = hash_password(password, salt)  # outside the write lock
        units = list(units) if units is not None else [county]
        with self.lock, self.connect() as con:
            con.execute("INSERT OR REPLACE INTO users (username, salt, pw_hash, role, county, display_name, units) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (username, salt, pw, role, county, display_name or username, json.dumps(units)))

    def set_quotas(self, rows: List[Dict[str, Any]]) -> None:
        with self.lock, self.connect() as con:
            con.executemany("INSERT OR REPLACE INTO quotas VALUES (:year, :unit_code, :unit_level, :quota_mu)", rows)

    def set_county(self, code: str, name: str, min_lon: float, min_lat: float, max_lon: float,
                   max_lat: float) -> None:
        """The county's extent (lon/lat) that every patch's bounding box must lie in."""
        with self.lock, self.connect() as con:
            con.execute("INSERT OR REPLACE INTO counties VALUES (?, ?, ?, ?, ?, ?)",
                        (code, name, min_lon, min_lat, max_lon, max_lat))

    def seed_demo(self) -> None:
        with self.connect() as con:
            have = {r[0]: r for r in con.execute("SELECT username, units FROM users")}
            counties = {r[0] for r in con.execute("SELECT code FROM counties")}
        for username, password, role, county, units, display in DEMO_USERS:
            if username not in have:
                self.add_user(username, password, role, county, units, display)
            elif have[username]["units"] is None:  # a database from before accounts had units
                with self.lock, self.connect() as con:
                    con.execute("UPDATE users SET units = ?, display_name = ?, role = ?, county = ? "
                                "WHERE username = ?", (json.dumps(list(units)), display, role, county, username))
        for c in DEMO_COUNTIES:
            if c[0] not in counties:
                self.set_county(*c)

    @staticmethod
    def next_seq(con: sqlite3.Connection) -> int:
        con.execute("UPDATE counters SET value = value + 1 WHERE name = 'seq'")
        return con.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]

    def import_patches(self, county: str, features: Iterable[Dict[str, Any]]) -> int:
        """Operator migration: store GeoJSON (EPSG:4490) features at whatever stage they have, created by
        "platform"; each becomes a new version with a new seq. Returns how many were stored."""
        n = 0
        with self.lock, self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                for f in features:
                    props = dict(f.get("properties") or {})
                    pid = str(props.get("patch_id") or f.get("id") or "")
                    if not UUID_RE.match(pid):
                        raise ValueError(f"feature without a UUID patch_id: {pid!r}")
                    props = {k: v for k, v in props.items() if k not in SERVER_KEYS}
                    row = con.execute("SELECT version, county FROM patches WHERE patch_id = ?", (pid,)).fetchone()
                    if row is not None and row["county"] != county:
                        raise ValueError(f"patch {pid} belongs to county {row['county']}")
                    version = (row["version"] if row else 0) + 1
                    con.execute("INSERT OR REPLACE INTO patches (patch_id, county, version, seq, deleted, properties, "
                                "geometry, updated_by, updated_at, created_by) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                                (pid, county, version, self.next_seq(con), json.dumps(props, ensure_ascii=False),
                                 json.dumps(f.get("geometry")), "platform", time.time(), "platform"))
                    n += 1
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return n


def read_gpkg_patches(path: str) -> List[Dict[str, Any]]:
    """The patches table of a working copy as GeoJSON features in EPSG:4490 (lon/lat), synced fields only."""
    from osgeo import ogr, osr

    ds = ogr.Open(path)
    if ds is None:
        raise ValueError(f"cannot open {path}")
    layer = ds.GetLayerByName(schema.PATCHES)
    if layer is None:
        raise ValueError(f"{path} has no {schema.PATCHES} table")
    target = osr.SpatialReference()
    target.ImportFromEPSG(4490)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    source = layer.GetSpatialRef()
    transform = None
    if source is not None:
        source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        transform = osr.CoordinateTransformation(source, target)
    defn = layer.GetLayerDefn()
    names = {defn.GetFieldDefn(i).GetName(): i for i in range(defn.GetFieldCount())}
    out = []
    for feat in layer:
        props: Dict[str, Any] = {}
        for f in schema.PATCH_FIELDS:
            i = names.get(f.name)
            if i is None or not (f.synced or f.name == "patch_id") or not feat.IsFieldSetAndNotNull(i):
                continue
            if f.type in (schema.DATE, schema.DATETIME):
                y, m, d, hh, mm, ss, _tz = feat.GetFieldAsDateTime(i)
                props[f.name] = f"{y:04d}-{m:02d}-{d:02d}" if f.type == schema.DATE else \
                    f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{int(ss):02d}"
            elif f.type == schema.INTEGER:
                props[f.name] = feat.GetFieldAsInteger64(i)
            elif f.type == schema.REAL:
                props[f.name] = feat.GetFieldAsDouble(i)
            else:
                props[f.name] = feat.GetFieldAsString(i)
        geom = feat.GetGeometryRef()
        if geom is not None:
            geom = geom.Clone()
            if transform is not None:
                geom.Transform(transform)
            geom = json.loads(geom.ExportToJson())
        out.append({"type": "Feature", "id": props.get("patch_id"), "properties": props, "geometry": geom})
    return out


# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog (socketserver's 5 made bursts of clients wait for SYN retries)

    def __init__(self, addr, db: PlatformDB, basemap_dir: Optional[str] = None,
                 workflow_path: Optional[str] = None, policy: Optional[pol.Policy] = None,
                 request_timeout: float = REQUEST_TIMEOUT, max_connections: int = MAX_CONNECTIONS):
        self.policy = policy or load_policy(workflow_path)  # refuse to start with an unusable configuration
        super().__init__(addr, Handler)
        self.db = db
        self.basemap_dir = basemap_dir
        self.faults: Dict[str, Any] = {}
        self.fault_lock = threading.Lock()
        self.requests_served = 0
        self.clock: Callable[[], float] = time.time
        self.throttle: Dict[str, float] = dict(DEFAULT_THROTTLE)
        self.throttle_lock = threading.Lock()
        self.failures: Dict[str, List[float]] = {}  # "user:<name>" / "addr:<ip>" -> failure times in the window
        self.lockouts: Dict[str, float] = {}  # same keys -> locked until
        self.max_body = MAX_BODY
        # A half-sent or silent connection is closed after request_timeout s; at most max_connections are served
        # at once (each holds a thread), the next ones are answered 503 server_busy at once.
        self.request_timeout = float(request_timeout)
        self.max_connections = int(max_connections)
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self._count_lock = threading.Lock()
        self.active_connections = 0
        self.refused_busy = 0

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return  # the client (or a test's dropping proxy) went away: nothing to answer
        super().handle_error(request, client_address)

    # -- connection bound -------------------------------------------------------------------
    def verify_request(self, request, client_address) -> bool:
        """Take a connection slot, or answer 503 right away (in the accepting thread, never blocking it)."""
        if self._slots.acquire(blocking=False):
            with self._count_lock:
                self.active_connections += 1
            return True
        self.refused_busy += 1
        body = json.dumps({"error": "server_busy", "message": "too many connections; try again shortly"}).encode()
        head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode()
        try:
            request.setblocking(False)
            try:
                request.recv(65536)  # what the client already sent: unread, it would turn the close into a reset
            except OSError:
                pass
            request.send(head + body)  # a fresh socket's send buffer takes it whole
        except OSError:
            pass
        return False  # the caller closes the connection

    def _release(self) -> None:
        with self._count_lock:
            self.active_connections -= 1
        self._slots.release()

    def process_request(self, request, client_address):
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release()  # no thread started: give the slot back
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def take_fault(self, name: str) -> bool:
        with self.fault_lock:
            n = self.faults.get(name, 0)
            if n:
                self.faults[name] = n - 1
                return True
            return False

    # -- login throttling -------------------------------------------------------------------
    def locked_for(self, keys: List[str]) -> float:
        """Seconds until every key's lockout has ended (0: none locked)."""
        now = self.clock()
        with self.throttle_lock:
            until = max([self.lockouts.get(k, 0.0) for k in keys] + [0.0])
        return max(0.0, until - now)

    def record_failure(self, user_key: str, addr_key: str) -> None:
        now = self.clock()
        t = self.throttle
        window = float(t.get("window_s", 900))
        with self.throttle_lock:
            for key, limit in ((user_key, t.get("user_failures", 5)), (addr_key, t.get("address_failures", 20))):
                times = [x for x in self.failures.get(key, []) if x > now - window] + [now]
                if limit and len(times) >= int(limit):
                    self.lockouts[key] = now + float(t.get("lockout_s", 60))
                    times = []
                self.failures[key] = times

    def record_success(self, user_key: str) -> None:
        with self.throttle_lock:
            self.failures.pop(user_key, None)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, extra: Optional[Dict] = None,
                 headers: Optional[Dict[str, str]] = None, close: bool = False):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}
        self.headers, self.close = headers or {}, close


class _Abort(Exception):
    """The connection is unusable (timed out mid-body): close it without answering."""


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _depth_ok(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects at most `limit` deep (read off the text: walking the parsed
    value in Python cost more than the rest of a batch)."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, delete=bytes(set(range(256)) - set(b"[]{}")))
    try:
        import numpy as np

        steps = np.frombuffer(brackets, dtype=np.uint8)
        depth = np.cumsum(np.where((steps == 91) | (steps == 123), 1, -1))
        return not depth.size or int(depth.max()) <= limit
    except ImportError:  # pragma: no cover
        d = 0
        for b in brackets:
            d += 1 if b in (91, 123) else -1
            if d > limit:
                return False
        return True


def _int_query(query: Dict[str, str], name: str, default: int, lo: int = 0, hi: int = 2 ** 62) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,19}", raw) or not lo <= int(raw) <= hi:
        raise ApiError(400, "bad_query", f"{name} must be a whole number between {lo} and {hi}")
    return int(raw)


def _user_obj(row: sqlite3.Row) -> Dict[str, Any]:
    return {"username": row["username"], "display_name": row["display_name"] or row["username"],
            "role": row["role"], "county": row["county"], "units": _units(row)}


def _units(row: sqlite3.Row) -> List[str]:
    try:
        units = json.loads(row["units"]) if row["units"] else None
    except (TypeError, ValueError):
        units = None
    return [str(u) for u in units] if isinstance(units, list) else [row["county"]]


class Handler(BaseHTTPRequestHandler):
    server: PlatformServer
    protocol_version = "HTTP/1.1"
    timeout = REQUEST_TIMEOUT  # per-connection socket timeout: a half-sent request does not hold a thread forever

    def setup(self):
        self.timeout = getattr(self.server, "request_timeout", self.timeout)  # the server's, if configured
        super().setup()

    def log_message(self, fmt, *args):  # quiet; never log bodies (they hold passwords and tokens)
        pass

    # -- plumbing -----------------------------------------------------------------------
    def _send(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None, raw: Optional[bytes] = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        if raw is None and self.server.take_fault("malformed"):
            data = data[: max(1, len(data) // 2)] + b"<html>proxy error"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _raw_body(self) -> bytes:
        """The request body, after checking its declared length and type (nothing read before the checks)."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "length_required", "send the body with a Content-Length", close=True)
        if length is None:
            raise ApiError(411, "length_required", "a POST needs a Content-Length header", close=True)
        if not re.fullmatch(r"\s*\d{1,19}\s*", length):
            raise ApiError(400, "bad_content_length", "Content-Length must be a non-negative whole number", close=True)
        n = int(length)
        if n > self.server.max_body:
            raise ApiError(413, "payload_too_large", f"the body may be at most {self.server.max_body} bytes",
                           close=True)
        if n:
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype != "application/json":
                raise ApiError(415, "unsupported_media_type", "send Content-Type: application/json", close=True)
        self._body_read = True
        try:
            data = self.rfile.read(n) if n else b""
        except (TimeoutError, OSError) as e:
            self.close_connection = True
            raise _Abort() from e
        if len(data) < n:
            self.close_connection = True
            raise _Abort()
        return data

    def _body(self) -> Dict[str, Any]:
        raw = self._raw_body()
        self._body_bytes = raw
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
            raise ApiError(400, "bad_json", "the request body is not JSON" if not isinstance(e, RecursionError)
                           else f"the request body is nested deeper than {MAX_DEPTH} levels") from None
        if not _depth_ok(raw):
            raise ApiError(400, "bad_json", f"the request body is nested deeper than {MAX_DEPTH} levels")
        if not isinstance(body, dict):
            raise ApiError(400, "bad_json", "request body must be a JSON object")
        return body

    def _token(self) -> str:
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            raise ApiError(401, "missing_token", "Authorization: Bearer <token> required")
        return auth[7:].strip()

    def _user(self) -> sqlite3.Row:
        token = self._token()
        with self.server.db.connect() as con:
            row = con.execute("SELECT t.expires, t.family, s.revoked, u.* FROM tokens t JOIN users u USING (username) "
                              "JOIN sessions s ON s.family = t.family WHERE t.token_hash = ? AND t.kind = 'access'",
                              (token_hash(token),)).fetchone()
        if row is None:
            raise ApiError(401, "invalid_token", "unknown token")
        if row["revoked"]:
            raise ApiError(401, "session_revoked", "this session was ended (logout or a reused refresh token); "
                                                   "log in again")
        if row["expires"] < self.server.clock():
            raise ApiError(401, "token_expired", "the access token has expired; refresh or log in again")
        return row

    def _county(self, user: sqlite3.Row, county: str) -> None:
        if not pol.unit_covered(_units(user), county):
            raise ApiError(403, "forbidden_county", f"user {user['username']} may not access county {county}")

    def _dispatch(self, method: str) -> None:
        self.server.requests_served += 1
        self._body_read = False
        try:
            delay = self.server.faults.get("delay")
            if delay:
                time.sleep(float(delay))
            url = urlparse(self.path)
            path = url.path
            try:
                query = {k: v[-1] for k, v in parse_qs(url.query, strict_parsing=False).items()}
            except ValueError:
                raise ApiError(400, "bad_query", "the query string cannot be read") from None
            if not path.startswith(API):
                if path in ("/", "/openapi.yaml"):
                    return self._openapi()
                raise ApiError(404, "not_found", "no such path")
            if self.server.take_fault("error_500"):
                raise ApiError(500, "injected", "injected server error")
            route = path[len(API):]
            if method == "POST" and route == "/auth/login":
                return self._login()
            if method == "POST" and route == "/auth/refresh":
                return self._refresh()
            if method == "POST" and route == "/auth/logout":
                return self._logout()
            if method == "GET" and route == "/me":
                return self._send(200, _user_obj(self._user()))
            if method == "GET" and route == "/workflow":
                self._user()
                p = self.server.policy
                return self._send(200, {"policy": p.raw, "fingerprint": p.fingerprint})
            m = re.fullmatch(r"/counties/(\d{6})/(quotas|patches|patches:batch|transitions|audit|audit/head|"
                             r"exceptions|basemap)", route)
            if not m:
                raise ApiError(404, "not_found", "no such route")
            county, what = m.groups()
            handler = {("GET", "quotas"): self._quotas, ("GET", "patches"): self._patches,
                       ("POST", "patches:batch"): self._batch, ("POST", "transitions"): self._transitions,
                       ("GET", "audit"): self._audit, ("GET", "audit/head"): self._audit_head,
                       ("POST", "exceptions"): self._exceptions, ("GET", "exceptions"): self._exception_list,
                       ("GET", "basemap"): self._basemap, ("HEAD", "basemap"): self._basemap}.get((method, what))
            user = self._user()
            self._county(user, county)
            if handler is None:
                raise ApiError(405, "method_not_allowed", f"{method} is not allowed here")
            return handler(user, county, query)
        except _Abort:
            self.close_connection = True
        except ApiError as e:
            if e.close or (method not in ("GET", "HEAD") and not self._body_read):
                self.close_connection = True  # an unread body would be taken for the next request
            self._send(e.status, {"error": e.code, "message": e.message, **e.extra}, e.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a bug must still answer in the contract's shape, without internals
            self.close_connection = True
            try:
                self._send(500, {"error": "internal", "message": "internal server error"})
            except OSError:
                pass

    def do_GET(self):  # noqa: N802
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_HEAD(self):  # noqa: N802
        self._dispatch("HEAD")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    # -- auth ---------------------------------------------------------------------------
    def _issue(self, con: sqlite3.Connection, username: str, family: Optional[str] = None) -> Dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.server.clock()
        ttl = float(self.server.faults.get("access_ttl", ACCESS_TTL))
        if family is None:
            family = secrets.token_hex(16)
            con.execute("INSERT INTO sessions (family, username, created) VALUES (?, ?, ?)", (family, username, now))
        con.execute("INSERT INTO tokens VALUES (?, ?, ?, 'access', ?, 0)", (token_hash(access), family, username,
                                                                            now + ttl))
        con.execute("INSERT INTO tokens VALUES (?, ?, ?, 'refresh', ?, 0)", (token_hash(refresh), family, username,
                                                                             now + REFRESH_TTL))
        user = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": int(ttl),
                "user": _user_obj(user)}

    def _login(self) -> None:
        body = self._body()
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise ApiError(400, "bad_request", "username and password must be strings")
        user_key, addr_key = "user:" + username, "addr:" + str(self.client_address[0])
        wait = self.server.locked_for([user_key, addr_key])
        if wait > 0:
            retry = max(1, int(math.ceil(wait)))
            raise ApiError(429, "too_many_attempts", "too many failed logins; try again later",
                           {"retry_after": retry}, {"Retry-After": str(retry)})
        with self.server.db.connect() as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        # The same work for unknown and known users; hashing outside the write lock.
        computed = hash_password(password, row["salt"] if row is not None else _DUMMY_SALT)
        ok = row is not None and hmac.compare_digest(computed, row["pw_hash"])
        if not ok:
            self.server.record_failure(user_key, addr_key)
            raise ApiError(401, "invalid_credentials", "wrong user name or password")
        self.server.record_success(user_key)
        with self.server.db.lock, self.server.db.connect() as con:
            reply = self._issue(con, username)
        self._send(200, reply)

    def _refresh(self) -> None:
        body = self._body()
        token = body.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise ApiError(401, "invalid_refresh_token", "log in again")
        with self.server.db.lock, self.server.db.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute("SELECT t.*, s.revoked FROM tokens t JOIN sessions s ON s.family = t.family "
                                  "WHERE t.token_hash = ? AND t.kind = 'refresh'", (token_hash(token),)).fetchone()
                if row is not None and row["used"] and not row["revoked"]:
                    # A consumed refresh token came back: someone holds a copy. End the whole session family.
                    con.execute("UPDATE sessions SET revoked = 1, revoked_reason = 'refresh_reused' WHERE family = ?",
                                (row["family"],))
                    con.execute("COMMIT")
                    raise ApiError(401, "refresh_reused", "this refresh token was already used; the session has "
                                                          "been ended: log in again")
                if row is None or row["revoked"] or row["used"] or row["expires"] < self.server.clock():
                    con.execute("COMMIT")
                    raise ApiError(401, "invalid_refresh_token", "log in again")
                con.execute("UPDATE tokens SET used = 1 WHERE token_hash = ?", (row["token_hash"],))
                reply = self._issue(con, row["username"], row["family"])
                con.execute("COMMIT")
            except ApiError:
                raise
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._send(200, reply)

    def _logout(self) -> None:
        self._raw_body()  # consume (and check) whatever the client sent; the token is what counts
        user = self._user()
        with self.server.db.lock, self.server.db.connect() as con:
            con.execute("UPDATE sessions SET revoked = 1, revoked_reason = 'logout' WHERE family = ?",
                        (user["family"],))
        self._send(200, {"revoked": True})

    # -- data ---------------------------------------------------------------------------
    def _quotas(self, user, county, query) -> None:
        sql, args = "SELECT * FROM quotas WHERE unit_code LIKE ?", [county + "%"]
        if query.get("year"):
            sql += " AND year = ?"
            args.append(_int_query(query, "year", 0, 1900, 2200))
        with self.server.db.connect() as con:
            rows = [dict(r) for r in con.execute(sql + " ORDER BY unit_code", args)]
        self._send(200, {"items": rows})

    @staticmethod
    def _feature(r: Optional[sqlite3.Row]) -> Optional[Dict[str, Any]]:
        if r is None:
            return None
        props = json.loads(r["properties"]) if r["properties"] else {}
        props.update({"patch_id": r["patch_id"], "version": r["version"], "deleted": bool(r["deleted"]),
                      "created_by": r["created_by"], "updated_by": r["updated_by"]})
        return {"type": "Feature", "id": r["patch_id"], "properties": props,
                "geometry": json.loads(r["geometry"]) if r["geometry"] and not r["deleted"] else None}

    def _patches(self, user, county, query) -> None:
        since = _int_query(query, "changed_since", 0)
        cursor = _int_query(query, "cursor", since)
        limit = max(1, min(_int_query(query, "limit", 500, 1, 10 ** 9), 5000))
        with self.server.db.connect() as con:
            rows = con.execute("SELECT * FROM patches WHERE county = ? AND seq > ? ORDER BY seq LIMIT ?",
                               (county, cursor, limit + 1)).fetchall()
            head = con.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]
        more = len(rows) > limit
        rows = rows[:limit]
        body = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4490"}},
                "features": [self._feature(r) for r in rows],
                "next_cursor": str(rows[-1]["seq"]) if more else None,
                "server_seq": str(rows[-1]["seq"] if more else max(head, cursor))}
        self._send(200, body)

    # -- batch: per-item checks -----------------------------------------------------------
    @staticmethod
    def _shape_problem(item: Any) -> Optional[str]:
        if not isinstance(item, dict):
            return "item must be an object"
        pid = item.get("patch_id")
        if not isinstance(pid, str) or not UUID_RE.match(pid):
            return "patch_id must be a lowercase UUID"
        op = item.get("op", "upsert")
        if op not in ("upsert", "delete"):
            return "op must be upsert or delete"
        bv = item.get("base_version")
        if bv is not None and (isinstance(bv, bool) or not isinstance(bv, int)):
            return "base_version must be an integer or null"
        if op == "upsert":
            if not isinstance(item.get("properties"), dict):
                return "properties must be an object"
            g = item.get("geometry")
            if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
                return "geometry must be a GeoJSON Polygon or MultiPolygon"
        return None

    def _content_rejections(self, con, county: str, pid: str, props: Dict[str, Any], geometry: Dict[str, Any],
                            geos_problem: Optional[str] = None) -> List[Dict]:
        """Values, geometry, extent, area and per-stage requiredness of an upsert (independent of who sends it)."""
        p = self.server.policy
        out = list(pol.value_problems(props))
        bad_fields = {r["details"].get("field") for r in out}
        if props.get("county_code") not in (None, "") and props.get("county_code") != county \
                and "county_code" not in bad_fields:
            out.append(pol.rejection("invalid_value", field="county_code",
                                     problem=f"{props.get('county_code')!r} is not county {county}"))
        for k, v in props.items():  # keys outside the schema are kept as sent, but JSON must stay JSON
            if isinstance(v, float) and not math.isfinite(v) and k not in bad_fields:
                out.append(pol.rejection("invalid_value", field=k, problem=f"must be a finite number, not {v!r}"))
        problem = geometry_problem(geometry, geos=False) or geos_problem
        if problem:
            out.append(pol.rejection("invalid_geometry", problem=problem))
        else:
            ext = con.execute("SELECT * FROM counties WHERE code = ?", (county,)).fetchone()
            if ext is not None:
                x0, y0, x1, y1 = bbox(geometry)
                if x0 < ext["min_lon"] or y0 < ext["min_lat"] or x1 > ext["max_lon"] or y1 > ext["max_lat"]:
                    out.append(pol.rejection("outside_county", county=county))
        area_mu = props.get("area_mu")
        if "area_mu" not in bad_fields and isinstance(area_mu, (int, float)) and not isinstance(area_mu, bool):
            if not 0 < area_mu <= p.max_patch_mu:
                out.append(pol.rejection("implausible_area", area_mu=area_mu, max_mu=p.max_patch_mu))
            elif not problem:
                computed = schema.m2_to_mu(ellipsoidal_area_m2(geometry))
                tol = max(p.area_tolerance_mu, p.area_tolerance_pct / 100.0 * computed)
                if abs(area_mu - computed) > tol:
                    out.append(pol.rejection("area_mismatch", area_mu=area_mu, computed_mu=round(computed, 2)))
                area_ha = props.get("area_ha")
                if "area_ha" not in bad_fields and isinstance(area_ha, (int, float)) \
                        and not isinstance(area_ha, bool) and abs(area_ha * schema.MU_PER_HA - computed) > tol:
                    out.append(pol.rejection("area_mismatch", area_mu=round(area_ha * schema.MU_PER_HA, 2),
                                             computed_mu=round(computed, 2), field="area_ha", area_ha=area_ha))
        stage = props.get("stage") if props.get("stage") in schema.STAGE_ORDER else "design"
        missing = pol.missing_for_stage(dict(props, patch_id=pid), stage)
        if missing:
            out.append(pol.rejection("missing_fields", stage=stage, fields=", ".join(missing)))
        return out

    @staticmethod
    def _rejected(pid, rejections: List[Dict], server: Optional[Dict], client_key: Optional[str] = None
                  ) -> Dict[str, Any]:
        out = {"patch_id": pid, "status": "rejected", "code": rejections[0]["code"], "rejections": rejections,
               "reasons": [r["message_en"] for r in rejections], "server": server}
        if client_key is not None:
            out = {"client_key": client_key, **out}
        return out

    def _batch(self, user, county, query) -> None:
        key = self.headers.get("Idempotency-Key") or ""
        if not KEY_RE.fullmatch(key):
            raise ApiError(400, "idempotency_key_required", "send an Idempotency-Key header (8-80 characters)")
        body = self._body()
        body_hash = hashlib.sha256(self._body_bytes).hexdigest()  # a replay sends the same bytes
        items = body.get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ApiError(400, "bad_batch", f"items must be a list of at most {MAX_ITEMS} patches")
        db = self.server.db
        with db.lock, db.connect() as con:
            stored = con.execute("SELECT * FROM idempotency WHERE key = ? AND username = ? AND county = ?",
                                 (key, user["username"], county)).fetchone()
            if stored is not None:  # a replay: the same answer, nothing applied again
                if stored["body_hash"] != body_hash:
                    raise ApiError(422, "idempotency_mismatch", "this Idempotency-Key was used with a different body")
                return self._send(stored["status"], json.loads(stored["response"]), {"Idempotent-Replay": "true"})
            con.execute("BEGIN IMMEDIATE")
            try:
                # GEOS validity of every sound polygon of the batch in one pass
                sound = [it.get("geometry") if isinstance(it, dict) and it.get("op", "upsert") == "upsert"
                         and geometry_problem(it.get("geometry"), geos=False) is None else None for it in items]
                invalid = invalid_polygons(sound)
                results = [self._apply(con, user, county, it, invalid.get(i)) for i, it in enumerate(items)]
                response = {"results": results}
                con.execute("INSERT INTO idempotency VALUES (?, ?, ?, ?, 200, ?)",
                            (key, user["username"], county, body_hash, json.dumps(response, ensure_ascii=False)))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._send(200, response)

    def _apply(self, con, user, county, item, geos_problem: Optional[str] = None) -> Dict[str, Any]:
        p = self.server.policy
        pid = item.get("patch_id") if isinstance(item, dict) else None
        problem = self._shape_problem(item)
        if problem:
            return self._rejected(pid if isinstance(pid, str) else None,
                                  [pol.rejection("bad_item", problem=problem)], None)
        op = item.get("op", "upsert")
        username, role = user["username"], user["role"]
        row = con.execute("SELECT * FROM patches WHERE patch_id = ?", (pid,)).fetchone()
        if row is not None and row["county"] != county:
            return self._rejected(pid, [pol.rejection("outside_county", county=county)], None)
        server = self._feature(row)
        current = row["version"] if row is not None else None
        base = item.get("base_version")
        conflict = None
        if current is not None and base != current and not (row["deleted"] and base is None):
            conflict = {"patch_id": pid, "status": "conflict", "server_version": current, "server": server}
        elif current is None and base is not None:
            # The client believes the patch exists on the server; it does not (never did): conflict with nothing.
            conflict = {"patch_id": pid, "status": "conflict", "server_version": None, "server": None}
        if op == "delete":
            if conflict:
                return conflict
            if row is None or row["deleted"]:
                return {"patch_id": pid, "status": "accepted", "version": current}
            stage = (json.loads(row["properties"] or "{}")).get("stage", "design")
            owner = row["created_by"] or ""
            refusal = p.delete_refusal(role, stage, owner == username, owner)
            if refusal:
                return self._rejected(pid, [refusal], server)
            version = current + 1
            con.execute("UPDATE patches SET version = ?, seq = ?, deleted = 1, geometry = NULL, updated_by = ?, "
                        "updated_at = ? WHERE patch_id = ?",
                        (version, PlatformDB.next_seq(con), username, time.time(), pid))
            return {"patch_id": pid, "status": "accepted", "version": version}
        props = {k: v for k, v in item["properties"].items() if k not in SERVER_KEYS}
        rejections = self._content_rejections(con, county, pid, props, item["geometry"], geos_problem)
        if conflict and not rejections:
            return conflict
        if not conflict:
            sent = props.get("stage")
            if row is not None and row["deleted"]:
                # Brought back after a delete: an edit of the old patch, by someone who may edit it as its owner
                # left it (a deleted id is nobody's to take over).
                owner = row["created_by"] or ""
                last = (json.loads(row["properties"] or "{}")).get("stage", "design")
                if sent != "design":
                    rejections.append(pol.rejection("create_stage", stage=sent))
                refusal = p.edit_refusal(role, last, owner == username, owner) or p.create_refusal(role, "design")
                if refusal:
                    rejections.append(refusal)
            elif row is None:  # a new patch
                if sent != "design":
                    rejections.append(pol.rejection("create_stage", stage=sent))
                else:
                    refusal = p.create_refusal(role, "design")
                    if refusal:
                        rejections.append(refusal)
            else:
                stage = (json.loads(row["properties"] or "{}")).get("stage", "design")
                if sent != stage:
                    rejections.append(pol.rejection("stage_change", stage=stage, sent=sent))
                owner = row["created_by"] or ""
                refusal = p.edit_refusal(role, stage, owner == username, owner)
                if refusal:
                    rejections.append(refusal)
        if rejections:
            return self._rejected(pid, rejections, server)
        version = (current or 0) + 1
        created_by = row["created_by"] if row is not None and row["created_by"] else username
        con.execute("INSERT OR REPLACE INTO patches (patch_id, county, version, seq, deleted, properties, geometry, "
                    "updated_by, updated_at, created_by) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                    (pid, county, version, PlatformDB.next_seq(con), json.dumps(props, ensure_ascii=False),
                     json.dumps(item["geometry"]), username, time.time(), created_by))
        return {"patch_id": pid, "status": "accepted", "version": version}

    # -- transitions and the audit chain ----------------------------------------------------
    @staticmethod
    def _audit_item_problem(it: Any) -> Optional[str]:
        if not isinstance(it, dict):
            return "each item must be an object"
        missing = [k for k in audit_chain.HASHED_FIELDS + ("prev_hash", "row_hash", "client_key", "base_version")
                   if k not in it]
        if missing:
            return "missing " + ", ".join(missing)
        if not isinstance(it["client_key"], str) or not 1 <= len(it["client_key"]) <= 200:
            return "client_key must be a non-empty string"
        if not isinstance(it["row_hash"], str) or not re.fullmatch(r"[0-9a-f]{64}", it["row_hash"]):
            return "row_hash must be a SHA-256 hex digest"
        if it["prev_hash"] is not None and not isinstance(it["prev_hash"], str):
            return "prev_hash must be a string"
        if not isinstance(it["patch_id"], str) or not isinstance(it["action"], str):
            return "patch_id and action must be strings"
        bv = it["base_version"]
        if bv is not None and (isinstance(bv, bool) or not isinstance(bv, int)):
            return "base_version must be an integer or null"
        for k in audit_chain.HASHED_FIELDS:
            if isinstance(it[k], (dict, list)):
                return f"{k} must be a plain value"
        return None

    @staticmethod
    def _chain_head(con, county: str, copy_id: str) -> Tuple[str, int]:
        row = con.execute("SELECT row_hash, (SELECT COUNT(*) FROM audit WHERE county = ? AND copy_id = ?) AS n "
                          "FROM audit WHERE county = ? AND copy_id = ? ORDER BY id DESC LIMIT 1",
                          (county, copy_id, county, copy_id)).fetchone()
        return (row["row_hash"], row["n"]) if row is not None else (audit_chain.GENESIS, 0)

    def _transitions(self, user, county, query) -> None:
        body = self._body()
        copy_id, items, secret = body.get("copy_id"), body.get("items"), body.get("copy_secret")
        if not isinstance(copy_id, str) or not KEY_RE.fullmatch(copy_id):
            raise ApiError(400, "bad_item", "copy_id must be 8-80 characters of A-Z a-z 0-9 . _ : -")
        if not isinstance(secret, str) or not 16 <= len(secret) <= 200:
            raise ApiError(400, "bad_item", "copy_secret must be a string of 16-200 characters")
        if not isinstance(items, list) or len(items) > MAX_AUDIT_ITEMS:
            raise ApiError(400, "bad_item", f"items must be a list of at most {MAX_AUDIT_ITEMS} audit rows")
        seen = set()
        for i, it in enumerate(items):
            problem = self._audit_item_problem(it)
            if problem is None and it["client_key"] in seen:
                problem = "client_key repeated in the request"
            if problem:
                raise ApiError(400, "bad_item", f"item {i}: {problem}", {"index": i})
            seen.add(it["client_key"])
        db = self.server.db
        with db.lock, db.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                self._check_copy(con, user, county, copy_id, secret)
                reply = self._record_transitions(con, user, county, copy_id, items)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._send(200, reply)

    @staticmethod
    def _check_copy(con, user, county: str, copy_id: str, secret: str) -> None:
        """Only the working copy that started a chain may append to it: its first upload registers the hash of a
        secret the copy keeps; any other sender (who can read the copy_id from GET /audit) is refused."""
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
        row = con.execute("SELECT secret_hash FROM audit_copies WHERE county = ? AND copy_id = ?",
                          (county, copy_id)).fetchone()
        if row is None:
            if con.execute("SELECT 1 FROM audit WHERE county = ? AND copy_id = ? LIMIT 1", (county, copy_id)).fetchone():
                raise ApiError(403, "copy_secret_mismatch", "this working copy's audit chain is not yours to extend")
            con.execute("INSERT INTO audit_copies VALUES (?, ?, ?, ?, ?)",
                        (county, copy_id, digest, user["username"], utc_now()))
        elif not hmac.compare_digest(row["secret_hash"], digest):
            raise ApiError(403, "copy_secret_mismatch", "this working copy's audit chain is not yours to extend")

    def _record_transitions(self, con, user, county, copy_id, items) -> Dict[str, Any]:
        results: List[Optional[Dict]] = [None] * len(items)
        new: List[Tuple[int, Dict]] = []
        for i, it in enumerate(items):
            stored = con.execute("SELECT row_hash, result FROM audit WHERE county = ? AND copy_id = ? AND "
                                 "client_key = ?", (county, copy_id, it["client_key"])).fetchone()
            if stored is None:
                new.append((i, it))
            elif stored["row_hash"] != it["row_hash"]:
                raise ApiError(422, "idempotency_mismatch", f"item {i}: client_key {it['client_key']!r} was stored "
                                                            "with different content", {"index": i})
            else:
                results[i] = json.loads(stored["result"])
        head, count = self._chain_head(con, county, copy_id)
        brk = audit_chain.first_break([it for _i, it in new], head)
        if brk is not None:
            idx, problem = brk
            raise ApiError(409, "audit_chain_broken",
                           pol.reason_message("audit_chain_broken", problem=problem),
                           {"index": new[idx][0], "problem": problem,
                            "rejection": pol.rejection("audit_chain_broken", problem=problem), "head": head})
        now = utc_now()
        for i, it in new:
            result = self._one_transition(con, user, county, it)
            results[i] = result
            con.execute(
                "INSERT INTO audit (county, copy_id, client_key, patch_id, action, from_stage, to_stage, "
                "claimed_user_name, claimed_display_name, claimed_role, identity, reason, comment, approval_ref, "
                "patch_version, at, base_version, prev_hash, row_hash, status, code, result, user_name, display_name, "
                "role, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)",
                (county, copy_id, it["client_key"], it["patch_id"], it["action"], _plain(it["from_stage"]),
                 _plain(it["to_stage"]), _plain(it["user_name"]), _plain(it["display_name"]), _plain(it["role"]),
                 _plain(it["identity"]), _plain(it["reason"]), _plain(it["comment"]), _plain(it["approval_ref"]),
                 _plain(it["patch_version"]), _plain(it["at"]), it["base_version"], it["prev_hash"] or "",
                 it["row_hash"], result["status"], result.get("code"), json.dumps(result, ensure_ascii=False),
                 user["username"], user["display_name"] or user["username"], user["role"], now))
            head = it["row_hash"]
        return {"results": results, "head": head, "stored": len(new), "received": len(items),
                "count": count + len(new)}

    def _one_transition(self, con, user, county, it) -> Dict[str, Any]:
        p = self.server.policy
        key, pid = it["client_key"], it["patch_id"]
        row = con.execute("SELECT * FROM patches WHERE patch_id = ? AND county = ? AND deleted = 0",
                          (pid, county)).fetchone()

        def rejected(rejections):
            return self._rejected(pid, rejections, self._feature(row), client_key=key)

        rej: List[Dict] = []
        # Every row, a move or a note, must be what the token's account is: the same user and role for rows made
        # logged in (or with the cached login); rows made without an account claim the local technician's role
        # and are taken on by the syncing account.
        if it["identity"] in ("platform", "cached"):
            if it["user_name"] != user["username"]:
                rej.append(pol.rejection("identity_mismatch", claimed=it["user_name"], user=user["username"]))
            elif it["role"] != user["role"]:
                rej.append(pol.rejection("identity_mismatch", claimed=f"{it['user_name']} ({it['role']})",
                                         user=f"{user['username']} ({user['role']})"))
        elif it["identity"] == "local":
            if it["role"] != p.local_role:
                rej.append(pol.rejection("identity_mismatch", claimed=f"{it['user_name']} ({it['role']})",
                                         user=f"{user['username']} ({user['role']})"))
        else:
            rej.append(pol.rejection("bad_item", problem=f"identity must be platform, cached or local, not "
                                                         f"{it['identity']!r}"))
        if it["action"] not in ("transition", "return"):
            if it["action"] not in NOTE_ACTIONS:
                rej.append(pol.rejection("bad_item", problem=f"unknown action {it['action']!r}"))
            return rejected(rej) if rej else {"client_key": key, "patch_id": pid, "status": "noted"}
        if row is None:
            return rejected(rej + [pol.rejection("unknown_patch")])
        props = json.loads(row["properties"] or "{}")
        stage = props.get("stage", "design")
        frm, to = it["from_stage"], it["to_stage"]
        if frm != stage:
            return rejected(rej + [pol.rejection("stage_mismatch", stage=stage, from_stage=frm)])
        if it["base_version"] is not None and it["base_version"] != row["version"]:
            rej.append(pol.rejection("version_conflict", server_version=row["version"],
                                     base_version=it["base_version"]))
        refusal = p.transition_refusal(user["role"], str(frm), str(to), _plain(it["reason"]),
                                       str(it["comment"] or ""))
        if refusal:
            rej.append(refusal)
        elif not p.is_return(frm, to):
            missing = pol.missing_for_stage(dict(props, patch_id=pid), to)
            if missing:
                rej.append(pol.rejection("missing_fields", stage=to, fields=", ".join(missing)))
            rate = props.get("survival_rate")
            if to in p.survival_stages and isinstance(rate, (int, float)) and rate < p.min_survival:
                rej.append(pol.rejection("survival", rate=rate, threshold=p.min_survival))
        if rej:
            return rejected(rej)
        props["stage"] = to
        version = row["version"] + 1
        con.execute("UPDATE patches SET properties = ?, version = ?, seq = ?, updated_by = ?, updated_at = ? "
                    "WHERE patch_id = ?", (json.dumps(props, ensure_ascii=False), version, PlatformDB.next_seq(con),
                                           user["username"], time.time(), pid))
        return {"client_key": key, "patch_id": pid, "status": "accepted", "version": version}

    def _audit(self, user, county, query) -> None:
        sql, args = "SELECT * FROM audit WHERE county = ?", [county]
        for k in ("patch_id", "copy_id"):
            if query.get(k):
                sql += f" AND {k} = ?"
                args.append(query[k])
        with self.server.db.connect() as con:
            items = []
            for r in con.execute(sql + " ORDER BY id", args):
                d = dict(r)
                d["result"] = json.loads(d["result"])
                items.append(d)
        self._send(200, {"items": items})

    def _audit_head(self, user, county, query) -> None:
        copy_id = query.get("copy_id") or ""
        if not KEY_RE.fullmatch(copy_id):
            raise ApiError(400, "bad_query", "copy_id must be 8-80 characters of A-Z a-z 0-9 . _ : -")
        with self.server.db.connect() as con:
            head, count = self._chain_head(con, county, copy_id)
        self._send(200, {"head": head, "count": count})

    # -- exceptions -------------------------------------------------------------------------
    def _exceptions(self, user, county, query) -> None:
        items = self._body().get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ApiError(400, "bad_item", f"items must be a list of at most {MAX_ITEMS} exceptions")
        for i, it in enumerate(items):
            if not isinstance(it, dict) or not isinstance(it.get("client_key"), str) \
                    or not 1 <= len(it["client_key"]) <= 200:
                raise ApiError(400, "bad_item", f"item {i}: each exception needs a client_key string", {"index": i})
        db = self.server.db
        with db.lock, db.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                results = [self._one_exception(con, user, county, it) for it in items]
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._send(200, {"results": results})

    def _one_exception(self, con, user, county, it) -> Dict[str, Any]:
        p = self.server.policy
        item_hash = hashlib.sha256(json.dumps(it, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        stored = con.execute("SELECT result FROM exceptions WHERE county = ? AND accepted_by = ? AND client_key = ?",
                             (county, user["username"], it["client_key"])).fetchone()
        if stored is not None:
            result = json.loads(stored["result"])
            if result.get("item_hash") not in (None, item_hash):  # a replay must be the same item
                return {"client_key": it["client_key"], "patch_id": it.get("patch_id"), "status": "rejected",
                        "code": "bad_item", "rejections": [pol.rejection(
                            "bad_item", problem="client_key already used for a different exception")]}
            return {k: v for k, v in result.items() if k != "item_hash"}
        now = utc_now()
        op, rule, severity = it.get("op", "accept"), it.get("rule"), it.get("severity")
        rej: List[Dict] = []
        text_fields = ("patch_id", "rule", "severity", "other_id", "reason", "approval_ref", "at")
        bad = [k for k in text_fields if it.get(k) is not None and not isinstance(it.get(k), str)]
        if op not in ("accept", "withdraw") or bad:
            rej.append(pol.rejection("bad_item", problem="op must be accept or withdraw" if not bad else
                                     "must be text: " + ", ".join(bad)))
        elif rule not in ((p.raw.get("exceptions") or {}).get("rules") or {}):
            rej.append(pol.rejection("unknown_rule", rule=rule))
        else:
            if con.execute("SELECT 1 FROM patches WHERE patch_id = ? AND county = ? AND deleted = 0",
                           (it.get("patch_id"), county)).fetchone() is None:
                rej.append(pol.rejection("unknown_patch"))
            if op == "accept":
                refusal = p.exception_refusal(user["role"], rule, severity or "", it.get("reason") or "",
                                              it.get("approval_ref") or "")
            else:  # withdrawing: the same roles, no reason or approval number needed
                refusal = p.exception_refusal(user["role"], rule, severity or "", "withdrawn", "withdrawn")
            if refusal:
                rej.append(refusal)
        result: Dict[str, Any] = {"client_key": it["client_key"], "patch_id": it.get("patch_id"),
                                  "status": "rejected" if rej else "accepted"}
        if rej:
            result.update({"code": rej[0]["code"], "rejections": rej})
        result.update({"accepted_by": user["username"], "display_name": user["display_name"] or user["username"],
                       "role": user["role"], "accepted_at": now})
        stored_result = dict(result, item_hash=item_hash)
        con.execute("INSERT INTO exceptions (county, client_key, op, patch_id, rule, severity, other_id, reason, "
                    "approval_ref, at, status, code, result, accepted_by, display_name, role, accepted_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (county, it["client_key"], _plain(op), _plain(it.get("patch_id")), _plain(rule),
                     _plain(severity), _plain(it.get("other_id")), _plain(it.get("reason")),
                     _plain(it.get("approval_ref")), _plain(it.get("at")), result["status"], result.get("code"),
                     json.dumps(stored_result, ensure_ascii=False), user["username"], result["display_name"],
                     user["role"], now))
        return result

    def _exception_list(self, user, county, query) -> None:
        with self.server.db.connect() as con:
            rows = con.execute("SELECT * FROM exceptions WHERE county = ? AND status = 'accepted' ORDER BY id",
                               (county,)).fetchall()
        latest: Dict[Tuple, sqlite3.Row] = {}
        for r in rows:
            latest[(r["patch_id"], r["rule"], r["other_id"] or "")] = r
        items = [{"patch_id": r["patch_id"], "rule": r["rule"], "other_id": r["other_id"], "severity": r["severity"],
                  "reason": r["reason"], "approval_ref": r["approval_ref"], "accepted_by": r["accepted_by"],
                  "display_name": r["display_name"], "role": r["role"], "accepted_at": r["accepted_at"],
                  "withdrawn": r["op"] == "withdraw"} for r in latest.values()]
        self._send(200, {"items": items})

    # -- files --------------------------------------------------------------------------------
    def _basemap(self, user, county, query) -> None:
        path = os.path.join(self.server.basemap_dir or "", f"{county}.gpkg")
        if not self.server.basemap_dir or not os.path.exists(path):
            raise ApiError(404, "no_basemap", f"no base-map package for county {county}")
        size = os.path.getsize(path)
        etag = '"' + hashlib.sha256(f"{size}:{os.path.getmtime(path)}".encode()).hexdigest()[:32] + '"'
        start, status, headers = 0, 200, {"ETag": etag, "Accept-Ranges": "bytes"}
        end = size - 1
        rng = self.headers.get("Range")
        if rng and (self.headers.get("If-Range") in (None, etag)):
            m = re.fullmatch(r"bytes=(\d{1,19})-(\d{0,19})", rng.strip())
            if m and int(m.group(1)) < size:
                start, status = int(m.group(1)), 206
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                if end < start:
                    start, end, status = 0, size - 1, 200
                else:
                    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start + 1)
        self._send(status, None, headers, raw=data, content_type="application/geopackage+sqlite3")

    def _openapi(self) -> None:
        spec = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "platform-api.yaml")
        with open(spec, "rb") as fh:
            self._send(200, None, raw=fh.read(), content_type="application/yaml")


def _plain(v: Any) -> Any:
    """A claimed value as SQLite stores it (numbers and text as they are, anything else as text)."""
    if v is None or isinstance(v, (str, int, float)) and not isinstance(v, bool):
        return v
    return str(v)


def start_server(db_path: str, host: str = "127.0.0.1", port: int = 0, seed_demo: bool = True,
                 basemap_dir: Optional[str] = None, workflow_path: Optional[str] = None,
                 request_timeout: float = REQUEST_TIMEOUT, max_connections: int = MAX_CONNECTIONS
                 ) -> Tuple[PlatformServer, str]:
    """Start the platform in a background thread; return (server, base URL). Stop with stop_server(server).
    `request_timeout`: seconds a connection may stay silent before it is closed; `max_connections`: connections
    served at once (more are answered 503)."""
    policy = load_policy(workflow_path)
    db = PlatformDB(db_path)
    if seed_demo:
        db.seed_demo()
    server = PlatformServer((host, port), db, basemap_dir, policy=policy, request_timeout=request_timeout,
                            max_connections=max_connections)
    threading.Thread(target=server.serve_forever, name="reference-platform", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}{API}"


def stop_server(server: PlatformServer) -> None:
    server.shutdown()
    server.server_close()
