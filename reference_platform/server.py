"""Reference provincial platform: the documented contract (docs/platform-api.yaml) served for real.

HTTP (stdlib ThreadingHTTPServer) over SQLite. Patches are versioned per patch and carry a global change
sequence (`seq`) so "changed since" never misses or repeats a change; deletes leave tombstones. Batch upserts
use optimistic concurrency (each item's `base_version`) and an `Idempotency-Key` per request: a replayed key
returns the stored reply and applies nothing twice. Tokens expire; 401 bodies say which failure it is.

Fault injection for tests (`server.faults`): {"error_500": n} answers the next n API requests with 500,
{"malformed": n} sends broken JSON, {"delay": seconds} sleeps before answering. All off by default.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

API = "/api/v1"
ACCESS_TTL = 3600
REFRESH_TTL = 30 * 24 * 3600
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STAGES = ("design", "accepted", "included", "confirmed", "county_checked", "city_verified", "province_verified")
DEMO_USERS = (  # username, password, role, county (documented in docs/sync.md)
    ("demo_tech", "demo-pass-2025", "county_technician", "339901"),
    ("demo_county", "demo-pass-2025", "county_reviewer", "339901"),
    ("demo_city", "demo-pass-2025", "city_reviewer", "339901"),
    ("demo_province", "demo-pass-2025", "province_reviewer", "339901"),
    ("demo_contractor", "demo-pass-2025", "contractor", "339901"),
)

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, salt BLOB NOT NULL, pw_hash BLOB NOT NULL,
    role TEXT NOT NULL, county TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, username TEXT NOT NULL, kind TEXT NOT NULL,
    expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS patches (patch_id TEXT PRIMARY KEY, county TEXT NOT NULL, version INTEGER NOT NULL,
    seq INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, properties TEXT, geometry TEXT,
    updated_by TEXT, updated_at REAL);
CREATE INDEX IF NOT EXISTS patches_county_seq ON patches(county, seq);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT NOT NULL, username TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL, PRIMARY KEY (key, username));
CREATE TABLE IF NOT EXISTS quotas (year INTEGER, unit_code TEXT, unit_level TEXT, quota_mu REAL,
    PRIMARY KEY (year, unit_code));
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, county TEXT, patch_id TEXT, action TEXT,
    from_stage TEXT, to_stage TEXT, user_name TEXT, role TEXT, reason TEXT, comment TEXT, patch_version INTEGER,
    at TEXT, client_key TEXT UNIQUE);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters VALUES ('seq', 0);
"""


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 120_000)


