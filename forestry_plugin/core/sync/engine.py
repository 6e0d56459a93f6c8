"""Sync engine: pull with merge, push in batches, conflicts never overwritten silently, resumable.

- Pull pages through the platform's changes since the saved cursor. A server change is applied to a patch
  without local changes; where both sides changed, a conflict is recorded (with the server's copy) and the
  local patch is left alone. The cursor is saved in the same transaction as each page's changes.
- Push sends local changes in batches with each patch's base version. A batch is written to the outbox
  (payload + idempotency key) before it is sent and removed only when its results are applied, so after
  a crash, cancel or dropped connection the same batch is replayed under the same key: the platform answers
  from its idempotency store and nothing is applied twice.
- A local change is cleared only if the patch was not edited again while its batch was under way.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from osgeo import ogr, osr

from ... import schema
from ...i18n import tr
from .. import geopackage
from .changes import ensure_change_tracking, pending_changes, set_suppressed
from .client import CanceledError, PlatformClient

SYNCED_FIELDS = [f.name for f in schema.PATCH_FIELDS if f.synced]
WIRE_CRS = 4490  # GeoJSON on the wire is CGCS2000 geographic (lon, lat)
Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


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
    con = geopackage.open_connection(path)
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


wkb_of_blob = geopackage.wkb_from_blob


class SyncEngine:
    """Synchronizes one working copy with the platform for its county."""

    def __init__(self, path: str, client: PlatformClient, county: Optional[str] = None):
        self.path = path
        self.client = client
        settings = geopackage.check_working_copy(path)
        self.county = county or settings.get("county_code") or ""
        if not self.county:
            raise ValueError(tr("The working copy has no county code: set one before syncing"))
        self.local_epsg = int(str(settings.get("crs") or schema.DEFAULT_PROJECT_CRS).split(":")[1])
        ensure_change_tracking(path)
        self._to_wire = osr.CoordinateTransformation(_srs(self.local_epsg), _srs(WIRE_CRS))
        self._to_local = osr.CoordinateTransformation(_srs(WIRE_CRS), _srs(self.local_epsg))
        with geopackage.connect(path) as con:
            cols = {r[1] for r in con.execute(f"PRAGMA table_info({schema.PATCHES})")}
            self.geom_col = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                                        (schema.PATCHES,)).fetchone()[0]
            if not con.execute("SELECT value FROM sync_state WHERE key = 'copy_id'").fetchone():
                con.execute("INSERT INTO sync_state VALUES ('copy_id', ?)", (str(uuid.uuid4()),))
        self.fields = [f for f in SYNCED_FIELDS if f in cols]

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
        with geopackage.connect(self.path) as con:
            self._set_state(con, "last_summary", asdict(summary))
        return summary

    # -- geometry and records -------------------------------------------------------------
    def _to_feature(self, row: Dict[str, Any], blob: Optional[bytes]) -> Dict[str, Any]:
        props = {k: row.get(k) for k in self.fields}
        geometry = None
        wkb = wkb_of_blob(blob)
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
        if props.get("deleted") or not feature.get("geometry"):
            con.execute(f"DELETE FROM {schema.PATCHES} WHERE patch_id = ?", (pid,))
            return "deleted"
        values = {k: props.get(k) for k in self.fields if k != "patch_id"}
        values["server_version"] = version
        blob = self._local_geometry(feature["geometry"])
        local = self._read_local(con, pid)
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
        with geopackage.connect(self.path) as con:
            cursor = self._state(con, "cursor", "0")
        pages = 0
        for feats, next_cursor, last in self.client.iter_pages(self.county, cursor, page_size):
            if is_canceled and is_canceled():
                raise CanceledError(tr("Canceled"))
            with sync_transaction(self.path) as con:
                for f in feats:
                    summary.pulled += 1
                    outcome = self._merge(con, f)
                    if outcome == "applied":
                        summary.applied += 1
                    elif outcome == "deleted":
                        summary.deleted += 1
                    elif outcome == "conflict":
                        summary.conflicts += 1
                self._set_state(con, "cursor", next_cursor)
            pages += 1
            if progress:
                progress(1.0 if last else min(0.95, pages / (pages + 1)))
        return self._finish(summary)

    def _merge(self, con, feature: Dict[str, Any]) -> str:
        props = feature.get("properties") or {}
        pid, version = props.get("patch_id"), props.get("version")
        if not pid:
            return "skipped"
        local = self._read_local(con, pid)
        change = con.execute("SELECT op FROM sync_changes WHERE patch_id = ?", (pid,)).fetchone()
        local_version = local[0]["server_version"] if local else None
        if change is None:
            if local is not None and local_version == version and not props.get("deleted"):
                return "unchanged"  # our own push coming back
            return self._write_server_copy(con, feature)
        if local_version == version:
            return "unchanged"  # the platform has nothing newer than our base: our change stands
        if change[0] == "delete" and props.get("deleted"):
            con.execute("DELETE FROM sync_changes WHERE patch_id = ?", (pid,))
            return "unchanged"  # deleted on both sides
        self._record_conflict(con, pid, version, feature, local_version)
        return "conflict"

    def _record_conflict(self, con, pid, server_version, feature, local_base) -> None:
        con.execute("INSERT OR REPLACE INTO sync_conflicts VALUES (?, ?, ?, ?, ?)",
                    (pid, server_version, json.dumps(feature, ensure_ascii=False) if feature else None, local_base,
                     _now()))

    # -- push ---------------------------------------------------------------------------
    def push(self, batch_size: int = 200, progress: Progress = None, is_canceled: IsCanceled = None) -> SyncSummary:
        """Send local changes (outbox first), then the audit trail; conflicted patches wait for a resolution."""
        summary = SyncSummary("push")
        with geopackage.connect(self.path) as con:
            outbox = con.execute("SELECT key, items, seqs FROM sync_outbox ORDER BY created_at").fetchall()
        for key, items, seqs in outbox:  # batches sent before a crash/cancel: same key, same body
            self._send_batch(key, json.loads(items), json.loads(seqs), summary)
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
                    item = self._item(con, c)
                    if item is not None:
                        items.append(item)
                        seqs[c["patch_id"]] = c["change_seq"]
                con.execute("INSERT INTO sync_outbox VALUES (?, ?, ?, ?)",
                            (key, json.dumps(items, ensure_ascii=False), json.dumps(seqs), _now()))
            self._send_batch(key, items, seqs, summary)
            if progress:
                progress(min(1.0, (start + len(chunk)) / total) * 0.95)
        summary.audit_sent = self._push_audit()
        if progress:
            progress(1.0)
        return self._finish(summary)

    def _item(self, con, change: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        pid = change["patch_id"]
        if change["op"] == "delete":
            return {"patch_id": pid, "op": "delete", "base_version": change["server_version"]}
        local = self._read_local(con, pid)
        if local is None:  # changed then deleted in between: the delete change will follow
            return None
        row, blob = local
        feat = self._to_feature(row, blob)
        return {"patch_id": pid, "op": "upsert", "base_version": row["server_version"], **feat}

    def _send_batch(self, key: str, items: List[Dict[str, Any]], seqs: Dict[str, int], summary: SyncSummary) -> None:
        if items:
            results = self.client.upsert(items, self.county, key)
        else:
            results = []
        with sync_transaction(self.path) as con:
            for item, res in zip(items, results):
                pid = item["patch_id"]
                status = res.get("status")
                summary.pushed += 1
                if status == "accepted":
                    summary.accepted += 1
                    if item["op"] == "upsert":
                        con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ?",
                                    (res.get("version"), pid))
                    con.execute("DELETE FROM sync_changes WHERE patch_id = ? AND change_seq = ?", (pid, seqs.get(pid)))
                    con.execute("DELETE FROM sync_conflicts WHERE patch_id = ?", (pid,))
                    con.execute("DELETE FROM sync_rejections WHERE patch_id = ?", (pid,))
                elif status == "conflict":
                    summary.conflicts += 1
                    self._record_conflict(con, pid, res.get("server_version"), res.get("server"), item.get("base_version"))
                else:
                    summary.rejected += 1
                    reasons = res.get("reasons") or [str(res)]
                    summary.errors.append(f"{pid}: {'; '.join(map(str, reasons))}")
                    con.execute("INSERT OR REPLACE INTO sync_rejections VALUES (?, ?, ?)",
                                (pid, json.dumps(reasons, ensure_ascii=False), _now()))
            con.execute("DELETE FROM sync_outbox WHERE key = ?", (key,))

    def _push_audit(self) -> int:
        """Send audit rows not yet on the platform (client keys make resending harmless)."""
        with geopackage.connect(self.path) as con:
            copy_id = con.execute("SELECT value FROM sync_state WHERE key = 'copy_id'").fetchone()[0]
            done = self._state(con, "audit_sent_fid", 0)
            cols = ["fid"] + [f.name for f in schema.AUDIT_FIELDS]
            rows = [dict(zip(cols, r)) for r in con.execute(
                f"SELECT {', '.join(cols)} FROM {schema.AUDIT} WHERE fid > ? ORDER BY fid", (done,))]
        if not rows:
            return 0
        items = [{**{k: v for k, v in r.items() if k != "fid"}, "client_key": f"{copy_id}:{r['fid']}"} for r in rows]
        stored = self.client.transition(self.county, items)
        with geopackage.connect(self.path) as con:
            self._set_state(con, "audit_sent_fid", rows[-1]["fid"])
        return stored

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
                "mine_geometry": wkb_of_blob(local[1]) if local else None,
                "theirs_geometry": wkb_of_blob(server_blob), "server_version": conflict["server_version"],
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
            if choice == "mine":
                # Rebase on the platform's version; the local change stays pending and is pushed next.
                con.execute(f"UPDATE {schema.PATCHES} SET server_version = ? WHERE patch_id = ?",
                            (conflict["server_version"], patch_id))
                con.execute("UPDATE sync_changes SET base_version = ? WHERE patch_id = ?",
                            (conflict["server_version"], patch_id))
            else:
                server = conflict["server"] or {"properties": {"patch_id": patch_id, "deleted": True}}
                self._write_server_copy(con, server)
                con.execute("DELETE FROM sync_changes WHERE patch_id = ?", (patch_id,))
            con.execute("DELETE FROM sync_conflicts WHERE patch_id = ?", (patch_id,))

    def sync(self, progress: Progress = None, is_canceled: IsCanceled = None) -> Tuple[SyncSummary, SyncSummary]:
        """Pull, then push (the usual button)."""
        pulled = self.pull(lambda f: progress(f * 0.5) if progress else None, is_canceled)
        pushed = self.push(progress=lambda f: progress(0.5 + f * 0.5) if progress else None, is_canceled=is_canceled)
        return pulled, pushed
