"""Rule profiles: which rules run, with which severity and thresholds; stored in the working copy.

Profiles are validated whenever they are read (from_dict/from_json/from_file/load_profile) or written
(save_file/save_profile) or changed (set): unknown rules, keys and thresholds are refused with a suggestion,
`enabled` must be a JSON boolean, `severity` one of rules.SEVERITY_CODES, thresholds finite numbers within
rules.THRESHOLD_RANGES. Every problem is listed in one ProfileError (a ValueError) naming the rule, the key, what is
wrong and what is allowed; a bad profile stored in a working copy gives StoredProfileError (also a WorkingCopyError).
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from ...i18n import tr
from ...settings import WorkingCopyKey
from .. import geopackage
from ..output_file import write_file
from . import rules

SETTING_KEY = WorkingCopyKey.RULES_PROFILE
PROFILE_VERSION = 1
RULE_KEYS = ("enabled", "severity", "thresholds")
TOP_KEYS = ("version", "rules")


class ProfileError(ValueError):
    """A rules profile that cannot be used; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[str], source: str = ""):
        self.problems = list(problems)
        self.source = source
        text = "; ".join(self.problems)
        super().__init__(tr("Invalid rules profile {0}: {1}").format(source, text) if source
                         else tr("Invalid rules profile: {0}").format(text))


class StoredProfileError(ProfileError, geopackage.WorkingCopyError):
    """The profile stored in a working copy (setting rules_profile) is invalid: nothing can be checked with it."""

    def __init__(self, path: str, problems: Iterable[str]):
        problems = list(problems)
        ValueError.__init__(self, tr(
            "The rules profile stored in the working copy {0} (setting {1}) is invalid: {2}. Store a corrected "
            "profile, or remove the setting to use the default rules").format(path, SETTING_KEY, "; ".join(problems)))
        self.problems = problems
        self.source = path


def _shown(value: Any) -> str:
    """A value as it reads in JSON (strings in quotes), shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _did_you_mean(word: Any, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return tr(' (did you mean "{0}"?)').format(match[0]) if match else ""


def threshold_problem(code: str, name: str, value: Any) -> Optional[str]:
    """Why `value` cannot be threshold `name` of rule `code` (None if it can)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return tr('rule "{0}", threshold "{1}": must be a number (without quotes), got {2}').format(
            code, name, _shown(value))
    x = float(value)
    if not math.isfinite(x):
        return tr('rule "{0}", threshold "{1}": must be a finite number, got {2}').format(code, name, _shown(x))
    lo, hi = rules.THRESHOLD_RANGES.get(name, (0.0, None))
    if hi is None and x < lo:
        return tr('rule "{0}", threshold "{1}": must be at least {2}, got {3}').format(code, name, f"{lo:g}", f"{x:g}")
    if hi is not None and not lo <= x <= hi:
        return tr('rule "{0}", threshold "{1}": must be between {2} and {3} (a fraction, not a percentage), '
                  'got {4}').format(code, name, f"{lo:g}", f"{hi:g}", f"{x:g}")
    return None


