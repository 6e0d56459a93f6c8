"""Where the plugin's files are: in the installed plugin folder or in a source checkout."""

import os

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))
_BASES = (PLUGIN_DIR, os.path.dirname(PLUGIN_DIR))  # installed zip layout, then the repository layout


def _find(*parts: str) -> str:
    for base in _BASES:
        p = os.path.join(base, *parts)
        if os.path.exists(p):
            return p
    return os.path.join(PLUGIN_DIR, *parts)


def icon_path(name: str) -> str:
    """Path of an SVG icon in resources/icons."""
    return _find("resources", "icons", name if name.endswith(".svg") else name + ".svg")


def resource_path(*parts: str) -> str:
    return _find("resources", *parts)


def i18n_path(*parts: str) -> str:
    return _find("i18n", *parts)
