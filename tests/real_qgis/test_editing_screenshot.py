"""The editing toolbar and a new patch's attribute form in a real QGIS under Xvfb (test-artifacts/editing_form.png).

The packaged plugin is installed into a fresh profile (as users get it); scripts/shots/editing.py activates the
new-patch tool, adds a patch from a base-map cell and opens QGIS's own feature form for it.
"""

import json
import os

import pytest
from qgis.PyQt.QtGui import QImage

from tests.helpers import ROOT
from tests.helpers.qgis_window import available, packaged_profile, run_screenshot_script

pytestmark = pytest.mark.skipif(not available(), reason="needs qgis.bin and xvfb-run")

SNIPPET = os.path.join(ROOT, "scripts", "shots", "editing.py")


def test_toolbar_and_form_in_real_qgis(tmp_path, artifacts_dir, sample_county):
    profiles = packaged_profile(tmp_path)
    out = os.path.join(artifacts_dir, "editing_form.png")
    status_path = str(tmp_path / "status.json")
    proc = run_screenshot_script(profiles, {"FORESTRY_SHOT_OUT": out, "FORESTRY_SHOT_STATUS": status_path,
                                            "FORESTRY_SHOT_WC": sample_county.path, "FORESTRY_SHOT_DOCKS": "",
                                            "FORESTRY_SHOT_SETUP": SNIPPET, "FORESTRY_SHOT_DELAY_MS": "4000"}, tmp_path)
    assert os.path.exists(status_path), proc.stderr[-3000:]
    status = json.load(open(status_path, encoding="utf-8"))
    assert status["errors"] == [], status
    assert status["editing_toolbar"] and status["new_tool_active"]
    assert [a.replace("forestry_edit_", "") for a in status["editing_actions"]] == [
        "new", "from_basemap", "split", "reshape", "merge", "delete", "save", "import"]
    assert status["form_live_check"]  # QGIS's own form got the live check
    filled = status["filled"]
    assert len(filled["village_code"]) == 12 and filled["prev_dlbm"] == "0404" and filled["stage"] == "design"
    assert float(filled["area_mu"]) > 0
    img = QImage(out)
    assert img.width() >= 1200 and img.height() >= 800
