"""Stage-transition workflow: roles, preconditions, returns for rectification and the audit trail.

The engine is GUI-free. Who may move a patch from which stage to which is the workflow policy
(`core.policy`), which the platform owns and serves; the working copy caches the served copy at login, and
without one the bundled `resources/workflow.json` applies. A working copy cannot grant itself rights.
The acting person and role come from `core.identity.current_user()`: never a free choice.

A batch is all-or-nothing: every patch is evaluated first; if any is refused nothing changes, otherwise stage,
revision and updated_at of every patch and one hash-chained audit row per patch are written in ONE SQLite
transaction. The move is pending until the platform accepts it at the next sync (core.sync.engine); a move
the platform refuses is undone there, with the platform's reason shown per patch.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from .. import schema
from ..i18n import tr, ui_language
from ..paths import resource_path
from ..settings import WorkingCopyKey
from . import audit, clock, geopackage, identity, policy, queries
from .sync.changes import ensure_change_tracking, set_suppressed

LOG = logging.getLogger(__name__)
CONFIG_SETTING = WorkingCopyKey.WORKFLOW_CONFIG  # no longer honoured: a working copy cannot change the policy
POLICY_KEY = "policy"  # sync_state key: the policy the platform served at the last login
ACTION_TRANSITION = "transition"
ACTION_RETURN = "return"

# Refusal codes (stable, for reports and tests); messages are translated.
R_NOT_FOUND = "not_found"
R_SAME_STAGE = "same_stage"
R_ROLE = "role"
R_NOT_ALLOWED = "not_allowed"
R_REASON = "reason_required"
R_COMMENT = "comment_required"
R_MISSING = "missing_fields"
R_SURVIVAL = "survival"
R_STALE = "stale_check"
R_OPEN_ERROR = "open_error"
R_AREA = "area_mismatch"
R_CHANGED = "changed_meanwhile"
R_SCOPE = "out_of_scope"


class WorkflowError(Exception):
    """A workflow request that cannot be evaluated at all (bad config, unknown stage, no working copy)."""


# ---------------------------------------------------------------------------
# Configuration: the policy in force
# ---------------------------------------------------------------------------

WorkflowConfig = policy.Policy  # the earlier name of the same thing


def default_config_path() -> str:
    """The plugin's bundled workflow policy (the platform's default)."""
    return resource_path("workflow.json")


def _rule_codes() -> Tuple[str, ...]:
    from .checks.rules import RULE_CODES

    return RULE_CODES


def parse_config(raw: Dict[str, Any]) -> policy.Policy:
    """Validate a configuration dictionary (workflow.json format) and build the policy."""
    try:
        return policy.parse_policy(raw, _rule_codes())
    except policy.PolicyError as e:
        raise WorkflowError(tr("Invalid workflow configuration: {0}").format(e)) from e


def bundled_policy() -> policy.Policy:
    """The policy shipped with the plugin: what a technician without a platform account works with."""
    with open(default_config_path(), encoding="utf-8") as f:
        return parse_config(json.load(f))


def cache_policy(path: str, raw: Dict[str, Any], server: str = "") -> policy.Policy:
    """Validate the policy the platform served and keep it in the working copy; returns it."""
    pol = parse_config(raw)
    ensure_change_tracking(path)
    with geopackage.connect(path) as con:
        con.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?)", (POLICY_KEY, json.dumps(
            {"policy": raw, "server": server, "fetched_at": identity.utc_text()}, ensure_ascii=False)))
    return pol


def served_policy(path: str) -> Optional[policy.Policy]:
    """The policy the platform served at the last login to this working copy, if any (and valid)."""
    try:
        with geopackage.connect(path) as con:
            row = con.execute("SELECT value FROM sync_state WHERE key = ?", (POLICY_KEY,)).fetchone()
    except sqlite3.Error:
        return None
    if not row or not row[0]:
        return None
    try:
        return parse_config(json.loads(row[0])["policy"])
    except (WorkflowError, ValueError, KeyError, TypeError) as e:
        LOG.warning("the cached platform policy of %s is unusable (%s); using the bundled one", path, e)
        return None


def load_policy(path: Optional[str] = None) -> policy.Policy:
    """The policy in force for the working copy at `path`: the platform's served copy, else the bundled one."""
    if path:
        if geopackage.get_setting(path, CONFIG_SETTING) not in (None, "", {}):
            LOG.warning("%s: the working-copy setting %r is ignored; the workflow policy comes from the platform",
                        path, CONFIG_SETTING)
        served = served_policy(path)
        if served is not None:
            return served
    return bundled_policy()


