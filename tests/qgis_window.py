"""Run a script inside a real QGIS window (qgis.bin under Xvfb) with a fresh profile, the way a user's QGIS runs.

Imported by the real-window tests on the pytest side only (inside QGIS those files are exec()ed without tests/ on
the path). Holds no tests.
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
