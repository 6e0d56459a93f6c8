"""The Forestry home dock: which working copy is open, its patches by stage, open/create/sample."""

from __future__ import annotations

import os
from typing import List, Optional

from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import schema
from ..core import audit, geopackage, workflow
from ..core.project import load_working_copy
from ..i18n import tr, ui_language
from .common import DockComponent, current_working_copy, working_copy_of  # noqa: F401 (re-exported)


class ProjectDock(QgsDockWidget):
    """Shows the open working copy and its patches per stage."""

    def __init__(self, iface, parent=None):
        super().__init__(tr("Forestry working copy"), parent)
        self.setObjectName("ForestryProjectDock")
        self.iface = iface
        body = QWidget()
        layout = QVBoxLayout(body)
        form = QFormLayout()
        self.path_label = QLabel(tr("No working copy open"))
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.county_label = QLabel("—")
        form.addRow(tr("Working copy:"), self.path_label)
        form.addRow(tr("County:"), self.county_label)
        layout.addLayout(form)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("Stage"), tr("Patches"), tr("Area (mu)")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(tr("Open…"))
        self.open_button.setToolTip(tr("Open a working-copy GeoPackage and add its layers to the project"))
        self.new_button = QPushButton(tr("New…"))
        self.new_button.setToolTip(tr("Create an empty working copy for a county"))
        self.sample_button = QPushButton(tr("Sample county…"))
        self.sample_button.setToolTip(tr("Generate the sample county with labelled faults, for training and trials"))
        self.refresh_button = QPushButton(tr("Refresh"))
        for b in (self.open_button, self.new_button, self.sample_button, self.refresh_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.open_button.clicked.connect(self.open_working_copy)
        self.new_button.clicked.connect(self.new_working_copy)
        self.sample_button.clicked.connect(self.new_sample_county)
        self.refresh_button.clicked.connect(self.refresh)
        QgsProject.instance().layersAdded.connect(self.refresh)
        QgsProject.instance().layersRemoved.connect(self.refresh)
        self._audit_checked: Optional[str] = None  # the working copy whose audit log was verified on opening
        self.audit_problems: List[str] = []
        self.refresh()

    def disconnect_project(self) -> None:
        for signal in (QgsProject.instance().layersAdded, QgsProject.instance().layersRemoved):
            try:
                signal.disconnect(self.refresh)
            except TypeError:
                pass

    def refresh(self, *_args) -> None:
        path = current_working_copy()
        self.table.setRowCount(0)
        if not path:
            self.path_label.setText(tr("No working copy open"))
            self.county_label.setText("—")
            return
        self.path_label.setText(path)
        try:
            settings = geopackage.check_working_copy(path)
            with geopackage.connect(path) as con:
                rows = dict((stage, (n, mu)) for stage, n, mu in con.execute(
                    f"SELECT stage, COUNT(*), COALESCE(SUM(area_mu), 0) FROM {schema.PATCHES} GROUP BY stage"))
        except (geopackage.WorkingCopyError, Exception) as e:  # a locked or damaged file must not break the dock
            self.county_label.setText(tr("Cannot read: {0}").format(e))
            return
        self.county_label.setText(f"{settings.get('county_name') or ''} {settings.get('county_code') or ''}".strip() or "—")
        if path != self._audit_checked:
            self._audit_checked = path
            self.check_audit(path)
        total_n, total_mu = 0, 0.0
        for c in schema.STAGES:
            n, mu = rows.get(c.code, (0, 0.0))
            total_n, total_mu = total_n + n, total_mu + mu
            self._add_row(c.zh if _zh() else c.en, n, mu)
        self._add_row(tr("Total"), total_n, total_mu)

    def check_audit(self, path: str) -> List[str]:
        """Verify the audit log's hash chain when a working copy comes into the project; warn if it was altered."""
        try:
            workflow.upgrade_working_copy(path)
            self.audit_problems = audit.problems(path)
        except Exception as e:  # noqa: BLE001 - a locked file: say so, do not break the dock
            self.audit_problems = [str(e)]
        if self.audit_problems:
            self._message(tr("The audit log of {0} was altered outside the plugin: {1}. Syncing is refused until "
                             "the platform administrator has looked at it.").format(
                                 os.path.basename(path), "; ".join(self.audit_problems)), Qgis.Critical)
        return self.audit_problems

    def _add_row(self, label: str, n: int, mu: float) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setItem(r, 0, QTableWidgetItem(label))
        for col, text in ((1, str(n)), (2, f"{mu:,.2f}")):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(r, col, item)

    def _message(self, text: str, level=Qgis.Info) -> None:
        self.iface.messageBar().pushMessage(tr("Forestry"), text, level, 6)

    def open_working_copy(self, path: Optional[str] = None) -> Optional[str]:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, tr("Open working copy"), "", tr("GeoPackage (*.gpkg)"))
        if not path:
            return None
        try:
            load_working_copy(path, QgsProject.instance(), lang="zh" if _zh() else "en")
        except geopackage.WorkingCopyError as e:
            self._message(str(e), Qgis.Critical)
            return None
        self.iface.mapCanvas().zoomToFullExtent()
        self.refresh()
        return path

    def new_working_copy(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("New working copy"), "", tr("GeoPackage (*.gpkg)"))
        if not path:
            return
        code, ok = QInputDialog.getText(self, tr("New working copy"), tr("County code (6 digits, GB/T 2260):"))
        if not ok or not (code.isdigit() and len(code) == 6):
            self._message(tr("A county code has 6 digits, e.g. 330110"), Qgis.Warning)
            return
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        try:
            geopackage.create_working_copy(path, overwrite=os.path.exists(path), county_code=code)
        except (geopackage.WorkingCopyError, OSError) as e:
            self._message(str(e), Qgis.Critical)
            return
        self.open_working_copy(path)

    def new_sample_county(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Sample county"), "sample_county.gpkg", tr("GeoPackage (*.gpkg)"))
        if not path:
            return
        from ..core.sample_county import generate_sample_county

        QgsApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            generate_sample_county(path)
        finally:
            QgsApplication.restoreOverrideCursor()
        self.open_working_copy(path)


def _zh() -> bool:
    return ui_language() == "zh"


class ProjectDockComponent(DockComponent):
    """Adds the working-copy dock (shown at start) and its toggle action."""

    dock_class = ProjectDock
    start_hidden = False

    def labels(self):
        return tr("Working copy"), tr("Show the forestry working-copy panel")
