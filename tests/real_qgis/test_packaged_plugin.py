"""The packaged zip installs into a fresh profile and loads in a real QGIS 3.22 window (under Xvfb)."""

import json
import os

import pytest
from qgis.PyQt.QtGui import QImage

from tests.helpers.qgis_window import available, packaged_profile, run_screenshot_script

pytestmark = pytest.mark.skipif(not available(), reason="needs qgis.bin and xvfb-run")


def test_zip_loads_in_real_qgis_with_toolbar_and_dock(tmp_path, artifacts_dir):
    from forestry_plugin.plugin import GUI_COMPONENTS
    from forestry_plugin.processing.provider import ALGORITHMS

    profiles = packaged_profile(tmp_path)
    out = os.path.join(artifacts_dir, "qgis_plugin_loaded.png")
    status_path = str(tmp_path / "status.json")
    proc = run_screenshot_script(profiles, {"FORESTRY_SHOT_OUT": out, "FORESTRY_SHOT_STATUS": status_path}, tmp_path)
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
    profiles = packaged_profile(tmp_path)
    status_path = str(tmp_path / "status.json")
    proc = run_screenshot_script(profiles, {"FORESTRY_SHOT_OUT": str(tmp_path / "x.png"),
                                            "FORESTRY_SHOT_STATUS": status_path}, tmp_path, with_packages=False)
    assert os.path.exists(status_path), proc.stderr[-3000:]
    status = json.load(open(status_path, encoding="utf-8"))
    assert status["loaded"] and status["errors"] == []
    assert "shapely>=2.0" in status["missing_dependencies"] and "openpyxl>=3.0" in status["missing_dependencies"]
    assert "ForestryProjectDock" in status["docks"] and "ForestryWorkflowDock" in status["docks"]


def test_chinese_set_in_qgis_options_makes_the_installed_plugin_chinese(tmp_path):
    """QGIS's Options dialog stores 中文(简体) as locale/userLocale=zh-Hans: the packaged plugin follows it."""
    profiles = packaged_profile(tmp_path)
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.write_text(ini.read_text() + "[locale]\nuserLocale=zh-Hans\noverrideFlag=true\n")
    status_path = str(tmp_path / "status.json")
    proc = run_screenshot_script(profiles, {"FORESTRY_SHOT_OUT": str(tmp_path / "zh.png"),
                                            "FORESTRY_SHOT_STATUS": status_path}, tmp_path)
    assert os.path.exists(status_path), proc.stderr[-3000:]
    status = json.load(open(status_path, encoding="utf-8"))
    assert status["loaded"] and status["errors"] == []
    assert {"审核", "平台同步"} <= set(status["toolbar_actions"]), status["toolbar_actions"]
