"""The audit log of a working copy: append-only, hash-chained, verified on open and before every sync.

Each row's `row_hash` covers its content and the previous row's hash (core.audit_chain). Triggers refuse
UPDATE, DELETE and INSERT OR REPLACE of existing rows; `audit_head` (row count and last hash) is written in the
same transaction as every append, so rows removed or a table recreated through OGR are seen too. What the
platform answered for each row (accepted, refused, noted) lives beside the log in `audit_results`: a row
without a result is pending.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import schema
from . import audit_chain, geopackage

A = schema.AUDIT
HEAD_TABLE = "audit_head"
RESULTS_TABLE = "audit_results"
BASES_TABLE = "audit_bases"  # the platform version a move was made on (a move applies to what the person saw)
CHAIN_SETTING = "audit_chain"  # set once the chain is established: a missing head is then tampering
PENDING, ACCEPTED, REFUSED, NOTED = "pending", "accepted", "refused", "noted"
TRIGGERS = {
    f"{A}_no_update": "BEFORE UPDATE ON {t}",
    f"{A}_no_delete": "BEFORE DELETE ON {t}",
    f"{A}_no_replace": "BEFORE INSERT ON {t} WHEN EXISTS (SELECT 1 FROM {t} WHERE fid = NEW.fid)",
}
NEW_COLUMNS = (("display_name", "TEXT"), ("identity", "TEXT"), ("approval_ref", "TEXT"), ("prev_hash", "TEXT"),
               ("row_hash", "TEXT"))
COLUMNS = [f.name for f in schema.AUDIT_FIELDS]


class AuditTampered(Exception):
    """The audit log is not what the plugin wrote: rows changed, removed or protection removed."""

    def __init__(self, problems: List[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _tables(con) -> set:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _install_triggers(con) -> None:
    for name, when in TRIGGERS.items():
        con.execute(f'CREATE TRIGGER IF NOT EXISTS "{name}" {when.format(t=A)} '
                    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed or deleted'); END")


def ensure_audit(path: str) -> None:
    """Install protection, result table and hash chain (sealing rows of a copy made before the chain); idempotent."""
    with geopackage.connect(path) as con:
        tables = _tables(con)
        if A not in tables:
            return  # geopackage.verify_working_copy reports the missing table
        cols = {r[1] for r in con.execute(f"PRAGMA table_info({A})")}
        if {n for n, _k in NEW_COLUMNS} <= cols and {RESULTS_TABLE, BASES_TABLE, HEAD_TABLE} <= tables:
            return  # up to date: opening a copy writes nothing (a dropped trigger stays visible to problems())
        for name, kind in NEW_COLUMNS:
            if name not in cols:
                con.execute(f'ALTER TABLE {A} ADD COLUMN "{name}" {kind}')
        con.execute(f"CREATE TABLE IF NOT EXISTS {RESULTS_TABLE} (fid INTEGER PRIMARY KEY, status TEXT NOT NULL, "
                    "code TEXT, message_en TEXT, message_zh TEXT, platform_version INTEGER, at TEXT)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {BASES_TABLE} (fid INTEGER PRIMARY KEY, base_version INTEGER)")
        settings = geopackage.get_settings(con)
        if HEAD_TABLE not in _tables(con) and not settings.get(CHAIN_SETTING):
            # First open by a version with the chain: seal what is there as it is.
            con.execute(f"CREATE TABLE {HEAD_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, "
                        "head TEXT NOT NULL)")
            con.execute(f'DROP TRIGGER IF EXISTS "{A}_no_update"')
            rows = _rows(con)
            prev = audit_chain.GENESIS
            for r in rows:
                r["prev_hash"] = prev
                prev = r["row_hash"] = audit_chain.row_hash(r, prev)
                con.execute(f"UPDATE {A} SET prev_hash = ?, row_hash = ? WHERE fid = ?", (r["prev_hash"], prev, r["fid"]))
            con.execute(f"INSERT INTO {HEAD_TABLE} VALUES (1, ?, ?)", (len(rows), prev))
            geopackage.set_settings(con, {CHAIN_SETTING: True})
            _install_triggers(con)
        elif not _rows(con, limit=1):
            _install_triggers(con)  # an empty log has nothing to hide; a log with rows keeps what it has, so
            # dropped triggers stay visible to problems() instead of being quietly put back


def _rows(con, after_fid: int = 0, limit: Optional[int] = None) -> List[Dict[str, Any]]:
    cols = ["fid"] + COLUMNS
    sql = f"SELECT {', '.join(cols)} FROM {A} WHERE fid > ? ORDER BY fid"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [dict(zip(cols, r)) for r in con.execute(sql, (after_fid,))]


def append(con: sqlite3.Connection, rows: Sequence[Dict[str, Any]]) -> List[int]:
    """Append rows inside the caller's transaction, chained to the head; returns their fids."""
    head = con.execute(f"SELECT count, head FROM {HEAD_TABLE} WHERE id = 1").fetchone()
    if head is None:
        raise AuditTampered(["the audit log's head record is missing"])
    count, prev = head
    fids = []
    for r in rows:
        r = dict(r)
        r["prev_hash"] = prev
        r["row_hash"] = prev = audit_chain.row_hash(r, prev)
        cur = con.execute(f"INSERT INTO {A} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                          [r.get(c) for c in COLUMNS])
        fids.append(cur.lastrowid)
        count += 1
    con.execute(f"UPDATE {HEAD_TABLE} SET count = ?, head = ? WHERE id = 1", (count, prev))
    return fids


def record_bases(con: sqlite3.Connection, fids: Sequence[int]) -> None:
    """Remember, for moves just appended, the platform version of their patch (inside the caller's transaction)."""
    con.executemany(f"INSERT OR REPLACE INTO {BASES_TABLE} SELECT a.fid, p.server_version FROM {A} a "
                    f"LEFT JOIN {schema.PATCHES} p ON p.patch_id = a.patch_id WHERE a.fid = ?", [(f,) for f in fids])


def advance_bases(con: sqlite3.Connection, patch_id: str, old: Optional[int], new: Optional[int]) -> None:
    """Our own change of a patch was accepted as version `new`: unanswered moves made on `old` now stand on `new`."""
    con.execute(f"UPDATE {BASES_TABLE} SET base_version = ? WHERE base_version IS ? AND fid IN (SELECT a.fid FROM {A} a "
                f"LEFT JOIN {RESULTS_TABLE} r ON r.fid = a.fid WHERE r.fid IS NULL AND a.patch_id = ?)",
                (new, old, patch_id))


def base_of(con: sqlite3.Connection, fid: int) -> Tuple[bool, Optional[int]]:
    """(known, base version) of a move."""
    row = con.execute(f"SELECT base_version FROM {BASES_TABLE} WHERE fid = ?", (fid,)).fetchone()
    return (row is not None, row[0] if row else None)


def answered(con: sqlite3.Connection, fid: int) -> bool:
    return con.execute(f"SELECT 1 FROM {RESULTS_TABLE} WHERE fid = ?", (fid,)).fetchone() is not None


def problems(path: str) -> List[str]:
    """What is wrong with the audit log (empty list: the chain is intact and protected)."""
    out: List[str] = []
    with geopackage.connect(path) as con:
        tables = _tables(con)
        if A not in tables:
            return ["the audit log table is missing"]
        if HEAD_TABLE not in tables:
            return ["the audit log's head record is missing (the log was replaced)"]
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        missing = sorted(set(TRIGGERS) - triggers)
        if missing:
            out.append("the audit log's protection was removed ({})".format(", ".join(missing)))
        rows = _rows(con)
        brk = audit_chain.first_break(rows)
        if brk is not None:
            i, what = brk
            out.append(f"row {rows[i]['fid']} (patch {rows[i]['patch_id']}, {rows[i]['at']}): {what}")
        head = con.execute(f"SELECT count, head FROM {HEAD_TABLE} WHERE id = 1").fetchone()
        last = rows[-1]["row_hash"] if rows else audit_chain.GENESIS
        if head is None or head[0] != len(rows) or head[1] != last:
            out.append("rows were removed or added outside the plugin ({} rows, {} recorded)".format(
                len(rows), head[0] if head else "none"))
    return out


def verify(path: str) -> None:
    """Raise AuditTampered when the audit log is not intact."""
    found = problems(path)
    if found:
        raise AuditTampered(found)


def rows_after(path: str, fid: int) -> List[Dict[str, Any]]:
    """Audit rows with fid > `fid`, in chain order."""
    with geopackage.connect(path) as con:
        return _rows(con, fid)


def row_at(path: str, index: int) -> Optional[Dict[str, Any]]:
    """The row at 0-based chain position `index`, or None."""
    with geopackage.connect(path) as con:
        cols = ["fid"] + COLUMNS
        r = con.execute(f"SELECT {', '.join(cols)} FROM {A} ORDER BY fid LIMIT 1 OFFSET ?", (index,)).fetchone()
    return dict(zip(cols, r)) if r else None


def record_results(con: sqlite3.Connection, results: Sequence[Dict[str, Any]]) -> None:
    """Store the platform's answers (fid, status, code, message_en, message_zh, platform_version, at)."""
    con.executemany(f"INSERT OR REPLACE INTO {RESULTS_TABLE} VALUES (:fid, :status, :code, :message_en, :message_zh, "
                    ":platform_version, :at)", [{"code": None, "message_en": None, "message_zh": None,
                                                 "platform_version": None, "at": None, **r} for r in results])


def history(path: str, patch_id: str) -> List[Dict[str, Any]]:
    """The audit trail of one patch, oldest first, each row with the platform's answer (status pending if none)."""
    cols = ["fid"] + COLUMNS
    with geopackage.connect(path) as con:
        have_results = RESULTS_TABLE in _tables(con)
        join = (f"LEFT JOIN {RESULTS_TABLE} r ON r.fid = a.fid" if have_results else "")
        extra = ", r.status, r.code, r.message_en, r.message_zh" if have_results else ", NULL, NULL, NULL, NULL"
        rows = con.execute(f"SELECT {', '.join('a.' + c for c in cols)}{extra} FROM {A} a {join} "
                           "WHERE a.patch_id = ? ORDER BY a.fid", (patch_id,)).fetchall()
    out = []
    for r in rows:
        d = dict(zip(cols + ["status", "code", "message_en", "message_zh"], r))
        d["status"] = d["status"] or PENDING
        out.append(d)
    return out


def pending_moves(path: str) -> Dict[str, Dict[str, Any]]:
    """patch_id -> its newest transition/return row that the platform has not answered yet."""
    with geopackage.connect(path) as con:
        if RESULTS_TABLE not in _tables(con):
            return {}
        cols = ["fid"] + COLUMNS
        rows = con.execute(f"SELECT {', '.join('a.' + c for c in cols)} FROM {A} a LEFT JOIN {RESULTS_TABLE} r "
                           f"ON r.fid = a.fid WHERE r.fid IS NULL AND a.action IN ('transition', 'return') "
                           "ORDER BY a.fid").fetchall()
    out: Dict[str, Dict[str, Any]] = {}
    for r in rows:
        d = dict(zip(cols, r))
        out[d["patch_id"]] = d
    return out


def unanswered_moves(con: sqlite3.Connection, patch_id: str) -> List[Tuple[int, str, str]]:
    """(fid, from_stage, to_stage) of a patch's moves the platform has not answered, oldest first."""
    return [tuple(r) for r in con.execute(
        f"SELECT a.fid, a.from_stage, a.to_stage FROM {A} a LEFT JOIN {RESULTS_TABLE} r ON r.fid = a.fid "
        "WHERE r.fid IS NULL AND a.patch_id = ? AND a.action IN ('transition', 'return') ORDER BY a.fid",
        (patch_id,))]


def first_pending_from_stage(con: sqlite3.Connection, patch_id: str) -> Optional[str]:
    """The stage the platform knows for a patch with unanswered moves: the first such move's from_stage."""
    moves = unanswered_moves(con, patch_id)
    return moves[0][1] if moves else None


def latest_refusals(path: str) -> Dict[str, Dict[str, Any]]:
    """patch_id -> the platform's refusal of its newest answered move, when that answer was a refusal."""
    with geopackage.connect(path) as con:
        if RESULTS_TABLE not in _tables(con):
            return {}
        rows = con.execute(f"SELECT a.patch_id, a.fid, a.to_stage, r.status, r.code, r.message_en, r.message_zh, r.at "
                           f"FROM {A} a JOIN {RESULTS_TABLE} r ON r.fid = a.fid "
                           "WHERE a.action IN ('transition', 'return') ORDER BY a.fid").fetchall()
    out: Dict[str, Dict[str, Any]] = {}
    for pid, fid, to, status, code, en, zh, at in rows:
        if status == REFUSED:
            out[pid] = {"fid": fid, "to_stage": to, "code": code, "message_en": en, "message_zh": zh, "at": at}
        else:
            out.pop(pid, None)
    return out
