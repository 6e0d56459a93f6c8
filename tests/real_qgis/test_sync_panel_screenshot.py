"""Screenshot of the upload/download panel after a sync, in a real QGIS under Xvfb (test-artifacts/sync_panel.png).

Run by pytest, this file starts `xvfb-run qgis.bin --code <this file>`; inside QGIS the same file starts the reference
platform on 127.0.0.1, stores a Basic auth configuration, loads the plugin, logs in through the panel, uploads,
makes two conflicts from a second working copy, downloads, and grabs the window.
"""

from __future__ import annotations

import json
import os
import sys

from forestry_plugin.core.working_copy import create_working_copy

OUT_ENV, WC_ENV, STATUS_ENV, ROOT_ENV = "FORESTRY_SYNC_OUT", "FORESTRY_SYNC_WC", "FORESTRY_SYNC_STATUS", "FORESTRY_SYNC_ROOT"
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
            json.dump(status, fh)
        QgsApplication.exit(0)

    try:  # everything inside: an exception must end QGIS, not leave an error dialog open
        sys.path.insert(0, os.environ[ROOT_ENV])  # the checkout (qgis --code exec()s this file without __file__)
        from qgis.PyQt.QtCore import Qt, QTimer
        from qgis.utils import iface

        from forestry_plugin import schema
        from forestry_plugin.core import geopackage
        from forestry_plugin.core.sync.client import PlatformClient
        from forestry_plugin.core.sync.engine import SyncEngine
        from tests.helpers.qgis_window import open_plugin_with_platform

        out, wc = os.environ[OUT_ENV], os.environ[WC_ENV]
        server, url, authcfg, plugin = open_plugin_with_platform(wc, "demo_tech", PASSWORD, "screenshot-master")
        win = iface.mainWindow()
        comp = next(c for c in plugin.components if type(c).__name__ == "SyncPanelComponent")
        panel = comp.dock
        for other in plugin.components:  # the panel alone on the right, at full height
            if other is not comp and getattr(other, "dock", None) is not None:
                other.dock.hide()
        panel.show()
        panel.raise_()
        win.resizeDocks([panel], [560], Qt.Horizontal)
        panel.url_edit.setText(url)
        panel.auth_select.setConfigId(authcfg)
        status["login"] = panel.login()
        panel.start("upload", wait=True)
        # Someone at the county changes two patches on the platform; this computer changes the same two.
        other = os.path.join(os.path.dirname(wc), "other.gpkg")
        create_working_copy(other, county_code="339901", store_styles=False)
        c2 = PlatformClient(url)
        c2.login("demo_tech", PASSWORD)
        e2 = SyncEngine(other, c2)
        e2.pull()
        ids = sorted(a["patch_id"] for _f, a, _g in geopackage.read_features(other, schema.PATCHES, ["patch_id"]))[:2]
        with geopackage.connect(other) as con:
            con.executemany("UPDATE patches SET remark = 'county office', species = 'camphor' WHERE patch_id = ?",
                            [(i,) for i in ids])
        e2.push()
        layer = panel.patch_layer()
        layer.startEditing()
        idx = layer.fields().indexFromName("remark")
        for f in layer.getFeatures(f"patch_id IN ('{ids[0]}', '{ids[1]}')"):
            layer.changeAttributeValue(f.id(), idx, "field team")
        layer.commitChanges()
        status["changes_after_edit"] = panel.changes_label.text()
        # the download runs in the task manager like a user's click; the grab waits for it
        task = panel.start("download")
        status["task_started"] = task is not None
        done = []

        def grab():
            if done:
                return
            done.append(True)
            try:
                if panel.conflicts_table.rowCount():
                    panel.conflicts_table.selectRow(0)
                status["conflicts"] = panel.conflicts_table.rowCount()
                status["summary"] = panel.summary_label.text()
                status["changes"] = panel.changes_label.text()
                status["user"] = panel.user_label.text()
                status["progress"] = panel.progress.value()
                win.grab().save(out)
                status["ok"] = os.path.exists(out)
                status["dock_visible"] = panel.isVisible()
                status["dock_geometry"] = [panel.width(), panel.height()]
            finally:
                finish()

        def wait_for_task():
            if panel.task is None:
                QTimer.singleShot(2500, grab)  # let the canvas render the reloaded layer
            else:
                QTimer.singleShot(200, wait_for_task)

        QTimer.singleShot(1000, wait_for_task)
        QTimer.singleShot(60000, grab)  # fallback if the task never finishes
    except Exception as e:  # noqa: BLE001 - report in the status file, never hang QGIS
        import traceback

        status["error"] = f"{e}\n{traceback.format_exc()}"
        finish()


if os.environ.get(OUT_ENV) and "qgis.utils" in sys.modules:  # pragma: no cover
    _in_qgis()


def test_sync_panel_screenshot_in_real_qgis(tmp_path, artifacts_dir, design_county):
    import pytest

    from tests.helpers import ROOT, qgis_window

    if not qgis_window.available():
        pytest.skip("xvfb-run or qgis.bin not installed")
    out = os.path.join(artifacts_dir, "sync_panel.png")
    if os.path.exists(out):
        os.remove(out)
    status = str(tmp_path / "status.json")
    script = os.path.abspath(__file__)  # qgis.bin --code runs this file again: _in_qgis() above
    data, err = qgis_window.run_script(script, {OUT_ENV: out, WC_ENV: design_county.path, STATUS_ENV: status,
                                                ROOT_ENV: ROOT}, tmp_path, status)
    assert data is not None, err[-3000:]
    profiles = tmp_path / "profiles"
    assert data.get("ok"), data
    assert data["login"] and data["task_started"] and data["dock_visible"]
    assert data["conflicts"] == 2 and data["progress"] == 100, data
    assert "2 changed" in data["changes_after_edit"], data
    assert "Logged in as demo_tech" in data["user"] and "County technician" in data["user"]
    # Nothing secret in the profile QGIS just wrote.
    for ini in profiles.rglob("*.ini"):
        assert PASSWORD not in ini.read_text(errors="replace"), ini
    from qgis.PyQt.QtGui import QImage

    img = QImage(out)
    assert img.width() >= 1200 and img.height() >= 800
