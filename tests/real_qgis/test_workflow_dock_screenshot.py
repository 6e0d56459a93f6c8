"""Screenshot of the reviewer dock in a real QGIS under Xvfb (test-artifacts/workflow_dock.png).

Run by pytest, this file starts `xvfb-run qgis.bin --code <this file>`; inside QGIS the same file loads the
plugin from the checkout, opens the sample county, drives the review dock (confirm, return) and grabs the window.
"""

from __future__ import annotations

import json
import os
import sys

OUT_ENV, WC_ENV, STATUS_ENV, ROOT_ENV = "FORESTRY_SHOT_OUT", "FORESTRY_SHOT_WC", "FORESTRY_SHOT_STATUS", "FORESTRY_SHOT_ROOT"
FAULTS_ENV = "FORESTRY_SHOT_FAULTS"


def _in_qgis() -> None:  # pragma: no cover - runs inside qgis.bin
    status = {"ok": False}
    status_path = os.environ[STATUS_ENV]

    def finish():
        from qgis.core import QgsApplication

        with open(status_path, "w", encoding="utf-8") as fh:
            json.dump(status, fh)
        QgsApplication.exit(0)

    try:  # everything inside: an exception must end QGIS, not leave an error dialog open
        sys.path.insert(0, os.environ[ROOT_ENV])  # the checkout (qgis --code exec()s this file without __file__)
        from qgis.core import QgsProject
        from qgis.PyQt.QtCore import QTimer
        from qgis.utils import iface

        import forestry_plugin
        from forestry_plugin.core import identity
        from forestry_plugin.core.project import load_working_copy

        out, wc = os.environ[OUT_ENV], os.environ[WC_ENV]
        with open(os.environ[FAULTS_ENV], encoding="utf-8") as fh:
            json.load(fh)
        win = iface.mainWindow()
        win.resize(1600, 1000)
        win.showMaximized()
        plugin = forestry_plugin.classFactory(iface)
        plugin.initGui()
        load_working_copy(wc, QgsProject.instance(), lang="en")
        comp = next(c for c in plugin.components if type(c).__name__ == "WorkflowDockComponent")
        dock = comp.dock
        dock.show()
        dock.raise_()
        # what a login through the sync panel leaves: the county reviewer's platform account
        identity.set_session(identity.Identity("demo_county", "county_reviewer", display_name="Li Wei",
                                               county="339901", units=("339901",), source=identity.PLATFORM,
                                               verified_at=identity.utc_text()))
        status["queue"] = len(dock.queue)
        # confirm a clean accepted patch, then return it (the city found the extent wrong): the history
        # shows both rows and the info panel says why it cannot go forward again before a new check run
        ready = [i for i, q in enumerate(dock.queue) if q["stage"] == "accepted"
                 and dock.engine.plan([q["patch_id"]], "confirmed", recheck=False)[0].ok]
        status["confirmed"] = status["returned"] = False
        if ready:
            dock.go_to(ready[0])
            pid = dock.current["patch_id"]
            status["confirmed"] = bool(dock.confirm().applied)
            dock.go_to([q["patch_id"] for q in dock.queue].index(pid))
            dock.reason_combo.setCurrentIndex(dock.reason_combo.findData("location_mismatch"))
            status["return_default"] = dock.return_stage_combo.currentData()
            dock.comment_edit.setText("Redraw the east edge along the road")
            status["returned"] = bool(dock.return_patch().applied)
            dock.go_to([q["patch_id"] for q in dock.queue].index(pid))
        status["history_rows"] = dock.history_table.rowCount()
        status["info"] = dock.info_label.text()
        done = []

        def grab():
            if done:
                return
            done.append(True)
            try:
                win.grab().save(out)
                status["ok"] = os.path.exists(out)
                status["dock_visible"] = dock.isVisible()
                status["dock_geometry"] = [dock.width(), dock.height()]
            finally:
                finish()

        def zoom():
            # after QGIS's own zoom-to-full on the first layers; then grab once the zoomed render is done
            dock.raise_()
            iface.mapCanvas().mapCanvasRefreshed.connect(lambda: QTimer.singleShot(1500, grab))
            dock.zoom_to_current()
            status["scale"] = iface.mapCanvas().scale()

        QTimer.singleShot(3000, zoom)
        QTimer.singleShot(30000, grab)  # fallback if the canvas never reports a finished render
    except Exception as e:  # noqa: BLE001 - report in the status file, never hang QGIS
        import traceback

        status["error"] = f"{e}\n{traceback.format_exc()}"
        finish()


if os.environ.get(OUT_ENV) and "qgis.utils" in sys.modules:  # pragma: no cover
    _in_qgis()


def prepare_sample(sample_county, faults_path: str) -> None:
    """Stand in for a check run: every patch checked at its revision, the labelled faults as open errors."""
    from forestry_plugin import schema
    from forestry_plugin.core import geopackage

    wc = sample_county.path
    with geopackage.connect(wc) as con:
        con.execute(f"DELETE FROM {schema.CHECK_STATE}")
        con.execute(f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings) "
                    f"SELECT patch_id, '2025-06-02T00:00:00.000Z', revision, 0, 0 FROM {schema.PATCHES}")
    geopackage.write_features(wc, schema.ISSUES, [
        (dict(run_id="shot", patch_id=pid, rule=rule, severity="error", message=rule), None)
        for pid, rules in sample_county.faults.items() for rule in rules])
    with open(faults_path, "w", encoding="utf-8") as fh:
        json.dump(sample_county.faults, fh)


def test_dock_screenshot_in_real_qgis(tmp_path, artifacts_dir, sample_county):
    import pytest

    from tests.helpers import ROOT, qgis_window

    if not qgis_window.available():
        pytest.skip("xvfb-run or qgis.bin not installed")
    out = os.path.join(artifacts_dir, "workflow_dock.png")
    if os.path.exists(out):
        os.remove(out)
    status = str(tmp_path / "status.json")
    faults = str(tmp_path / "faults_for_shot.json")
    prepare_sample(sample_county, faults)
    script = os.path.abspath(__file__)  # qgis.bin --code runs this file again: _in_qgis() above
    data, err = qgis_window.run_script(script, {OUT_ENV: out, WC_ENV: sample_county.path, STATUS_ENV: status,
                                                ROOT_ENV: ROOT, FAULTS_ENV: faults}, tmp_path, status)
    assert data is not None, err[-3000:]
    assert data.get("ok"), data
    assert data["dock_visible"] and data["queue"] > 0
    assert data["confirmed"] and data["returned"] and data["history_rows"] == 2
    assert data["scale"] < 20000  # zoomed to the patch, not the county
    assert data["return_default"] == "accepted"  # one step back = the stage the patch came from
    from qgis.PyQt.QtGui import QImage

    img = QImage(out)
    assert img.width() >= 1200 and img.height() >= 800
