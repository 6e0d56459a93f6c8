"""Sync engine: pull with merge, push in batches, conflicts never overwritten silently, resumable.

- Pull pages through the platform's changes since the saved cursor. A server change is applied to a patch
  without local changes; where both sides changed, a conflict is recorded (with the server's copy) and the
  local patch is left alone. The cursor is saved in the same transaction as each page's changes.
- Push sends local changes in batches with each patch's base version. A batch is written to the outbox
  (payload + idempotency key) before it is sent and removed only when its results are applied, so after
  a crash, cancel or dropped connection the same batch is replayed under the same key: the platform answers
  from its idempotency store and nothing is applied twice.
- A local change is cleared only if the patch was not edited again while its batch was under way.
- A working copy syncs with one platform: the first sync that takes or sends anything stores which one (sync_state
  "platform": Platform.identity() and the county); asked to sync with another, the engine refuses before anything is
  downloaded, sent or deleted (OtherPlatform). `rebind()` (the user confirmed) moves the copy to the other platform
  without deleting anything: the old platform's versions are forgotten, so what the new one lacks is not taken for
  deleted. `bind_same_platform()` (the user confirmed) says the other address is the same platform: only the
  stored identity changes, versions and everything else are kept. A copy that synced before bindings were recorded
  is refused once (UnrecordedPlatform) until one of the two is confirmed; a copy never synced binds silently.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from osgeo import ogr, osr

from ... import schema
from ...i18n import tr
from .. import audit, geopackage, identity
from ..policy import reason_message
from ..refusals import render_rejection
from .adapter import Platform, same_geometry, same_value
from .changes import pending_changes, set_suppressed
from .client import CanceledError, PlatformError, redact

SYNCED_FIELDS = [f.name for f in schema.PATCH_FIELDS if f.synced]
WIRE_CRS = 4490  # GeoJSON on the wire is CGCS2000 geographic (lon, lat)
Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]


_now = identity.utc_text  # one clock: UTC, YYYY-MM-DDTHH:MM:SS.SSSZ
RECORD_TIMES = ("created_at", "updated_at")  # when a record was written, not what it says
BINDING = "platform"  # sync_state: the platform the working copy syncs with ({"platform": identity, "county": ...})


class OtherPlatform(PlatformError):
    """The working copy syncs with another platform (or county) than the one asked: nothing was downloaded, sent
    or changed. `bound` and `asked` are the two bindings ({"platform": Platform.identity(), "county": ...})."""

    def __init__(self, message: str, bound: Dict[str, Any], asked: Dict[str, Any]):
        super().__init__(message)
        self.bound, self.asked = bound, asked


class UnrecordedPlatform(OtherPlatform):
    """The working copy synced before the plugin recorded the platform it syncs with (it holds platform versions or
    a download cursor, and no binding): which platform that was is unknown, so the first sync is refused until the
    user confirms (SyncEngine.bind_same_platform: the platform it synced with; rebind: another one). `bound` is
    empty."""


def binding_text(binding: Dict[str, Any]) -> str:
    """A binding as the user reads it: the platform's identity and the county."""
    return tr("{0} (county {1})").format(binding.get("platform") or "?", binding.get("county") or "?")


@dataclass
class SyncSummary:
    """What a pull or push did (also stored as the last-sync summary)."""

    action: str
    at: str = field(default_factory=_now)
    pulled: int = 0
    applied: int = 0
    deleted: int = 0
    pushed: int = 0
    accepted: int = 0
    conflicts: int = 0
    rejected: int = 0
    audit_sent: int = 0
    transitions_accepted: int = 0
    transitions_refused: int = 0
    exceptions_sent: int = 0
    exceptions_refused: int = 0
    quarantined: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    errors: List[str] = field(default_factory=list)


def _srs(code: int) -> osr.SpatialReference:
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


@contextlib.contextmanager
def sync_transaction(path: str):
    """One IMMEDIATE transaction whose writes change tracking ignores (they come from the platform)."""
    con = geopackage.open_connection(path, timeout=30.0)  # runs in a task: it may wait out a check's write
    try:
        con.execute("BEGIN IMMEDIATE")
        set_suppressed(con, True)
        yield con
        set_suppressed(con, False)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()




def _record_problem(feature: Any, explained: bool = False) -> Optional[str]:
    """Why a platform record cannot be merged (None: it can): the shape the contract gives a patch record.
    `explained`: the adapter (not the server) wrote the record's "problem" text (Platform.explains_records)."""
    if not isinstance(feature, dict):
        return tr("the record is not an object")
    props = feature.get("properties")
    if not isinstance(props, dict):
        return tr("the record has no properties")
    pid = props.get("patch_id")
    if not isinstance(pid, str) or not pid:
        return tr("the record has no patch id")
    version = props.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        return tr("its version is not a whole number")
    bad = sorted(k for k, v in props.items() if k in SYNCED_FIELDS and isinstance(v, (dict, list)))
    if bad:
        # the adapter's own reason where it gave one (the WFS adapter: a code its code table does not know); it
        # only ever names why a record already refused is refused, never lets one in
        told = feature.get("problem") if explained else None
        if isinstance(told, str) and told.strip():
            return redact(re.sub(r"[\x00-\x1f\x7f]+", " ", told).strip()[:300])
        return tr("the value of {0} is not a single value").format(", ".join(bad))
    deleted = props.get("deleted", False)
    if not isinstance(deleted, bool):
        return tr("its deleted flag is not true or false")
    geometry = feature.get("geometry")
    if deleted:
        return None
    if geometry is None:
        return tr("it has no geometry but is not deleted")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return tr("its geometry is not a polygon")
    coords = geometry.get("coordinates")
    polys = [coords] if geometry["type"] == "Polygon" else coords
    try:
        ok = bool(polys) and all(
            len(ring) >= 4 and all(len(pos) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                         and math.isfinite(v) for v in pos[:2]) for pos in ring)
            for poly in polys for ring in poly)
    except TypeError:
        ok = False
    if not ok:
        return tr("its geometry has coordinates that are not numbers, or rings that are not rings")
    return None


