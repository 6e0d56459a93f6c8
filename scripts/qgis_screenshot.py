"""Run inside a real QGIS (qgis.bin --code this_file): open a working copy, show docks, screenshot, exit.

Environment: FORESTRY_SHOT_OUT (PNG path), FORESTRY_SHOT_STATUS (JSON path for the test),
FORESTRY_SHOT_WC (working copy to open, optional), FORESTRY_SHOT_DOCKS (comma-separated dock objectNames
to show, optional), FORESTRY_SHOT_SETUP (a Python file run with `iface` and `win` after that, optional),
FORESTRY_SHOT_DELAY_MS (default 2500).
"""

import json
import os

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QToolBar
from qgis.utils import active_plugins, iface, plugins

OUT = os.environ.get("FORESTRY_SHOT_OUT", "qgis.png")
STATUS = os.environ.get("FORESTRY_SHOT_STATUS", OUT + ".json")
WC = os.environ.get("FORESTRY_SHOT_WC")
DOCKS = [d for d in os.environ.get("FORESTRY_SHOT_DOCKS", "ForestryProjectDock").split(",") if d]
status = {"active_plugins": list(active_plugins), "loaded": "forestry_plugin" in plugins, "errors": []}


def prepare():
    try:
        win = iface.mainWindow()
        win.resize(1600, 1000)
        if WC:
            from forestry_plugin.core.project import load_working_copy

            load_working_copy(WC, QgsProject.instance())
            iface.mapCanvas().setExtent(QgsProject.instance().layerTreeRoot().findLayers()[0].layer().extent())
            iface.mapCanvas().zoomToFullExtent()
        for dock in win.findChildren(QDockWidget):
            if dock.objectName() in DOCKS:
                dock.show()
                dock.raise_()
        setup = os.environ.get("FORESTRY_SHOT_SETUP")
        if setup:  # a snippet that puts the docks in a state worth showing (runs the checks, picks a role...)
            with open(setup, encoding="utf-8") as fh:
                exec(compile(fh.read(), setup, "exec"), {"iface": iface, "win": win, "status": status})
        tb = win.findChild(QToolBar, "ForestryToolbar")
        status["toolbar"] = bool(tb and tb.isVisible())
        status["toolbar_actions"] = [a.text() for a in tb.actions()] if tb else []
        status["docks"] = [d.objectName() for d in win.findChildren(QDockWidget) if d.objectName().startswith("Forestry")]
        status["providers"] = [p.id() for p in QgsApplication.processingRegistry().providers()]
        status["missing_dependencies"] = getattr(plugins.get("forestry_plugin"), "missing_dependencies", None)
        status["algorithms"] = len(QgsApplication.processingRegistry().providerById("forestry").algorithms())
    except Exception as e:  # recorded for the test to report
        status["errors"].append(repr(e))
    QTimer.singleShot(int(os.environ.get("FORESTRY_SHOT_DELAY_MS", "2500")), shoot)


def shoot():
    try:
        if status.get("grab") == "screen":  # set by a setup snippet that opened a dialog of its own
            from qgis.PyQt.QtGui import QGuiApplication

            QGuiApplication.primaryScreen().grabWindow(0).save(OUT)
        else:
            iface.mainWindow().grab().save(OUT)
        status["screenshot"] = OUT
    except Exception as e:
        status["errors"].append(repr(e))
    with open(STATUS, "w", encoding="utf-8") as fh:
        json.dump(status, fh, ensure_ascii=False)
    os._exit(0)  # no "save project?" prompt


QTimer.singleShot(500, prepare)
