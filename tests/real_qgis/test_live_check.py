"""The live check runs when a user presses OK in QGIS's own attribute form, in a real QGIS window (Xvfb).

Run by pytest, this file starts `xvfb-run qgis.bin --code <this file>`; inside QGIS the same file loads the plugin
and a small working copy, and then goes QGIS's way: the Add Feature map tool digitizes a patch on dry land
(cropland) with clicks on the map canvas, QGIS opens its attribute form in C++, and OK is clicked. Python's garbage
collector runs first: the form reaches the plugin only as a temporary wrapper, and an interface tied to that wrapper
was silently dropped (QGIS then called the plain C++ acceptChanges and nothing was checked).
"""

from __future__ import annotations

import json
import os
import sys

WC_ENV, STATUS_ENV, ROOT_ENV, OUT_ENV = ("FORESTRY_LIVE_WC", "FORESTRY_LIVE_STATUS", "FORESTRY_LIVE_ROOT",
                                         "FORESTRY_LIVE_OUT")


def _in_qgis() -> None:  # pragma: no cover - runs inside qgis.bin
    status = {"ok": False, "steps": []}
    status_path = os.environ[STATUS_ENV]

    def finish():
        from qgis.core import QgsApplication

        with open(status_path, "w", encoding="utf-8") as fh:
            json.dump(status, fh, ensure_ascii=False)
        QgsApplication.exit(0)

    def fail(e):
        import traceback

        status["error"] = f"{e}\n{traceback.format_exc()}"
        finish()

    try:
        sys.path.insert(0, os.environ[ROOT_ENV])  # the checkout (qgis --code exec()s this file without __file__)
        import gc
        import time

        from qgis.core import QgsDefaultValue, QgsPointXY, QgsProject, QgsRectangle
        from qgis.PyQt.QtCore import QCoreApplication, QPoint, Qt, QTimer
        from qgis.PyQt.QtTest import QTest
        from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox
        from qgis.utils import iface

        import forestry_plugin
        from forestry_plugin import schema
        from forestry_plugin.core.project import load_working_copy
        from tests.helpers.editing_copy import DESIGN, X0, Y0

        wc = os.environ[WC_ENV]
        win = iface.mainWindow()
        win.resize(1600, 1000)
        win.showMaximized()
        plugin = forestry_plugin.classFactory(iface)
        plugin.initGui()
        editing = next(c for c in plugin.components if type(c).__name__ == "EditingComponent")
        layers = load_working_copy(wc, QgsProject.instance(), lang="en")
        patches = layers[schema.PATCHES]
        # the design values the form would otherwise ask for (hard not-null constraints keep OK disabled)
        for name, value in DESIGN.items():
            patches.setDefaultValueDefinition(patches.fields().indexFromName(name), QgsDefaultValue(f"'{value}'"))
        iface.setActiveLayer(patches)
        patches.startEditing()  # the plugin prepares the live check in the background now
        deadline = time.monotonic() + 90
        while wc not in editing._checkers and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        status["checker_ready"] = wc in editing._checkers
        canvas = iface.mapCanvas()
        canvas.setExtent(QgsRectangle(X0 - 50, Y0 - 50, X0 + 2050, Y0 + 1050))
        canvas.refresh()
        for _ in range(20):
            QCoreApplication.processEvents()
            time.sleep(0.02)
        iface.actionAddFeature().trigger()  # QGIS's own Add Feature tool
        tool = canvas.mapTool()
        # QgsMapToolAddFeature lives in QGIS's app, not in PyQGIS: Python sees its QgsMapToolDigitizeFeature base
        status["map_tool"] = type(tool).__name__ if tool else None
        status["qgis_add_feature_tool"] = tool is not None and tool.action() is iface.actionAddFeature()
        del tool
        viewport = canvas.viewport()

        def pixel(x, y):
            p = canvas.getCoordinateTransform().transform(QgsPointXY(x, y))
            return QPoint(int(round(p.x())), int(round(p.y())))

        before = patches.featureCount()
        # a square inside the base-map cell x 1500..2000 / y 0..500: 0103 dry land, i.e. cropland
        corners = [(X0 + 1600, Y0 + 100), (X0 + 1800, Y0 + 100), (X0 + 1800, Y0 + 300), (X0 + 1600, Y0 + 300)]

        def press_ok():
            try:
                dialogs = [w for w in QApplication.topLevelWidgets()
                           if w.isVisible() and w.metaObject().className() == "QgsAttributeDialog"]
                status["dialogs"] = len(dialogs)
                status["attached_forms"] = editing.form_watcher.attached_forms() \
                    if hasattr(editing.form_watcher, "attached_forms") else None
                if not dialogs:
                    finish()
                    return
                dialog = dialogs[0]
                ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
                status["ok_enabled"] = ok.isEnabled()
                gc.collect()  # the temporary wrapper QGIS's form reached the plugin as is gone now
                QTest.mouseClick(ok, Qt.LeftButton)
                for _ in range(20):
                    QCoreApplication.processEvents()
                    time.sleep(0.02)
                status["added"] = patches.featureCount() - before
                status["numbers"] = [str(f["tuban_no"]) for f in patches.getFeatures()]
                status["dialog_open"] = dialog.isVisible()
                status["messages"] = [item.text() for item in iface.messageBar().items()]
                if os.environ.get(OUT_ENV):
                    win.grab().save(os.environ[OUT_ENV])
                status["ok"] = True
                finish()
            except Exception as e:  # noqa: BLE001 - report in the status file, never hang QGIS
                fail(e)

        for x, y in corners:
            pos = pixel(x, y)
            QTest.mouseMove(viewport, pos)
            QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, pos)
        status["steps"].append("digitized")
        QTimer.singleShot(1500, press_ok)  # runs in the form's event loop too, if QGIS shows it modally
        last = pixel(*corners[-1])
        QTest.mouseClick(viewport, Qt.RightButton, Qt.NoModifier, last)  # finishes the polygon: QGIS opens the form
        status["steps"].append("finished")
    except Exception as e:  # noqa: BLE001 - report in the status file, never hang QGIS
        fail(e)


