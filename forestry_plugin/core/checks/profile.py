"""Rule profiles: which rules run, with which severity and thresholds; stored in the working copy."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from .. import geopackage
from . import rules

SETTING_KEY = "rules_profile"


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
        """The default profile (DOMAIN.md thresholds)."""
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
        """Change a rule's settings (unknown codes, severities or thresholds raise ValueError)."""
        if code not in self.rules:
            raise ValueError(f"unknown rule {code}")
        rs = self.rules[code]
        if enabled is not None:
            rs.enabled = bool(enabled)
        if severity is not None:
            if severity not in rules.SEVERITY_CODES:
                raise ValueError(f"unknown severity {severity}")
            rs.severity = severity
        for k, v in thresholds.items():
            if k not in rules.RULE[code].thresholds:
                raise ValueError(f"rule {code} has no threshold {k}")
            rs.thresholds[k] = float(v)

    def to_dict(self) -> Dict[str, Any]:
        """Plain dict for JSON."""
        return {"version": 1, "rules": {c: {"enabled": s.enabled, "severity": s.severity, "thresholds": dict(s.thresholds)}
                                        for c, s in self.rules.items()}}

    def to_json(self) -> str:
        """JSON text of the profile."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> RuleProfile:
        """Profile from a dict; unknown rules are ignored, bad values raise ValueError."""
        if not isinstance(data, dict):
            raise ValueError("a rules profile is a JSON object")
        raw = data.get("rules", data)
        if not isinstance(raw, dict):
            raise ValueError("'rules' must be an object")
        prof = cls()
        for code, s in raw.items():
            if code not in rules.RULE or not isinstance(s, dict):
                continue
            thresholds = s.get("thresholds") or {}
            if not isinstance(thresholds, dict):
                raise ValueError(f"thresholds of {code} must be an object")
            prof.set(code, enabled=s.get("enabled"), severity=s.get("severity"),
                     **{k: float(v) for k, v in thresholds.items() if k in rules.RULE[code].thresholds})
        return prof

    @classmethod
    def from_json(cls, text: str) -> RuleProfile:
        """Profile from JSON text (ValueError on malformed text)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"rules profile is not valid JSON: {e}") from e
        return cls.from_dict(data)

    @classmethod
    def from_file(cls, path: str) -> RuleProfile:
        """Profile from a JSON file (the RULES parameter of forestry:checkpatches)."""
        with open(path, encoding="utf-8") as fh:
            return cls.from_json(fh.read())

    def save_file(self, path: str) -> None:
        """Write the profile as a JSON file."""
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())

    def copy(self) -> RuleProfile:
        """A deep copy."""
        return copy.deepcopy(self)


def load_profile(gpkg_path: str) -> RuleProfile:
    """The working copy's profile (setting "rules_profile"), or the default."""
    data = geopackage.get_setting(gpkg_path, SETTING_KEY)
    return RuleProfile.from_dict(data) if data else RuleProfile.default()


def save_profile(gpkg_path: str, profile: RuleProfile) -> None:
    """Store the profile in the working copy (setting "rules_profile")."""
    geopackage.set_setting(gpkg_path, SETTING_KEY, profile.to_dict())
