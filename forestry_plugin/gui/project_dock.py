"""The Forestry home dock: which working copy is open, its patches by stage, open/create/sample."""

from __future__ import annotations

import os
from typing import List, Optional

from qgis.core import QgsApplication, QgsProject, QgsTask
from qgis.gui import QgsDockWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QElapsedTimer, Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import schema
from ..core import geopackage
from ..core.project import audit_problems_on_open, geopackage_table, load_working_copy_steps, stage_summary
from ..core.working_copy import create_working_copy
from ..i18n import tr, ui_language
from . import messages
from .common import DockComponent, current_working_copy, detach_task, working_copy_of  # noqa: F401 (re-exported)


class SummaryTask(QgsTask):
    """Reads a working copy's settings and its patches per stage, and (once, on opening) verifies its audit log,
    in a worker thread: for a large county these reads take seconds."""

    def __init__(self, path: str, verify_audit: bool):
        super().__init__(tr("Forestry: reading the working copy"), QgsTask.CanCancel)
        self.path, self.verify_audit = path, verify_audit
        self.settings: dict = {}
        self.rows: dict = {}
        self.audit_problems: Optional[List[str]] = None
        self.error: Optional[Exception] = None

    def run(self) -> bool:
        try:
            self.settings = geopackage.verify_working_copy(self.path)
            self.setProgress(20)
            self.rows = stage_summary(self.path)
            self.setProgress(40)
        except Exception as e:  # noqa: BLE001 - a locked or damaged file: shown in the dock
            self.error = e
            return True
        if self.verify_audit and not self.isCanceled():
            try:
                self.audit_problems = audit_problems_on_open(self.path)
            except Exception as e:  # noqa: BLE001 - a locked file: say so, do not break the dock
                self.audit_problems = [str(e)]
        return True


