"""Checks dock: run the check engine on the layer, the selection or the map extent in a QgsTask; findings
grouped by rule, filter, zoom and flash, accept as exception, re-run changed patches, Excel, safe fixes."""

from __future__ import annotations

from typing import Dict, List, Optional

import shapely
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsExpression,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsTask,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import schema
from ..core import attributes, fixes, geopackage, identity
from ..core.area import AreaCalculator
from ..core.checks import store
from ..core.checks.engine import check_working_copy
from ..core.checks.gpkg_io import patches_epsg
from ..core.checks.model import CheckCanceled, Finding
from ..core.checks.projection import metres_in
from ..core.checks.report import write_check_report
from ..core.checks.rules import format_value, rule_label
from ..core.output_file import OutputFileError
from ..core.queries import admin_names, patches_changed_since_check
from ..i18n import tr, ui_language
from . import messages
from .common import DockComponent, ask_yes_no, current_working_copy, find_layer

SEVERITY_COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}
FILTER_DELAY_MS = 250  # the findings filter waits this long after the last keystroke
AUTO_NUMBER_STAGES = ("design",)  # patches numbered (图斑编号) before a check run when they have none
SCOPES = ("layer", "selection", "extent", "changed")
# Fixes offered per rule (fix ids; fix_label() names them).
FIXES = {
    "invalid_geometry": ["repair"],
    "sliver": ["slivers"],
    "min_area": [],
    "basic_farmland": ["clip"],
    "cropland": ["clip"],
    "builtup_water": ["clip"],
    "patch_overlap": ["snap"],
    "history_overlap": ["snap"],
}


def fix_label(fix_id: str) -> str:
    """Translated menu label of a fix (literal tr() calls, so the extractor sees every label)."""
    labels = {
        "repair": tr("Repair geometry"),
        "slivers": tr("Remove slivers and thin parts"),
        "clip": tr("Clip to allowed land"),
        "snap": tr("Snap to base-map boundaries"),
    }
    return labels.get(fix_id, fix_id)


class CheckTask(QgsTask):
    """Runs check_working_copy in a worker thread."""

    def __init__(self, path: str, patch_ids=None, extent=None):
        super().__init__(tr("Forestry checks"), QgsTask.CanCancel)
        self.path, self.patch_ids, self.extent = path, patch_ids, extent
        self.result = None
        self.error: Optional[Exception] = None

    def run(self) -> bool:
        try:
            self.result = check_working_copy(self.path, patch_ids=self.patch_ids, extent=self.extent,
                                             progress=lambda f: self.setProgress(f * 100),
                                             is_canceled=self.isCanceled)
            return True
        except CheckCanceled:
            return False
        except Exception as e:  # shown on the main thread
            self.error = e
            return False


def readable_message(f: Finding, numbers: Dict[str, str]) -> str:
    """A finding's message with any patch id in it (findings stored before patches had numbers, the live check)
    replaced by the patch's 图斑编号."""
    text = f.message or ""
    other = f.other_id or ""
    if other and numbers.get(other):
        text = text.replace(other, numbers[other]).replace(other[:8], numbers[other])
    return text


def load_findings(path: str) -> List[Finding]:
    """The current findings stored in the working copy (check_issues), with their accepted flags."""
    accepted = {(e["patch_id"], e["rule"], e.get("other_id")) for e in store.list_exceptions(path)}
    out = []
    for _fid, a, wkb in geopackage.read_features(path, schema.ISSUES):
        f = Finding(a["patch_id"] or "", a["rule"], a["severity"], a["message"] or "", a["value"],
                    shapely.from_wkb(wkb) if wkb else None, a["other_id"])
        f.accepted = (f.patch_id, f.rule, f.other_id) in accepted or (f.patch_id, f.rule, None) in accepted
        out.append(f)
    return out


