"""Accepted exceptions and open findings of a working copy (non-spatial tables, plain sqlite3)."""

from __future__ import annotations

import uuid
from typing import Any, Dict, Iterable, List, Optional

from ... import schema
from ...i18n import tr
from .. import clock, geopackage
from . import rules

EXCEPTION_COLUMNS = (("severity", "TEXT"), ("role", "TEXT"), ("approval_ref", "TEXT"), ("status", "TEXT"),
                     ("client_key", "TEXT"), ("platform_message", "TEXT"))
WITHDRAWALS = "exception_withdrawals"  # withdrawn exceptions the platform still has to hear about
PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"


class ExceptionRefused(ValueError):
    """The policy does not let this person accept this finding as an exception; str() says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def ensure_exception_columns(path: str) -> None:
    """Add the columns of the exception policy to a working copy made before it; idempotent."""
    with geopackage.connect(path) as con:
        cols = {r[1] for r in con.execute(f"PRAGMA table_info({schema.EXCEPTIONS})")}
        if not cols:
            return
        have = {r[1] for r in con.execute(f"PRAGMA table_info({WITHDRAWALS})")}
        if {n for n, _k in EXCEPTION_COLUMNS} <= cols and "exception" in have:
            return  # up to date: no write (and no write lock) on this read path
        for name, kind in EXCEPTION_COLUMNS:
            if name not in cols:
                con.execute(f'ALTER TABLE {schema.EXCEPTIONS} ADD COLUMN "{name}" {kind}')
        con.execute(f"CREATE TABLE IF NOT EXISTS {WITHDRAWALS} (client_key TEXT PRIMARY KEY, patch_id TEXT NOT NULL, "
                    "rule TEXT NOT NULL, other_id TEXT, severity TEXT, at TEXT NOT NULL, exception TEXT)")
        if "exception" not in {r[1] for r in con.execute(f"PRAGMA table_info({WITHDRAWALS})")}:
            con.execute(f"ALTER TABLE {WITHDRAWALS} ADD COLUMN exception TEXT")


def finding_severity(path: str, patch_id: str, rule: str, other_id: Optional[str] = None) -> str:
    """The severity of the current finding (patch, rule, other), else the rule's default severity."""
    with geopackage.connect(path) as con:
        row = con.execute(f"SELECT severity FROM {schema.ISSUES} WHERE patch_id = ? AND rule = ? "
                          "AND (? IS NULL OR other_id = ?) ORDER BY fid LIMIT 1",
                          (patch_id, rule, other_id, other_id)).fetchone()
    return row[0] if row and row[0] else rules.RULE[rule].severity


def refusal_text(refusal: Dict[str, Any], role: str, rule: str) -> str:
    """A policy rejection as a sentence in the user's language, with the role's and the rule's labels."""
    from ..refusals import render_rejection

    return render_rejection({**refusal, "details": {**refusal.get("details", {}), "role": role, "rule": rule}})


def exception_refusal(path: str, rule: str, severity: str, reason: str, approval_ref: str = "",
                      user=None, pol=None) -> Optional[Dict[str, Any]]:
    """None when `user` (default: the current identity) may accept such a finding, else the policy's rejection."""
    from .. import identity
    from ..workflow import load_policy

    pol = pol or load_policy(path)
    user = user or identity.current_user(path, pol.offline_days)
    return pol.exception_refusal(user.role, rule, severity, reason, approval_ref)


def accept_exception(path: str, patch_id: str, rule: str, other_id: Optional[str], reason: str, user=None,
                     approval_ref: str = "", severity: Optional[str] = None, pol=None) -> None:
    """Accept (patch_id, rule, other_id or None = any) as an exception with a reason, as `user` (an Identity;
    default: the current one), if the exception policy lets that role; replaces an earlier one. The exception is
    pending until the platform accepts it; the workflow's gates count only accepted ones."""
    from .. import identity
    from ..workflow import load_policy

    if rule not in rules.RULE_CODES:
        raise ValueError(tr("Unknown rule {0}").format(rule))
    if not (reason or "").strip():
        raise ExceptionRefused("reason_text_required", tr("An accepted exception needs a reason"))
    ensure_exception_columns(path)
    pol = pol or load_policy(path)
    user = user or identity.current_user(path, pol.offline_days)
    severity = severity or finding_severity(path, patch_id, rule, other_id)
    refusal = pol.exception_refusal(user.role, rule, severity, reason, approval_ref)
    if refusal is not None:
        raise ExceptionRefused(refusal["code"], refusal_text(refusal, user.role, rule))
    other = other_id or None
    with geopackage.connect(path) as con:
        _delete(con, patch_id, rule, other)
        con.execute(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, other_id, reason, accepted_by, accepted_at, "
                    "severity, role, approval_ref, status, client_key) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (patch_id, rule, other, reason.strip(), user.username, identity.utc_text(), severity, user.role,
                     (approval_ref or "").strip() or None, PENDING, str(uuid.uuid4())))
        _recount(con, [patch_id])


