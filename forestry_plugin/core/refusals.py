"""Platform and policy refusals as sentences a person reads: in the user's language, codes shown as labels."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .. import schema
from ..i18n import ui_language
from .policy import REASONS, reason_message


def render_rejection(rej: Dict[str, Any], lang: Optional[str] = None) -> str:
    """A platform rejection as a sentence in the user's language, codes shown as their labels (the platform's
    own message text is the fallback for codes this plugin does not know)."""
    from .checks.rules import RULE, rule_label  # imported late: the rules module pulls in the check profile

    lang = lang or ui_language()
    code = str(rej.get("code") or "")
    if code not in REASONS:
        return str(rej.get("message_zh" if lang == "zh" else "message_en") or code)
    details = dict(rej.get("details") or {}) if isinstance(rej.get("details"), dict) else {}
    for key in ("stage", "from_stage", "to_stage", "sent"):
        if details.get(key) in schema.STAGES:
            details[key] = schema.stage_label(details[key], lang)
    if details.get("role") in schema.ROLES:
        details["role"] = schema.ROLES.label(details["role"], lang)
    if details.get("rule") in RULE:
        details["rule"] = rule_label(details["rule"])
    if details.get("field") in schema.PATCH_FIELD:
        details["field"] = schema.PATCH_FIELD[details["field"]].label(lang)
    return reason_message(code, lang, **details)