if os.environ.get(STATUS_ENV) and "qgis.utils" in sys.modules:  # pragma: no cover
    _in_qgis()


def test_ok_in_qgis_add_feature_form_runs_the_live_check(tmp_path, artifacts_dir, qgis_app):
    import sysconfig

    import pytest

    from tests.helpers import ROOT, qgis_window
    from tests.helpers.editing_copy import make_working_copy

    if not qgis_window.available():
        pytest.skip("xvfb-run or qgis.bin not installed")
    wc = make_working_copy(str(tmp_path / "wc.gpkg"))
    out = os.path.join(artifacts_dir, "live_check_form_ok.png")
    if os.path.exists(out):
        os.remove(out)
    status = str(tmp_path / "status.json")
    script = os.path.abspath(__file__)  # qgis.bin --code runs this file again: _in_qgis() above
    # shapely and openpyxl installed for QGIS's Python, as the README asks users to
    data, err = qgis_window.run_script(script, {WC_ENV: wc, STATUS_ENV: status, ROOT_ENV: ROOT, OUT_ENV: out},
                                       tmp_path, status, pythonpath=sysconfig.get_paths()["purelib"])
    assert data is not None, err[-3000:]
    assert data.get("ok"), data
    assert data["checker_ready"] and data["qgis_add_feature_tool"], data
    assert data["map_tool"] == "QgsMapToolDigitizeFeature", data  # QGIS's tool, not one of the plugin's
    assert data["dialogs"] == 1 and data["ok_enabled"], data
    assert data["added"] == 1 and not data["dialog_open"], data  # the form saved the patch
    notes = [m for m in data["messages"] if "check error" in m]
    assert notes, data["messages"]
    # the one error of the patch as saved (admin codes and area are filled after the form: not "missing"), named
    # by its rule's label, not its code
    assert "1 check error(s) (On cropland without approval)" in notes[0], notes
    # named by the 图斑编号 the new patch got, not by an id nobody reads
    assert any(n and n != "NULL" and f"Patch {n}:" in notes[0] for n in data["numbers"]), (notes, data["numbers"])