def remove_exception(path: str, patch_id: str, rule: str, other_id: Optional[str] = None, user=None) -> int:
    """Withdraw an accepted exception as `user` (default: the current identity), who must be allowed to accept
    it; returns the number of rows removed. One the platform knows is withdrawn there at the next sync; if the
    platform refuses that, the exception comes back here with the platform's reason."""
    import json

    from .. import identity
    from ..workflow import load_policy

    ensure_exception_columns(path)
    pol = load_policy(path)
    user = user or identity.current_user(path, pol.offline_days)
    other = other_id or None
    with geopackage.connect(path) as con:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({schema.EXCEPTIONS})")]
        rows = [dict(zip(cols, r)) for r in con.execute(
            f"SELECT * FROM {schema.EXCEPTIONS} WHERE patch_id=? AND rule=? AND COALESCE(other_id, '') = "
            "COALESCE(?, '')", (patch_id, rule, other))]
        for row in rows:
            refusal = pol.exception_refusal(user.role, rule, row.get("severity") or rules.RULE[rule].severity,
                                            "withdrawn", "withdrawn")
            if refusal is not None:
                raise ExceptionRefused(refusal["code"], refusal_text(refusal, user.role, rule))
        n = _delete(con, patch_id, rule, other)
        for row in rows:
            if row.get("status") == ACCEPTED:
                con.execute(f"INSERT INTO {WITHDRAWALS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (str(uuid.uuid4()), patch_id, rule, other, row.get("severity"), identity.utc_text(),
                             json.dumps({k: v for k, v in row.items() if k != "fid"}, ensure_ascii=False)))
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
    """Every accepted exception as a dict (patch_id, rule, other_id, reason, accepted_by, accepted_at, severity,
    role, approval_ref, status: pending | accepted | refused, platform_message)."""
    with geopackage.connect(path) as con:
        cols = {r[1] for r in con.execute(f"PRAGMA table_info({schema.EXCEPTIONS})")}
        keys = tuple(k for k in ("patch_id", "rule", "other_id", "reason", "accepted_by", "accepted_at", "severity",
                                 "role", "approval_ref", "status", "platform_message") if k in cols)
        rows = con.execute(f"SELECT {', '.join(keys)} FROM {schema.EXCEPTIONS} ORDER BY fid").fetchall()
    out = [dict(zip(keys, r)) for r in rows]
    # by the instant accepted (stamps of older copies are local, newer ones UTC: compared as times, not as text)
    out.sort(key=lambda e: (clock.sort_key(e.get("accepted_at")), str(e.get("patch_id") or "")))
    return out


_OPEN_SQL = (f"SELECT i.patch_id, i.rule, i.severity, i.message, i.value, i.other_id FROM {schema.ISSUES} i "
             f"WHERE {{where}} NOT EXISTS (SELECT 1 FROM {schema.EXCEPTIONS} e WHERE e.patch_id = i.patch_id "
             "AND e.rule = i.rule AND (e.other_id IS NULL OR e.other_id = '' OR e.other_id = i.other_id) "
             "AND {status}) ORDER BY i.fid")
# Which exceptions hide a finding: for people, every one not refused (pending ones too, marked as such in the
# dock); for the workflow's gates, only those the platform has accepted.
_SHOWN = "COALESCE(e.status, 'pending') <> 'refused'"
_ACCEPTED = "e.status = 'accepted'"


def open_findings(path: str, patch_ids: Optional[Iterable[str]] = None,
                  platform_accepted_only: bool = False) -> Dict[str, List[Dict[str, Any]]]:
    """patch_id -> current findings (rule, severity, message, value, other_id) not covered by an exception
    (with `platform_accepted_only`, by one the platform has accepted)."""
    ensure_exception_columns(path)
    status = _ACCEPTED if platform_accepted_only else _SHOWN
    out: Dict[str, List[Dict[str, Any]]] = {}
    with geopackage.connect(path) as con:
        if patch_ids is None:
            batches = [con.execute(_OPEN_SQL.format(where="", status=status))]
        else:
            ids = list(patch_ids)
            batches = [con.execute(_OPEN_SQL.format(where="i.patch_id IN ({}) AND".format(",".join("?" * len(c))),
                                                    status=status), c)
                       for c in (ids[i:i + 500] for i in range(0, len(ids), 500))]
        for cur in batches:
            for pid, rule, sev, msg, val, other in cur.fetchall():
                out.setdefault(pid, []).append(dict(rule=rule, severity=sev, message=msg, value=val, other_id=other))
    return out


def excepted_patches(path: str, rule: str, patch_ids: Iterable[str], platform_accepted_only: bool = False) -> set:
    """The patches among `patch_ids` with an exception for `rule` (any other patch; with
    `platform_accepted_only`, one the platform has accepted; else every one not refused)."""
    ensure_exception_columns(path)
    ids = list(dict.fromkeys(patch_ids))
    status = _ACCEPTED if platform_accepted_only else _SHOWN
    out: set = set()
    with geopackage.connect(path) as con:
        if not {r[1] for r in con.execute(f"PRAGMA table_info({schema.EXCEPTIONS})")}:
            return out
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update(r[0] for r in con.execute(
                f"SELECT DISTINCT e.patch_id FROM {schema.EXCEPTIONS} e WHERE e.rule = ? AND {status} AND "
                f"e.patch_id IN ({','.join('?' * len(chunk))})", [rule, *chunk]))
    return out


def _recount(con, patch_ids: List[str]) -> None:
    """Refresh check_state error/warning counts of patches from their open findings."""
    for pid in patch_ids:
        rows = con.execute(_OPEN_SQL.format(where="i.patch_id = ? AND", status=_SHOWN), (pid,)).fetchall()
        e = sum(1 for r in rows if r[2] == rules.ERROR)
        w = sum(1 for r in rows if r[2] == rules.WARNING)
        con.execute(f"UPDATE {schema.CHECK_STATE} SET errors=?, warnings=? WHERE patch_id=?", (e, w, pid))
