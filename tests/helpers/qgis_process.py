"""Headless runs of the plugin's algorithms in `qgis_process.bin`, each a fresh process with a profile of its own
that has the plugin (copied from the checkout) installed and enabled, as a county's scripts run them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from typing import Dict, Tuple

from tests.helpers import ROOT

QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def available() -> bool:
    return os.path.exists(QGIS_PROCESS)


def install_plugin(profiles_root: str) -> str:
    """Install the plugin (package + metadata.txt + resources/) into a QGIS profile and enable it; return the folder."""
    prof = os.path.join(profiles_root, "profiles", "default")
    dst = os.path.join(prof, "python", "plugins", "forestry_plugin")
    shutil.copytree(os.path.join(ROOT, "forestry_plugin"), dst,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(os.path.join(ROOT, "metadata.txt"), dst)
    shutil.copytree(os.path.join(ROOT, "resources"), os.path.join(dst, "resources"))
    os.makedirs(os.path.join(prof, "QGIS"), exist_ok=True)
    with open(os.path.join(prof, "QGIS", "QGIS3.ini"), "w", encoding="utf-8") as fh:
        fh.write("[PythonPlugins]\nforestry_plugin=true\n")
    return dst


def headless_env(profiles_root: str, tmp_path, **extra: str) -> Dict[str, str]:
    """The environment of a qgis_process run in `profiles_root`: offscreen, the plugin from the profile (not the
    checkout), shapely from this venv (the system Python has none)."""
    import shapely

    return dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=profiles_root, QT_QPA_PLATFORM="offscreen",
                XDG_RUNTIME_DIR=str(tmp_path), PYTHONPATH=os.path.dirname(os.path.dirname(shapely.__file__)), **extra)


def profile_with_plugin(tmp_path) -> Tuple[Dict[str, str], str]:
    """A fresh profile in tmp_path/qgisconfig with the plugin installed: (environment, profiles root)."""
    root = str(tmp_path / "qgisconfig")
    install_plugin(root)
    return headless_env(root, tmp_path), root


def private_profile(tmp_path, master: str) -> Tuple[Dict[str, str], str]:
    """A profile with the plugin and a copy of this process's auth database (its master password `master` in a
    file, as a headless run gets it): (environment, profiles root)."""
    from qgis.core import QgsApplication

    root = str(tmp_path / "qgisconfig")
    install_plugin(root)
    auth_db = os.path.join(root, "profiles", "default", "qgis-auth.db")
    src = sqlite3.connect(QgsApplication.qgisAuthDatabaseFilePath())
    dst = sqlite3.connect(auth_db)
    src.backup(dst)
    src.close()
    dst.close()
    master_file = tmp_path / "master.txt"
    master_file.write_text(master, encoding="utf-8")
    env = headless_env(root, tmp_path, QGIS_AUTH_PASSWORD_FILE=str(master_file),
                       QGIS_AUTH_DB_DIR_PATH=os.path.join(root, "profiles", "default", ""))
    return env, root


def run(env: Dict[str, str], alg: str, params: dict, as_json: bool = False,
        timeout: int = 300) -> subprocess.CompletedProcess:
    """`qgis_process.bin [--json] run ALG -- KEY=VALUE ...` in `env`."""
    cmd = [QGIS_PROCESS, *(["--json"] if as_json else []), "run", alg, "--"] + [f"{k}={v}" for k, v in params.items()]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def outcome(env: Dict[str, str], alg: str, params: dict) -> Tuple[int, str]:
    """(exit code, stdout + stderr) of a run."""
    proc = run(env, alg, params)
    return proc.returncode, proc.stdout + proc.stderr