class SyncEngine:
    """Synchronizes one working copy with the platform for its county."""

    def __init__(self, path: str, client: Platform, county: Optional[str] = None):
        self.path = path
        self.client = client
        settings = geopackage.verify_working_copy(path)
        self.county = county or settings.get("county_code") or ""
        if not self.county:
            raise ValueError(tr("The working copy has no county code: set one before syncing"))
        self.local_epsg = int(str(settings.get("crs") or schema.DEFAULT_PROJECT_CRS).split(":")[1])
        from ..workflow import upgrade_working_copy

        upgrade_working_copy(path)
        self._to_wire = osr.CoordinateTransformation(_srs(self.local_epsg), _srs(WIRE_CRS))
        self._to_local = osr.CoordinateTransformation(_srs(WIRE_CRS), _srs(self.local_epsg))
        with geopackage.connect(path) as con:
            cols = {r[1] for r in con.execute(f"PRAGMA table_info({schema.PATCHES})")}
            self.geom_col = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                                        (schema.PATCHES,)).fetchone()[0]
            if not con.execute("SELECT value FROM sync_state WHERE key = 'copy_id'").fetchone():
                con.execute("INSERT INTO sync_state VALUES ('copy_id', ?)", (str(uuid.uuid4()),))
            self.copy_id = con.execute("SELECT value FROM sync_state WHERE key = 'copy_id'").fetchone()[0]
            if not con.execute("SELECT value FROM sync_state WHERE key = 'copy_secret'").fetchone():
                # proves to the platform that audit rows come from this copy (its chain is nobody else's to extend)
                con.execute("INSERT INTO sync_state VALUES ('copy_secret', ?)", (secrets.token_hex(24),))
            self._copy_secret = con.execute("SELECT value FROM sync_state WHERE key = 'copy_secret'").fetchone()[0]
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_quarantine'").fetchone():
                # platform records that could not be taken (malformed): kept with the reason, never blocking a pull
                con.execute("CREATE TABLE sync_quarantine (patch_id TEXT PRIMARY KEY, version INTEGER, reason TEXT "
                            "NOT NULL, record TEXT, at TEXT NOT NULL)")
            rej_cols = {r[1] for r in con.execute("PRAGMA table_info(sync_rejections)")}
            if "local_feature" not in rej_cols:  # the refused local version, kept so nothing is lost
                con.execute("ALTER TABLE sync_rejections ADD COLUMN local_feature TEXT")
                con.execute("ALTER TABLE sync_rejections ADD COLUMN code TEXT")
        self.fields = [f for f in SYNCED_FIELDS if f in cols]
        self._actor: Optional[identity.Identity] = None  # who notes the platform's answers in the audit log
        # during a pull or push: the patches with moves the platform has not answered (the others need no look-up)
        self._moved: set = set()

    # -- session: who the platform says we are, and the policy it enforces -----------------------
    def adopt_session(self) -> identity.Identity:
        """Cache the logged-in account and the platform's workflow policy in the working copy (offline work)."""
        from ..workflow import cache_policy

        if not self.client.verifies_identity:
            # A server that does not say who the session is (a WFS-T server): this copy works as its own identity
            # under the bundled policy; nothing is claimed in the platform's name.
            self._actor = identity.current_user(self.path)
            return self._actor
        ident = identity.from_platform_user(self.client.user, self.client.base_url)
        identity.cache_identity(self.path, ident)
        if self.client.serves_policy:
            cache_policy(self.path, self.client.workflow(), self.client.base_url)
        self._actor = ident
        return ident

    def _session_actor(self) -> identity.Identity:
        """Who is syncing: the client's logged-in account (what the platform will see), else the current identity."""
        if not self.client.verifies_identity:
            return identity.current_user(self.path)
        try:
            return identity.from_platform_user(self.client.user, self.client.base_url)
        except ValueError:
            return identity.current_user(self.path)

    def verify_audit(self, against_platform: bool = True) -> None:
        """Refuse to sync a working copy whose audit log is not intact, here or against the platform's copy."""
        audit.verify(self.path)
        if against_platform:
            self.verify_platform_head()

    def verify_platform_head(self) -> None:
        """The rows the platform already holds of this copy's chain must still be here, unchanged."""
        head = self.client.audit_head(self.county, self.copy_id)
        count, platform_head = int(head.get("count") or 0), head.get("head") or ""
        if count:
            row = audit.row_at(self.path, count - 1)
            if row is None or row.get("row_hash") != platform_head:
                raise audit.AuditTampered([tr("the audit log no longer contains the {0} row(s) the platform already "
                                              "holds").format(count)])

    # -- the platform this copy syncs with ------------------------------------------------------
    def platform_binding(self) -> Dict[str, Any]:
        """The binding this engine's client and county would store: {"platform": identity, "county": code}."""
        ident = getattr(self.client, "identity", None)
        return {"platform": ident() if callable(ident) else "", "county": self.county}

    def bound_platform(self) -> Optional[Dict[str, Any]]:
        """The platform this working copy syncs with (None: not bound yet, a copy never synced or synced before
        copies kept it: bound at its next sync)."""
        with geopackage.connect(self.path) as con:
            bound = self._state(con, BINDING)
        return bound if isinstance(bound, dict) and bound.get("platform") else None

    def check_binding(self) -> None:
        """Refuse (OtherPlatform) to sync with another platform or county than the one this copy syncs with: a
        platform that does not list deletes would have every patch it does not hold deleted here. Reads only the
        working copy; nothing is asked of the platform."""
        bound, asked = self.bound_platform(), self.platform_binding()
        if not asked["platform"]:
            return
        if bound is None:
            if self._synced_before():
                raise UnrecordedPlatform(tr(
                    "This working copy synced before the plugin recorded its platform: confirm that {0} is the "
                    "platform it synced with before it syncs (nothing was downloaded, sent or changed). If it is "
                    "another one, the patches it does not hold would be taken for deleted there and deleted here. "
                    "Confirm in the sync panel (it asks), or from a script with SyncEngine.bind_same_platform() (the "
                    "platform it synced with) or SyncEngine.rebind() (another platform).").format(
                    self._redact(binding_text(asked))), {}, asked)
            return
        if (bound.get("platform"), bound.get("county")) == (asked["platform"], asked["county"]):
            return
        raise OtherPlatform(tr(
            "This working copy syncs with {0}, not with {1}: nothing was downloaded, sent or changed. Patches the other "
            "platform does not hold would be taken for deleted there and deleted here. Make a new working copy for "
            "the other platform, or re-bind this working copy to it (the sync panel asks first): every local patch "
            "is kept, and the next download takes what that platform holds.").format(
            self._redact(binding_text(bound)), self._redact(binding_text(asked))), bound, asked)

    def _synced_before(self) -> bool:
        """True when this copy has taken or sent something (a patch's platform version, a download cursor past
        "0") though no binding is stored: it synced before copies kept their platform."""
        with geopackage.connect(self.path) as con:
            if con.execute(f"SELECT 1 FROM {schema.PATCHES} WHERE server_version IS NOT NULL LIMIT 1").fetchone():
                return True
            return str(self._state(con, "cursor", "0") or "0") != "0"

    def same_platform_possible(self) -> bool:
        """True when bind_same_platform() may take this engine's platform for the bound one at a new address: the
        same kind and county (or no binding recorded yet)."""
        bound, asked = self.bound_platform(), self.platform_binding()
        if bound is None:
            return bool(asked["platform"])
        return (str(bound.get("platform")).split(":", 1)[0] == str(asked["platform"]).split(":", 1)[0]
                and bound.get("county") == asked["county"])

    def bind_same_platform(self) -> Dict[str, Any]:
        """The platform of this engine's client is the one this working copy syncs with, at a new address (or, for
        a copy that synced before bindings were recorded, the one it synced with): the stored binding's platform
        is rewritten and nothing else. Versions, the download cursor, unsent batches, the upload in flight,
        conflicts and records set aside are all kept (they belong to that same platform). Refused (ValueError) for
        another kind of platform or another county. Returns the new binding."""
        asked = self.platform_binding()
        if not asked["platform"]:
            raise ValueError(tr("This platform cannot be told apart from another one: the working copy is not "
                                "re-bound"))
        if not self.same_platform_possible():
            raise ValueError(tr("{0} cannot be the platform this working copy syncs with ({1}): another kind of "
                                "platform or another county. Re-bind the working copy to another platform instead"
                                ).format(self._redact(binding_text(asked)),
                                         self._redact(binding_text(self.bound_platform() or {}))))
        with sync_transaction(self.path) as con:
            previous = self._state(con, BINDING)
            binding = dict(asked, at=_now(), same_platform=True)
            if isinstance(previous, dict) and previous.get("platform"):
                binding["previous"] = {k: previous.get(k) for k in ("platform", "county", "at")}
            self._set_state(con, BINDING, binding)
        return binding

    def _bind(self, con) -> None:
        """Remember the platform the first time this copy takes or sends anything (inside the caller's
        transaction); a copy bound already keeps its binding (check_binding refused any other)."""
        if self._state(con, BINDING) is None:
            asked = self.platform_binding()
            if asked["platform"]:
                self._set_state(con, BINDING, dict(asked, at=_now()))

    def rebind(self) -> Dict[str, Any]:
        """Make this working copy sync with the platform of this engine's client (the user asked for it and
        confirmed). Nothing is deleted: every patch, local change, review move, refusal and audit row stays. What
        belonged to the old platform is forgotten: the patches' platform versions and the changes' base versions
        (so a patch the new platform lacks is not taken for deleted there: it is not on that platform), the moves'
        base versions, the download cursor (the next download takes everything), unsent batches (their changes
        stay pending), conflicts with the old platform's copies and its records set aside. The next download links
        patches the new platform holds with the same content; other differences with local changes become
        conflicts. Returns the new binding."""
        asked = self.platform_binding()
        if not asked["platform"]:
            raise ValueError(tr("This platform cannot be told apart from another one: the working copy is not "
                                "re-bound"))
        with sync_transaction(self.path) as con:
            previous = self._state(con, BINDING)
            con.execute(f"UPDATE {schema.PATCHES} SET server_version = NULL WHERE server_version IS NOT NULL")
            con.execute("UPDATE sync_changes SET base_version = NULL WHERE base_version IS NOT NULL")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if {audit.BASES_TABLE, audit.RESULTS_TABLE} <= tables:  # unanswered moves stood on the old versions
                con.execute(f"UPDATE {audit.BASES_TABLE} SET base_version = NULL WHERE fid NOT IN "
                            f"(SELECT fid FROM {audit.RESULTS_TABLE})")
            for table in ("sync_outbox", "sync_conflicts", "sync_quarantine"):
                con.execute(f"DELETE FROM {table}")
            self._set_state(con, "cursor", "0")
            self._set_state(con, "audit_inflight", None)
            binding = dict(asked, at=_now())
            if isinstance(previous, dict) and previous.get("platform"):
                binding["previous"] = {k: previous.get(k) for k in ("platform", "county", "at")}
            self._set_state(con, BINDING, binding)
        return binding

    # -- state --------------------------------------------------------------------------
    def _state(self, con, key: str, default: Any = None) -> Any:
        row = con.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else default

    def _set_state(self, con, key: str, value: Any) -> None:
        con.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?)", (key, json.dumps(value, ensure_ascii=False)))

    def local_changes(self) -> Dict[str, Any]:
        """Counts and ids of local changes not yet on the platform."""
        with geopackage.connect(self.path) as con:
            changes = pending_changes(con)
            conflicts = [r[0] for r in con.execute("SELECT patch_id FROM sync_conflicts")]
            rejected = [r[0] for r in con.execute("SELECT patch_id FROM sync_rejections")]
            outbox = con.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0]
        ins = [c["patch_id"] for c in changes if c["op"] == "upsert" and c["server_version"] is None]
        upd = [c["patch_id"] for c in changes if c["op"] == "upsert" and c["server_version"] is not None]
        dele = [c["patch_id"] for c in changes if c["op"] == "delete"]
        return {"inserted": len(ins), "updated": len(upd), "deleted": len(dele), "inserted_ids": ins,
                "updated_ids": upd, "deleted_ids": dele, "conflicts": len(conflicts), "conflict_ids": conflicts,
                "rejected": len(rejected), "rejected_ids": rejected, "unsent_batches": outbox,
                "total": len(changes)}

    def last_sync_summary(self) -> Optional[Dict[str, Any]]:
        with geopackage.connect(self.path) as con:
            return self._state(con, "last_summary")

    def _finish(self, summary: SyncSummary) -> SyncSummary:
        summary.bytes_sent, summary.bytes_received = self.client.bytes_sent, self.client.bytes_received
        for notice in getattr(self.client, "notices", ()) or ():  # what the adapter found about the server
            if notice not in summary.errors:  # (its own words: the description's names and codes)
                summary.errors.append(notice)
        with geopackage.connect(self.path) as con:
            self._bind(con)
            self._set_state(con, "last_summary", asdict(summary))
        return summary

    # -- geometry and records -------------------------------------------------------------
    def _to_feature(self, row: Dict[str, Any], blob: Optional[bytes]) -> Dict[str, Any]:
        props = {k: row.get(k) for k in self.fields}
        geometry = None
        wkb = geopackage.wkb_from_blob(blob)
        if wkb:
            g = ogr.CreateGeometryFromWkb(wkb)
            g.Transform(self._to_wire)
            geometry = json.loads(g.ExportToJson(options=["COORDINATE_PRECISION=9"]))
        return {"properties": props, "geometry": geometry}

    def _local_geometry(self, geojson: Optional[Dict[str, Any]]) -> Optional[bytes]:
        if not geojson:
            return None
        g = ogr.CreateGeometryFromJson(json.dumps(geojson))
        if g is None:
            raise ValueError(tr("The platform sent a geometry that cannot be read"))
        g.Transform(self._to_local)
        g = ogr.ForceToMultiPolygon(g)
        minx, maxx, miny, maxy = g.GetEnvelope()
        return geopackage.blob_from_wkb(bytes(g.ExportToIsoWkb()), self.local_epsg, (minx, maxx, miny, maxy))

    def _read_local(self, con, patch_id: str) -> Optional[Tuple[Dict[str, Any], Optional[bytes]]]:
        cols = ["fid", "server_version", "revision"] + [f for f in self.fields if f not in ("server_version",)]
        row = con.execute(f'SELECT {", ".join(cols)}, "{self.geom_col}" FROM {schema.PATCHES} WHERE patch_id = ?',
                          (patch_id,)).fetchone()
        if row is None:
            return None
        return dict(zip(cols, row[:-1])), row[-1]

    def _write_server_copy(self, con, feature: Dict[str, Any]) -> str:
        """Apply the platform's copy of a patch locally (suppressed by the caller). Returns applied/deleted."""
        props = feature.get("properties") or {}
        pid, version = props.get("patch_id"), props.get("version")
        local = self._read_local(con, pid)
        known = local[0]["server_version"] if local else None
        if known is not None and isinstance(version, int) and version < known:
            return "unchanged"  # an answer about an older platform version never replaces a newer one
        if props.get("deleted") or not feature.get("geometry"):
            con.execute(f"DELETE FROM {schema.PATCHES} WHERE patch_id = ?", (pid,))
            return "deleted"
        values = {k: props.get(k) for k in self.fields if k != "patch_id"}
        values["server_version"] = version
        blob = self._local_geometry(feature["geometry"])
        if local is None:
            cols = ["patch_id", "revision", self.geom_col] + list(values)
            con.execute(f'INSERT INTO {schema.PATCHES} ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                        f'VALUES ({", ".join("?" * len(cols))})', [pid, 1, blob] + list(values.values()))
        else:
            sets = ", ".join(f'"{k}" = ?' for k in values) + f', "{self.geom_col}" = ?, revision = COALESCE(revision, 0) + 1'
            con.execute(f"UPDATE {schema.PATCHES} SET {sets} WHERE patch_id = ?", list(values.values()) + [blob, pid])
        return "applied"

    # -- pull ---------------------------------------------------------------------------
    def pull(self, progress: Progress = None, is_canceled: IsCanceled = None, page_size: int = 500) -> SyncSummary:
        """Bring the platform's changes since the last pull into the working copy."""
        summary = SyncSummary("pull")
        self.check_binding()  # before anything is asked of the platform, let alone merged or deleted
        self._actor = self._actor or self._session_actor()
        self.verify_audit()
        # A batch or audit upload whose reply was lost is settled first: its outcome decides what the platform's
        # changes mean (our own upload coming back is no conflict). A platform that takes no uploads is sent
        # nothing: what waits stays queued (push says so).
        self._moved = set(audit.pending_moves(self.path))  # patches with moves the platform has not answered
        uploads = getattr(self.client, "accepts_uploads", True)
        if uploads:
            self._replay_outbox(summary)
        with geopackage.connect(self.path) as con:
            inflight = self._state(con, "audit_inflight")
        if inflight and uploads:
            self._push_audit(summary)
        with geopackage.connect(self.path) as con:
            cursor = self._state(con, "cursor", "0")
        self._moved = set(audit.pending_moves(self.path))
        pages = 0
        for feats, next_cursor, last in self.client.iter_pages(self.county, cursor, page_size):
            if is_canceled and is_canceled():
                raise CanceledError(tr("Canceled"))
            with sync_transaction(self.path) as con:
                self._take(con, feats, summary)
                self._set_state(con, "cursor", next_cursor)
            pages += 1
            if progress:
                progress(1.0 if last else min(0.95, pages / (pages + 1)))
        if not self.client.lists_deletes:
            self._reconcile(summary, is_canceled)
        return self._finish(summary)

    def _reconcile(self, summary: SyncSummary, is_canceled: IsCanceled = None) -> None:
        """For a platform whose change feed shows no deletes (WFS-T with real deletes) and whose change times come
        from the writers' clocks: compare every patch's version with the platform's list. A patch known here and
        gone there was deleted there; one newer there than here (a change the feed missed) is fetched."""
        present = self.client.present_versions(self.county)
        with geopackage.connect(self.path) as con:
            known = dict(con.execute(f"SELECT patch_id, server_version FROM {schema.PATCHES} "
                                     "WHERE server_version IS NOT NULL").fetchall())
            for pid, base in con.execute("SELECT patch_id, base_version FROM sync_changes WHERE op = 'delete' AND "
                                         "base_version IS NOT NULL").fetchall():
                known.setdefault(pid, base)
        gone = sorted(pid for pid in known if pid not in present)
        # Missing from the list is no proof (a short page, a record without a readable version): each is asked for
        # by id; only one the platform does not return is taken as deleted; one it returns is merged as it is.
        still: List[Any] = []
        for start in range(0, len(gone), 200):
            still += self.client.fetch(self.county, gone[start:start + 200])
        found = {r["properties"].get("patch_id") for r in still
                 if isinstance(r, dict) and isinstance(r.get("properties"), dict)}
        gone = [pid for pid in gone if pid not in found]
        newer = sorted(pid for pid, v in present.items() if pid in known and isinstance(v, int) and v > known[pid])
        unseen = sorted(pid for pid in present if pid not in known)
        feats: List[Any] = [{"properties": {"patch_id": pid, "version": int(known[pid]) + 1, "deleted": True},
                             "geometry": None} for pid in gone] + still
        # a patch the platform holds that this copy never took is taken too (a new patch of ours whose upload
        # reply was lost is recognised by its content in the merge)
        wanted = newer + unseen
        for start in range(0, len(wanted), 200):
            if is_canceled and is_canceled():
                raise CanceledError(tr("Canceled"))
            feats.extend(self.client.fetch(self.county, wanted[start:start + 200]))
        if not feats:
            return
        with sync_transaction(self.path) as con:
            self._take(con, feats, summary)

    def _take(self, con, feats: List[Any], summary: SyncSummary) -> None:
        """Merge platform records into the copy (inside the caller's sync transaction), counting the outcomes."""
        self._bind(con)
        for f in feats:
            summary.pulled += 1
            outcome = self._merge_or_quarantine(con, f, summary)
            if outcome == "applied":
                summary.applied += 1
            elif outcome == "deleted":
                summary.deleted += 1
            elif outcome == "conflict":
                summary.conflicts += 1

    def _merge_or_quarantine(self, con, feature: Any, summary: SyncSummary) -> str:
        """Merge one platform record; one that cannot be read is set aside with its reason (the pull goes on and
        its cursor moves past it) instead of blocking every later pull of the county."""
        pid = None
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            pid = feature["properties"].get("patch_id")
        pid = pid if isinstance(pid, str) and pid else None
        problem = _record_problem(feature, self.client.explains_records)
        if problem is None:
            con.execute("SAVEPOINT merge_one")
            try:
                outcome = self._merge(con, feature)
                con.execute("RELEASE merge_one")
                if pid:
                    con.execute("DELETE FROM sync_quarantine WHERE patch_id = ?", (pid,))
                return outcome
            except (ValueError, TypeError, RuntimeError, OverflowError) as e:  # the record (a local fault aborts)
                con.execute("ROLLBACK TO merge_one")
                con.execute("RELEASE merge_one")
                problem = str(e).strip() or type(e).__name__
        summary.quarantined += 1
        summary.errors.append(tr("{0}: the platform's record could not be taken ({1}); it was set aside and the other "
                                 "patches were taken").format(pid or tr("a record without a patch id"), problem))
        version = feature.get("properties", {}).get("version") if pid else None
        con.execute("INSERT OR REPLACE INTO sync_quarantine VALUES (?, ?, ?, ?, ?)",
                    (pid or f"?{uuid.uuid4()}", version if isinstance(version, int) else None, problem[:500],
                     json.dumps(feature, ensure_ascii=False, default=str)[:100_000], _now()))
        return "quarantined"

    def quarantined(self) -> List[Dict[str, Any]]:
        """The platform records set aside because they could not be read: patch id, version, reason, when."""
        with geopackage.connect(self.path) as con:
            rows = con.execute("SELECT patch_id, version, reason, at FROM sync_quarantine ORDER BY at").fetchall()
        return [{"patch_id": r[0], "version": r[1], "reason": r[2], "at": r[3]} for r in rows]

    def _merge(self, con, feature: Dict[str, Any]) -> str:
        props = feature.get("properties") or {}
        pid, version = props.get("patch_id"), props.get("version")
        if not pid:
            return "skipped"
        local = self._read_local(con, pid)
        change = con.execute("SELECT op, base_version FROM sync_changes WHERE patch_id = ?", (pid,)).fetchone()
        # The platform version this copy last knew: the patch's, or (deleted here) the one the delete was made on.
        known = local[0]["server_version"] if local else (change[1] if change else None)
        if known is not None and isinstance(version, int) and version <= known:
            return "unchanged"  # nothing newer than what this copy has (our own upload coming back)
        if change is None and known is None and local is not None and pid in self._moved and \
                not props.get("deleted") and self._same_content(con, pid, local, feature, RECORD_TIMES):
            # Held here without a version of this platform (a copy re-bound to it) and with moves waiting: the
            # platform holds the patch as the moves found it (its record times aside: the move wrote ours), so
            # they stand on its version (not void).
            con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ?", (version, pid))
            audit.advance_bases(con, pid, None, version)
            return "unchanged"
        if change is None:
            if pid in self._moved and audit.first_pending_from_stage(con, pid) is not None:
                # Moved here (not yet accepted) but changed on the platform since: the move is void.
                self._void_pending_moves(con, pid, "changed_on_platform", feature)
            return self._write_server_copy(con, feature)
        if change[0] == "delete" and props.get("deleted"):
            # deleted on both sides: nothing to send, nothing to decide
            con.execute("DELETE FROM sync_changes WHERE patch_id = ?", (pid,))
            con.execute("DELETE FROM sync_conflicts WHERE patch_id = ?", (pid,))
            return "unchanged"
        if local is not None and change[0] == "upsert" and not props.get("deleted") and \
                self._same_content(con, pid, local, feature):
            # Both sides hold the same patch (our own upload whose reply was lost, or a county's existing
            # patches imported by the platform operator): no conflict, just the platform's version number.
            con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ?", (version, pid))
            con.execute("DELETE FROM sync_changes WHERE patch_id = ?", (pid,))
            con.execute("DELETE FROM sync_conflicts WHERE patch_id = ?", (pid,))
            audit.advance_bases(con, pid, known, version)  # moves made before the link stand on it
            return "unchanged"
        self._record_conflict(con, pid, version, feature, known)
        return "conflict"

    def _same_content(self, con, pid: str, local, feature: Dict[str, Any], ignore: Tuple[str, ...] = ()) -> bool:
        """True when the local patch and the platform's copy agree on every synced field (but `ignore`) and the
        geometry."""
        mine = self._to_feature(*local)
        known = audit.first_pending_from_stage(con, pid)
        if known:
            mine["properties"]["stage"] = known
        theirs = feature.get("properties") or {}
        if not all(same_value(mine["properties"].get(k), theirs.get(k)) for k in self.fields if k not in ignore):
            return False
        return same_geometry(mine.get("geometry"), feature.get("geometry"))

    def _record_conflict(self, con, pid, server_version, feature, local_base) -> None:
        """Record (or bring up to date) the patch's conflict; an older platform version never replaces a newer one
        (a lost "conflict" reply replayed late answers about the platform as it was then)."""
        old = con.execute("SELECT server_version FROM sync_conflicts WHERE patch_id = ?", (pid,)).fetchone()
        if old is not None and old[0] is not None and (server_version is None or server_version < old[0]):
            return
        con.execute("INSERT OR REPLACE INTO sync_conflicts VALUES (?, ?, ?, ?, ?)",
                    (pid, server_version, json.dumps(feature, ensure_ascii=False) if feature else None, local_base,
                     _now()))

    # -- push ---------------------------------------------------------------------------
    def push(self, batch_size: int = 200, progress: Progress = None, is_canceled: IsCanceled = None) -> SyncSummary:
        """Send local changes (outbox first), then the audit trail; conflicted patches wait for a resolution."""
        summary = SyncSummary("push")
        self.check_binding()
        if not getattr(self.client, "accepts_uploads", True):
            self._kept_queued(summary)
            if progress:
                progress(1.0)
            return self._finish(summary)
        self._actor = self._actor or self._session_actor()
        self.verify_audit(against_platform=False)  # the platform's copy is compared before the audit goes out
        self._moved = set(audit.pending_moves(self.path))  # patches with moves the platform has not answered
        self._replay_outbox(summary)
        with geopackage.connect(self.path) as con:
            conflicted = {r[0] for r in con.execute("SELECT patch_id FROM sync_conflicts")}
            todo = [c for c in pending_changes(con) if c["patch_id"] not in conflicted]
        total = max(len(todo), 1)
        for start in range(0, len(todo), batch_size):
            if is_canceled and is_canceled():
                raise CanceledError(tr("Canceled"))
            chunk = todo[start:start + batch_size]
            key = str(uuid.uuid4())
            with geopackage.connect(self.path) as con:
                items, seqs = [], {}
                for c in chunk:
                    try:
                        item = self._item(con, c)
                    except (RuntimeError, ValueError, OverflowError) as e:  # e.g. a vertex at x = 2e9 m
                        # One patch that cannot be sent must not hold back the others: refuse it here, say why.
                        why = tr("The patch cannot be sent: its geometry cannot be converted to CGCS2000 "
                                 "coordinates ({0})").format(str(e).strip() or type(e).__name__)
                        summary.rejected += 1
                        summary.errors.append(f"{c['patch_id']}: {why}")
                        con.execute("INSERT OR REPLACE INTO sync_rejections (patch_id, reasons, at, local_feature, "
                                    "code) VALUES (?, ?, ?, NULL, 'unsendable')",
                                    (c["patch_id"], json.dumps([why], ensure_ascii=False), _now()))
                        con.execute("DELETE FROM sync_changes WHERE patch_id = ? AND change_seq = ?",
                                    (c["patch_id"], c["change_seq"]))
                        continue
                    if item is not None:
                        items.append(item)
                        seqs[c["patch_id"]] = c["change_seq"]
                con.execute("INSERT INTO sync_outbox VALUES (?, ?, ?, ?)",
                            (key, json.dumps(items, ensure_ascii=False), json.dumps(seqs), _now()))
            self._send_batch(key, items, seqs, summary)
            if progress:
                progress(min(1.0, (start + len(chunk)) / total) * 0.95)
        self._push_audit(summary)
        self._push_exceptions(summary)
        if progress:
            progress(1.0)
        return self._finish(summary)

    def _kept_queued(self, summary: SyncSummary) -> None:
        """A platform that takes no uploads (it only publishes the layer): nothing is sent, nothing is marked sent;
        local changes, review moves and batches stay queued in the working copy, and the summary says so (once)."""
        changes = self.local_changes()
        moves = len(audit.pending_moves(self.path))
        if not changes["total"] and not moves:
            return  # nothing waits: nothing to say
        summary.errors.append(tr("This platform takes no uploads (it only publishes the layer): nothing was sent. "
                                 "{0} local change(s) and {1} patch(es) with review moves stay queued in the working "
                                 "copy, nothing is lost: sync with a platform that takes uploads, or export a "
                                 "submission package, to hand them in.").format(changes["total"], moves))

    def _replay_outbox(self, summary: SyncSummary) -> None:
        """Batches sent before a crash/cancel/lost reply: the same key and body again, answered from the
        platform's idempotency store."""
        with geopackage.connect(self.path) as con:
            outbox = con.execute("SELECT key, items, seqs FROM sync_outbox ORDER BY created_at").fetchall()
        for key, items, seqs in outbox:
            self._send_batch(key, json.loads(items), json.loads(seqs), summary)

    def _item(self, con, change: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        pid = change["patch_id"]
        if change["op"] == "delete":
            return {"patch_id": pid, "op": "delete", "base_version": change["server_version"]}
        local = self._read_local(con, pid)
        if local is None:  # changed then deleted in between: the delete change will follow
            return None
        row, blob = local
        feat = self._to_feature(row, blob)
        # A stage moved here but not yet accepted travels as a transition: the edit carries the platform's stage.
        known = audit.first_pending_from_stage(con, pid) if pid in self._moved else None
        if known:
            feat["properties"]["stage"] = known
        return {"patch_id": pid, "op": "upsert", "base_version": row["server_version"], **feat}

    def _send_batch(self, key: str, items: List[Dict[str, Any]], seqs: Dict[str, int], summary: SyncSummary) -> None:
        if items:
            results = self.client.upsert(items, self.county, key)
        else:
            results = []
        with sync_transaction(self.path) as con:
            self._bind(con)
            for item, res in zip(items, results):
                pid = item["patch_id"]
                status = res.get("status")
                summary.pushed += 1
                if status == "accepted":
                    summary.accepted += 1
                    version = res.get("version")
                    if item["op"] == "upsert":
                        # never backwards: a late answer (a replayed batch) may follow a newer version pulled since
                        con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ? AND "
                                    "(server_version IS NULL OR server_version < ?)", (version, pid, version))
                        # a later change (a delete made since) stands on the version this upload became
                        con.execute("UPDATE sync_changes SET base_version = ? WHERE patch_id = ? AND base_version IS ?",
                                    (version, pid, item.get("base_version")))
                        if pid in self._moved:  # moves made before this edit went out stand on its version now
                            audit.advance_bases(con, pid, item.get("base_version"), version)
                    con.execute("DELETE FROM sync_changes WHERE patch_id = ? AND change_seq = ?", (pid, seqs.get(pid)))
                    # a conflict about a platform version newer than ours stays: someone changed the patch since
                    con.execute("DELETE FROM sync_conflicts WHERE patch_id = ? AND (server_version IS NULL OR "
                                "? IS NULL OR server_version <= ?)", (pid, version, version))
                    con.execute("DELETE FROM sync_rejections WHERE patch_id = ?", (pid,))
                elif status == "conflict":
                    server = res.get("server")
                    if server is not None and not self._readable(server, summary):
                        continue  # the change stays pending; the next download brings the platform's copy
                    summary.conflicts += 1
                    self._record_conflict(con, pid, res.get("server_version"), server, item.get("base_version"))
                else:
                    summary.rejected += 1
                    reasons = self._reasons(res)
                    summary.errors.append(f"{pid}: {'; '.join(reasons)}")
                    current = con.execute("SELECT change_seq FROM sync_changes WHERE patch_id = ?", (pid,)).fetchone()
                    if current is not None and current[0] != seqs.get(pid):
                        # Edited again since this version went out (a replayed batch answered late): the newer
                        # edit stays, pending, and is judged on its own at the next upload.
                        continue
                    local = self._read_local(con, pid)
                    mine = self._to_feature(*local) if local else None
                    con.execute("INSERT OR REPLACE INTO sync_rejections (patch_id, reasons, at, local_feature, code) "
                                "VALUES (?, ?, ?, ?, ?)", (pid, json.dumps(reasons, ensure_ascii=False), _now(),
                                                          json.dumps(mine, ensure_ascii=False) if mine else None,
                                                          res.get("code")))
                    # Nothing the platform refused is kept as if it stood: the patch returns to the platform's
                    # copy (the refused version is kept in sync_rejections); a refused new patch stays, marked,
                    # and is not sent again until it is edited.
                    if isinstance(res.get("server"), dict) and self._readable(res["server"], summary):
                        # pending moves of the patch stay: the platform answers them on their own
                        self._write_server_copy(con, res["server"])
                    con.execute("DELETE FROM sync_changes WHERE patch_id = ? AND change_seq = ?", (pid, seqs.get(pid)))
            con.execute("DELETE FROM sync_outbox WHERE key = ?", (key,))

    def _reasons(self, res: Dict[str, Any]) -> List[str]:
        """The platform's reasons for refusing an item, in the user's language."""
        rej = res.get("rejections")
        if isinstance(rej, list) and rej:
            texts = [render_rejection(r) for r in rej if isinstance(r, dict)]
        else:
            texts = [str(r) for r in (res.get("reasons") or [res.get("code") or res])]
        return [self._redact(t) for t in texts]  # the platform's words are shown and logged: never a credential

    def _redact(self, text: str) -> str:
        return redact(text, self.client.secrets())

    def _readable(self, feature: Any, summary: SyncSummary) -> bool:
        """True when a platform copy in an answer can be taken; else the answer's copy is ignored, and said so."""
        problem = _record_problem(feature, self.client.explains_records)
        if problem is None:
            return True
        pid = ((feature or {}).get("properties") or {}).get("patch_id") if isinstance(feature, dict) else None
        summary.errors.append(tr("{0}: the platform's record could not be taken ({1}); it was set aside and the other "
                                 "patches were taken").format(pid or tr("a record without a patch id"), problem))
        return False

    def _void_pending_moves(self, con, patch_id: str, code: str, server: Optional[Dict[str, Any]],
                            message: Optional[Tuple[str, str]] = None) -> None:
        """Mark the patch's unanswered moves refused (`code`) and note in the audit log that the patch went back
        to the platform's stage. Called inside the caller's sync transaction."""
        rows = [(fid, to) for fid, _frm, to in audit.unanswered_moves(con, patch_id)]
        if not rows:
            return
        en, zh = message or (reason_message(code, "en"), reason_message(code, "zh"))
        audit.record_results(con, [{"fid": fid, "status": audit.REFUSED, "code": code, "message_en": en,
                                    "message_zh": zh, "at": _now()} for fid, _to in rows])
        platform_stage = ((server or {}).get("properties") or {}).get("stage")
        self._note(con, patch_id, "platform_refused", rows[-1][1], platform_stage, code, en)

    def _note(self, con, patch_id: str, action: str, from_stage, to_stage, code: str, text: str) -> None:
        """Append an audit row that records what the platform decided (sent with the next upload)."""
        me = self._actor or identity.current_user(self.path)
        audit.append(con, [dict(patch_id=patch_id, action=action, from_stage=from_stage, to_stage=to_stage,
                                user_name=me.username, display_name=me.display_name or None, role=me.role,
                                identity=me.source, reason=None, comment=f"{code}: {text}"[:254], approval_ref=None,
                                patch_version=None, at=_now())])

    def _push_audit(self, summary: Optional[SyncSummary] = None) -> int:
        """Send the audit rows the platform has not answered, in chain order. It performs the moves its policy
        allows the logged-in account and answers per row; refused moves are undone here, with the reason."""
        summary = summary or SyncSummary("push")
        self.verify_platform_head()
        sent_total = 0
        # Rounds: a chunk holds one move per patch, so a second move of a patch goes out after the first one's
        # answer has moved its base forward; notes about refusals made in one round go out in the next.
        for _round in range(10_000):
            with geopackage.connect(self.path) as con:
                done = self._state(con, "audit_sent_fid", 0)
                conflicted = {r[0] for r in con.execute("SELECT patch_id FROM sync_conflicts")}
            rows = audit.rows_after(self.path, done)
            # A move of a patch in conflict waits for the resolution; the chain cannot skip it, so neither
            # can any later row.
            hold = next((i for i, r in enumerate(rows) if r["patch_id"] in conflicted
                         and r["action"] in ("transition", "return")), None)
            rows = rows[:hold] if hold is not None else rows
            if not rows:
                break
            chunk, moved = [], set()
            for r in rows[:500]:
                if r["action"] in ("transition", "return"):
                    if r["patch_id"] in moved:
                        break
                    moved.add(r["patch_id"])
                chunk.append(r)
            with geopackage.connect(self.path) as con:
                self._set_state(con, "audit_inflight", chunk[-1]["fid"])
                items = []
                for r in chunk:
                    item = {k: v for k, v in r.items() if k != "fid"}
                    item["client_key"] = f"{self.copy_id}:{r['fid']}"
                    # a move applies to the platform version it was made on; a move this copy already
                    # voided (the patch changed on the platform meanwhile) therefore fails there too
                    known, base = audit.base_of(con, r["fid"])
                    if not known:  # a row from before bases were kept
                        sv = con.execute(f"SELECT server_version FROM {schema.PATCHES} WHERE patch_id = ?",
                                         (r["patch_id"],)).fetchone()
                        base = sv[0] if sv else None
                    item["base_version"] = base
                    items.append(item)
            reply = self.client.submit_audit(self.county, self.copy_id, items, self._copy_secret)
            self._apply_audit_results(chunk, reply["results"], summary)
            sent_total += len(chunk)
        summary.audit_sent += sent_total
        return sent_total

    def _apply_audit_results(self, rows: List[Dict[str, Any]], results: List[Dict[str, Any]],
                             summary: SyncSummary) -> None:
        with sync_transaction(self.path) as con:
            self._bind(con)
            for row, res in zip(rows, results):
                status = (res or {}).get("status")
                pid = row["patch_id"]
                if status != "accepted" and audit.answered(con, row["fid"]):
                    continue  # voided here already (the patch changed on the platform): keep that reason
                if status == "accepted":
                    # The platform's answer stands, whatever this copy had concluded meanwhile.
                    summary.transitions_accepted += 1
                    audit.record_results(con, [{"fid": row["fid"], "status": audit.ACCEPTED,
                                                "platform_version": res.get("version"), "at": _now()}])
                    old = con.execute(f"SELECT server_version FROM {schema.PATCHES} WHERE patch_id = ?",
                                      (pid,)).fetchone()
                    newer = isinstance(res.get("version"), int) and (old is None or old[0] is None
                                                                     or old[0] < res["version"])
                    if newer:  # never backwards: a late answer may follow a newer version taken since
                        con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ?",
                                    (res["version"], pid))
                        audit.advance_bases(con, pid, old[0] if old else None, res["version"])
                        if row["action"] in ("transition", "return") and not audit.unanswered_moves(con, pid):
                            # no later move of ours is pending: the patch is where the platform now has it
                            con.execute(f"UPDATE {schema.PATCHES} SET stage = ? WHERE patch_id = ?",
                                        (row["to_stage"], pid))
                elif status == "rejected":
                    if row["action"] in ("transition", "return"):
                        summary.transitions_refused += 1
                    reasons = self._reasons(res)
                    summary.errors.append(f"{pid}: {'; '.join(reasons)}")
                    rej = res.get("rejections")
                    rej = rej[0] if isinstance(rej, list) and rej and isinstance(rej[0], dict) else {}
                    code = self._redact(str(res.get("code") or rej.get("code") or "rejected"))[:60]
                    en, zh = (render_rejection(rej, "en"), render_rejection(rej, "zh")) if rej else (code, code)
                    en, zh = self._redact(en), self._redact(zh)
                    server = res.get("server") if isinstance(res.get("server"), dict) else None
                    if server is not None and not self._readable(server, summary):
                        server = None
                    if row["action"] in ("transition", "return"):
                        # This move and any later one of the patch are void; the patch returns to the platform's
                        # state and the audit log notes why.
                        self._void_pending_moves(con, pid, code, server, (en, zh))
                        if server is not None:
                            self._write_server_copy(con, server)
                    audit.record_results(con, [{"fid": row["fid"], "status": audit.REFUSED, "code": code,
                                                "message_en": en, "message_zh": zh, "at": _now()}])
                else:
                    audit.record_results(con, [{"fid": row["fid"], "status": audit.NOTED, "at": _now()}])
            self._set_state(con, "audit_sent_fid", rows[-1]["fid"])
            self._set_state(con, "audit_inflight", None)

    def _push_exceptions(self, summary: SyncSummary) -> None:
        """Send exceptions accepted or withdrawn here; the platform refuses those the account may not make.
        A platform that keeps no exceptions (WFS-T) is sent none: they stay pending here."""
        if not self.client.keeps_exceptions:
            return
        from ..checks import store

        with geopackage.connect(self.path) as con:
            accepts = con.execute(f"SELECT fid, client_key, patch_id, rule, severity, other_id, reason, approval_ref, "
                                  f"accepted_at FROM {schema.EXCEPTIONS} WHERE COALESCE(status, 'pending') = 'pending'"
                                  ).fetchall()
            withdrawals = con.execute(f"SELECT client_key, patch_id, rule, other_id, severity, at, exception FROM "
                                      f"{store.WITHDRAWALS}").fetchall()
        items, refs = [], []
        for fid, key, pid, rule, sev, other, reason, ref, at in accepts:
            key = key or f"{self.copy_id}:exc:{fid}"
            items.append({"client_key": key, "op": "accept", "patch_id": pid, "rule": rule, "severity": sev,
                          "other_id": other, "reason": reason, "approval_ref": ref, "at": at})
            refs.append(("accept", fid))
        for key, pid, rule, other, sev, at, kept in withdrawals:
            items.append({"client_key": key, "op": "withdraw", "patch_id": pid, "rule": rule, "severity": sev,
                          "other_id": other, "reason": "", "approval_ref": None, "at": at})
            refs.append(("withdraw", (key, kept)))
        if not items:
            return
        results = self.client.submit_exceptions(self.county, items)
        with geopackage.connect(self.path) as con:
            touched = set()
            for (kind, ref), item, res in zip(refs, items, results):
                status = (res or {}).get("status")
                summary.exceptions_sent += 1
                if kind == "withdraw":
                    key, kept = ref
                    con.execute(f"DELETE FROM {store.WITHDRAWALS} WHERE client_key = ?", (key,))
                    if status != "accepted":
                        # The platform keeps the exception: so does this copy, with the platform's reason.
                        summary.exceptions_refused += 1
                        text = "; ".join(self._reasons(res or {}))
                        summary.errors.append(f"{item['patch_id']}: {text}")
                        row = json.loads(kept) if kept else {}
                        if row:
                            row.update(status="accepted", platform_message=text[:254])
                            cols = [c for c in row if c != "fid"]
                            con.execute(f"INSERT INTO {schema.EXCEPTIONS} ({', '.join(cols)}) VALUES "
                                        f"({', '.join('?' * len(cols))})", [row[c] for c in cols])
                            touched.add(item["patch_id"])
                    continue
                if status == "accepted":
                    con.execute(f"UPDATE {schema.EXCEPTIONS} SET status = 'accepted', client_key = ?, "
                                "accepted_by = COALESCE(?, accepted_by), platform_message = NULL WHERE fid = ?",
                                (item["client_key"], res.get("accepted_by"), ref))
                else:
                    summary.exceptions_refused += 1
                    text = "; ".join(self._reasons(res))
                    summary.errors.append(f"{item['patch_id']}: {text}")
                    con.execute(f"UPDATE {schema.EXCEPTIONS} SET status = 'refused', client_key = ?, "
                                "platform_message = ? WHERE fid = ?", (item["client_key"], text[:254], ref))
                touched.add(item["patch_id"])
            store._recount(con, sorted(touched))

    # -- conflicts ----------------------------------------------------------------------
    def conflicts(self) -> List[Dict[str, Any]]:
        with geopackage.connect(self.path) as con:
            rows = con.execute("SELECT patch_id, server_version, server_feature, local_base_version, detected_at "
                               "FROM sync_conflicts ORDER BY detected_at").fetchall()
        return [{"patch_id": r[0], "server_version": r[1], "server": json.loads(r[2]) if r[2] else None,
                 "local_base_version": r[3], "detected_at": r[4]} for r in rows]

    def compare(self, patch_id: str) -> Dict[str, Any]:
        """Both versions of a conflicted patch: attributes side by side, differing fields, both geometries (WKB)."""
        conflict = next((c for c in self.conflicts() if c["patch_id"] == patch_id), None)
        if conflict is None:
            raise KeyError(patch_id)
        with geopackage.connect(self.path) as con:
            local = self._read_local(con, patch_id)
        mine = {k: (local[0].get(k) if local else None) for k in self.fields}
        server_props = (conflict["server"] or {}).get("properties") or {}
        theirs = {k: server_props.get(k) for k in self.fields}
        diff = [k for k in self.fields if k != "server_version" and str(mine[k]) != str(theirs[k])]
        server_blob = self._local_geometry((conflict["server"] or {}).get("geometry"))
        return {"patch_id": patch_id, "mine": mine, "theirs": theirs, "differences": diff,
                "mine_geometry": geopackage.wkb_from_blob(local[1]) if local else None,
                "theirs_geometry": geopackage.wkb_from_blob(server_blob), "server_version": conflict["server_version"],
                "server_deleted": bool(server_props.get("deleted")) or conflict["server"] is None,
                "crs": f"EPSG:{self.local_epsg}"}

    def resolve(self, patch_id: str, choice: str) -> None:
        """'mine': keep the local patch and push it over the platform's version; 'theirs': take the platform's."""
        if choice not in ("mine", "theirs"):
            raise ValueError(choice)
        conflict = next((c for c in self.conflicts() if c["patch_id"] == patch_id), None)
        if conflict is None:
            raise KeyError(patch_id)
        with sync_transaction(self.path) as con:
            server_deleted = not conflict["server"] or bool((conflict["server"].get("properties") or {}).get("deleted"))
            if choice == "mine" and server_deleted and not self.client.lists_deletes:
                # Deleted on a server that keeps no tombstones (WFS-T): there is no version to build on; the patch
                # goes out again as a new one.
                con.execute(f"UPDATE {schema.PATCHES} SET server_version = NULL WHERE patch_id = ?", (patch_id,))
                con.execute("UPDATE sync_changes SET base_version = NULL, op = 'upsert' WHERE patch_id = ? AND "
                            "EXISTS (SELECT 1 FROM patches WHERE patch_id = ?)", (patch_id, patch_id))
            elif choice == "mine":
                # Rebase on the platform's version; the local change stays pending and is pushed next.
                con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ?",
                            (conflict["server_version"], patch_id))
                con.execute("UPDATE sync_changes SET base_version = ? WHERE patch_id = ?",
                            (conflict["server_version"], patch_id))
            else:
                server = conflict["server"] or {"properties": {"patch_id": patch_id, "deleted": True}}
                self._void_pending_moves(con, patch_id, "changed_on_platform", server)
                self._write_server_copy(con, server)
                con.execute("DELETE FROM sync_changes WHERE patch_id = ?", (patch_id,))
            con.execute("DELETE FROM sync_conflicts WHERE patch_id = ?", (patch_id,))

    def sync(self, progress: Progress = None, is_canceled: IsCanceled = None) -> Tuple[SyncSummary, SyncSummary]:
        """Pull, then push (the usual button)."""
        self.check_binding()
        self.adopt_session()
        pulled = self.pull(lambda f: progress(f * 0.5) if progress else None, is_canceled)
        pushed = self.push(progress=lambda f: progress(0.5 + f * 0.5) if progress else None, is_canceled=is_canceled)
        return pulled, pushed
