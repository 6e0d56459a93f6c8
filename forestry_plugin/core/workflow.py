"""Stage-transition workflow: roles, preconditions, returns for rectification and the audit trail.

The engine is GUI-free. Who may move a patch from which stage to which is configuration
(`resources/workflow.json`, overridable per working copy through the setting "workflow_config").
A batch is all-or-nothing: every patch is evaluated first; if any is refused nothing changes,
otherwise stage, revision and updated_at of every patch and one audit row per patch are written
in ONE SQLite transaction.
"""

from __future__ import annotations

import copy
import datetime as _dt
import getpass
import importlib
import inspect
import json
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Sequence, Set, Tuple

from .. import schema
from ..i18n import tr, ui_language
from ..paths import resource_path
from . import geopackage

CONFIG_SETTING = "workflow_config"
USER_SETTING_KEY = "forestry/user_name"  # QgsSettings key of the reviewer's name
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


class WorkflowError(Exception):
    """A workflow request that cannot be evaluated at all (bad config, unknown stage or role, no working copy)."""


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------


@dataclass
class WorkflowConfig:
    """Transitions, per-role queues and returns, and the precondition thresholds."""

    transitions: Dict[Tuple[str, str], Set[str]]  # (from, to) -> roles allowed
    queues: Dict[str, List[str]]  # role -> stages awaiting this role
    return_from: Dict[str, List[str]]  # role -> stages this role may return from
    survival_stages: Set[str] = field(default_factory=lambda: {"accepted"})
    survival_threshold: float = 85.0
    arid_threshold: float = 70.0
    arid: bool = False
    area_tolerance_mu: float = 0.1
    area_tolerance_pct: float = 1.0
    require_fresh_checks: bool = True
    recheck_stale: bool = True

    @property
    def min_survival(self) -> float:
        """The survival-rate threshold (%) that applies (arid areas have a lower one)."""
        return self.arid_threshold if self.arid else self.survival_threshold

    def allowed_targets(self, role: str, stage: str) -> List[str]:
        """Forward targets `role` may move a patch at `stage` to, in stage order."""
        out = [to for (frm, to), roles in self.transitions.items() if frm == stage and role in roles]
        return sorted(out, key=lambda s: schema.STAGE_ORDER[s])

    def ancestors(self, stage: str) -> List[str]:
        """Stages a patch at `stage` has passed through (every predecessor in the transition graph), in order."""
        seen: Set[str] = set()
        todo = [stage]
        while todo:
            s = todo.pop()
            for frm, to in self.transitions:
                if to == s and frm not in seen:
                    seen.add(frm)
                    todo.append(frm)
        seen.discard(stage)
        return sorted(seen, key=lambda s: schema.STAGE_ORDER[s])

    def return_targets(self, role: str, stage: str) -> List[str]:
        """Stages `role` may return a patch at `stage` to (earlier stages on its path), in order."""
        if stage not in self.return_from.get(role, []):
            return []
        return self.ancestors(stage)


def default_config_path() -> str:
    """The plugin's default workflow configuration file."""
    return resource_path("workflow.json")


