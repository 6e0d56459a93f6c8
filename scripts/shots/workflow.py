# ruff: noqa: F821  (`win`, the QGIS main window, is defined by scripts/screenshots.py, which exec()s this file)
# Inside QGIS: checks first (transitions need fresh checks), then the county reviewer's queue.
from qgis.PyQt.QtWidgets import QDockWidget

from forestry_plugin.core.checks.engine import check_working_copy
from forestry_plugin.gui.project_dock import current_working_copy

check_working_copy(current_working_copy())
for other in ("ForestryProjectDock", "ForestryChecksDock", "ForestrySyncPanel"):
    w = win.findChild(QDockWidget, other)
    if w is not None:
        w.hide()
dock = next(d for d in win.findChildren(QDockWidget) if d.objectName().startswith("ForestryWorkflow")
            or d.objectName().startswith("ForestryReview"))
dock.show()
dock.raise_()
dock.refresh() if hasattr(dock, "refresh") else None