class ChecksDock(QgsDockWidget):
    def __init__(self, iface, parent=None):
        super().__init__(tr("Forestry checks"), parent)
        self.setObjectName("ForestryChecksDock")
        self.iface = iface
        self.findings: List[Finding] = []
        self.numbers: Dict[str, str] = {}  # patch_id -> 图斑编号, read once per reload
        self._search: List[str] = []  # per finding: the lower-case text the filter looks in
        self.filter_passes = 0  # how often the tree was filled (tests)
        self.task: Optional[CheckTask] = None
        self.ask = lambda title, text: ask_yes_no(self, title, text)
        self.ask_reason = lambda: QInputDialog.getText(self, tr("Accept as exception"),
                                                       tr("Reason (kept with the working copy):"))
        self.ask_approval_ref = lambda: QInputDialog.getText(self, tr("Accept as exception"),
                                                             tr("Approval reference number:"))
        self.last_refusal = ""
        body = QWidget()
        layout = QVBoxLayout(body)
        row = QHBoxLayout()
        self.scope = QComboBox()
        for code, label in zip(SCOPES, (tr("Whole layer"), tr("Selected patches"), tr("Map extent"),
                                        tr("Changed since last check"))):
            self.scope.addItem(label, code)
        self.run_button = QPushButton(tr("Run checks"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        row.addWidget(self.scope, 1)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(tr("Filter: patch no., id or message"))
        self.severity_filter = QComboBox()
        self.severity_filter.addItem(tr("All severities"), "")
        for c in schema.SEVERITIES:
            self.severity_filter.addItem(c.label(ui_language()), c.code)
        self.show_accepted = QComboBox()
        self.show_accepted.addItem(tr("Open findings"), False)
        self.show_accepted.addItem(tr("Including accepted"), True)
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.severity_filter)
        row.addWidget(self.show_accepted)
        layout.addLayout(row)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("Finding"), tr("Value"), tr("Patch no.")])
        self.tree.setColumnWidth(0, 330)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.accept_button = QPushButton(tr("Accept as exception…"))
        self.fix_button = QPushButton(tr("Fix…"))
        self.export_button = QPushButton(tr("Excel…"))
        for b in (self.accept_button, self.fix_button, self.export_button):
            row.addWidget(b)
        layout.addLayout(row)
        self.setWidget(body)
        self.run_button.clicked.connect(lambda: self.run_checks())
        self.cancel_button.clicked.connect(self.cancel)
        # Typing filters what is loaded once the user pauses, not on every keystroke.
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(lambda: self.populate())
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.severity_filter.currentIndexChanged.connect(self.populate)
        self.show_accepted.currentIndexChanged.connect(self.populate)
        self.tree.currentItemChanged.connect(lambda cur, _prev: self.zoom_to(cur))
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._update_accept(cur))
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.accept_button.clicked.connect(lambda: self.accept_current())
        self.fix_button.clicked.connect(self._fix_menu)
        self.export_button.clicked.connect(lambda: self.export())
        QgsProject.instance().layersAdded.connect(self.reload)
        self.reload()

    # -- data ---------------------------------------------------------------------------
    def disconnect_project(self):
        try:
            QgsProject.instance().layersAdded.disconnect(self.reload)
        except TypeError:
            pass

    def path(self) -> Optional[str]:
        return current_working_copy()

    def layer(self, table: str = schema.PATCHES) -> Optional[QgsVectorLayer]:
        return find_layer(self.path(), table)

    def reload(self, *_a) -> None:
        path = self.path()
        self.findings = load_findings(path) if path else []
        self.numbers = self._patch_numbers()
        self._search = [f"{self.numbers.get(f.patch_id, '')} {f.patch_id} {readable_message(f, self.numbers)}".lower()
                        for f in self.findings]
        self.populate()

    def _patch_numbers(self) -> Dict[str, str]:
        """patch_id -> 图斑编号 of the patches layer (edit buffer included), without geometries."""
        layer = self.layer()
        if layer is None:
            return {}
        fields = layer.fields()
        if fields.indexFromName("patch_id") < 0 or fields.indexFromName("tuban_no") < 0:
            return {}
        req = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(
            ["patch_id", "tuban_no"], fields)
        return {str(f["patch_id"]): str(schema.plain_value(f["tuban_no"]) or "") for f in layer.getFeatures(req)}

    def label(self, patch_id: str) -> str:
        """What the dock calls a patch: its 图斑编号, else its short id."""
        return schema.patch_label(patch_id, self.numbers.get(patch_id))

    def flush_filter(self) -> None:
        """Apply a pending filter text now (instead of after the typing pause)."""
        if self._filter_timer.isActive():
            self._filter_timer.stop()
            self.populate()

    def populate(self, *_a) -> None:
        """Fill the tree from the loaded findings (no patch is read here)."""
        self._filter_timer.stop()
        self.filter_passes += 1
        self.tree.clear()
        text = self.filter_edit.text().strip().lower()
        severity = self.severity_filter.currentData()
        with_accepted = bool(self.show_accepted.currentData())
        if len(self._search) != len(self.findings):  # findings set from outside reload()
            self._search = [f"{self.numbers.get(f.patch_id, '')} {f.patch_id} {f.message}".lower()
                            for f in self.findings]
        groups = {}
        for i, f in enumerate(self.findings):
            if f.accepted and not with_accepted or severity and f.severity != severity:
                continue
            if text and text not in self._search[i]:
                continue
            key = (f.rule, f.severity)
            if key not in groups:
                groups[key] = QTreeWidgetItem(self.tree)
                groups[key].setData(0, Qt.UserRole, None)
                groups[key].setForeground(0, QBrush(QColor(SEVERITY_COLOURS.get(f.severity, "#000"))))
            item = QTreeWidgetItem(groups[key])
            message = readable_message(f, self.numbers)
            item.setText(0, ("✔ " if f.accepted else "") + message)
            item.setText(1, format_value(f.rule, f.value))
            item.setTextAlignment(1, int(Qt.AlignRight | Qt.AlignVCenter))
            item.setText(2, self.label(f.patch_id))
            item.setData(0, Qt.UserRole, i)
            item.setToolTip(0, f"{self.label(f.patch_id)}\n{message}" if f.patch_id else message)
            if f.accepted:
                item.setForeground(0, QBrush(QColor("#808080")))
        for (rule, sev), item in groups.items():
            item.setText(0, f"{rule_label(rule)} — {schema.SEVERITIES.label(sev, ui_language())} ({item.childCount()})")
        self.tree.sortItems(0, Qt.AscendingOrder)

    def current_finding(self, item=None) -> Optional[Finding]:
        item = item or self.tree.currentItem()
        idx = item.data(0, Qt.UserRole) if item is not None else None
        return self.findings[idx] if idx is not None else None

    # -- running ------------------------------------------------------------------------
    def run_checks(self, scope: Optional[str] = None, wait: bool = False) -> Optional[CheckTask]:
        path, layer = self.path(), self.layer()
        if not path or layer is None:
            messages.warning(self.iface, tr("Open a working copy first"), messages.CHECKS, duration=5)
            return None
        if layer.isModified():
            if not self.ask(tr("Unsaved edits"), tr("The patches layer has unsaved edits. Save them before checking?")):
                return None
            layer.commitChanges(False)
        self.number_missing(path, layer)
        scope = scope or self.scope.currentData()
        patch_ids, extent = None, None
        if scope == "selection":
            patch_ids = [f["patch_id"] for f in layer.selectedFeatures()]
            if not patch_ids:
                messages.warning(self.iface, tr("No patches selected"), messages.CHECKS, duration=5)
                return None
        elif scope == "extent":
            e = self.iface.mapCanvas().extent()
            extent = (e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum())
        elif scope == "changed":
            patch_ids = patches_changed_since_check(path)
            if not patch_ids:
                messages.info(self.iface, tr("No patch changed since the last check"), messages.CHECKS, duration=5)
                return None
        self.task = CheckTask(path, patch_ids, extent)
        self.task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        self.task.taskCompleted.connect(lambda: self._finished(True))
        self.task.taskTerminated.connect(lambda: self._finished(False))
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        if wait:
            ok = self.task.run()
            self._finished(ok)
            return None
        QgsApplication.taskManager().addTask(self.task)
        return self.task

    def number_missing(self, path: str, layer: QgsVectorLayer) -> int:
        """Give design patches without a 图斑编号 their number (the working copy's scheme) before a check run, so
        findings name every patch by it; return how many were numbered."""
        if layer.isModified():
            return 0
        try:
            if not attributes.unnumbered_patches(path, AUTO_NUMBER_STAGES):
                return 0
            n = attributes.number_patches(path, stages=AUTO_NUMBER_STAGES)
        except Exception as e:  # noqa: BLE001 - a locked file: check without numbers, and say why
            messages.warning(self.iface, tr("Patches could not be numbered: {0}").format(e), messages.CHECKS)
            return 0
        layer.dataProvider().reloadData()
        layer.triggerRepaint()
        identity.notify()  # the review queue names patches by their numbers now
        messages.info(self.iface, tr("{0} patch(es) without a patch number were numbered.").format(n), messages.CHECKS,
                      duration=5)
        return n

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _finished(self, ok: bool) -> None:
        task, self.task = self.task, None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if task is None:
            return
        if not ok or task.result is None:
            messages.show(self.iface, str(task.error) if task.error else tr("Checks canceled"),
                          Qgis.Critical if task.error else Qgis.Info, messages.CHECKS)
            return
        self.progress.setValue(100)
        issues = self.layer(schema.ISSUES)
        if issues is not None:
            issues.dataProvider().reloadData()
            issues.triggerRepaint()
        self.reload()
        res = task.result
        errors = sum(1 for f in res.open_findings if f.severity == "error")
        messages.show(self.iface, tr("{0} patches checked in {1:.2f} s: {2} open findings, {3} errors").format(
            len(res.checked_ids), res.seconds, len(res.open_findings), errors),
            Qgis.Warning if errors else Qgis.Success, messages.CHECKS)

    # -- interaction --------------------------------------------------------------------
    def zoom_to(self, item) -> None:
        f = self.current_finding(item)
        if f is None:
            return
        layer = self.layer()
        canvas = self.iface.mapCanvas()
        geom = None
        if f.geometry is not None and not f.geometry.is_empty:
            geom = QgsGeometry()
            geom.fromWkb(shapely.to_wkb(f.geometry, output_dimension=2))
        if layer is not None and f.patch_id:
            ids = [feat.id() for feat in layer.getFeatures(_patch_request(f.patch_id))]
            layer.selectByIds(ids)
            if geom is None and ids:
                geom = layer.getFeature(ids[0]).geometry()
        if geom is None or geom.isEmpty():
            return
        rect = geom.boundingBox()
        rect.scale(3.0)
        if rect.width() < 50:
            rect.grow(50)
        canvas.setExtent(rect)
        canvas.refresh()
        canvas.flashGeometries([geom], layer.crs() if layer is not None else canvas.mapSettings().destinationCrs())

    def accept_current(self, reason: Optional[str] = None, approval_ref: Optional[str] = None) -> bool:
        f = self.current_finding()
        if f is None or not f.patch_id:
            return False
        # Ask only a person the exception policy lets accept this finding, and say why not otherwise.
        refusal = store.exception_refusal(self.path(), f.rule, f.severity, "reason", "ref")
        if refusal is not None and refusal["code"] != "approval_ref_required":
            self._refused(store.refusal_text(refusal, identity.current_user(self.path()).role, f.rule))
            return False
        needs_ref = refusal is not None
        if reason is None:
            reason, ok = self.ask_reason()
            if not ok or not reason.strip():
                return False
        if needs_ref and approval_ref is None:
            approval_ref, ok = self.ask_approval_ref()
            if not ok:
                return False
        try:
            store.accept_exception(self.path(), f.patch_id, f.rule, f.other_id, reason.strip(),
                                   approval_ref=approval_ref or "", severity=f.severity)
        except store.ExceptionRefused as e:
            self._refused(str(e))
            return False
        self.reload()
        return True

    def _update_accept(self, item=None) -> None:
        """Offer "Accept as exception" only for a finding the exception policy lets the current person accept."""
        f = self.current_finding(item)
        path = self.path()
        allowed = False
        if f is not None and f.patch_id and path:
            try:
                refusal = store.exception_refusal(path, f.rule, f.severity, "reason", "ref")
                allowed = refusal is None or refusal["code"] == "approval_ref_required"
                tip = store.refusal_text(refusal, identity.current_user(path).role, f.rule) if not allowed else ""
            except Exception as e:  # noqa: BLE001 - a locked file: leave the button off and say why
                tip = str(e)
            self.accept_button.setToolTip(tip or tr("Accept the finding as an exception, with a reason"))
        self.accept_button.setEnabled(allowed)

    def _refused(self, text: str) -> None:
        self.last_refusal = text
        messages.warning(self.iface, text, messages.CHECKS)

    def finding_menu(self, f: Finding, with_accept: bool = True) -> QMenu:
        """The menu of a finding: accept as exception (optional) and the fixes offered for its rule."""
        menu = QMenu(self)
        if with_accept:
            menu.addAction(tr("Accept as exception…"), lambda: self.accept_current())
        for fix_id in FIXES.get(f.rule, []):
            menu.addAction(fix_label(fix_id), lambda fid=fix_id: self.apply_fix(fid))
        return menu

    def _context_menu(self, pos) -> None:
        f = self.current_finding(self.tree.itemAt(pos))
        if f is None:
            return
        menu = self.finding_menu(f)
        menu.exec_(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _fix_menu(self) -> None:
        f = self.current_finding()
        if f is None:
            return
        if not FIXES.get(f.rule):
            messages.info(self.iface, tr("No automatic fix for this finding"), messages.CHECKS, duration=5)
            return
        menu = self.finding_menu(f, with_accept=False)
        menu.exec_(self.fix_button.mapToGlobal(self.fix_button.rect().bottomLeft()))
        menu.deleteLater()

    def apply_fix(self, fix_id: str, finding: Optional[Finding] = None) -> bool:
        """Apply a fix to the finding's patch in the edit buffer (one undoable command); areas updated. The clip
        and snap fixes read the working copy's reference (its PostGIS source when it has one): when that cannot be
        read the user is told and the patch is left as it is."""
        from ..core.checks import pg_source

        f = finding or self.current_finding()
        layer, path = self.layer(), self.path()
        if f is None or layer is None or not f.patch_id:
            return False
        feats = list(layer.getFeatures(_patch_request(f.patch_id)))
        if not feats:
            return False
        feat = feats[0]
        g = shapely.from_wkb(bytes(feat.geometry().asWkb()))
        if fix_id not in ("repair", "slivers", "clip", "snap"):
            raise ValueError(fix_id)
        try:
            if fix_id == "repair":
                new = fixes.repair(g)
            elif fix_id == "slivers":
                unit = metres_in(patches_epsg(path), 1.0)  # a metre in the copy's units (degrees, about)
                new = fixes.remove_slivers(g, min_part_m2=50.0 * unit * unit, min_hole_m2=50.0 * unit * unit,
                                           min_width_m=5.0 * unit)
            else:
                # the reference around the patch: FIX_MARGIN_M metres, in degrees for a geographic working copy
                epsg = patches_epsg(path)
                bbox = fixes.window(g, epsg)
                if fix_id == "clip":
                    approved = bool(str(feat["approval_no"] or "").strip()) if feat.fieldNameIndex("approval_no") \
                        >= 0 else False
                    new = fixes.clip_to_allowed(g, fixes.forbidden_near(path, bbox, approved_cropland=approved))
                else:
                    new = fixes.snap_to_basemap(g, fixes.parcels_near(path, bbox),
                                                tolerance_m=metres_in(epsg, 1.0))
        except (pg_source.ReferenceSourceError, geopackage.WorkingCopyError) as e:  # setting or database unusable
            messages.warning(self.iface, tr("Fix not applied, the patch is unchanged: {0}").format(e), messages.CHECKS)
            return False
        if new.is_empty:
            messages.warning(self.iface, tr("The fix would remove the whole patch: not applied"), messages.CHECKS)
            return False
        qg = QgsGeometry()
        qg.fromWkb(shapely.to_wkb(new, output_dimension=2))
        if not layer.isEditable():
            layer.startEditing()
        layer.beginEditCommand(tr("Fix: {0}").format(fix_label(fix_id)))
        layer.changeGeometry(feat.id(), qg)
        mu, ha = schema.rounded_area(AreaCalculator(layer.crs()).area(qg))  # as the editing context rounds
        for name, value in (("area_mu", mu), ("area_ha", ha)):
            idx = layer.fields().indexFromName(name)
            if idx >= 0:
                layer.changeAttributeValue(feat.id(), idx, value)
        layer.endEditCommand()
        layer.triggerRepaint()
        messages.info(self.iface, tr("Fixed in the edit buffer: save the layer, or undo (Ctrl+Z)"), messages.CHECKS,
                      duration=6)
        return True

    def export(self, out: Optional[str] = None) -> Optional[str]:
        if out is None:
            out, _ = QFileDialog.getSaveFileName(self, tr("Check report"), "check_report.xlsx",
                                                 tr("Excel workbook (*.xlsx)"))
        if not out:
            return None
        units = {}
        layer = self.layer()
        if layer is not None:
            units = {f["patch_id"]: (f["township_code"], f["village_code"]) for f in layer.getFeatures()}
        try:
            names = admin_names(self.path())
        except ValueError as e:  # the reference database cannot be read: the report names the units by code
            messages.warning(self.iface, tr("Administrative unit names could not be read: {0}").format(e),
                             messages.CHECKS)
            names = {}
        try:
            write_check_report(self.findings, out, patch_units=units, unit_names=names,
                               patch_numbers=self._patch_numbers())
        except OutputFileError as e:  # a full disk, an unwritable folder, the file open in Excel: say which and why
            messages.error(self.iface, str(e), messages.CHECKS)
            return None
        return out


def _patch_request(patch_id: str) -> QgsFeatureRequest:
    """The features of one patch, by its id."""
    return QgsFeatureRequest().setFilterExpression(QgsExpression.createFieldEqualityExpression("patch_id", patch_id))


class ChecksDockComponent(DockComponent):
    dock_class = ChecksDock
    icon = "checks"

    def labels(self):
        return tr("Checks"), tr("Check patches against the base map and review the findings")