def _merge(base: Dict[str, Any], over: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        # "roles", "survival" and "area" merge key by key; "transitions" replaces the whole list.
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def parse_config(raw: Dict[str, Any]) -> WorkflowConfig:
    """Validate a configuration dictionary (workflow.json format) and build a WorkflowConfig."""
    stages, roles = set(schema.STAGES.values()), set(schema.ROLES.values())
    try:
        transitions: Dict[Tuple[str, str], Set[str]] = {}
        for t in raw["transitions"]:
            frm, to, rs = t["from"], t["to"], set(t["roles"])
            bad = ({frm, to} - stages) | (rs - roles)
            if bad:
                raise WorkflowError(tr("Unknown stage or role in the workflow configuration: {0}").format(
                    ", ".join(sorted(bad))))
            if schema.STAGE_ORDER[to] <= schema.STAGE_ORDER[frm]:
                raise WorkflowError(tr("Workflow transition {0} → {1} does not go forward").format(frm, to))
            transitions.setdefault((frm, to), set()).update(rs)
        queues: Dict[str, List[str]] = {}
        return_from: Dict[str, List[str]] = {}
        for role, spec in (raw.get("roles") or {}).items():
            if role not in roles:
                raise WorkflowError(tr("Unknown role in the workflow configuration: {0}").format(role))
            q, rf = list(spec.get("queue", [])), list(spec.get("return_from", []))
            bad = (set(q) | set(rf)) - stages
            if bad:
                raise WorkflowError(tr("Unknown stage in the workflow configuration: {0}").format(", ".join(sorted(bad))))
            queues[role], return_from[role] = q, rf
        surv = raw.get("survival") or {}
        area = raw.get("area") or {}
        return WorkflowConfig(
            transitions=transitions, queues=queues, return_from=return_from,
            survival_stages=set(surv.get("stages", ["accepted"])),
            survival_threshold=float(surv.get("threshold", 85.0)),
            arid_threshold=float(surv.get("arid_threshold", 70.0)),
            arid=bool(surv.get("arid", False)),
            area_tolerance_mu=float(area.get("tolerance_mu", 0.1)),
            area_tolerance_pct=float(area.get("tolerance_pct", 1.0)),
            require_fresh_checks=bool(raw.get("require_fresh_checks", True)),
            recheck_stale=bool(raw.get("recheck_stale", True)),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise WorkflowError(tr("Invalid workflow configuration: {0}").format(e)) from e


def load_raw_config(path: str | None = None) -> Dict[str, Any]:
    """The default configuration merged with the working copy's "workflow_config" setting (dict or file path)."""
    with open(default_config_path(), encoding="utf-8") as f:
        raw = json.load(f)
    if path:
        over = geopackage.get_setting(path, CONFIG_SETTING)
        if isinstance(over, str) and over:
            file = over if os.path.isabs(over) else os.path.join(os.path.dirname(path), over)
            try:
                with open(file, encoding="utf-8") as f:
                    over = json.load(f)
            except (OSError, ValueError) as e:
                raise WorkflowError(tr("Cannot read the workflow configuration {0}: {1}").format(file, e)) from e
        if isinstance(over, dict):
            raw = _merge(raw, over)
    return raw


def load_config(path: str | None = None) -> WorkflowConfig:
    """The workflow configuration in force for the working copy at `path` (defaults when None)."""
    return parse_config(load_raw_config(path))


def current_user() -> str:
    """The reviewer's name: the plugin setting if set, else the operating-system user."""
    try:
        from qgis.core import QgsSettings

        name = QgsSettings().value(USER_SETTING_KEY, "", type=str)
        if name:
            return name
    except Exception:  # outside QGIS: fall back to the OS user
        pass
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


# ---------------------------------------------------------------------------
# SQLite access to the GeoPackage
# ---------------------------------------------------------------------------


AUDIT_TRIGGERS = {
    f"{schema.AUDIT}_no_update": "UPDATE",
    f"{schema.AUDIT}_no_delete": "DELETE",
}


def ensure_audit_protection(path: str) -> None:
    """Install triggers that make audit_log append-only (UPDATE and DELETE raise); idempotent."""
    with geopackage.connect(path) as con:
        for name, op in AUDIT_TRIGGERS.items():
            con.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {op} ON "{schema.AUDIT}" '
                f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed or deleted'); END")


def utc_now() -> str:
    """Current UTC time in the GeoPackage DATETIME format (YYYY-MM-DDTHH:MM:SS.SSSZ)."""
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _chunks(seq: Sequence[str], n: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# ---------------------------------------------------------------------------
# Check findings (contract with core.checks)
# ---------------------------------------------------------------------------


def open_findings_from_tables(path: str, patch_ids: Sequence[str]) -> Dict[str, List[Dict[str, Any]]]:
    """Fallback for core.checks.store.open_findings: check_issues minus accepted_exceptions, read directly."""
    out: Dict[str, List[Dict[str, Any]]] = {}
    with geopackage.connect(path) as con:
        for chunk in _chunks(list(patch_ids)):
            marks = ",".join("?" * len(chunk))
            rows = con.execute(
                f"SELECT i.patch_id, i.rule, i.severity, i.message, i.value, i.other_id FROM {schema.ISSUES} i "
                f"WHERE i.patch_id IN ({marks}) AND NOT EXISTS (SELECT 1 FROM {schema.EXCEPTIONS} e "
                f"WHERE e.patch_id = i.patch_id AND e.rule = i.rule "
                f"AND (e.other_id IS NULL OR e.other_id = '' OR e.other_id = i.other_id))", list(chunk)).fetchall()
            for pid, rule, sev, msg, val, other in rows:
                out.setdefault(pid, []).append(
                    dict(rule=rule, severity=sev, message=msg, value=val, other_id=other))
    return out


def open_findings(path: str, patch_ids: Sequence[str]) -> Dict[str, List[Dict[str, Any]]]:
    """Open findings per patch: the check store's function when installed, else the table fallback."""
    try:
        store = importlib.import_module(f"{__package__}.checks.store")
        fn = store.open_findings
    except (ImportError, AttributeError):
        return open_findings_from_tables(path, patch_ids)
    return fn(path, list(patch_ids))


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
    """Re-run the check engine on `patch_ids` if it is installed and can check a subset; True if it ran."""
    try:
        engine = importlib.import_module(f"{__package__}.checks.engine")
        fn = engine.check_working_copy
    except (ImportError, AttributeError):
        return False
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    if "patch_ids" not in params:
        return False  # re-checking the whole county inside a transition would surprise the reviewer
    fn(path, patch_ids=patch_ids)
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

    @property
    def refused(self) -> List[PatchResult]:
        return [r for r in self.results if not r.ok]

    @property
    def changed(self) -> int:
        return len(self.results) if self.applied else 0

    def summary(self) -> str:
        """One line for a message bar."""
        if self.applied and any(r.action == ACTION_RETURN for r in self.results):
            return tr("{0} patch(es) returned to {1}").format(self.changed, schema.stage_label(self.target, ui_language()))
        if self.applied:
            return tr("{0} patch(es) moved to {1}").format(self.changed, schema.stage_label(self.target, ui_language()))
        if self.error:
            return tr("Nothing changed: {0}").format(self.error)
        return tr("Nothing changed: {0} of {1} patch(es) refused").format(len(self.refused), len(self.results))

    def to_dict(self) -> Dict[str, Any]:
        return dict(target=self.target, role=self.role, user=self.user, applied=self.applied, at=self.at,
                    error=self.error, total=len(self.results), changed=self.changed, refused=len(self.refused),
                    results=[r.to_dict() for r in self.results])


def read_patches(path: str, patch_ids: Sequence[str]) -> Dict[str, Tuple[int, Dict[str, Any], bytes | None]]:
    out: Dict[str, Tuple[int, Dict[str, Any], bytes | None]] = {}
    ids = list(dict.fromkeys(patch_ids))
    for chunk in _chunks(ids, 200):
        quoted = ",".join("'" + pid.replace("'", "''") + "'" for pid in chunk)
        for fid, attrs, wkb in geopackage.read_features(path, schema.PATCHES, where=f"patch_id IN ({quoted})"):
            out[attrs["patch_id"]] = (fid, attrs, wkb)
    return out


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


class WorkflowEngine:
    """Evaluates and applies stage transitions and returns on one working copy."""

    def __init__(self, path: str, config: WorkflowConfig | None = None):
        geopackage.check_working_copy(path)
        self.path = path
        self.config = config or load_config(path)
        self._calc = None

    # -- helpers -----------------------------------------------------------------------------
    def _area_calc(self):
        if self._calc is None:
            from .area import AreaCalculator  # QGIS core; created once per engine

            crs = geopackage.get_setting(self.path, "crs") or schema.DEFAULT_PROJECT_CRS
            self._calc = AreaCalculator(crs)
        return self._calc

    def _area_refusal(self, attrs: Dict[str, Any], wkb: bytes | None) -> Refusal | None:
        from qgis.core import QgsGeometry

        if wkb is None:
            return Refusal(R_AREA, tr("The patch has no geometry"))
        geom = QgsGeometry()
        geom.fromWkb(wkb)
        computed = self._area_calc().area(geom).mu
        tol = max(self.config.area_tolerance_mu, computed * self.config.area_tolerance_pct / 100.0)
        declared = [("area_mu", attrs.get("area_mu"), 1.0), ("area_ha", attrs.get("area_ha"), schema.MU_PER_HA)]
        bad = []
        for name, value, factor in declared:
            if value is None:
                continue  # a missing area is reported as a missing field
            if abs(float(value) * factor - computed) > tol:
                bad.append(f"{name} = {float(value):.2f}")
        if bad:
            return Refusal(R_AREA, tr("Attribute area ({0}) differs from the mapped area {1:.2f} mu by more than "
                                      "{2:.2f} mu").format(", ".join(bad), computed, tol))
        return None

    def plan(self, patch_ids: Sequence[str], target: str, role: str, reason: str | None = None,
             comment: str = "", recheck: bool | None = None) -> List[PatchResult]:
        """Evaluate every patch against the rules without changing anything; one PatchResult each."""
        if target not in schema.STAGES:
            raise WorkflowError(tr("Unknown stage: {0}").format(target))
        if role not in schema.ROLES:
            raise WorkflowError(tr("Unknown role: {0}").format(role))
        if reason and reason not in schema.REJECTION_REASONS:
            raise WorkflowError(tr("Unknown rejection reason: {0}").format(reason))
        ids = list(dict.fromkeys(p for p in patch_ids if p))
        cfg = self.config
        patches = read_patches(self.path, ids)
        results: List[PatchResult] = []
        forward: List[PatchResult] = []
        for pid in ids:
            if pid not in patches:
                results.append(PatchResult(pid, None, None, target, ACTION_TRANSITION,
                                           refusals=[Refusal(R_NOT_FOUND, tr("No such patch"))]))
                continue
            fid, attrs, _wkb = patches[pid]
            stage = attrs.get("stage") or "design"
            is_return = target in cfg.ancestors(stage) or (
                schema.STAGE_ORDER.get(target, 0) < schema.STAGE_ORDER.get(stage, 0))
            res = PatchResult(pid, fid, stage, target, ACTION_RETURN if is_return else ACTION_TRANSITION,
                              revision=attrs.get("revision"))
            results.append(res)
            if stage == target:
                res.refusals.append(Refusal(R_SAME_STAGE, tr("The patch is already at this stage")))
            elif is_return:
                self._plan_return(res, role, reason, comment)
            else:
                self._plan_forward(res, role, attrs, _wkb)
                forward.append(res)
        # Checks-based preconditions for every forward move, together (one query, one re-check).
        candidates = [r for r in forward if R_ROLE not in r.codes and R_NOT_ALLOWED not in r.codes]
        if candidates:
            self._plan_checks(candidates, patches, cfg.recheck_stale if recheck is None else recheck)
        return results

    def _plan_return(self, res: PatchResult, role: str, reason: str | None, comment: str) -> None:
        cfg = self.config
        if res.from_stage not in cfg.return_from.get(role, []):
            res.refusals.append(Refusal(R_ROLE, tr("Role {0} may not return patches at stage {1}").format(
                schema.ROLES.label(role, ui_language()), schema.stage_label(res.from_stage or "", ui_language()))))
        elif res.to_stage not in cfg.return_targets(role, res.from_stage or ""):
            res.refusals.append(Refusal(R_NOT_ALLOWED, tr("A patch at {0} cannot be returned to {1}").format(
                schema.stage_label(res.from_stage or "", ui_language()), schema.stage_label(res.to_stage, ui_language()))))
        if not reason:
            res.refusals.append(Refusal(R_REASON, tr("A return needs a reason")))
        elif reason == "other" and not (comment or "").strip():
            res.refusals.append(Refusal(R_COMMENT, tr("Reason \"other\" needs a comment")))

    def _plan_forward(self, res: PatchResult, role: str, attrs: Dict[str, Any], wkb: bytes | None) -> None:
        cfg = self.config
        stage, target = res.from_stage or "design", res.to_stage
        roles = cfg.transitions.get((stage, target))
        if roles is None:
            res.refusals.append(Refusal(R_NOT_ALLOWED, tr("No transition from {0} to {1} (stages cannot be "
                                                          "skipped)").format(schema.stage_label(stage, ui_language()),
                                                                             schema.stage_label(target, ui_language()))))
            return
        if role not in roles:
            res.refusals.append(Refusal(R_ROLE, tr("Role {0} may not move patches from {1} to {2}").format(
                schema.ROLES.label(role, ui_language()), schema.stage_label(stage, ui_language()), schema.stage_label(target, ui_language()))))
            return
        missing = [f for f in schema.required_fields_for_stage(target) if _empty(attrs.get(f.name))]
        if missing:
            res.refusals.append(Refusal(R_MISSING, tr("Required for {0}: {1}").format(
                schema.stage_label(target, ui_language()), ", ".join(f"{f.label(ui_language())} ({f.name})" for f in missing))))
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

    def apply(self, patch_ids: Sequence[str], target: str, role: str, reason: str | None = None,
              comment: str = "", user: str | None = None, recheck: bool | None = None,
              dry_run: bool = False) -> BatchReport:
        """Move every patch to `target` (forward or return), all or nothing; report per patch."""
        user = (user or "").strip() or current_user()
        results = self.plan(patch_ids, target, role, reason, comment, recheck)
        report = BatchReport(target, role, user, False, results)
        if not results:
            report.error = tr("No patches selected")
            return report
        if report.refused or dry_run:
            return report
        report.at = utc_now()
        ensure_audit_protection(self.path)
        con = geopackage.open_connection(self.path)
        try:
            con.execute("BEGIN IMMEDIATE")  # take the write lock up front: no other writer can interleave
            for r in results:
                cur = con.execute(
                    f"UPDATE {schema.PATCHES} SET stage = ?, revision = COALESCE(revision, 0) + 1, updated_at = ? "
                    f"WHERE patch_id = ? AND stage = ? AND COALESCE(revision, 0) = ?",
                    (target, report.at, r.patch_id, r.from_stage, r.revision or 0))
                if cur.rowcount != 1:  # edited by someone else since plan(): refuse the whole batch
                    r.refusals.append(Refusal(R_CHANGED, tr("The patch was changed meanwhile; try again")))
                    raise _Abort()
                con.execute(
                    f"INSERT INTO {schema.AUDIT} (patch_id, action, from_stage, to_stage, user_name, role, reason, "
                    f"comment, patch_version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (r.patch_id, r.action, r.from_stage, target, user, role,
                     reason or None,
                     (comment or "").strip() or None, (r.revision or 0) + 1, report.at))
            con.commit()
            report.applied = True
            for r in results:
                r.revision = (r.revision or 0) + 1
        except _Abort:
            con.rollback()
        except sqlite3.Error as e:
            con.rollback()
            report.error = str(e)
        finally:
            con.close()
        return report

    # -- read side -------------------------------------------------------------------------
    def queue(self, role: str) -> List[Dict[str, Any]]:
        """Patches awaiting `role`'s review (stages from the config), ordered by stage then patch number."""
        stages = self.config.queues.get(role, [])
        if not stages:
            return []
        cols = ("fid", "patch_id", "stage", "tuban_no", "village_code", "area_mu", "revision", "updated_at")
        marks = ",".join("?" * len(stages))
        with geopackage.connect(self.path) as con:
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {schema.PATCHES} WHERE stage IN ({marks})",
                               stages).fetchall()
            names = dict(con.execute(f"SELECT code, name FROM {schema.ADMIN} WHERE level = 'village'").fetchall())
        out = [dict(zip(cols, r)) for r in rows]
        for d in out:
            d["village_name"] = names.get(d["village_code"])
        out.sort(key=lambda d: (schema.STAGE_ORDER.get(d["stage"], 99), d["tuban_no"] or "", d["fid"]))
        return out


class _Abort(Exception):
    pass


def history(path: str, patch_id: str) -> List[Dict[str, Any]]:
    """The audit trail of one patch, oldest first."""
    cols = [f.name for f in schema.AUDIT_FIELDS]
    with geopackage.connect(path) as con:
        rows = con.execute(f"SELECT {', '.join(cols)} FROM {schema.AUDIT} WHERE patch_id = ? ORDER BY at, fid",
                           (patch_id,)).fetchall()
    return [dict(zip(cols, r)) for r in rows]


def transition(path: str, patch_ids: Sequence[str], target: str, role: str, user: str | None = None,
               config: WorkflowConfig | None = None, comment: str = "") -> BatchReport:
    """Move patches forward to `target`, all or nothing."""
    return WorkflowEngine(path, config).apply(patch_ids, target, role, comment=comment, user=user)


def return_patches(path: str, patch_ids: Sequence[str], target: str, role: str, reason: str, comment: str = "",
                   user: str | None = None, config: WorkflowConfig | None = None) -> BatchReport:
    """Return patches for rectification to the earlier stage `target`, all or nothing."""
    return WorkflowEngine(path, config).apply(patch_ids, target, role, reason=reason, comment=comment, user=user)
