"""Shared GUI plumbing: finding the working copy's layers in the project, and the dock component pattern."""

from __future__ import annotations

import functools
import os
import traceback
from typing import Optional, Tuple

from qgis.core import Qgis, QgsMessageLog, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
)

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


def standard_button_texts() -> dict:
    """Translated texts of the standard dialog buttons the plugin uses.

    Qt's own texts come from Qt's translations, which QGIS does not always install (they showed English in a
    Chinese QGIS): the plugin's dialogs set them from its own translation instead.
    """
    b = QDialogButtonBox
    return {b.Ok: tr("OK"), b.Cancel: tr("Cancel"), b.Close: tr("Close"), b.Yes: tr("Yes"), b.No: tr("No"),
            b.Save: tr("Save"), b.Apply: tr("Apply"), b.Discard: tr("Discard"), b.Help: tr("Help")}


def translate_buttons(box) -> None:
    """Set the plugin's translations on the standard buttons of a QDialogButtonBox or QMessageBox."""
    texts = standard_button_texts()
    for button in box.buttons():
        std = box.standardButton(button)
        key = QDialogButtonBox.StandardButton(int(std)) if std else None
        if key in texts:
            button.setText(texts[key])


def ask_yes_no(parent, title: str, text: str) -> bool:
    """A yes/no question with translated buttons; True for yes."""
    box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.Yes | QMessageBox.No, parent)
    box.setDefaultButton(QMessageBox.Yes)
    translate_buttons(box)
    return box.exec_() == QMessageBox.Yes


class DetailsDialog(QDialog):
    """A message with a summary line and its full text behind "Show details…", closed with "Close".

    The plugin's own replacement for QMessageBox.setDetailedText, whose details button Qt labels (and re-labels
    on every click) from Qt's translations.
    """

    def __init__(self, title: str, summary: str, details: str = "", ok: bool = True, parent=None):
        super().__init__(parent)
        self.setObjectName("ForestryDetailsDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        icon = QLabel(self)
        pixmap = self.style().standardIcon(QStyle.SP_MessageBoxInformation if ok else QStyle.SP_MessageBoxWarning)
        icon.setPixmap(pixmap.pixmap(32, 32))
        row.addWidget(icon, 0, Qt.AlignTop)
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        row.addWidget(self.summary, 1)
        layout.addLayout(row)
        self.details = QPlainTextEdit(details, self)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        layout.addWidget(self.details, 1)
        self.buttons = QDialogButtonBox(self)
        self.details_button = self.buttons.addButton(tr("Show details…"), QDialogButtonBox.ActionRole)
        self.details_button.setVisible(bool(details))
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        translate_buttons(self.buttons)
        self.details_button.clicked.connect(self.toggle_details)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.close_button.setDefault(True)
        self.resize(480, 140)

    def toggle_details(self) -> None:
        shown = self.details.isHidden()
        self.details.setVisible(shown)
        self.details_button.setText(tr("Hide details…") if shown else tr("Show details…"))
        self.resize(self.width(), 420 if shown else 140)


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