def rule_problems(code: str, settings: Any, also_meant: Iterable[str] = ()) -> List[str]:
    """Every problem of the settings of one rule in a profile ([] if they are valid); `also_meant`: other keys a
    misspelt rule code may have been meant as."""
    if code not in rules.RULE:
        return [tr('unknown rule "{0}"{1}; known rules: {2}').format(
            code, _did_you_mean(code, rules.RULE_CODES + tuple(also_meant)), ", ".join(rules.RULE_CODES))]
    if not isinstance(settings, dict):
        return [tr('rule "{0}": its settings must be an object with the keys {1}, got {2}').format(
            code, ", ".join(RULE_KEYS), _shown(settings))]
    out: List[str] = []
    names = list(rules.RULE[code].thresholds)
    for key in settings:
        if key in RULE_KEYS:
            continue
        if key in names:
            out.append(tr('rule "{0}": "{1}" is a threshold and goes inside "thresholds", e.g. '
                          '"thresholds": {{"{1}": {2}}}').format(code, key, _shown(settings[key])))
        else:
            out.append(tr('rule "{0}": unknown key "{1}"{2}; allowed keys: {3}').format(
                code, key, _did_you_mean(key, RULE_KEYS), ", ".join(RULE_KEYS)))
    if "enabled" in settings and not isinstance(settings["enabled"], bool):
        out.append(tr('rule "{0}", key "enabled": must be true or false (a JSON boolean, without quotes), '
                      'got {1}').format(code, _shown(settings["enabled"])))
    if "severity" in settings and settings["severity"] not in rules.SEVERITY_CODES:
        sev = settings["severity"]
        out.append(tr('rule "{0}", key "severity": {1} is not a severity{2}; allowed: {3}').format(
            code, _shown(sev), _did_you_mean(sev, rules.SEVERITY_CODES) if isinstance(sev, str) else "",
            ", ".join(rules.SEVERITY_CODES)))
    if "thresholds" in settings:
        th = settings["thresholds"]
        if not isinstance(th, dict):
            out.append(tr('rule "{0}", key "thresholds": must be an object of threshold names and numbers, '
                          'got {1}').format(code, _shown(th)))
            return out
        for name, value in th.items():
            if name in names:
                problem = threshold_problem(code, name, value)
                if problem:
                    out.append(problem)
            elif not names:
                out.append(tr('rule "{0}" has no thresholds, but the profile sets "{1}"').format(code, name))
            else:
                out.append(tr('rule "{0}": unknown threshold "{1}"{2}; allowed: {3}').format(
                    code, name, _did_you_mean(name, names), ", ".join(names)))
    return out


