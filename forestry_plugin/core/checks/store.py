"""Accepted exceptions and open findings of a working copy (non-spatial tables, plain sqlite3)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Iterable, List, Optional

from ... import schema
from ...i18n import tr
from .. import geopackage
from . import rules


def accept_exception(path: str, patch_id: str, rule: str, other_id: Optional[str], reason: str, user: str = "") -> None:
    """Accept (patch_id, rule, other_id or None = any) as an exception with a reason; replaces an earlier one."""
    if rule not in rules.RULE_CODES:
        raise ValueError(tr("Unknown rule {0}").format(rule))
    if not (reason or "").strip():
        raise ValueError(tr("An accepted exception needs a reason"))
    other = other_id or None
    now = _dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    with geopackage.connect(path) as con:
        _delete(con, patch_id, rule, other)
        con.execute(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, other_id, reason, accepted_by, accepted_at) "
                    "VALUES (?,?,?,?,?,?)", (patch_id, rule, other, reason.strip(), user or "", now))
        _recount(con, [patch_id])


def remove_exception(path: str, patch_id: str, rule: str, other_id: Optional[str] = None) -> int:
    """Withdraw an accepted exception; returns the number of rows removed."""
    with geopackage.connect(path) as con:
        n = _delete(con, patch_id, rule, other_id or None)
        _recount(con, [patch_id])
    return n


def _delete(con, patch_id: str, rule: str, other: Optional[str]) -> int:
    if other is None:
        cur = con.execute(f"DELETE FROM {schema.EXCEPTIONS} WHERE patch_id=? AND rule=? AND "
                          "(other_id IS NULL OR other_id='')", (patch_id, rule))
    else:
        cur = con.execute(f"DELETE FROM {schema.EXCEPTIONS} WHERE patch_id=? AND rule=? AND other_id=?",
                          (patch_id, rule, other))
    return cur.rowcount


def list_exceptions(path: str) -> List[Dict[str, Any]]:
    """Every accepted exception as a dict (patch_id, rule, other_id, reason, accepted_by, accepted_at)."""
    with geopackage.connect(path) as con:
        rows = con.execute(f"SELECT patch_id, rule, other_id, reason, accepted_by, accepted_at FROM {schema.EXCEPTIONS} "
                           "ORDER BY accepted_at, patch_id").fetchall()
    keys = ("patch_id", "rule", "other_id", "reason", "accepted_by", "accepted_at")
    return [dict(zip(keys, r)) for r in rows]


_OPEN_SQL = (f"SELECT i.patch_id, i.rule, i.severity, i.message, i.value, i.other_id FROM {schema.ISSUES} i "
             f"WHERE {{where}} NOT EXISTS (SELECT 1 FROM {schema.EXCEPTIONS} e WHERE e.patch_id = i.patch_id "
             "AND e.rule = i.rule AND (e.other_id IS NULL OR e.other_id = '' OR e.other_id = i.other_id)) ORDER BY i.fid")


def open_findings(path: str, patch_ids: Optional[Iterable[str]] = None) -> Dict[str, List[Dict[str, Any]]]:
    """patch_id -> current findings (rule, severity, message, value, other_id) not covered by an accepted exception."""
    out: Dict[str, List[Dict[str, Any]]] = {}
    with geopackage.connect(path) as con:
        if patch_ids is None:
            batches = [con.execute(_OPEN_SQL.format(where=""))]
        else:
            ids = list(patch_ids)
            batches = [con.execute(_OPEN_SQL.format(where="i.patch_id IN ({}) AND".format(",".join("?" * len(c)))), c)
                       for c in (ids[i:i + 500] for i in range(0, len(ids), 500))]
        for cur in batches:
            for pid, rule, sev, msg, val, other in cur.fetchall():
                out.setdefault(pid, []).append(dict(rule=rule, severity=sev, message=msg, value=val, other_id=other))
    return out


def _recount(con, patch_ids: List[str]) -> None:
    """Refresh check_state error/warning counts of patches from their open findings."""
    for pid in patch_ids:
        rows = con.execute(_OPEN_SQL.format(where="i.patch_id = ? AND"), (pid,)).fetchall()
        e = sum(1 for r in rows if r[2] == rules.ERROR)
        w = sum(1 for r in rows if r[2] == rules.WARNING)
        con.execute(f"UPDATE {schema.CHECK_STATE} SET errors=?, warnings=? WHERE patch_id=?", (e, w, pid))
