"""Python packages the plugin needs beyond QGIS itself, checked at start-up with a clear message.

shapely >= 2 (vectorized geometry: checks, fixes, sample data) and openpyxl (Excel reports). QGIS 3.34+ on
Windows (OSGeo4W) ships shapely 2; elsewhere install them into QGIS's Python (see README "Requirements").
Components that need a missing package do not start; everything else works.
"""

from __future__ import annotations

from typing import List

REQUIREMENTS = (("shapely", "2.0"), ("numpy", "1.21"), ("openpyxl", "3.0"))


def _version_tuple(v: str) -> tuple:
    out = []
    for part in v.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def missing_requirements() -> List[str]:
    """'name>=version' for every required package that is missing or too old."""
    import importlib

    missing = []
    for name, minimum in REQUIREMENTS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            missing.append(f"{name}>={minimum}")
            continue
        if _version_tuple(getattr(module, "__version__", "0")) < _version_tuple(minimum):
            missing.append(f"{name}>={minimum}")
    return missing


def install_hint(missing: List[str]) -> str:
    """The command that installs what is missing into QGIS's own Python."""
    return "python3 -m pip install --user " + " ".join(f"'{m}'" for m in missing)