def profile_problems(data: Any) -> List[str]:
    """Every problem of a profile as parsed from JSON ([] if it is valid).

    Two shapes are read: {"version": 1, "rules": {code: settings}} (what to_dict writes) and, as earlier versions
    accepted, {code: settings} directly. Rules left out keep their defaults.
    """
    if not isinstance(data, dict):
        return [tr("a rules profile must be a JSON object, got {0}").format(_shown(data))]
    out: List[str] = []
    if "version" in data:
        v = data["version"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            out.append(tr('"version" must be the number {0}, got {1}').format(PROFILE_VERSION, _shown(v)))
        elif v > PROFILE_VERSION:
            out.append(tr('"version" {0} was written by a newer plugin version; this one reads version {1}').format(
                v, PROFILE_VERSION))
    if "rules" in data:
        for key in data:
            if key not in TOP_KEYS:
                out.append(tr('unknown top-level key "{0}"{1}; allowed: {2}').format(
                    key, _did_you_mean(key, TOP_KEYS + rules.RULE_CODES), ", ".join(TOP_KEYS)))
        raw = data["rules"]
        if not isinstance(raw, dict):
            out.append(tr('"rules" must be an object of rule codes and their settings, got {0}').format(_shown(raw)))
            return out
    else:
        raw = {k: v for k, v in data.items() if k != "version"}
    for code, settings in raw.items():
        out += rule_problems(code, settings, () if "rules" in data else TOP_KEYS)
    return out


@dataclass
class RuleSettings:
    """Settings of one rule in a profile."""

    enabled: bool
    severity: str
    thresholds: Dict[str, float]


@dataclass
class RuleProfile:
    """Per-rule enabled flag, severity and thresholds; defaults from rules.RULES."""

    rules: Dict[str, RuleSettings] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in rules.RULES:
            if r.code not in self.rules:
                self.rules[r.code] = RuleSettings(True, r.severity, dict(r.thresholds))
            else:  # fill thresholds added in later versions
                for k, v in r.thresholds.items():
                    self.rules[r.code].thresholds.setdefault(k, v)

    @classmethod
    def default(cls) -> RuleProfile:
        """The default profile (docs/domain.md "Checks")."""
        return cls()

    def enabled(self, code: str) -> bool:
        """True if rule `code` runs."""
        return self.rules[code].enabled

    def severity(self, code: str) -> str:
        """Severity of findings of rule `code`."""
        return self.rules[code].severity

    def threshold(self, code: str, name: str) -> float:
        """A threshold of rule `code`."""
        return float(self.rules[code].thresholds[name])

    def set(self, code: str, enabled: Optional[bool] = None, severity: Optional[str] = None, **thresholds: float) -> None:
        """Change a rule's settings (None leaves a setting as it is); invalid values raise ProfileError."""
        given: Dict[str, Any] = {}
        if enabled is not None:
            given["enabled"] = enabled
        if severity is not None:
            given["severity"] = severity
        if thresholds:
            given["thresholds"] = thresholds
        problems = rule_problems(code, given)
        if problems:
            raise ProfileError(problems)
        rs = self.rules[code]
        if enabled is not None:
            rs.enabled = enabled
        if severity is not None:
            rs.severity = severity
        for k, v in thresholds.items():
            rs.thresholds[k] = float(v)

    def problems(self) -> List[str]:
        """Every problem of the profile as it stands ([] if valid; catches settings changed behind set())."""
        return profile_problems(self.to_dict())

    def validate(self, source: str = "") -> RuleProfile:
        """Raise ProfileError unless the profile is valid; return it."""
        problems = self.problems()
        if problems:
            raise ProfileError(problems, source)
        return self

    def to_dict(self) -> Dict[str, Any]:
        """Plain dict for JSON."""
        return {"version": PROFILE_VERSION, "rules": {
            c: {"enabled": s.enabled, "severity": s.severity, "thresholds": dict(s.thresholds)}
            for c, s in self.rules.items()}}

    def to_json(self) -> str:
        """JSON text of the profile."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Dict[str, Any], source: str = "") -> RuleProfile:
        """Profile from a dict (see profile_problems for the shapes read); any problem raises ProfileError."""
        problems = profile_problems(data)
        if problems:
            raise ProfileError(problems, source)
        raw = data["rules"] if "rules" in data else {k: v for k, v in data.items() if k != "version"}
        prof = cls()
        for code, s in raw.items():
            prof.set(code, enabled=s.get("enabled"), severity=s.get("severity"), **(s.get("thresholds") or {}))
        return prof

    @classmethod
    def from_json(cls, text: str, source: str = "") -> RuleProfile:
        """Profile from JSON text (ProfileError, a ValueError, on malformed text or settings)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ProfileError([tr("not valid JSON: {0}").format(e)], source) from e
        return cls.from_dict(data, source)

    @classmethod
    def from_file(cls, path: str) -> RuleProfile:
        """Profile from a JSON file (the RULES parameter of forestry:checkpatches)."""
        with open(path, encoding="utf-8") as fh:
            return cls.from_json(fh.read(), path)

    def save_file(self, path: str) -> None:
        """Write the profile as a JSON file (ProfileError, and nothing written, if it is invalid; OutputFileError,
        an OSError, and a file already at `path` unchanged, if it cannot be written)."""
        self.validate(path)
        write_file(path, self.to_json())

    def copy(self) -> RuleProfile:
        """A deep copy."""
        return copy.deepcopy(self)


def load_profile(gpkg_path: str) -> RuleProfile:
    """The working copy's profile (setting "rules_profile"), or the default; StoredProfileError if it is invalid."""
    with geopackage.connect(gpkg_path) as con:
        row = con.execute(f"SELECT value FROM {geopackage.SETTINGS_TABLE} WHERE key = ?", (SETTING_KEY,)).fetchone()
    if row is None or row[0] in (None, ""):
        return RuleProfile.default()
    try:
        data = json.loads(row[0])
    except (TypeError, json.JSONDecodeError) as e:
        raise StoredProfileError(gpkg_path, [tr("not valid JSON: {0}").format(e)]) from e
    if data in (None, "", {}):
        return RuleProfile.default()
    try:
        return RuleProfile.from_dict(data)
    except ProfileError as e:
        raise StoredProfileError(gpkg_path, e.problems) from e


def save_profile(gpkg_path: str, profile: RuleProfile) -> None:
    """Store the profile in the working copy (setting "rules_profile"); ProfileError, nothing stored, if invalid."""
    profile.validate()
    geopackage.set_setting(gpkg_path, SETTING_KEY, profile.to_dict())
