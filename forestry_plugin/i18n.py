"""Translation helper shared by core, Processing and GUI.

All user-visible strings are English in the source and go through `tr()`;
`scripts/i18n.py` extracts every `tr("...")` literal into i18n/*.ts.
Uses QtCore only, so core modules may import it without pulling in widgets.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "forestry"


def tr(text: str) -> str:
    """Translate `text` in the plugin's single translation context."""
    return QCoreApplication.translate(CONTEXT, text)


def ui_language() -> str:
    """"zh" when the Chinese translation is active, else "en": picks schema labels (Field.zh / .en) to match."""
    # The translation of this marker is the language code of the loaded .qm file.
    return "zh" if tr("en") == "zh" else "en"


# The plugin ships zh_CN (simplified Chinese). QGIS's Options dialog stores 中文(简体) as "zh-Hans"; settings copied
# from elsewhere may say zh_CN, zh-CN, zh_SG or plain zh. Traditional Chinese (zh-Hant, zh_TW, zh_HK, zh_MO) has no
# translation yet and stays English rather than showing simplified characters.
TRANSLATIONS = ("zh_CN",)
_SIMPLIFIED = ("zh", "zh_cn", "zh_sg", "zh_hans")
_TRADITIONAL = ("zh_tw", "zh_hk", "zh_mo", "zh_hant")


def translation_for(locale: str) -> str | None:
    """The shipped translation (e.g. "zh_CN") for a QGIS locale setting in any spelling, else None."""
    norm = (locale or "").strip().replace("-", "_").lower()
    if not norm:
        return None
    if any(norm == t or norm.startswith(t + "_") for t in _TRADITIONAL):
        return None
    if any(norm == t or norm.startswith(t + "_") for t in _SIMPLIFIED):
        return "zh_CN"
    exact = {t.lower(): t for t in TRANSLATIONS}
    return exact.get(norm[:5]) or exact.get(norm[:2])