class SampleCountyTask(QgsTask):
    """Generates the sample county in a worker thread, with progress and cancel. It is written into a scratch
    folder beside `path` and moved into place only when complete: a canceled or failed generation leaves no half
    file at `path` (and none is loaded)."""

    def __init__(self, path: str):
        super().__init__(tr("Forestry: generating the sample county"), QgsTask.CanCancel)
        self.path = os.path.abspath(path)
        self.result = None  # the SampleCounty, when complete
        self.error: Optional[Exception] = None

    def run(self) -> bool:
        try:
            # imported here: the generator needs shapely, and the dock loads without it (it says what to install)
            from ..core.sample_county import SampleCountyCanceled, write_sample_county
        except ImportError as e:
            self.error = e
            return False
        try:
            self.result = write_sample_county(self.path, progress=lambda f: self.setProgress(95.0 * f),
                                              is_canceled=self.isCanceled)
            self.setProgress(100)
            return True
        except SampleCountyCanceled:
            return False
        except Exception as e:  # noqa: BLE001 - a full disk or an unwritable folder: shown in the dock
            self.error = e
            return False


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
        self.busy = QProgressBar()  # shown while the working copy is read in the background
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.setToolTip(tr("Reading the working copy…"))
        self.busy.hide()
        layout.addWidget(self.busy)
        sample_row = QHBoxLayout()  # shown while the sample county is generated
        self.sample_progress = QProgressBar()
        self.sample_progress.setRange(0, 100)
        self.sample_progress.setFormat(tr("Generating the sample county… %p%"))
        self.sample_cancel = QPushButton(tr("Cancel"))
        self.sample_cancel.setToolTip(tr("Stop generating the sample county (nothing is written)"))
        self.sample_cancel.clicked.connect(self.cancel_sample_county)
        sample_row.addWidget(self.sample_progress)
        sample_row.addWidget(self.sample_cancel)
        self.sample_progress.hide()
        self.sample_cancel.hide()
        layout.addLayout(sample_row)
        self.sample_task: Optional[SampleCountyTask] = None
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
        # Saving patch edits changes the counts: read them again after every commit of a patch layer.
        self._patch_layers: dict = {}  # layer id -> patch layer whose afterCommitChanges refreshes the dock
        QgsProject.instance().layersAdded.connect(self._hook_patch_layers)
        QgsProject.instance().layersWillBeRemoved.connect(self._unhook_patch_layers)
        self._hook_patch_layers(list(QgsProject.instance().mapLayers().values()))
        self._audit_checked: Optional[str] = None  # the working copy whose audit log was verified on opening
        self.audit_problems: List[str] = []
        self.task: Optional[SummaryTask] = None
        self._again = False  # a refresh was asked for while the task ran
        self._opening = None  # the layers of the working copy being opened, added one by one
        self._step_timer = QTimer(self)  # the next layer, on the next turn of the event loop (dies with the dock)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._next_step)
        # A new, cleared or other project while layers are being added: stop adding them.
        QgsProject.instance().cleared.connect(self._abort_opening)
        QgsProject.instance().readProject.connect(self._abort_opening)
        # Opening a working copy adds ten layers, each a layersAdded: one read after the last of them.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._start_reading)
        self.refresh()

    def disconnect_project(self) -> None:
        """The plugin is unloaded: stop opening, stop reading, and let nothing report to this dock any more."""
        self._timer.stop()
        self._abort_opening()
        task, self.task = self.task, None
        detach_task(task)
        sample, self.sample_task = self.sample_task, None
        detach_task(sample)
        self._unhook_patch_layers(list(self._patch_layers))
        project = QgsProject.instance()
        for signal, slot in ((project.layersAdded, self.refresh), (project.layersRemoved, self.refresh),
                             (project.layersAdded, self._hook_patch_layers),
                             (project.layersWillBeRemoved, self._unhook_patch_layers),
                             (project.cleared, self._abort_opening), (project.readProject, self._abort_opening)):
            try:
                signal.disconnect(slot)
            except TypeError:
                pass

    def _hook_patch_layers(self, layers) -> None:
        for layer in layers:
            source = geopackage_table(layer)
            if source and source[1] == schema.PATCHES and layer.id() not in self._patch_layers:
                layer.afterCommitChanges.connect(self.refresh)
                self._patch_layers[layer.id()] = layer

    def _unhook_patch_layers(self, layer_ids) -> None:
        for layer_id in layer_ids:
            layer = self._patch_layers.pop(layer_id if isinstance(layer_id, str) else layer_id.id(), None)
            if layer is None or sip.isdeleted(layer):
                continue
            try:
                layer.afterCommitChanges.disconnect(self.refresh)
            except (TypeError, RuntimeError):
                pass

    def refresh(self, *_args) -> None:
        """Show the open working copy; its patches per stage are read in a QgsTask and shown when it finishes."""
        path = current_working_copy()
        if not path:
            self._timer.stop()
            self.table.setRowCount(0)
            self.path_label.setText(tr("No working copy open"))
            self.county_label.setText("—")
            return
        self.path_label.setText(path)
        self._timer.start()

    def wait(self, timeout_ms: int = 60000) -> bool:
        """Process events until the dock has shown what it reads (tests and scripts); False on time-out."""
        clock = QElapsedTimer()
        clock.start()
        while (self._timer.isActive() or self.task is not None) and clock.elapsed() < timeout_ms:
            QgsApplication.processEvents()
        return not (self._timer.isActive() or self.task is not None)

    def _start_reading(self) -> None:
        if self.task is not None:
            self._again = True
            return
        path = current_working_copy()
        if not path:
            self.refresh()
            return
        verify = path != self._audit_checked
        self._audit_checked = path
        task = SummaryTask(path, verify)
        self.task = task
        task.taskCompleted.connect(lambda: self._show_summary(task))
        task.taskTerminated.connect(lambda: self._show_summary(task))
        self.busy.show()
        QgsApplication.taskManager().addTask(task)

    def _show_summary(self, task: SummaryTask) -> None:
        if self.task is not task:
            return
        self.task = None
        self.busy.setVisible(self._opening is not None)
        path = current_working_copy()
        if task.verify_audit and task.audit_problems is None:
            self._audit_checked = None  # canceled or failed before the check: check again next time
        if self._again or path != task.path:
            self._again = False
            if path:
                self._timer.start()
            else:
                self.refresh()
            if path != task.path:
                return
        if task.error is not None:
            self.table.setRowCount(0)
            self.county_label.setText(tr("Cannot read: {0}").format(task.error))
            if isinstance(task.error, geopackage.WorkingCopyDamaged):  # SQLite's integrity check, run in the task
                messages.error(self.iface, str(task.error), messages.PROJECT)
            return
        settings = task.settings
        self.county_label.setText(f"{settings.get('county_name') or ''} {settings.get('county_code') or ''}".strip() or "—")
        if task.audit_problems is not None:
            self._report_audit(path, task.audit_problems)
        self.table.setRowCount(0)
        total_n, total_mu = 0, 0.0
        for c in schema.STAGES:
            n, mu = task.rows.get(c.code, (0, 0.0))
            total_n, total_mu = total_n + n, total_mu + mu
            self._add_row(c.zh if _zh() else c.en, n, mu)
        self._add_row(tr("Total"), total_n, total_mu)

    def check_audit(self, path: str) -> List[str]:
        """Verify the audit log's hash chain when a working copy comes into the project; warn if it was altered."""
        try:
            problems = audit_problems_on_open(path)
        except Exception as e:  # noqa: BLE001 - a locked file: say so, do not break the dock
            problems = [str(e)]
        return self._report_audit(path, problems)

    def _report_audit(self, path: str, problems: List[str]) -> List[str]:
        self.audit_problems = problems
        if self.audit_problems:
            messages.error(self.iface, tr("The audit log of {0} was altered outside the plugin: {1}. Syncing is "
                                          "refused until the platform administrator has looked at it.").format(
                os.path.basename(path), "; ".join(self.audit_problems)), messages.PROJECT)
        return self.audit_problems

    def _add_row(self, label: str, n: int, mu: float) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setItem(r, 0, QTableWidgetItem(label))
        for col, text in ((1, str(n)), (2, f"{mu:,.2f}")):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(r, col, item)

    def open_working_copy(self, path: Optional[str] = None, wait: bool = False) -> Optional[str]:
        """Add the working copy's layers to the project, one layer per turn of the event loop (QGIS stays
        responsive), then zoom to it; its summary and audit check follow in a QgsTask. wait=True (scripts and
        tests) returns when all of it is shown."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, tr("Open working copy"), "", tr("GeoPackage (*.gpkg)"))
        if not path:
            return None
        if self._opening is not None:
            messages.warning(self.iface, tr("A working copy is being opened; wait until it is shown"),
                             messages.PROJECT)
            return None
        # The integrity check (seconds for a large county) runs in the SummaryTask, not here on the main thread.
        steps = load_working_copy_steps(path, QgsProject.instance(), lang="zh" if _zh() else "en", integrity=False)
        self._opening = steps
        self.busy.show()
        if not self._open_step(steps):
            return None
        if wait:
            clock = QElapsedTimer()
            clock.start()
            while self._opening is steps and clock.elapsed() < 60000:
                QgsApplication.processEvents()
            self.wait()
        return path

    def _next_step(self) -> None:
        if self._opening is not None:
            self._open_step(self._opening)

    def _open_step(self, steps) -> bool:
        """Add the next layer; schedule the one after it. False when the working copy cannot be opened."""
        if self._opening is not steps:
            return False  # aborted meanwhile
        try:
            next(steps)
        except StopIteration:
            self._opening = None
            self.iface.mapCanvas().zoomToFullExtent()
            self.refresh()
            return True
        except Exception as e:  # noqa: BLE001 - a bad file or a QGIS error: say so, and do not stay "opening"
            self._abort_opening()
            messages.error(self.iface, str(e) if isinstance(e, geopackage.WorkingCopyError) else
                           tr("Cannot open the working copy: {0}").format(e), messages.PROJECT)
            return False
        if self._opening is steps:  # the step may have cleared the project (and so aborted the opening)
            self._step_timer.start()
        return True

    def _abort_opening(self, *_args) -> None:
        """Stop adding the layers of the working copy being opened (the project was cleared or replaced, the plugin
        unloaded, or a step failed)."""
        steps, self._opening = self._opening, None
        self._step_timer.stop()
        if steps is None:
            return
        try:
            steps.close()
        except ValueError:  # aborted from within its own step: it is not resumed again anyway
            pass
        self.busy.setVisible(self.task is not None)

    def new_working_copy(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("New working copy"), "", tr("GeoPackage (*.gpkg)"))
        if not path:
            return
        code, ok = QInputDialog.getText(self, tr("New working copy"), tr("County code (6 digits, GB/T 2260):"))
        if not ok or not (code.isdigit() and len(code) == 6):
            messages.warning(self.iface, tr("A county code has 6 digits, e.g. 330110"), messages.PROJECT)
            return
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        try:
            create_working_copy(path, overwrite=os.path.exists(path), county_code=code)
        except (geopackage.WorkingCopyError, OSError) as e:
            messages.error(self.iface, str(e), messages.PROJECT)
            return
        self.open_working_copy(path)

    def new_sample_county(self, path: Optional[str] = None) -> Optional[SampleCountyTask]:
        """Generate the sample county at `path` (asked for when not given) in a QgsTask, with progress and cancel;
        it is opened when complete. Returns the task (None when nothing was started)."""
        if self.sample_task is not None:
            messages.warning(self.iface, tr("The sample county is being generated; wait until it is opened"),
                             messages.PROJECT)
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, tr("Sample county"), "sample_county.gpkg",
                                                  tr("GeoPackage (*.gpkg)"))
        if not path:
            return None
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        task = SampleCountyTask(path)
        self.sample_task = task
        task.progressChanged.connect(lambda value: self.sample_progress.setValue(int(value)))
        task.taskCompleted.connect(lambda: self._sample_done(task))
        task.taskTerminated.connect(lambda: self._sample_done(task))
        self.sample_progress.setValue(0)
        self.sample_progress.show()
        self.sample_cancel.show()
        self.sample_cancel.setEnabled(True)
        self.sample_button.setEnabled(False)
        QgsApplication.taskManager().addTask(task)
        return task

    def cancel_sample_county(self) -> None:
        """Stop generating the sample county: nothing is written at its path, nothing is opened."""
        if self.sample_task is not None:
            self.sample_cancel.setEnabled(False)
            self.sample_task.cancel()

    def _sample_done(self, task: SampleCountyTask) -> None:
        if self.sample_task is not task:
            return
        self.sample_task = None
        self.sample_progress.hide()
        self.sample_cancel.hide()
        self.sample_button.setEnabled(True)
        if task.result is not None:
            self.open_working_copy(task.path)
        elif task.error is not None:
            messages.error(self.iface, tr("Cannot generate the sample county: {0}").format(task.error),
                           messages.PROJECT)
        else:
            messages.info(self.iface, tr("Sample county canceled: nothing was written"), messages.PROJECT)


def _zh() -> bool:
    return ui_language() == "zh"


class ProjectDockComponent(DockComponent):
    """Adds the working-copy dock (shown at start) and its toggle action."""

    dock_class = ProjectDock
    start_hidden = False

    def labels(self):
        return tr("Working copy"), tr("Show the forestry working-copy panel")