load_config = load_policy


def utc_now() -> str:
    """Current UTC time in the GeoPackage DATETIME format (YYYY-MM-DDTHH:MM:SS.SSSZ): core.clock."""
    return clock.now_utc_iso()


def current_user(path: Optional[str] = None) -> identity.Identity:
    """The acting person (see core.identity)."""
    return identity.current_user(path)


def _chunks(seq: Sequence[str], n: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# ---------------------------------------------------------------------------
# Check findings (contract with core.checks)
# ---------------------------------------------------------------------------


def open_findings(path: str, patch_ids: Sequence[str]) -> Dict[str, List[Dict[str, Any]]]:
    """Open findings per patch for the gates: exceptions count only once the platform has accepted them."""
    from .checks import store

    return store.open_findings(path, list(patch_ids), platform_accepted_only=True)


def check_revisions(path: str, patch_ids: Sequence[str]) -> Dict[str, int | None]:
    """patch_id -> the patch revision its current findings were computed for (absent = never checked)."""
    out: Dict[str, int | None] = {}
    with geopackage.connect(path) as con:
        for chunk in _chunks(list(patch_ids)):
            marks = ",".join("?" * len(chunk))
            for pid, rev in con.execute(
                    f"SELECT patch_id, patch_revision FROM {schema.CHECK_STATE} WHERE patch_id IN ({marks})",
                    list(chunk)):
                out[pid] = rev
    return out


def _recheck(path: str, patch_ids: List[str]) -> bool:
    """Re-run the check engine on `patch_ids` (only those: re-checking the county would surprise the reviewer)."""
    from .checks.engine import check_working_copy

    check_working_copy(path, patch_ids=patch_ids)
    return True


# ---------------------------------------------------------------------------
# Evaluation and execution
# ---------------------------------------------------------------------------


@dataclass
class Refusal:
    """Why one patch may not make the requested move."""

    code: str
    message: str


@dataclass
class PatchResult:
    """What happened (or would happen) to one patch of a batch."""

    patch_id: str
    fid: int | None
    from_stage: str | None
    to_stage: str
    action: str
    revision: int | None = None
    refusals: List[Refusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def codes(self) -> List[str]:
        return [r.code for r in self.refusals]

    def to_dict(self) -> Dict[str, Any]:
        return dict(patch_id=self.patch_id, fid=self.fid, from_stage=self.from_stage, to_stage=self.to_stage,
                    action=self.action, revision=self.revision, ok=self.ok,
                    refusals=[dict(code=r.code, message=r.message) for r in self.refusals])


@dataclass
class BatchReport:
    """The outcome of one batch: applied (all patches moved) or not (nothing changed), and why per patch."""

    target: str
    role: str
    user: str
    applied: bool
    results: List[PatchResult]
    at: str = ""
    error: str = ""
    identity_source: str = identity.LOCAL

    @property
    def refused(self) -> List[PatchResult]:
        return [r for r in self.results if not r.ok]

    @property
    def changed(self) -> int:
        return len(self.results) if self.applied else 0

    @property
    def pending(self) -> bool:
        """True when the moves wait for the platform's acceptance (always, until the next sync)."""
        return self.applied

    def summary(self) -> str:
        """One line for a message bar."""
        lang = ui_language()
        if self.applied and any(r.action == ACTION_RETURN for r in self.results):
            text = tr("{0} patch(es) returned to {1}").format(self.changed, schema.stage_label(self.target, lang))
        elif self.applied:
            text = tr("{0} patch(es) moved to {1}").format(self.changed, schema.stage_label(self.target, lang))
        elif self.error:
            return tr("Nothing changed: {0}").format(self.error)
        else:
            return tr("Nothing changed: {0} of {1} patch(es) refused").format(len(self.refused), len(self.results))
        return text + tr(" (pending until the platform accepts it at the next sync)")

    def to_dict(self) -> Dict[str, Any]:
        return dict(target=self.target, role=self.role, user=self.user, applied=self.applied, at=self.at,
                    error=self.error, total=len(self.results), changed=self.changed, refused=len(self.refused),
                    identity=self.identity_source, pending=self.pending, results=[r.to_dict() for r in self.results])


def read_patch_rows(path: str, patch_ids: Sequence[str]) -> Dict[str, Tuple[int, Dict[str, Any], bytes | None]]:
    """patch_id -> (fid, attributes, WKB) of the patches in `patch_ids` that exist."""
    out: Dict[str, Tuple[int, Dict[str, Any], bytes | None]] = {}
    ids = list(dict.fromkeys(patch_ids))
    for chunk in _chunks(ids, 200):
        quoted = ",".join("'" + pid.replace("'", "''") + "'" for pid in chunk)
        for fid, attrs, wkb in geopackage.read_features(path, schema.PATCHES, where=f"patch_id IN ({quoted})"):
            out[attrs["patch_id"]] = (fid, attrs, wkb)
    return out


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _float(v: Any) -> float | None:
    """A recorded number, None when empty or not a number (the attribute rules report those)."""
    if _empty(v):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


class WorkflowEngine:
    """Evaluates and applies stage transitions and returns on one working copy, as one identity."""

    def __init__(self, path: str, config: policy.Policy | None = None, user: identity.Identity | None = None):
        geopackage.verify_working_copy(path)
        upgrade_working_copy(path)
        self.path = path
        self.config = config or load_policy(path)
        self.identity = user or identity.current_user(path, self.config.offline_days)
        self.county = str(geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or "")
        self._calc = None
        self._area_excepted: set = set()  # patches of the current plan with a platform-accepted area exception

    @property
    def role(self) -> str:
        return self.identity.role

    # -- what this identity may do ---------------------------------------------------------------
    def forward_targets(self, stage: str) -> List[str]:
        """Stages this identity may move a patch at `stage` to."""
        return self.config.allowed_targets(self.role, stage)

    def return_targets(self, stage: str) -> List[str]:
        """Stages this identity may return a patch at `stage` to."""
        return self.config.return_targets(self.role, stage)

    # -- helpers -----------------------------------------------------------------------------
    def _area_calc(self):
        if self._calc is None:
            from .area import AreaCalculator  # QGIS core; created once per engine

            crs = geopackage.get_setting(self.path, WorkingCopyKey.CRS) or schema.DEFAULT_PROJECT_CRS
            self._calc = AreaCalculator(crs)
        return self._calc

    def _area_refusal(self, attrs: Dict[str, Any], wkb: bytes | None) -> Refusal | None:
        """The area_mismatch rule of the checks (checks.rules.area_mismatch) on the ellipsoidal area (core.area),
        with the policy's thresholds (Policy.area_thresholds, what the platform applies); a patch whose
        area_mismatch exception the platform has accepted is not refused (as open findings are not)."""
        from qgis.core import QgsGeometry

        from .checks import rules

        if wkb is None:
            return Refusal(R_AREA, tr("The patch has no geometry"))
        if attrs.get("patch_id") in self._area_excepted:
            return None
        geom = QgsGeometry()
        geom.fromWkb(wkb)
        computed = self._area_calc().area(geom).mu
        bad = rules.area_mismatch(_float(attrs.get("area_mu")), _float(attrs.get("area_ha")), computed,
                                  **self.config.area_thresholds)
        if bad is not None:
            return Refusal(R_AREA, tr("Attribute area ({0}) differs from the mapped area {1:.2f} mu by more than "
                                      "{2:.2f} mu").format(f"{bad.field} = {bad.declared:.2f}", computed,
                                                           bad.tolerance_mu))
        return None

    def plan(self, patch_ids: Sequence[str], target: str, reason: str | None = None,
             comment: str = "", recheck: bool | None = None) -> List[PatchResult]:
        """Evaluate every patch against the rules without changing anything; one PatchResult each."""
        if target not in schema.STAGES:
            raise WorkflowError(tr("Unknown stage: {0}").format(target))
        if reason and reason not in schema.REJECTION_REASONS:
            raise WorkflowError(tr("Unknown rejection reason: {0}").format(reason))
        ids = list(dict.fromkeys(p for p in patch_ids if p))
        cfg = self.config
        patches = read_patch_rows(self.path, ids)
        from .checks import rules, store

        self._area_excepted = store.excepted_patches(self.path, rules.AREA_MISMATCH, list(patches),
                                                     platform_accepted_only=True)
        results: List[PatchResult] = []
        forward: List[PatchResult] = []
        for pid in ids:
            if pid not in patches:
                results.append(PatchResult(pid, None, None, target, ACTION_TRANSITION,
                                           refusals=[Refusal(R_NOT_FOUND, tr("No such patch"))]))
                continue
            fid, attrs, _wkb = patches[pid]
            stage = attrs.get("stage") or "design"
            is_return = cfg.is_return(stage, target)
            res = PatchResult(pid, fid, stage, target, ACTION_RETURN if is_return else ACTION_TRANSITION,
                              revision=attrs.get("revision"))
            results.append(res)
            unit = attrs.get("county_code") or self.county
            if unit and not self.identity.covers(unit):
                res.refusals.append(Refusal(R_SCOPE, tr("Your account ({0}) does not cover county {1}").format(
                    self.identity.username, unit)))
            elif stage == target:
                res.refusals.append(Refusal(R_SAME_STAGE, tr("The patch is already at this stage")))
            elif is_return:
                self._plan_return(res, reason, comment)
            else:
                self._plan_forward(res, attrs, _wkb)
                forward.append(res)
        # Checks-based preconditions for every forward move, together (one query, one re-check).
        candidates = [r for r in forward if R_ROLE not in r.codes and R_NOT_ALLOWED not in r.codes]
        if candidates:
            self._plan_checks(candidates, patches, cfg.recheck_stale if recheck is None else recheck)
        return results

    def _plan_return(self, res: PatchResult, reason: str | None, comment: str) -> None:
        cfg, role, lang = self.config, self.role, ui_language()
        if res.from_stage not in cfg.return_from.get(role, []):
            res.refusals.append(Refusal(R_ROLE, tr("Role {0} may not return patches at stage {1}").format(
                schema.ROLES.label(role, lang), schema.stage_label(res.from_stage or "", lang))))
        elif res.to_stage not in cfg.return_targets(role, res.from_stage or ""):
            res.refusals.append(Refusal(R_NOT_ALLOWED, tr("A patch at {0} cannot be returned to {1}").format(
                schema.stage_label(res.from_stage or "", lang), schema.stage_label(res.to_stage, lang))))
        if not reason:
            res.refusals.append(Refusal(R_REASON, tr("A return needs a reason")))
        elif reason == "other" and not (comment or "").strip():
            res.refusals.append(Refusal(R_COMMENT, tr("Reason \"other\" needs a comment")))

    def _plan_forward(self, res: PatchResult, attrs: Dict[str, Any], wkb: bytes | None) -> None:
        cfg, role, lang = self.config, self.role, ui_language()
        stage, target = res.from_stage or "design", res.to_stage
        roles = cfg.transitions.get((stage, target))
        if roles is None:
            res.refusals.append(Refusal(R_NOT_ALLOWED, tr("No transition from {0} to {1} (stages cannot be "
                                                          "skipped)").format(schema.stage_label(stage, lang),
                                                                             schema.stage_label(target, lang))))
            return
        if role not in roles:
            res.refusals.append(Refusal(R_ROLE, tr("Role {0} may not move patches from {1} to {2}").format(
                schema.ROLES.label(role, lang), schema.stage_label(stage, lang), schema.stage_label(target, lang))))
            return
        missing = [f for f in schema.required_fields_for_stage(target) if _empty(attrs.get(f.name))]
        if missing:
            res.refusals.append(Refusal(R_MISSING, tr("Required for {0}: {1}").format(
                schema.stage_label(target, lang), ", ".join(f.label(lang) for f in missing))))
        if target in cfg.survival_stages and not _empty(attrs.get("survival_rate")):
            rate = float(attrs["survival_rate"])
            if rate < cfg.min_survival:
                res.refusals.append(Refusal(R_SURVIVAL, tr("Survival rate {0:.1f} % is below {1:.1f} %").format(
                    rate, cfg.min_survival)))
        area = self._area_refusal(attrs, wkb)
        if area is not None:
            res.refusals.append(area)

    def _plan_checks(self, results: List[PatchResult], patches: Dict[str, Tuple[int, Dict[str, Any], Any]],
                     recheck: bool) -> None:
        ids = [r.patch_id for r in results]
        if self.config.require_fresh_checks:
            checked = check_revisions(self.path, ids)
            stale = [pid for pid in ids if checked.get(pid) is None or checked[pid] != patches[pid][1].get("revision")]
            if stale and recheck and _recheck(self.path, stale):
                checked = check_revisions(self.path, ids)
            for r in results:
                rev = checked.get(r.patch_id)
                if rev is None:
                    r.refusals.append(Refusal(R_STALE, tr("The patch has never been checked: run the checks first")))
                elif rev != r.revision:
                    r.refusals.append(Refusal(R_STALE, tr("The patch changed since it was checked (revision {0}, "
                                                          "checked at revision {1}): run the checks first").format(
                                                              r.revision, rev)))
        findings = open_findings(self.path, ids)
        for r in results:
            errors = [f for f in findings.get(r.patch_id, []) if f.get("severity") == "error"]
            if errors:
                r.refusals.append(Refusal(R_OPEN_ERROR, tr("{0} open error finding(s): {1}").format(
                    len(errors), "; ".join(f"{f.get('rule')}: {f.get('message') or ''}".strip() for f in errors))))

    def apply(self, patch_ids: Sequence[str], target: str, reason: str | None = None,
              comment: str = "", recheck: bool | None = None, dry_run: bool = False) -> BatchReport:
        """Move every patch to `target` (forward or return), all or nothing; report per patch."""
        ident = self.identity
        results = self.plan(patch_ids, target, reason, comment, recheck)
        report = BatchReport(target, ident.role, ident.username, False, results, identity_source=ident.source)
        if not results:
            report.error = tr("No patches selected")
            return report
        if report.refused or dry_run:
            return report
        report.at = utc_now()
        con = geopackage.open_connection(self.path)
        try:
            con.execute("BEGIN IMMEDIATE")  # take the write lock up front: no other writer can interleave
            # The move syncs as a transition (POST /transitions), not as an edit of the patch.
            set_suppressed(con, True)
            rows = []
            for r in results:
                cur = con.execute(
                    f"UPDATE {schema.PATCHES} SET stage = ?, revision = COALESCE(revision, 0) + 1, updated_at = ? "
                    f"WHERE patch_id = ? AND stage = ? AND COALESCE(revision, 0) = ?",
                    (target, report.at, r.patch_id, r.from_stage, r.revision or 0))
                if cur.rowcount != 1:  # edited by someone else since plan(): refuse the whole batch
                    r.refusals.append(Refusal(R_CHANGED, tr("The patch was changed meanwhile; try again")))
                    raise _Abort()
                if r.action == ACTION_TRANSITION:
                    # A forward move changes no geometry and no attribute a check looks at (the target's required
                    # fields were checked above): the findings of the old revision still hold, and the next reviewer
                    # is not told "modified since checked". A return sends the patch back to be reworked and checked.
                    con.execute(f"UPDATE {schema.CHECK_STATE} SET patch_revision = ? WHERE patch_id = ? AND "
                                "patch_revision = ?", ((r.revision or 0) + 1, r.patch_id, r.revision or 0))
                rows.append(dict(patch_id=r.patch_id, action=r.action, from_stage=r.from_stage, to_stage=target,
                                 user_name=ident.username, display_name=ident.display_name or None, role=ident.role,
                                 identity=ident.source, reason=reason or None,
                                 comment=(comment or "").strip() or None, approval_ref=None,
                                 patch_version=(r.revision or 0) + 1, at=report.at))
            audit.record_bases(con, audit.append(con, rows))
            set_suppressed(con, False)
            con.commit()
            report.applied = True
            for r in results:
                r.revision = (r.revision or 0) + 1
        except _Abort:
            con.rollback()
        except (sqlite3.Error, audit.AuditTampered) as e:
            con.rollback()
            report.error = str(e)
        finally:
            con.close()
        return report

    # -- read side -------------------------------------------------------------------------
    def queue(self) -> List[Dict[str, Any]]:
        """Patches awaiting this identity's review (stages from the policy), ordered by stage then patch number;
        each with `pending` (its newest move waits for the platform) and `refused` (the platform's last refusal)."""
        stages = self.config.queues.get(self.role, [])
        if not stages:
            return []
        cols = ("fid", "patch_id", "stage", "tuban_no", "village_code", "county_code", "area_mu", "revision",
                "updated_at")
        marks = ",".join("?" * len(stages))
        with geopackage.connect(self.path) as con:
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {schema.PATCHES} WHERE stage IN ({marks})",
                               stages).fetchall()
        names = _village_names(self.path)
        pending = audit.pending_moves(self.path)
        refused = audit.latest_refusals(self.path)
        out = [dict(zip(cols, r)) for r in rows]
        out = [d for d in out if self.identity.covers(d.get("county_code") or self.county)]
        for d in out:
            d["village_name"] = names.get(d["village_code"])
            d["pending"] = pending.get(d["patch_id"])
            d["refused"] = refused.get(d["patch_id"])
        out.sort(key=lambda d: (schema.STAGE_ORDER.get(d["stage"], 99), d["tuban_no"] or "", d["fid"]))
        return out


class _Abort(Exception):
    pass


def history(path: str, patch_id: str) -> List[Dict[str, Any]]:
    """The audit trail of one patch, oldest first, with the platform's answer to each row."""
    return audit.history(path, patch_id)


def upgrade_working_copy(path: str) -> None:
    """Bring a working copy made by an earlier version up to date (change tracking, audit chain, exceptions)."""
    from .checks.store import ensure_exception_columns

    ensure_change_tracking(path)
    audit.ensure_audit(path)
    ensure_exception_columns(path)
    geopackage.ensure_patch_number_index(path)
    geopackage.ensure_change_journal(path)  # what the live check learns of changes from


def transition(path: str, patch_ids: Sequence[str], target: str, user: identity.Identity | None = None,
               config: policy.Policy | None = None, comment: str = "") -> BatchReport:
    """Move patches forward to `target` as `user` (default: the current identity), all or nothing."""
    return WorkflowEngine(path, config, user).apply(patch_ids, target, comment=comment)


def return_patches(path: str, patch_ids: Sequence[str], target: str, reason: str, comment: str = "",
                   user: identity.Identity | None = None, config: policy.Policy | None = None) -> BatchReport:
    """Return patches for rectification to the earlier stage `target` as `user`, all or nothing."""
    return WorkflowEngine(path, config, user).apply(patch_ids, target, reason=reason, comment=comment)


_PG_VILLAGES: Dict[Tuple[str, str, str], Tuple[float, Optional[Dict[str, str]]]] = {}  # key -> (when, names)
RETRY_NAMES_S = 60.0  # a reference database that could not be reached is asked again after this long


def _village_names(path: str) -> Dict[str, str]:
    """{code: name} of the villages a review queue names: the copy's own units, or those of the PostGIS database its
    reference_source setting names, read once per session, setting and county (a queue is refreshed often). A
    database that cannot be reached must not hold the queue up at every refresh: the queue shows codes, and the
    database is asked again a minute later."""
    import time

    raw = geopackage.get_setting(path, WorkingCopyKey.REFERENCE_SOURCE)
    if raw in (None, ""):
        try:
            return dict(queries.admin_units(path, "village"))
        except (sqlite3.Error, geopackage.WorkingCopyError):
            return {}
    key = (path, str(raw), str(geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or ""))
    when, names = _PG_VILLAGES.get(key, (0.0, None))
    if key not in _PG_VILLAGES or (names is None and time.monotonic() - when >= RETRY_NAMES_S):
        try:
            names = dict(queries.admin_units(path, "village"))
        except ValueError as e:  # the setting or the database cannot be used
            LOG.warning("village names not read from the reference database: %s", e)
            names = None
        _PG_VILLAGES[key] = (time.monotonic(), names)
    return dict(names or {})
