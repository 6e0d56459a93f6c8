"""Python packages the plugin needs beyond QGIS itself, checked at start-up with a clear message.

shapely >= 2 (vectorized geometry: checks, fixes, sample data) and openpyxl (Excel reports). QGIS 3.34+ on
Windows (OSGeo4W) ships shapely 2; elsewhere install them into QGIS's Python (see README "Requirements").
Components that need a missing package do not start; everything else works.
"""

from __future__ import annotations

import os
from typing import List, Optional

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
        elif name == "shapely" and shapely_geos_problem():
            missing.append(f"{name}>={minimum}")  # it would crash QGIS: as good as missing
    return missing


def shapely_geos_problem() -> Optional[str]:
    """Why the installed shapely must not run inside QGIS, or None.

    A shapely wheel from PyPI bundles its own libgeos_c; inside QGIS the system GEOS is already loaded, the two get
    mixed and calls such as shapely.contains_xy crash QGIS. shapely must be built against the GEOS QGIS uses.
    """
    try:
        import shapely
    except ImportError:
        return None
    bundled = os.path.isdir(os.path.join(os.path.dirname(os.path.dirname(shapely.__file__)), "shapely.libs"))
    try:
        from qgis.core import Qgis

        qgis_geos = (Qgis.geosVersionMajor(), Qgis.geosVersionMinor())
    except Exception:  # noqa: BLE001 - outside QGIS there is only one GEOS
        return None
    mine = tuple(shapely.geos_version[:2])
    if bundled or mine != qgis_geos:
        return "shapely {0} uses GEOS {1}.{2}{3}, QGIS uses GEOS {4}.{5}".format(
            shapely.__version__, mine[0], mine[1], " (its own copy)" if bundled else "", *qgis_geos)
    return None


SHAPELY_REBUILD_HINT = ("python3 -m pip install --user --force-reinstall --no-binary shapely 'shapely>=2,<3' "
                        "(needs the GEOS development files: apt install libgeos-dev python3-dev)")


def install_hint(missing: List[str]) -> str:
    """The command that installs what is missing into QGIS's own Python."""
    return "python3 -m pip install --user " + " ".join(f"'{m}'" for m in missing)
