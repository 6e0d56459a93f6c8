"""Run a script inside a real QGIS window (qgis.bin under Xvfb) with a fresh profile, the way a user's QGIS runs.

The real-window tests (tests/real_qgis/) import this on the pytest side; inside QGIS, where their file is exec()ed
with the checkout's root put on the path first, only open_plugin_with_platform. Standard library at module level.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from typing import Dict, Optional, Tuple

QGIS_BIN = "/usr/bin/qgis.bin"
FIRST_RUN_INI = """[migration]
fileVersion=2
settings_migrated=true
[qgis]
checkVersion=false
showTips322=false
"""


def available() -> bool:
    """True when this machine can open a real QGIS window (qgis.bin and xvfb-run installed)."""
    return bool(shutil.which("xvfb-run")) and os.path.exists(QGIS_BIN)


def fresh_profiles(tmp_path, extra_ini: str = "") -> str:
    """A --profiles-path folder with a default profile past QGIS's first-run questions."""
    ini_dir = tmp_path / "profiles" / "profiles" / "default" / "QGIS"
    ini_dir.mkdir(parents=True)
    (ini_dir / "QGIS3.ini").write_text(FIRST_RUN_INI + extra_ini)
    return str(tmp_path / "profiles")


def run_script(script: str, env_extra: Dict[str, str], tmp_path, status_path: str, timeout: int = 180,
               pythonpath: Optional[str] = None) -> Tuple[Optional[dict], str]:
    """Run `script` with `qgis.bin --code` (no other plugins) in a fresh profile; return (status JSON the script
    wrote or None, QGIS's stderr). On a hang (an error dialog) QGIS, Xvfb and xvfb-run are killed together."""
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, **env_extra, XDG_RUNTIME_DIR=str(xdg))
    env.pop("QT_QPA_PLATFORM", None)  # a real window on the virtual X server
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", QGIS_BIN, "--noversioncheck", "--nologo",
           "--noplugins", "--profiles-path", fresh_profiles(tmp_path), "--code", script]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
    if not os.path.exists(status_path):
        return None, err
    with open(status_path, encoding="utf-8") as fh:
        return json.load(fh), err


def packaged_profile(tmp_path):
    """A fresh --profiles-path folder with the packaged plugin zip (scripts/package.py, validated as
    plugins.qgis.org does) installed and enabled, as users get it."""
    from tests.helpers import script

    package = script("package")
    zip_path = str(tmp_path / "forestry_plugin.zip")
    package.build(zip_path)
    assert package.validate(zip_path) == []
    root = tmp_path / "qgis-config"  # --profiles-path: the folder that holds profiles/
    profile = root / "profiles" / "default"
    (profile / "QGIS").mkdir(parents=True)
    (profile / "QGIS" / "QGIS3.ini").write_text(FIRST_RUN_INI)
    package.deploy(zip_path, str(profile))
    return root


def run_screenshot_script(profiles, env_extra: Dict[str, str], tmp_path, timeout: int = 240,
                          with_packages: bool = True) -> subprocess.CompletedProcess:
    """scripts/qgis_screenshot.py in a real QGIS window with `profiles` (the installed plugin, not the checkout's):
    it loads the plugin, runs FORESTRY_SHOT_SETUP if given, grabs the window and writes FORESTRY_SHOT_STATUS.
    `with_packages`: shapely 2 and openpyxl installed for QGIS's Python, as the README asks users to."""
    import sysconfig

    from tests.helpers import ROOT

    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # a real window on the virtual X server
    env.pop("PYTHONPATH", None)  # the plugin must come from the installed zip, not the checkout
    if with_packages:
        env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "xdg")
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    env.update(env_extra)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", QGIS_BIN, "--noversioncheck", "--nologo",
           "--profiles-path", str(profiles), "--code", os.path.join(ROOT, "scripts", "qgis_screenshot.py")]
    return subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, text=True)


def open_plugin_with_platform(working_copy: str, user: str, password: str, master: str):
    """Inside QGIS: the reference platform beside the working copy, a Basic auth configuration for `user`, the
    plugin loaded and the working copy opened in a maximized window. Returns (server, url, authcfg, plugin)."""
    from qgis.core import QgsApplication, QgsProject
    from qgis.utils import iface

    import forestry_plugin
    from forestry_plugin.core.project import load_working_copy
    from forestry_plugin.core.sync.auth import store_basic_config
    from reference_platform.server import start_server

    server, url = start_server(os.path.join(os.path.dirname(working_copy), "platform.sqlite"))
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setMasterPassword(master, True)
    authcfg = store_basic_config("Provincial platform (demo)", user, password)
    win = iface.mainWindow()
    win.resize(1600, 1000)
    win.showMaximized()
    plugin = forestry_plugin.classFactory(iface)
    plugin.initGui()
    load_working_copy(working_copy, QgsProject.instance(), lang="en")
    return server, url, authcfg, plugin
