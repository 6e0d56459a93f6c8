# ruff: noqa: F821  (`win`, the QGIS main window, is defined by scripts/screenshots.py, which exec()s this file)
# Inside QGIS: run the checks on the whole layer and select a finding (for the README screenshot).
from qgis.PyQt.QtWidgets import QDockWidget

dock = win.findChild(QDockWidget, "ForestryChecksDock")
dock.run_checks("layer", wait=True)
dock.tree.expandAll()
dock.tree.setCurrentItem(dock.tree.topLevelItem(0).child(0))
for other in ("ForestryProjectDock", "ForestryWorkflowDock", "ForestrySyncPanel"):
    w = win.findChild(QDockWidget, other)
    if w is not None:
        w.hide()
