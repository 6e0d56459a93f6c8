# ruff: noqa: F821  (`win`, the QGIS main window, is defined by scripts/screenshots.py, which exec()s this file)
# Inside QGIS: checks first (transitions need fresh checks), then the county reviewer's queue as that reviewer's
# platform login shows it, with one confirmation made offline and still pending.
from qgis.PyQt.QtWidgets import QDockWidget

from forestry_plugin.core import identity
from forestry_plugin.core.checks.engine import check_working_copy
from forestry_plugin.gui.project_dock import current_working_copy

check_working_copy(current_working_copy())
for other in ("ForestryProjectDock", "ForestryChecksDock", "ForestrySyncPanel"):
    w = win.findChild(QDockWidget, other)
    if w is not None:
        w.hide()
# what the login leaves in the working copy (the sync panel does this against the platform)
identity.cache_identity(current_working_copy(), identity.Identity(
    "demo_county", "county_reviewer", display_name="示例县县级审核", county="339901", units=("339901",),
    source=identity.PLATFORM, verified_at=identity.utc_text()))
dock = next(d for d in win.findChildren(QDockWidget) if d.objectName().startswith("ForestryWorkflow")
            or d.objectName().startswith("ForestryReview"))
dock.show()
dock.raise_()
dock.refresh()
ready = [i for i, q in enumerate(dock.queue) if q["stage"] == "accepted"
         and dock.engine.plan([q["patch_id"]], "confirmed", recheck=False)[0].ok]
if ready:
    dock.go_to(ready[0])
    pid = dock.current["patch_id"]
    dock.confirm()
    dock.go_to([q["patch_id"] for q in dock.queue].index(pid))