class PlatformDB:
    """The platform's SQLite store; one connection per call, serialized writes."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with self.connect() as con:
            con.executescript(SCHEMA_SQL)

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        return con

    def add_user(self, username: str, password: str, role: str, county: str) -> None:
        salt = secrets.token_bytes(16)
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?)",
                        (username, salt, hash_password(password, salt), role, county))

    def set_quotas(self, rows: List[Dict[str, Any]]) -> None:
        with self.connect() as con:
            con.executemany("INSERT OR REPLACE INTO quotas VALUES (:year, :unit_code, :unit_level, :quota_mu)", rows)

    def seed_demo(self) -> None:
        with self.connect() as con:
            have = {r[0] for r in con.execute("SELECT username FROM users")}
        for username, password, role, county in DEMO_USERS:
            if username not in have:
                self.add_user(username, password, role, county)


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, db: PlatformDB, basemap_dir: Optional[str] = None):
        super().__init__(addr, Handler)
        self.db = db
        self.basemap_dir = basemap_dir
        self.faults: Dict[str, Any] = {}
        self.fault_lock = threading.Lock()
        self.requests_served = 0

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the client (or a test's dropping proxy) went away: nothing to answer
        super().handle_error(request, client_address)

    def take_fault(self, name: str) -> bool:
        with self.fault_lock:
            n = self.faults.get(name, 0)
            if n:
                self.faults[name] = n - 1
                return True
            return False


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, extra: Optional[Dict] = None):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}


class Handler(BaseHTTPRequestHandler):
    server: PlatformServer
    protocol_version = "HTTP/1.1"

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
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> Dict[str, Any]:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b"{}"
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ApiError(400, "bad_json", f"request body is not JSON: {e}") from e
        if not isinstance(body, dict):
            raise ApiError(400, "bad_json", "request body must be a JSON object")
        return body

    def _user(self) -> sqlite3.Row:
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            raise ApiError(401, "missing_token", "Authorization: Bearer <token> required")
        token = auth[7:].strip()
        with self.server.db.connect() as con:
            row = con.execute("SELECT t.expires, u.* FROM tokens t JOIN users u USING (username) "
                              "WHERE t.token = ? AND t.kind = 'access'", (token,)).fetchone()
        if row is None:
            raise ApiError(401, "invalid_token", "unknown token")
        if row["expires"] < time.time():
            raise ApiError(401, "token_expired", "the access token has expired; refresh or log in again")
        return row

    def _county(self, user: sqlite3.Row, county: str) -> None:
        if user["role"] != "province_reviewer" and user["county"] != county[:len(user["county"])]:
            raise ApiError(403, "forbidden_county", f"user {user['username']} may not access county {county}")

    def _dispatch(self, method: str) -> None:
        self.server.requests_served += 1
        try:
            delay = self.server.faults.get("delay")
            if delay:
                time.sleep(float(delay))
            url = urlparse(self.path)
            path, query = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
            if not path.startswith(API):
                if path in ("/", "/openapi.yaml"):
                    return self._openapi()
                raise ApiError(404, "not_found", path)
            if self.server.take_fault("error_500"):
                raise ApiError(500, "injected", "injected server error")
            route = path[len(API):]
            m = re.fullmatch(r"/counties/(\d{6})/(quotas|patches|patches:batch|transitions|audit|basemap)", route)
            if method == "POST" and route == "/auth/login":
                return self._login()
            if method == "POST" and route == "/auth/refresh":
                return self._refresh()
            if method == "GET" and route == "/me":
                u = self._user()
                return self._send(200, {"username": u["username"], "role": u["role"], "county": u["county"]})
            if not m:
                raise ApiError(404, "not_found", route)
            county, what = m.groups()
            user = self._user()
            self._county(user, county)
            handler = {("GET", "quotas"): self._quotas, ("GET", "patches"): self._patches,
                       ("POST", "patches:batch"): self._batch, ("POST", "transitions"): self._transitions,
                       ("GET", "audit"): self._audit, ("GET", "basemap"): self._basemap,
                       ("HEAD", "basemap"): self._basemap}.get((method, what))
            if handler is None:
                raise ApiError(405, "method_not_allowed", f"{method} {route}")
            return handler(user, county, query)
        except ApiError as e:
            self._send(e.status, {"error": e.code, "message": e.message, **e.extra})
        except Exception as e:  # a bug must still answer in the contract's shape
            self._send(500, {"error": "internal", "message": repr(e)})

    def do_GET(self):  # noqa: N802
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_HEAD(self):  # noqa: N802
        self._dispatch("HEAD")

    # -- auth ---------------------------------------------------------------------------
    def _issue(self, con: sqlite3.Connection, username: str) -> Dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        ttl = float(self.server.faults.get("access_ttl", ACCESS_TTL))
        con.execute("INSERT INTO tokens VALUES (?, ?, 'access', ?)", (access, username, now + ttl))
        con.execute("INSERT INTO tokens VALUES (?, ?, 'refresh', ?)", (refresh, username, now + REFRESH_TTL))
        user = con.execute("SELECT username, role, county FROM users WHERE username = ?", (username,)).fetchone()
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": int(ttl),
                "user": dict(user)}

    def _login(self) -> None:
        body = self._body()
        username, password = str(body.get("username") or ""), str(body.get("password") or "")
        with self.server.db.lock, self.server.db.connect() as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
            if row is None or not hmac.compare_digest(hash_password(password, row["salt"]), row["pw_hash"]):
                raise ApiError(401, "invalid_credentials", "wrong user name or password")
            return self._send(200, self._issue(con, username))

    def _refresh(self) -> None:
        body = self._body()
        with self.server.db.lock, self.server.db.connect() as con:
            row = con.execute("SELECT username, expires FROM tokens WHERE token = ? AND kind = 'refresh'",
                              (str(body.get("refresh_token") or ""),)).fetchone()
            if row is None or row["expires"] < time.time():
                raise ApiError(401, "invalid_refresh_token", "log in again")
            con.execute("DELETE FROM tokens WHERE token = ?", (body["refresh_token"],))
            return self._send(200, self._issue(con, row["username"]))

    # -- data ---------------------------------------------------------------------------
    def _quotas(self, user, county, query) -> None:
        sql, args = "SELECT * FROM quotas WHERE unit_code LIKE ?", [county + "%"]
        if query.get("year"):
            sql += " AND year = ?"
            args.append(int(query["year"]))
        with self.server.db.connect() as con:
            rows = [dict(r) for r in con.execute(sql + " ORDER BY unit_code", args)]
        self._send(200, {"items": rows})

    @staticmethod
    def _feature(r: sqlite3.Row) -> Dict[str, Any]:
        props = json.loads(r["properties"]) if r["properties"] else {}
        props.update({"patch_id": r["patch_id"], "version": r["version"], "deleted": bool(r["deleted"])})
        return {"type": "Feature", "id": r["patch_id"], "properties": props,
                "geometry": json.loads(r["geometry"]) if r["geometry"] and not r["deleted"] else None}

    def _patches(self, user, county, query) -> None:
        try:
            since = int(query.get("changed_since") or 0)
            cursor = int(query.get("cursor") or since)
            limit = max(1, min(int(query.get("limit") or 500), 5000))
        except ValueError as e:
            raise ApiError(400, "bad_query", str(e)) from e
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

    def _validate(self, item: Dict[str, Any], county: str) -> List[str]:
        reasons = []
        pid = item.get("patch_id")
        if not isinstance(pid, str) or not UUID_RE.match(pid):
            reasons.append("patch_id must be a lowercase UUID")
        if item.get("op", "upsert") not in ("upsert", "delete"):
            reasons.append("op must be upsert or delete")
        if item.get("op", "upsert") == "upsert":
            props = item.get("properties")
            if not isinstance(props, dict):
                reasons.append("properties must be an object")
                return reasons
            if props.get("county_code") != county:
                reasons.append(f"county_code {props.get('county_code')!r} does not match county {county}")
            if props.get("stage") not in STAGES:
                reasons.append(f"stage {props.get('stage')!r} is not a known stage")
            geom = item.get("geometry")
            if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon") \
                    or not geom.get("coordinates"):
                reasons.append("geometry must be a non-empty Polygon or MultiPolygon")
        bv = item.get("base_version")
        if bv is not None and not isinstance(bv, int):
            reasons.append("base_version must be an integer or null")
        return reasons

    def _batch(self, user, county, query) -> None:
        key = self.headers.get("Idempotency-Key") or ""
        if not re.fullmatch(r"[A-Za-z0-9._:-]{8,80}", key):
            raise ApiError(400, "idempotency_key_required", "send an Idempotency-Key header (8-80 characters)")
        body = self._body()
        items = body.get("items")
        if not isinstance(items, list) or len(items) > 1000:
            raise ApiError(400, "bad_batch", "items must be a list of at most 1000 patches")
        db = self.server.db
        with db.lock, db.connect() as con:
            stored = con.execute("SELECT status, response FROM idempotency WHERE key = ? AND username = ?",
                                 (key, user["username"])).fetchone()
            if stored is not None:  # a replay: the same answer, nothing applied again
                return self._send(stored["status"], json.loads(stored["response"]), {"Idempotent-Replay": "true"})
            con.execute("BEGIN IMMEDIATE")
            try:
                results = [self._apply(con, user, county, it) for it in items]
                response = {"results": results}
                con.execute("INSERT INTO idempotency VALUES (?, ?, 200, ?)",
                            (key, user["username"], json.dumps(response, ensure_ascii=False)))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._send(200, response)

    def _next_seq(self, con: sqlite3.Connection) -> int:
        con.execute("UPDATE counters SET value = value + 1 WHERE name = 'seq'")
        return con.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]

    def _apply(self, con, user, county, item) -> Dict[str, Any]:
        if not isinstance(item, dict):
            return {"patch_id": None, "status": "rejected", "reasons": ["item must be an object"]}
        pid = item.get("patch_id")
        reasons = self._validate(item, county)
        if reasons:
            return {"patch_id": pid, "status": "rejected", "reasons": reasons}
        row = con.execute("SELECT * FROM patches WHERE patch_id = ?", (pid,)).fetchone()
        if row is not None and row["county"] != county:
            return {"patch_id": pid, "status": "rejected", "reasons": ["patch belongs to another county"]}
        current = row["version"] if row is not None else None
        base = item.get("base_version")
        if current is not None and base != current and not (row["deleted"] and base is None):
            return {"patch_id": pid, "status": "conflict", "server_version": current, "server": self._feature(row)}
        if current is None and base is not None:
            # The client believes the patch exists on the server; it does not (never did): conflict with nothing.
            return {"patch_id": pid, "status": "conflict", "server_version": None, "server": None}
        version = (current or 0) + 1
        seq = self._next_seq(con)
        now = time.time()
        if item.get("op", "upsert") == "delete":
            if row is None:
                return {"patch_id": pid, "status": "accepted", "version": None}
            con.execute("UPDATE patches SET version = ?, seq = ?, deleted = 1, geometry = NULL, updated_by = ?, "
                        "updated_at = ? WHERE patch_id = ?", (version, seq, user["username"], now, pid))
        else:
            props = {k: v for k, v in item["properties"].items() if k not in ("patch_id", "version", "deleted")}
            con.execute("INSERT OR REPLACE INTO patches VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                        (pid, county, version, seq, json.dumps(props, ensure_ascii=False),
                         json.dumps(item["geometry"]), user["username"], now))
        return {"patch_id": pid, "status": "accepted", "version": version}

    def _transitions(self, user, county, query) -> None:
        items = self._body().get("items")
        if not isinstance(items, list):
            raise ApiError(400, "bad_batch", "items must be a list")
        fields = ("patch_id", "action", "from_stage", "to_stage", "user_name", "role", "reason", "comment",
                  "patch_version", "at", "client_key")
        stored = 0
        with self.server.db.lock, self.server.db.connect() as con:
            for it in items:
                if not isinstance(it, dict) or not it.get("client_key") or not it.get("patch_id"):
                    raise ApiError(400, "bad_item", "each audit item needs patch_id and client_key")
                cur = con.execute(f"INSERT OR IGNORE INTO audit (county, {', '.join(fields)}) VALUES "
                                  f"(?, {', '.join('?' * len(fields))})", [county] + [it.get(f) for f in fields])
                stored += cur.rowcount
        self._send(200, {"stored": stored, "received": len(items)})

    def _audit(self, user, county, query) -> None:
        sql, args = "SELECT * FROM audit WHERE county = ?", [county]
        if query.get("patch_id"):
            sql += " AND patch_id = ?"
            args.append(query["patch_id"])
        with self.server.db.connect() as con:
            self._send(200, {"items": [dict(r) for r in con.execute(sql + " ORDER BY id", args)]})

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
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
            if m and int(m.group(1)) < size:
                start, status = int(m.group(1)), 206
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start + 1)
        self._send(status, None, headers, raw=data, content_type="application/geopackage+sqlite3")

    def _openapi(self) -> None:
        spec = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "platform-api.yaml")
        with open(spec, "rb") as fh:
            self._send(200, None, raw=fh.read(), content_type="application/yaml")


def start_server(db_path: str, host: str = "127.0.0.1", port: int = 0, seed_demo: bool = True,
                 basemap_dir: Optional[str] = None) -> Tuple[PlatformServer, str]:
    """Start the platform in a background thread; return (server, base URL). Stop with server.shutdown()."""
    db = PlatformDB(db_path)
    if seed_demo:
        db.seed_demo()
    server = PlatformServer((host, port), db, basemap_dir)
    threading.Thread(target=server.serve_forever, name="reference-platform", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}{API}"


def stop_server(server: PlatformServer) -> None:
    server.shutdown()
    server.server_close()
