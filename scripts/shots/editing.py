# ruff: noqa: F821  (`iface`, `win` and `status` are defined by scripts/qgis_screenshot.py, which exec()s this file)
# Inside QGIS: the editing toolbar with the new-patch tool active, and the attribute form of a patch just added
# from a base-map cell, its attributes filled by the plugin.
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QToolBar
from qgis.utils import plugins

from forestry_plugin import schema
from forestry_plugin.gui.editing import table_layer

comp = next(c for c in plugins["forestry_plugin"].components if type(c).__name__ == "EditingComponent")
for dock in win.findChildren(QDockWidget):
    if dock.objectName().startswith("Forestry"):
        dock.hide()
layer = comp.patch_layer()
iface.setActiveLayer(layer)
comp.trigger("new")  # starts editing, configures snapping and tracing, activates the tool
# a 0404 (other grassland) cell touching no patch: the new patch covers its middle
basemap = table_layer(QgsProject.instance(), schema.BASEMAP, layer.source().split("|")[0])
target = None
for cell in basemap.getFeatures(QgsFeatureRequest().setFilterExpression("\"DLBM\" = '0404'")):
    g = cell.geometry()
    if 20000 < g.area() < 200000 and not any(True for _ in layer.getFeatures(
            QgsFeatureRequest().setFilterRect(g.boundingBox()).setLimit(1))):
        target = cell
        break
box = target.geometry().boundingBox()
inner = QgsGeometry.fromRect(QgsRectangle(box.center().x() - box.width() / 4, box.center().y() - box.height() / 4,
                                          box.center().x() + box.width() / 4, box.center().y() + box.height() / 4))
geom = inner.intersection(target.geometry())
fid = comp.controller(layer).add_patch(geom, {"method": "planting", "forest_type": "protection",
                                               "species": "camphor", "density": 110, "contractor": "青山绿化公司"})
win.move(0, 0)
# the patch in the left part of the canvas, the form on the right
half = max(box.width(), box.height()) * 2.5
view = QgsRectangle(box.center().x() - half * 0.45, box.center().y() - half * 0.5,
                    box.center().x() + half * 1.05, box.center().y() + half * 0.5)
iface.mapCanvas().setExtent(view)
iface.mapCanvas().refresh()
QTimer.singleShot(1000, lambda: (iface.mapCanvas().setExtent(view), iface.mapCanvas().refresh()))  # after QGIS's own
feature = layer.getFeature(fid)
dialog = iface.getFeatureForm(layer, feature)
dialog.setModal(False)
screen = QApplication.primaryScreen().geometry()
dialog.resize(520, 700)
dialog.move(screen.width() - 540, 150)
dialog.show()
dialog.raise_()
dialog.activateWindow()  # no window manager under Xvfb: activate it as a desktop would, so its first field has focus
QTimer.singleShot(1500, lambda: status.update(
    form_live_check=bool(dialog.attributeForm().property("forestry_live_check")),
    focus_in_form=bool(QApplication.focusWidget() and dialog.isAncestorOf(QApplication.focusWidget()))))
status["filled"] = {k: str(feature[k]) for k in ("village_code", "prev_dlbm", "area_mu", "stage", "year")}
tb = win.findChild(QToolBar, "ForestryEditingToolbar")
status["editing_toolbar"] = bool(tb and tb.isVisible())
status["editing_actions"] = [a.objectName() for a in tb.actions()] if tb else []
status["new_tool_active"] = iface.mapCanvas().mapTool() is comp.tools["new"]
status["grab"] = "screen"  # the form is its own window
