"""Shared GUI plumbing: finding the working copy's layers in the project, and the dock component pattern."""

from __future__ import annotations

import csv
import functools
import io
import os
import traceback
from typing import Any, Callable, List, Optional, Tuple

from qgis.core import Qgis, QgsMessageLog, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .. import schema
from ..core import clock
from ..core.output_file import OutputFileError, write_file
from ..core.project import geopackage_table
from ..i18n import tr, ui_language


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
    source = geopackage_table(layer)
    return source[0] if source else None


def current_working_copy(project: Optional[QgsProject] = None) -> Optional[str]:
    """The working copy whose patch layer is in the project (the first one found)."""
    project = project or QgsProject.instance()
    for layer in project.mapLayers().values():
        source = geopackage_table(layer)
        if source and source[1] == schema.PATCHES:
            return source[0]
    return None


def find_layer(path: Optional[str], table: str, project: Optional[QgsProject] = None) -> Optional[QgsVectorLayer]:
    """The project layer showing `table` of the working copy at `path`."""
    if not path:
        return None
    project = project or QgsProject.instance()
    for layer in project.mapLayers().values():
        if geopackage_table(layer) == (path, table):
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


# -- showing values and reports ----------------------------------------------------------------------
def field_label(name: str, lang: Optional[str] = None, table: str = schema.PATCHES) -> str:
    """The schema label of a field in the user's language (the name itself for a field the schema lacks)."""
    lang = lang or ui_language()
    ldef = schema.LAYER.get(table)
    f = next((x for x in ldef.fields if x.name == name), None) if ldef is not None else None
    f = f or schema.PATCH_FIELD.get(name)
    return f.label(lang) if f else str(name)


def display_value(name: str, value: Any, lang: Optional[str] = None) -> Tuple[str, str]:
    """(text, tooltip) of a patch field's value: a code value by its code-list label (the code in the tooltip)."""
    if value is None:
        return "", ""
    lang = lang or ui_language()
    f = schema.PATCH_FIELD.get(name)
    if f is not None and f.type == schema.DATETIME:  # stored in UTC (older copies: local), shown in local time
        text = clock.local_text(value)
        return text, (tr("Stored: {0}").format(value) if text != str(value) else "")
    text = str(value)
    if f is not None and f.code_list and f.code_list in schema.CODE_LISTS:
        code_list = schema.CODE_LISTS[f.code_list]
        if text in code_list:
            return code_list.label(text, lang), tr("Code: {0}").format(text)
    return text, ""


def import_report_rows(report) -> List[Tuple[str, str, str]]:
    """One (feature, result, details) per feature of an import report, with schema labels in the user's language."""
    lang = ui_language()
    imported = bool(report.ok and report.added)
    notes: dict = {}
    for entry in getattr(report, "value_notes", []):
        src, col, name, value, problem, dropped = entry
        text = (tr("{0} ({1}): value “{2}” dropped: {3}") if dropped
                else tr("{0} ({1}): value “{2}”: {3}")).format(field_label(name, lang), col, value, problem)
        notes.setdefault(src, []).append(text)
    rows: List[Tuple[str, str, str]] = []
    for p in report.patches:
        values = "; ".join(f"{field_label(k, lang)}: {display_value(k, v, lang)[0]}" for k, v in p.attrs.items())
        details = [values] if values else []
        details.extend(notes.get(p.source, []))
        if not imported:
            details.insert(0, "; ".join(report.errors))
        rows.append((p.source, tr("Imported") if imported else tr("Not imported"), " | ".join(details)))
    for src, why in report.skipped:
        rows.append((src, tr("Skipped"), why))
    return rows


def import_report_summary(report) -> str:
    """The summary line of an import report."""
    name = os.path.basename(report.path)
    if not report.ok:
        return tr("{0}: nothing imported ({1} feature(s) skipped).").format(name, len(report.skipped))
    return tr("{0}: {1} patch(es) imported, {2} feature(s) skipped.").format(name, report.added, len(report.skipped))


def detach_task(task) -> None:
    """Disconnect a QgsTask's reports (completed, terminated, progress) and cancel it: for a dock going away, so no
    task reports to a deleted widget."""
    if task is None:
        return
    for signal in (task.taskCompleted, task.taskTerminated, task.progressChanged):
        try:
            signal.disconnect()
        except (TypeError, RuntimeError):  # nothing connected, or the task was deleted already
            pass
    try:
        task.cancel()
    except RuntimeError:
        pass


def import_report_notes(report) -> str:
    """The file-wide part of an import report (errors, columns by their field labels, encoding, warnings)."""
    lang = ui_language()
    return "\n".join(list(report.errors) + report.notes(lambda name: field_label(name, lang)) + list(report.warnings))


def import_report_text(report) -> str:
    """The whole import report as text (what "Save…" writes): summary, notes, then one line per feature."""
    rows = import_report_rows(report)
    out = io.StringIO()
    out.write(import_report_summary(report) + "\n")
    notes = import_report_notes(report)
    if notes:
        out.write(notes + "\n")
    out.write("\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow([tr("Feature"), tr("Result"), tr("Reason / details")])
    writer.writerows(rows)
    return out.getvalue()


class ImportReportDialog(QDialog):
    """The report after an import: a summary line, the file-wide notes, and every feature imported or skipped
    (why), with the schema's field labels; resizable, and saved as a UTF-8 text file with "Save…"."""

    def __init__(self, title: str, report, parent=None):
        super().__init__(parent)
        self.setObjectName("ForestryImportReportDialog")
        self.setWindowTitle(title)
        self.setSizeGripEnabled(True)
        self.report = report
        # Asks for the file to save to (tests replace it): (parent, caption, start, filter) -> (path, filter).
        self.get_save_file_name: Callable = QFileDialog.getSaveFileName
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        icon = QLabel(self)
        pixmap = self.style().standardIcon(QStyle.SP_MessageBoxInformation if report.ok and not report.skipped
                                           else QStyle.SP_MessageBoxWarning)
        icon.setPixmap(pixmap.pixmap(32, 32))
        row.addWidget(icon, 0, Qt.AlignTop)
        self.summary = QLabel(import_report_summary(report), self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        row.addWidget(self.summary, 1)
        layout.addLayout(row)
        self.notes = QPlainTextEdit(import_report_notes(report), self)
        self.notes.setReadOnly(True)
        self.notes.setMaximumHeight(120)
        self.notes.setVisible(bool(self.notes.toPlainText()))
        layout.addWidget(self.notes)
        rows = import_report_rows(report)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels([tr("Feature"), tr("Result"), tr("Reason / details")])
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(r, c, item)
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(tr("Save…"), QDialogButtonBox.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        translate_buttons(self.buttons)
        self.save_button.clicked.connect(lambda: self.save())
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.close_button.setDefault(True)
        self.setMinimumSize(700, 450)
        self.resize(820, 520)

    def text(self) -> str:
        return import_report_text(self.report)

    def save(self, path: Optional[str] = None) -> Optional[str]:
        """Write the report as UTF-8 text to `path` (asked for when not given); the path written, or None."""
        if not path:
            start = os.path.splitext(self.report.path)[0] + "_" + tr("import report") + ".txt"
            path, _ = self.get_save_file_name(self, tr("Save the import report"), start,
                                              tr("Text files (*.txt);;All files (*)"))
        if not path:
            return None
        try:
            write_file(path, self.text())  # all or nothing: a full disk keeps a report already of that name
        except OutputFileError as e:  # which file, and why, in the user's words
            QMessageBox.warning(self, self.windowTitle(), str(e))
            return None
        return path
