"""Translation helper shared by core, Processing and GUI.

All user-visible strings are English in the source and go through `tr()`;
`scripts/i18n.py` extracts every `tr("...")` literal into i18n/*.ts.
Uses QtCore only, so core modules may import it without pulling in widgets.
"""

from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "forestry"


def tr(text: str) -> str:
    """Translate `text` in the plugin's single translation context."""
    return QCoreApplication.translate(CONTEXT, text)


def ui_language() -> str:
    """"zh" when the Chinese translation is active, else "en": picks schema labels (Field.zh / .en) to match."""
    # The translation of this marker is the language code of the loaded .qm file.
    return "zh" if tr("en") == "zh" else "en"
