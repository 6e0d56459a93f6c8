"""The packaged zip installs into a fresh profile and loads in a real QGIS 3.22 window (under Xvfb)."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest
from qgis.PyQt.QtGui import QImage

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import package  # noqa: E402

QGIS_BIN = "/usr/bin/qgis.bin"

pytestmark = pytest.mark.skipif(not (os.path.exists(QGIS_BIN) and shutil.which("xvfb-run")),
                                reason="needs qgis.bin and xvfb-run")

from qgis_window import FIRST_RUN_INI  # noqa: E402


def make_profile(tmp_path):
    """A fresh QGIS profile folder with the packaged plugin installed and enabled."""
    zip_path = str(tmp_path / "forestry_plugin.zip")
    package.build(zip_path)
    assert package.validate(zip_path) == []
    root = tmp_path / "qgis-config"  # --profiles-path: the folder that holds profiles/
    profile = root / "profiles" / "default"
    (profile / "QGIS").mkdir(parents=True)
    (profile / "QGIS" / "QGIS3.ini").write_text(FIRST_RUN_INI)
    package.deploy(zip_path, str(profile))
    return root


def run_qgis(profiles, env_extra, tmp_path, timeout=240, with_packages=True):
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # a real window on the virtual X server
    env.pop("PYTHONPATH", None)  # the plugin must come from the installed zip, not the checkout
    if with_packages:  # shapely 2 and openpyxl installed for QGIS's Python, as the README asks users to
        env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "xdg")
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    env.update(env_extra)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", QGIS_BIN, "--noversioncheck", "--nologo",
           "--profiles-path", str(profiles), "--code", os.path.join(ROOT, "scripts", "qgis_screenshot.py")]
    return subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, text=True)


def test_zip_loads_in_real_qgis_with_toolbar_and_dock(tmp_path, artifacts_dir):
    from forestry_plugin.plugin import GUI_COMPONENTS
    from forestry_plugin.processing.provider import ALGORITHMS

    profiles = make_profile(tmp_path)
    out = os.path.join(artifacts_dir, "qgis_plugin_loaded.png")
    status_path = str(tmp_path / "status.json")
    proc = run_qgis(profiles, {"FORESTRY_SHOT_OUT": out, "FORESTRY_SHOT_STATUS": status_path}, tmp_path)
    assert os.path.exists(status_path), proc.stderr[-3000:]
    status = json.load(open(status_path, encoding="utf-8"))
    assert status["errors"] == []
    assert status["loaded"], status
    assert status["missing_dependencies"] == []
    assert status["toolbar"] and status["toolbar_actions"]
    assert {"ForestryProjectDock", "ForestryChecksDock", "ForestryWorkflowDock", "ForestrySyncPanel"} <= set(
        status["docks"]), status["docks"]
    assert len(status["toolbar_actions"]) >= len(GUI_COMPONENTS) - 1
    assert "forestry" in status["providers"] and status["algorithms"] == len(ALGORITHMS)
    img = QImage(out)
    assert img.width() >= 1000 and img.height() >= 700


def test_without_shapely_the_plugin_says_what_to_install(tmp_path):
    """QGIS's Python without shapely 2 / openpyxl: the plugin still loads and names the packages to install."""
    profiles = make_profile(tmp_path)
    status_path = str(tmp_path / "status.json")
    proc = run_qgis(profiles, {"FORESTRY_SHOT_OUT": str(tmp_path / "x.png"), "FORESTRY_SHOT_STATUS": status_path},
                    tmp_path, with_packages=False)
    assert os.path.exists(status_path), proc.stderr[-3000:]
    status = json.load(open(status_path, encoding="utf-8"))
    assert status["loaded"] and status["errors"] == []
    assert "shapely>=2.0" in status["missing_dependencies"] and "openpyxl>=3.0" in status["missing_dependencies"]
    assert "ForestryProjectDock" in status["docks"] and "ForestryWorkflowDock" in status["docks"]


def test_chinese_set_in_qgis_options_makes_the_installed_plugin_chinese(tmp_path):
    """QGIS's Options dialog stores 中文(简体) as locale/userLocale=zh-Hans: the packaged plugin follows it."""
    profiles = make_profile(tmp_path)
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.write_text(ini.read_text() + "[locale]\nuserLocale=zh-Hans\noverrideFlag=true\n")
    status_path = str(tmp_path / "status.json")
    proc = run_qgis(profiles, {"FORESTRY_SHOT_OUT": str(tmp_path / "zh.png"), "FORESTRY_SHOT_STATUS": status_path},
                    tmp_path)
    assert os.path.exists(status_path), proc.stderr[-3000:]
    status = json.load(open(status_path, encoding="utf-8"))
    assert status["loaded"] and status["errors"] == []
    assert {"审核", "平台同步"} <= set(status["toolbar_actions"]), status["toolbar_actions"]
