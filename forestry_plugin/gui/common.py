"""Shared GUI plumbing: finding the working copy's layers in the project, and the dock component pattern."""

from __future__ import annotations

import functools
import os
import traceback
from typing import Optional, Tuple

from qgis.core import Qgis, QgsMessageLog, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from .. import schema
from ..i18n import tr


def guarded(fn):
    """For Qt slots and layer-signal handlers: an exception never escapes into Qt.

    Escaping, it would open QGIS's Python error dialog in the middle of an edit (and abort a test run). It is
    logged with its traceback, and an object with a `notify(message, level)` tells the user.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - reported, never raised into Qt
            QgsMessageLog.logMessage(f"{fn.__qualname__}: {e}\n{traceback.format_exc()}", "Forestry", Qgis.Critical)
            notify = getattr(args[0], "notify", None) if args else None
            if callable(notify):
                try:
                    notify(tr("Something went wrong: {0}. Details are in the Forestry log.").format(e), Qgis.Critical)
                except Exception:  # noqa: BLE001 - the message bar itself may be gone (unload)
                    pass
            return None

    return wrapper


def working_copy_of(layer) -> Optional[str]:
    """The GeoPackage path behind a working-copy layer, or None."""
    if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr":
        return None
    path = layer.source().split("|")[0]
    return path if path.lower().endswith(".gpkg") and os.path.exists(path) else None


def current_working_copy(project: Optional[QgsProject] = None) -> Optional[str]:
    """The working copy whose patch layer is in the project (the first one found)."""
    project = project or QgsProject.instance()
    for layer in project.mapLayers().values():
        if "layername=" + schema.PATCHES in layer.source() and working_copy_of(layer):
            return working_copy_of(layer)
    return None


def find_layer(path: Optional[str], table: str, project: Optional[QgsProject] = None) -> Optional[QgsVectorLayer]:
    """The project layer showing `table` of the working copy at `path`."""
    if not path:
        return None
    project = project or QgsProject.instance()
    for layer in project.mapLayers().values():
        if working_copy_of(layer) == path and layer.source().split("|")[-1] == "layername=" + table:
            return layer
    return None


class DockComponent:
    """A dock plus its toggle action in the plugin's toolbar/menu; subclasses name the dock class and labels."""

    dock_class = None
    icon = "forestry"
    start_hidden = True

    def __init__(self, plugin):
        self.plugin = plugin
        self.dock = None
        self.action = None

    def labels(self) -> Tuple[str, str]:
        """(action text, tooltip), translated."""
        raise NotImplementedError

    def placed(self, dock) -> None:
        """Hook after the dock is added (e.g. to tabify it)."""

    def init_gui(self) -> None:
        iface = self.plugin.iface
        self.dock = self.dock_class(iface, iface.mainWindow())
        iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        if self.start_hidden:
            self.dock.hide()
        self.placed(self.dock)
        self.action = self.dock.toggleViewAction()
        self.action.setIcon(self.plugin.icon(self.icon))
        text, tooltip = self.labels()
        self.action.setText(text)
        self.action.setToolTip(tooltip)
        self.plugin.add_action(self.action)

    def unload(self) -> None:
        task = getattr(self.dock, "task", None)
        if task is not None:
            task.cancel()
        if self.action is not None:
            self.plugin.remove_action(self.action)
            self.action = None
        if self.dock is not None:
            if hasattr(self.dock, "disconnect_project"):
                self.dock.disconnect_project()
            self.dock.hide()  # gone at once, not when the deferred delete runs
            self.plugin.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
