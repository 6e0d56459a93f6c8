"""What the tests share: builders of working copies and patches, the reference platform's logins, and the real
servers and windows the tests start (no tests here; nothing in tests/ imports a test module).

- `working_copies`: empty working copies, design patches for the platform, workflow patches, identities;
- `editing_copy`: the small two-village working copy of the editing tests and its project;
- `vector_files`: contractors' files (GeoJSON, Shapefile, ...) written with OGR;
- `platform_logins`: logins to the reference platform (plugin client, QgsAuthManager), onboarding a county;
- `platform_api`: a plain HTTP client for the reference platform and valid patch features (no plugin code);
- `qgis_process`: the plugin installed into a profile for `qgis_process.bin`, and runs of it;
- `qgis_window`: a script run inside a real QGIS window (qgis.bin under Xvfb), the packaged plugin's profile;
- `translation`: the Chinese translation compiled from i18n/ and installed;
- `disk`: the `full_disk` fixture's small file system filled to its last byte, or remounted read-only;
- `faultproxy`, `pg_server`, `wfs_serve`: a TCP proxy injecting network faults, a PostgreSQL/PostGIS server,
  QGIS Server publishing a WFS-T layer (run as a script: `python tests/helpers/wfs_serve.py`).

Only the standard library here: the real-window tests import this package inside QGIS too. No module here is
named like a module of the standard library or QGIS (wfs_serve.py runs as a script, with this folder on its path).
"""

from __future__ import annotations

import importlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the checkout
ARTIFACTS = os.path.join(ROOT, "test-artifacts")  # git-ignored: screenshots and reports for people to look at
SCRIPTS = os.path.join(ROOT, "scripts")


def script(name: str):
    """A module of scripts/ (package, i18n, ...), imported the way those scripts import each other."""
    if SCRIPTS not in sys.path:
        sys.path.insert(0, SCRIPTS)
    return importlib.import_module(name)
