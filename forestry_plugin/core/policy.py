"""The workflow policy: who may do what to a patch at which stage. One configuration, owned by the platform.

Pure Python (the schema only, no QGIS): the reference platform enforces it on every request, and the plugin
uses the copy the platform serves to offer each user only what their role may do. The plugin's bundled
`resources/workflow.json` is the platform's default and what a local technician without an account works with.

Everything that can be refused has a stable reason code (REASONS) with an English and a Chinese message, so
the platform's per-item rejections and the plugin's own refusals read the same.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from .. import schema

OWN = "own"  # scope of a permission: only patches the account created
ANY = "any"

# reason code -> (English, Chinese). Placeholders are str.format fields filled from the refusal's details.
REASONS: Dict[str, Tuple[str, str]] = {
    "role_not_allowed": ("Role {role} may not do this at stage {stage}", "角色{role}不能在{stage}阶段执行此操作"),
    "transition_not_allowed": ("No transition from {from_stage} to {to_stage}", "不允许从{from_stage}转到{to_stage}"),
    "return_not_allowed": ("A patch at {from_stage} cannot be returned to {to_stage}",
                           "{from_stage}阶段的图斑不能退回到{to_stage}"),
    "stage_mismatch": ("The patch is at {stage} on the platform, not at {from_stage}",
                       "图斑在平台上处于{stage}阶段，而非{from_stage}"),
    "version_conflict": ("The patch changed on the platform (version {server_version}) since version {base_version}",
                         "图斑在平台上已更新（版本{server_version}），不再是版本{base_version}"),
    "identity_mismatch": ("Recorded as {claimed} but sent by {user}: {claimed} must log in and sync",
                          "记录为{claimed}所做，却由{user}提交：须由{claimed}登录后同步"),
    "out_of_scope": ("Account {user} does not cover unit {unit}", "账号{user}无权管理{unit}"),
    "reason_required": ("A return needs a national reason", "退回须选择退回原因"),
    "comment_required": ("Reason \"other\" needs a comment", "退回原因为“其他”时须填写意见"),
    "missing_fields": ("Required at {stage}: {fields}", "{stage}阶段必填：{fields}"),
    "survival": ("Survival rate {rate} % is below {threshold} %", "成活率{rate}%低于{threshold}%"),
    "invalid_value": ("{field}: {problem}", "{field}：{problem}"),
    "invalid_geometry": ("The geometry is not a valid polygon: {problem}", "几何不是有效的面：{problem}"),
    "outside_county": ("The patch lies outside county {county}", "图斑不在{county}范围内"),
    "implausible_area": ("Area {area_mu} mu is not plausible for one patch (0 to {max_mu} mu)",
                         "面积{area_mu}亩不合理（单个图斑应在0至{max_mu}亩之间）"),
    "area_mismatch": ("Attribute area {area_mu} mu differs from the mapped area {computed_mu} mu",
                      "属性面积{area_mu}亩与图上面积{computed_mu}亩不一致"),
    "create_stage": ("A new patch starts at design, not at {stage}", "新图斑只能从设计施工阶段开始，不能直接为{stage}"),
    "stage_change": ("The stage changes only through a transition (platform: {stage}, sent: {sent})",
                     "阶段只能通过审核流转改变（平台：{stage}，提交：{sent}）"),
    "create_not_allowed": ("Role {role} may not create patches", "角色{role}不能新建图斑"),
    "edit_not_allowed": ("Role {role} may not edit a patch at stage {stage}", "角色{role}不能修改{stage}阶段的图斑"),
    "delete_not_allowed": ("Role {role} may not delete a patch at stage {stage}", "角色{role}不能删除{stage}阶段的图斑"),
    "not_owner": ("Only the account that created the patch ({owner}) may change it", "只有创建该图斑的账号（{owner}）可以修改"),
    "exception_not_allowed": ("Role {role} may not accept rule {rule} as an exception",
                              "角色{role}不能将规则{rule}的问题认可为例外"),
    "exception_forbidden": ("Rule {rule} can never be accepted as an exception", "规则{rule}的问题不允许认可为例外"),
    "approval_ref_required": ("Accepting rule {rule} needs an approval reference number", "认可规则{rule}须填写审批文号"),
    "reason_text_required": ("An exception needs a reason", "认可例外须说明理由"),
    "unknown_patch": ("No such patch on the platform", "平台上没有该图斑"),
    "unknown_rule": ("Unknown check rule {rule}", "未知的检查规则{rule}"),
    "audit_chain_broken": ("The audit log does not continue the platform's copy: {problem}",
                           "审核日志与平台副本不衔接：{problem}"),
    "changed_on_platform": ("The patch changed on the platform before this move reached it",
                            "该操作送达平台前，图斑已在平台上被修改"),
    "identity_expired": ("The cached login has expired: log in again", "登录缓存已过期，请重新登录"),
    "bad_item": ("The item is malformed: {problem}", "提交项格式错误：{problem}"),
}


def reason_message(code: str, lang: str = "en", **details: Any) -> str:
    """The message of a reason code in `lang` ("zh…" or "en"), details filled in (missing ones left as is)."""
    en, zh = REASONS.get(code, (code, code))
    text = zh if str(lang).startswith("zh") else en
    try:
        return text.format_map(_Default(details))
    except (ValueError, IndexError):
        return text


class _Default(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def rejection(code: str, **details: Any) -> Dict[str, Any]:
    """A per-item rejection as the platform sends it: code, both messages, details."""
    return {"code": code, "message_en": reason_message(code, "en", **details),
            "message_zh": reason_message(code, "zh", **details), "details": details}


class PolicyError(ValueError):
    """A workflow configuration that cannot be used (unknown stage or role, bad value)."""


@dataclass(frozen=True)
class ExceptionRule:
    """Who may accept findings of one rule (or severity) as exceptions, and whether an approval number is needed."""

    roles: frozenset
    approval_ref: bool = False


@dataclass
class Policy:
    """Transitions, queues, returns, per-stage create/edit/delete permissions, exception policy, preconditions."""

    raw: Dict[str, Any]
    transitions: Dict[Tuple[str, str], Set[str]]  # (from, to) -> roles allowed
    queues: Dict[str, List[str]]  # role -> stages awaiting this role
    return_from: Dict[str, List[str]]  # role -> stages this role may return from
    create: Dict[str, Set[str]] = field(default_factory=dict)  # stage -> roles that may create patches there
    edit: Dict[str, Dict[str, str]] = field(default_factory=dict)  # stage -> role -> ANY | OWN
    delete: Dict[str, Dict[str, str]] = field(default_factory=dict)
    exception_severity: Dict[str, ExceptionRule] = field(default_factory=dict)  # severity -> rule
    exception_rules: Dict[str, ExceptionRule] = field(default_factory=dict)  # rule code -> rule (overrides)
    survival_stages: Set[str] = field(default_factory=lambda: {"accepted"})
    survival_threshold: float = 85.0
    arid_threshold: float = 70.0
    arid: bool = False
    # The platform's thresholds of the area_mismatch rule (checks.rules.area_mismatch): area.tolerance_mu and
    # area.tolerance_pct, a percentage (tolerance_pct 1 = the rule's tolerance_rel 0.01; see area_thresholds).
    area_tolerance_mu: float = 0.1
    area_tolerance_pct: float = 1.0
    max_patch_mu: float = 15000.0
    require_fresh_checks: bool = True
    recheck_stale: bool = True
    offline_days: float = 7.0
    local_role: str = "county_technician"

    @property
    def area_thresholds(self) -> Dict[str, float]:
        """The policy's area keys as the area_mismatch rule's thresholds: {"tolerance_mu", "tolerance_rel"}."""
        return {"tolerance_mu": float(self.area_tolerance_mu), "tolerance_rel": float(self.area_tolerance_pct) / 100.0}

    # -- identity of the configuration ------------------------------------------------------
    @property
    def fingerprint(self) -> str:
        """A short hash of the configuration, to tell which copy is in force."""
        return hashlib.sha256(canonical_json(self.raw).encode("utf-8")).hexdigest()[:16]

    # -- transitions ------------------------------------------------------------------------
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

    def is_return(self, from_stage: str, to_stage: str) -> bool:
        """True when moving from `from_stage` to `to_stage` goes backwards."""
        return to_stage in self.ancestors(from_stage) or \
            schema.STAGE_ORDER.get(to_stage, 0) < schema.STAGE_ORDER.get(from_stage, 0)

    def transition_refusal(self, role: str, from_stage: str, to_stage: str, reason: Optional[str] = None,
                           comment: str = "") -> Optional[Dict[str, Any]]:
        """None when `role` may move a patch from `from_stage` to `to_stage` (with that reason), else a rejection."""
        if from_stage not in schema.STAGES or to_stage not in schema.STAGES:
            return rejection("bad_item", problem=f"unknown stage {from_stage!r} or {to_stage!r}")
        if self.is_return(from_stage, to_stage):
            if from_stage not in self.return_from.get(role, []):
                return rejection("role_not_allowed", role=role, stage=from_stage)
            if to_stage not in self.return_targets(role, from_stage):
                return rejection("return_not_allowed", from_stage=from_stage, to_stage=to_stage)
            if not reason or reason not in schema.REJECTION_REASONS:
                return rejection("reason_required")
            if reason == "other" and not (comment or "").strip():
                return rejection("comment_required")
            return None
        roles = self.transitions.get((from_stage, to_stage))
        if roles is None:
            return rejection("transition_not_allowed", from_stage=from_stage, to_stage=to_stage)
        if role not in roles:
            return rejection("role_not_allowed", role=role, stage=from_stage)
        return None

    # -- create / edit / delete -------------------------------------------------------------
    def create_refusal(self, role: str, stage: str) -> Optional[Dict[str, Any]]:
        """None when `role` may create a patch at `stage`."""
        if stage not in self.create:
            return rejection("create_stage", stage=stage)
        if role not in self.create[stage]:
            return rejection("create_not_allowed", role=role)
        return None

    def _scoped(self, table: Dict[str, Dict[str, str]], code: str, role: str, stage: str, own: bool,
                owner: str = "") -> Optional[Dict[str, Any]]:
        scope = table.get(stage, {}).get(role)
        if scope is None:
            return rejection(code, role=role, stage=stage)
        if scope == OWN and not own:
            return rejection("not_owner", owner=owner or "?")
        return None

    def edit_refusal(self, role: str, stage: str, own: bool, owner: str = "") -> Optional[Dict[str, Any]]:
        """None when `role` may edit a patch at `stage` (`own`: the account created it)."""
        return self._scoped(self.edit, "edit_not_allowed", role, stage, own, owner)

    def delete_refusal(self, role: str, stage: str, own: bool, owner: str = "") -> Optional[Dict[str, Any]]:
        """None when `role` may delete a patch at `stage`."""
        return self._scoped(self.delete, "delete_not_allowed", role, stage, own, owner)

    # -- exceptions -------------------------------------------------------------------------
    def exception_rule(self, rule: str, severity: str) -> ExceptionRule:
        """Who may accept a finding of `rule` with `severity` as an exception."""
        if rule in self.exception_rules:
            return self.exception_rules[rule]
        return self.exception_severity.get(severity, ExceptionRule(frozenset()))

    def exception_refusal(self, role: str, rule: str, severity: str, reason: str = "",
                          approval_ref: str = "") -> Optional[Dict[str, Any]]:
        """None when `role` may accept a `rule`/`severity` finding with this reason and approval number."""
        er = self.exception_rule(rule, severity)
        if not er.roles:
            return rejection("exception_forbidden", rule=rule)
        if role not in er.roles:
            return rejection("exception_not_allowed", role=role, rule=rule)
        if not (reason or "").strip():
            return rejection("reason_text_required")
        if er.approval_ref and not (approval_ref or "").strip():
            return rejection("approval_ref_required", rule=rule)
        return None


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same text for the same content everywhere."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _finite(value: Any, name: str, lo: float = 0.0, hi: float = math.inf) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as e:
        raise PolicyError(f"{name} must be a number, not {value!r}") from e
    if not math.isfinite(v) or v < lo or v > hi:
        raise PolicyError(f"{name} must be between {lo} and {hi}, not {value!r}")
    return v


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise PolicyError(f"{name} must be true or false, not {value!r}")


def _roles(values: Iterable[Any], where: str) -> Set[str]:
    roles = set(schema.ROLES.values())
    out = set()
    for v in values:
        if v not in roles:
            raise PolicyError(f"unknown role {v!r} in {where}")
        out.add(v)
    return out


def _stage(value: Any, where: str) -> str:
    if value not in schema.STAGES:
        raise PolicyError(f"unknown stage {value!r} in {where}")
    return value


def _scoped_table(raw: Any, where: str) -> Dict[str, Dict[str, str]]:
    out: Dict[str, Dict[str, str]] = {}
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be an object of stage -> roles")
    for stage, entries in raw.items():
        _stage(stage, where)
        if not isinstance(entries, list):
            raise PolicyError(f"{where}.{stage} must be a list of roles")
        table = {}
        for e in entries:
            role, _, scope = str(e).partition(":")
            _roles([role], f"{where}.{stage}")
            if scope not in ("", OWN):
                raise PolicyError(f"unknown scope {scope!r} in {where}.{stage} (use role or role:own)")
            table[role] = OWN if scope else ANY
        out[stage] = table
    return out


def _exception_rule(raw: Any, where: str) -> ExceptionRule:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be an object with roles")
    unknown = set(raw) - {"roles", "approval_ref"}
    if unknown:
        raise PolicyError(f"unknown key(s) {sorted(unknown)} in {where}")
    return ExceptionRule(frozenset(_roles(raw.get("roles", []), where)),
                         _bool(raw.get("approval_ref", False), f"{where}.approval_ref"))


def parse_policy(raw: Dict[str, Any], rule_codes: Optional[Iterable[str]] = None) -> Policy:
    """Validate a configuration (workflow.json format) and build a Policy; PolicyError says what is wrong."""
    if not isinstance(raw, dict):
        raise PolicyError("the workflow configuration must be a JSON object")
    raw = copy.deepcopy(raw)
    transitions: Dict[Tuple[str, str], Set[str]] = {}
    items = raw.get("transitions")
    if not isinstance(items, list) or not items:
        raise PolicyError("transitions must be a non-empty list")
    for t in items:
        if not isinstance(t, dict):
            raise PolicyError("each transition must be an object with from, to and roles")
        frm, to = _stage(t.get("from"), "transitions"), _stage(t.get("to"), "transitions")
        if schema.STAGE_ORDER[to] <= schema.STAGE_ORDER[frm]:
            raise PolicyError(f"transition {frm} -> {to} does not go forward")
        transitions.setdefault((frm, to), set()).update(_roles(t.get("roles") or [], f"transition {frm} -> {to}"))
    queues: Dict[str, List[str]] = {}
    return_from: Dict[str, List[str]] = {}
    for role, spec in (raw.get("roles") or {}).items():
        _roles([role], "roles")
        if not isinstance(spec, dict):
            raise PolicyError(f"roles.{role} must be an object")
        queues[role] = [_stage(s, f"roles.{role}.queue") for s in spec.get("queue", [])]
        return_from[role] = [_stage(s, f"roles.{role}.return_from") for s in spec.get("return_from", [])]
    perms = raw.get("permissions") or {}
    create: Dict[str, Set[str]] = {}
    for stage, roles in (perms.get("create") or {}).items():
        create[_stage(stage, "permissions.create")] = _roles(roles, f"permissions.create.{stage}")
    edit = _scoped_table(perms.get("edit") or {}, "permissions.edit")
    delete = _scoped_table(perms.get("delete") or {}, "permissions.delete")
    exc = raw.get("exceptions") or {}
    severity_rules = {sev: _exception_rule(exc[sev], f"exceptions.{sev}") for sev in ("error", "warning", "info")
                      if sev in exc}
    known_rules = set(rule_codes) if rule_codes is not None else None
    rule_table = {}
    for rule, spec in (exc.get("rules") or {}).items():
        if known_rules is not None and rule not in known_rules:
            raise PolicyError(f"unknown check rule {rule!r} in exceptions.rules")
        rule_table[rule] = _exception_rule(spec, f"exceptions.rules.{rule}")
    surv = raw.get("survival") or {}
    area = raw.get("area") or {}
    ident = raw.get("identity") or {}
    local_role = raw.get("local_role", "county_technician")
    _roles([local_role], "local_role")
    return Policy(
        raw=raw, transitions=transitions, queues=queues, return_from=return_from, create=create, edit=edit,
        delete=delete, exception_severity=severity_rules, exception_rules=rule_table,
        survival_stages={_stage(s, "survival.stages") for s in surv.get("stages", ["accepted"])},
        survival_threshold=_finite(surv.get("threshold", 85.0), "survival.threshold", 0, 100),
        arid_threshold=_finite(surv.get("arid_threshold", 70.0), "survival.arid_threshold", 0, 100),
        arid=_bool(surv.get("arid", False), "survival.arid"),
        area_tolerance_mu=_finite(area.get("tolerance_mu", 0.1), "area.tolerance_mu"),
        area_tolerance_pct=_finite(area.get("tolerance_pct", 1.0), "area.tolerance_pct", 0, 100),
        max_patch_mu=_finite(area.get("max_patch_mu", 15000.0), "area.max_patch_mu", 0.0),
        require_fresh_checks=_bool(raw.get("require_fresh_checks", True), "require_fresh_checks"),
        recheck_stale=_bool(raw.get("recheck_stale", True), "recheck_stale"),
        offline_days=_finite(ident.get("offline_days", 7.0), "identity.offline_days", 0, 365),
        local_role=local_role,
    )


# ---------------------------------------------------------------------------
# Value validation (what the platform refuses in any patch it is sent)
# ---------------------------------------------------------------------------

_NUMBER = (int, float)


def value_problems(props: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Rejections for values that break the schema: code lists, ranges, patterns, types (not requiredness)."""
    out = []
    for f in schema.PATCH_FIELDS:
        if f.name not in props or not f.synced:
            continue
        v = props[f.name]
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        problem = None
        if isinstance(v, (dict, list)):
            problem = "must be a plain value"
        elif f.type in (schema.INTEGER, schema.REAL):
            if isinstance(v, bool) or not isinstance(v, _NUMBER) or not math.isfinite(float(v)):
                problem = f"must be a number, not {v!r}"
            elif f.type == schema.INTEGER and float(v) != int(v):
                problem = f"must be a whole number, not {v!r}"
            elif f.min_value is not None and float(v) < f.min_value:
                problem = f"{v} is below {f.min_value:g}"
            elif f.max_value is not None and float(v) > f.max_value:
                problem = f"{v} is above {f.max_value:g}"
        elif not isinstance(v, str):
            problem = f"must be text, not {v!r}"
        else:
            if f.length and len(v) > f.length:
                problem = f"longer than {f.length} characters"
            elif f.code_list and v not in schema.CODE_LISTS[f.code_list]:
                problem = f"{v!r} is not in the code list {f.code_list}"
            elif f.pattern and not re.fullmatch(f.pattern, v):
                problem = f"{v!r} has the wrong form"
        if problem:
            out.append(rejection("invalid_value", field=f.name, problem=problem))
    return out


def missing_for_stage(props: Dict[str, Any], stage: str) -> List[str]:
    """Names of fields required at `stage` that are empty in `props`."""
    return [f.name for f in schema.required_fields_for_stage(stage)
            if props.get(f.name) is None or (isinstance(props.get(f.name), str) and not props[f.name].strip())]


def unit_covered(units: Iterable[str], code: str) -> bool:
    """True when one of an account's administrative units (code prefixes) contains the unit `code`."""
    return any(code.startswith(u) for u in units if u)
