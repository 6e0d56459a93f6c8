"""A contractor's session in a real QGIS window (Xvfb): logged in through the sync panel against the reference
platform, the review dock offers no confirm or return, and the checks dock refuses a basic-farmland exception.

Run by pytest, this file starts `xvfb-run qgis.bin --code <this file>`; inside QGIS the same file starts the
platform on 127.0.0.1, stores a Basic auth configuration for demo_contractor, loads the plugin and the sample
county, logs in through the panel, and then acts as the user would: clicks, the C key, the context-menu action.
"""

from __future__ import annotations

import json
import os
import sys

OUT_ENV, WC_ENV, STATUS_ENV, ROOT_ENV = "FORESTRY_REVIEW_OUT", "FORESTRY_REVIEW_WC", "FORESTRY_REVIEW_STATUS", \
    "FORESTRY_REVIEW_ROOT"
PASSWORD = "demo-pass-2025"


def _in_qgis() -> None:  # pragma: no cover - runs inside qgis.bin
    status = {"ok": False}
    status_path = os.environ[STATUS_ENV]
    server = None

    def finish():
        from qgis.core import QgsApplication

        if server is not None:
            from reference_platform.server import stop_server

            stop_server(server)
        with open(status_path, "w", encoding="utf-8") as fh:
            json.dump(status, fh, ensure_ascii=False)
        QgsApplication.exit(0)

    try:
        sys.path.insert(0, os.environ[ROOT_ENV])  # the checkout (qgis --code exec()s this file without __file__)
        from qgis.PyQt.QtCore import Qt, QTimer
        from qgis.PyQt.QtTest import QTest
        from qgis.utils import iface

        from forestry_plugin.core import geopackage
        from forestry_plugin.core.checks import store
        from tests.helpers.qgis_window import open_plugin_with_platform

        out, wc = os.environ[OUT_ENV], os.environ[WC_ENV]
        server, url, authcfg, plugin = open_plugin_with_platform(wc, "demo_contractor", PASSWORD, "review-master")
        win = iface.mainWindow()
        comps = {type(c).__name__: c for c in plugin.components}
        panel, review, checks = (comps["SyncPanelComponent"].dock, comps["WorkflowDockComponent"].dock,
                                 comps["ChecksDockComponent"].dock)
        panel.url_edit.setText(url)
        panel.auth_select.setConfigId(authcfg)
        QTest.mouseClick(panel.login_button, Qt.LeftButton)  # the user's click: the login runs as a task
        import time

        from qgis.core import QgsApplication

        give_up = time.monotonic() + 60
        while panel.login_task is not None and time.monotonic() < give_up:
            QgsApplication.processEvents()
            time.sleep(0.02)
        status["user"] = panel.user_label.text()
        review.show()
        review.raise_()
        status["identity"] = review.identity_label.text()
        status["queue"] = len(review.queue)
        status["confirm_enabled"] = review.confirm_button.isEnabled()
        status["return_enabled"] = review.return_button.isEnabled()
        status["targets"] = review.target_combo.count()
        status["role_chooser"] = hasattr(review, "role_combo")
        stages_before = {a["patch_id"]: a["stage"] for _f, a, _g in
                         geopackage.read_features(wc, "patches", ["patch_id", "stage"])}
        review.queue_table.setFocus()
        QTest.keyClick(review.queue_table, Qt.Key_C)  # the confirm shortcut does nothing for a contractor
        stages_after = {a["patch_id"]: a["stage"] for _f, a, _g in
                        geopackage.read_features(wc, "patches", ["patch_id", "stage"])}
        status["stages_unchanged"] = stages_before == stages_after
        # the checks dock: run, pick a basic-farmland finding, try to accept it
        checks.show()
        checks.run_checks("layer", wait=True)
        farmland = next(f for f in checks.findings if f.rule == "basic_farmland")
        idx = checks.findings.index(farmland)
        tree = checks.tree
        item = next(tree.topLevelItem(i).child(j) for i in range(tree.topLevelItemCount())
                    for j in range(tree.topLevelItem(i).childCount())
                    if tree.topLevelItem(i).child(j).data(0, Qt.UserRole) == idx)
        tree.setCurrentItem(item)
        status["accept_button_enabled"] = checks.accept_button.isEnabled()
        status["accept_button_tip"] = checks.accept_button.toolTip()
        checks.ask_reason = lambda: ("the contractor insists", True)  # never reached: refused before asking
        status["accepted"] = checks.accept_current()
        status["refusal"] = checks.last_refusal
        status["farmland_exceptions"] = sum(1 for e in store.list_exceptions(wc) if e["rule"] == "basic_farmland")
        review.raise_()

        def grab():
            try:
                win.grab().save(out)
                status["ok"] = os.path.exists(out)
            finally:
                finish()

        QTimer.singleShot(2500, grab)
    except Exception as e:  # noqa: BLE001 - report in the status file, never hang QGIS
        import traceback

        status["error"] = f"{e}\n{traceback.format_exc()}"
        finish()


if os.environ.get(OUT_ENV) and "qgis.utils" in sys.modules:  # pragma: no cover
    _in_qgis()


def test_contractor_session_offers_no_review_and_no_farmland_waiver(tmp_path, artifacts_dir, sample_county):
    import sysconfig

    import pytest

    from tests.helpers import ROOT, qgis_window

    if not qgis_window.available():
        pytest.skip("xvfb-run or qgis.bin not installed")
    out = os.path.join(artifacts_dir, "review_contractor.png")
    if os.path.exists(out):
        os.remove(out)
    status = str(tmp_path / "status.json")
    script = os.path.abspath(__file__)  # qgis.bin --code runs this file again: _in_qgis() above
    # shapely and openpyxl installed for QGIS's Python, as the README asks users to
    data, err = qgis_window.run_script(script, {OUT_ENV: out, WC_ENV: sample_county.path, STATUS_ENV: status,
                                                ROOT_ENV: ROOT}, tmp_path, status,
                                       pythonpath=sysconfig.get_paths()["purelib"])
    assert data is not None, err[-3000:]
    assert data.get("ok"), data
    assert "demo_contractor" in data["user"] or "施工队" in data["user"], data
    assert "Contractor" in data["identity"] and "339901" in data["identity"], data
    assert not data["role_chooser"]
    assert (data["queue"], data["targets"], data["confirm_enabled"], data["return_enabled"]) == (0, 0, False, False)
    assert data["stages_unchanged"]
    assert data["accept_button_enabled"] is False and "never" in data["accept_button_tip"], data
    assert data["accepted"] is False and data["farmland_exceptions"] == 0
    assert "never" in data["refusal"], data
