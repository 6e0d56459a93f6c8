"""Change tracking in the working copy: SQL triggers record every insert/update/delete of a patch.

Triggers live in the GeoPackage itself, so edits made through QGIS (its GPKG provider), OGR or sqlite3
are all tracked and survive restarts. They call no ST_* function. While the sync engine writes server
data into the working copy it sets `sync_flags.suppress` inside its own transaction, so its writes are
not mistaken for local edits (other connections never see the flag set).
"""

from __future__ import annotations

import sqlite3
from typing import Dict, List

from ... import schema
from ...i18n import tr
from .. import geopackage

P = schema.PATCHES
STATE_SQL = """
CREATE TABLE IF NOT EXISTS sync_flags (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO sync_flags VALUES ('suppress', 0);
INSERT OR IGNORE INTO sync_flags VALUES ('change_seq', 0);
CREATE TABLE IF NOT EXISTS sync_changes (patch_id TEXT PRIMARY KEY, op TEXT NOT NULL, change_seq INTEGER NOT NULL,
    changed_at TEXT NOT NULL, base_version INTEGER);
CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sync_conflicts (patch_id TEXT PRIMARY KEY, server_version INTEGER, server_feature TEXT,
    local_base_version INTEGER, detected_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_rejections (patch_id TEXT PRIMARY KEY, reasons TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_outbox (key TEXT PRIMARY KEY, items TEXT NOT NULL, seqs TEXT NOT NULL,
    created_at TEXT NOT NULL);
"""
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_ACTIVE = "(SELECT value FROM sync_flags WHERE name = 'suppress') = 0"
_BUMP = "UPDATE sync_flags SET value = value + 1 WHERE name = 'change_seq';"
_SEQ = "(SELECT value FROM sync_flags WHERE name = 'change_seq')"
TRIGGERS_SQL = f"""
CREATE TRIGGER IF NOT EXISTS sync_{P}_insert AFTER INSERT ON {P} WHEN {_ACTIVE}
BEGIN {_BUMP} INSERT OR REPLACE INTO sync_changes VALUES (NEW.patch_id, 'upsert', {_SEQ}, {_NOW}, NEW.server_version); END;
CREATE TRIGGER IF NOT EXISTS sync_{P}_update AFTER UPDATE ON {P} WHEN {_ACTIVE}
BEGIN {_BUMP} INSERT OR REPLACE INTO sync_changes VALUES (NEW.patch_id, 'upsert', {_SEQ}, {_NOW}, NEW.server_version); END;
CREATE TRIGGER IF NOT EXISTS sync_{P}_rename AFTER UPDATE OF patch_id ON {P}
    WHEN {_ACTIVE} AND OLD.patch_id IS NOT NEW.patch_id
BEGIN INSERT OR REPLACE INTO sync_changes VALUES (OLD.patch_id, 'delete', {_SEQ}, {_NOW}, OLD.server_version); END;
CREATE TRIGGER IF NOT EXISTS sync_{P}_delete AFTER DELETE ON {P} WHEN {_ACTIVE}
BEGIN {_BUMP} INSERT OR REPLACE INTO sync_changes VALUES (OLD.patch_id, 'delete', {_SEQ}, {_NOW}, OLD.server_version); END;
"""


TRIGGER_NAMES = (f"sync_{P}_insert", f"sync_{P}_update", f"sync_{P}_rename", f"sync_{P}_delete")
STATE_TABLES = ("sync_flags", "sync_changes", "sync_state", "sync_conflicts", "sync_rejections", "sync_outbox")


LOG_TAG = "Forestry"


def ensure_change_tracking(path: str) -> int:
    """Install the sync tables and triggers in a working copy (idempotent; writes only when something is missing,
    so the many read paths that call it take no write lock).

    A copy made before change tracking existed has no sync_changes table, so the patches it already holds were
    never recorded as changes and would never be uploaded. When the table is created here, every patch the
    platform has never seen (server_version IS NULL) is recorded as a pending 'upsert'. Returns how many patches
    were so marked (0 when nothing had to be done) and notes it in the QGIS message log (backfill_message()).
    """
    with geopackage.connect(path) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
        flags = con.execute("SELECT COUNT(*) FROM sync_flags").fetchone()[0] if "sync_flags" in names else 0
        if set(TRIGGER_NAMES) <= names and set(STATE_TABLES) <= names and flags >= 2:
            return 0
        backfill = P in names
        # One IMMEDIATE transaction, and whether sync_changes existed is decided inside it (another program may
        # have installed change tracking since the look above): never tracking without the older patches in it.
        con.executescript("BEGIN IMMEDIATE;" + _FRESH_SQL + STATE_SQL + TRIGGERS_SQL + (_BACKFILL_SQL if backfill else "")
                          + "COMMIT;")
        marked = con.execute("SELECT marked FROM temp.sync_backfill").fetchone()[0]
    if marked:
        _log(backfill_message(marked))
    return marked


# Whether sync_changes is about to be created (temp: this connection only, gone when it closes).
_FRESH_SQL = """
DROP TABLE IF EXISTS temp.sync_backfill;
CREATE TEMP TABLE sync_backfill AS SELECT COUNT(*) = 0 AS fresh, 0 AS marked
    FROM sqlite_master WHERE type = 'table' AND name = 'sync_changes';
"""
# Every patch the platform has never seen, in fid order, numbered after any change already counted (change_seq);
# only when sync_changes has just been created (a copy from before change tracking).
_BACKFILL_SQL = f"""
INSERT OR IGNORE INTO sync_changes (patch_id, op, change_seq, changed_at, base_version)
    SELECT patch_id, 'upsert', {_SEQ} + ROW_NUMBER() OVER (ORDER BY fid), {_NOW}, NULL
    FROM {P} WHERE (SELECT fresh FROM temp.sync_backfill)
        AND server_version IS NULL AND patch_id IS NOT NULL AND trim(patch_id) <> '';
UPDATE temp.sync_backfill SET marked = changes();
UPDATE sync_flags SET value = MAX(value, (SELECT COALESCE(MAX(change_seq), 0) FROM sync_changes))
    WHERE name = 'change_seq';
"""


def backfill_message(count: int) -> str:
    """What ensure_change_tracking() did to an old copy, for the user."""
    return tr("{0} patch(es) from before change tracking are marked for upload").format(count)


def _log(message: str) -> None:
    try:
        from qgis.core import Qgis, QgsMessageLog
    except ImportError:  # pragma: no cover - core used without QGIS
        return
    QgsMessageLog.logMessage(message, LOG_TAG, Qgis.Info)


def set_suppressed(con: sqlite3.Connection, on: bool) -> None:
    """Inside the caller's transaction: make this connection's writes invisible to change tracking."""
    con.execute("UPDATE sync_flags SET value = ? WHERE name = 'suppress'", (1 if on else 0,))


def pending_changes(con: sqlite3.Connection) -> List[Dict]:
    rows = con.execute("SELECT c.patch_id, c.op, c.change_seq, c.changed_at, COALESCE(p.server_version, c.base_version), p.fid "
                       f"FROM sync_changes c LEFT JOIN {P} p ON p.patch_id = c.patch_id ORDER BY c.change_seq")
    return [dict(zip(("patch_id", "op", "change_seq", "changed_at", "server_version", "fid"), r)) for r in rows]
