"""Reviewer dock: the queue of patches awaiting the current role, next/previous with zoom, confirm / return, history."""

from __future__ import annotations

import html
from typing import Any, Callable, Dict, List

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsLayerTreeLayer,
    QgsMapLayer,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QKeySequence
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QShortcut,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import schema
from ..core import audit, clock, geopackage, identity, workflow
from ..i18n import tr, ui_language
from . import messages
from .common import DockComponent, ask_yes_no, find_layer


def _table_layer(project: QgsProject, path: str, table: str) -> QgsVectorLayer | None:
    """The project layer showing `table` of the working copy at `path`."""
    return find_layer(path, table, project)


def working_copy_in_project(project: QgsProject) -> str | None:
    """The working copy whose patches layer is in the project, if any."""
    from .project_dock import current_working_copy

    return current_working_copy(project)


def imagery_layers(project: QgsProject) -> List[QgsRasterLayer]:
    """XYZ tile layers (satellite imagery) in the project."""
    return [lyr for lyr in project.mapLayers().values()
            if isinstance(lyr, QgsRasterLayer) and lyr.providerType() == "wms" and "type=xyz" in lyr.source()]


class WorkflowDock(QgsDockWidget):
    """Reviewer panel: queue, navigation, confirm / return in two clicks, base-map context and audit history."""

    def __init__(self, iface, parent=None):
        super().__init__(tr("Forestry review"), parent)
        self.setObjectName("ForestryWorkflowDock")
        self.iface = iface
        self.path: str | None = None
        self.engine: workflow.WorkflowEngine | None = None
        self.queue: List[Dict[str, Any]] = []
        self.index = -1
        self.last_report: workflow.BatchReport | None = None
        self.lang = ui_language()
        # Asks before a keyboard shortcut moves a patch: (title, text) -> yes? Replaced in tests.
        self.ask: Callable[[str, str], bool] = lambda title, text: ask_yes_no(self, title, text)
        self._build()
        self._shortcuts = self._install_shortcuts()
        QgsProject.instance().layersAdded.connect(self._project_changed)
        QgsProject.instance().layersRemoved.connect(self._project_changed)
        identity.add_listener(self.refresh)  # logging in or out changes who you are
        self.refresh()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        # Who you are comes from the platform login (or its cached copy offline); it is not a choice.
        self.identity_label = QLabel()
        self.identity_label.setWordWrap(True)
        self.identity_label.setTextFormat(Qt.RichText)
        self.identity_label.setToolTip(tr("Your platform account decides which patches await you and what you may "
                                          "do. Log in in the platform sync panel."))
        layout.addWidget(self.identity_label)

        self.queue_label = QLabel()
        self.queue_label.setWordWrap(True)
        layout.addWidget(self.queue_label)
        self.queue_table = QTableWidget(0, 4)
        self.queue_table.setHorizontalHeaderLabels([tr("Patch no."), tr("Stage"), tr("Village"), tr("Area (mu)")])
        self.queue_table.verticalHeader().setVisible(False)
        self.queue_table.verticalHeader().setDefaultSectionSize(22)
        self.queue_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.queue_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.queue_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.queue_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.queue_table.setMinimumHeight(110)
        self.queue_table.setMaximumHeight(150)
        layout.addWidget(self.queue_table)

        nav = QHBoxLayout()
        self.prev_button = QPushButton(tr("◀ Previous"))
        self.prev_button.setToolTip(tr("Previous patch in the queue (P)"))
        self.next_button = QPushButton(tr("Next ▶"))
        self.next_button.setToolTip(tr("Next patch in the queue (N)"))
        self.position_label = QLabel("—")
        self.position_label.setAlignment(Qt.AlignCenter)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.position_label, 1)
        nav.addWidget(self.next_button)
        layout.addLayout(nav)

        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextFormat(Qt.RichText)
        self.info_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.info_label)

        confirm_box = QGroupBox(tr("Confirm"))
        cl = QHBoxLayout(confirm_box)
        self.target_combo = QComboBox()
        self.target_combo.setToolTip(tr("Stage the patch moves to"))
        self.confirm_button = QPushButton(tr("Confirm"))
        self.confirm_button.setToolTip(tr("Move the patch to the chosen stage (C)"))
        cl.addWidget(QLabel(tr("To:")))
        cl.addWidget(self.target_combo, 1)
        cl.addWidget(self.confirm_button)
        layout.addWidget(confirm_box)

        return_box = QGroupBox(tr("Return for rectification"))
        rl = QVBoxLayout(return_box)
        self.reason_combo = QComboBox()
        self.reason_combo.setToolTip(tr("National rejection reason"))
        self.reason_combo.addItem(tr("— choose a reason —"), None)
        for c in schema.REJECTION_REASONS:
            self.reason_combo.addItem(c.label(self.lang), c.code)
        self.return_stage_combo = QComboBox()
        self.return_stage_combo.setToolTip(tr("Stage the patch goes back to"))
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText(tr("Comment (required for \"other\")"))
        self.return_button = QPushButton(tr("Return"))
        self.return_button.setToolTip(tr("Send the patch back to the chosen stage with the reason (R)"))
        row0 = QHBoxLayout()
        row0.addWidget(QLabel(tr("Reason:")))
        row0.addWidget(self.reason_combo, 1)
        row1 = QHBoxLayout()
        row1.addWidget(QLabel(tr("Back to:")))
        row1.addWidget(self.return_stage_combo, 1)
        row2 = QHBoxLayout()
        row2.addWidget(self.comment_edit, 1)
        row2.addWidget(self.return_button)
        rl.addLayout(row0)
        rl.addLayout(row1)
        rl.addLayout(row2)
        layout.addWidget(return_box)

        ctx = QHBoxLayout()
        self.basemap_check = QCheckBox(tr("Base map"))
        self.basemap_check.setToolTip(tr("Show the land base map under the patches"))
        self.imagery_check = QCheckBox(tr("Imagery"))
        self.imagery_check.setToolTip(tr("Show the XYZ imagery layer of the project under everything"))
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.setToolTip(tr("Reload the queue and the workflow configuration"))
        ctx.addWidget(self.basemap_check)
        ctx.addWidget(self.imagery_check)
        ctx.addStretch(1)
        ctx.addWidget(self.refresh_button)
        layout.addLayout(ctx)

        layout.addWidget(QLabel("<b>{}</b>".format(html.escape(tr("History")))))
        # two columns of two lines each: fits the dock's width without a horizontal scroll bar
        self.history_table = QTableWidget(0, 2)
        self.history_table.setHorizontalHeaderLabels([tr("When / who"), tr("Change / reason")])
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.setWordWrap(True)
        header = self.history_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.history_table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.history_table.setEditTriggers(QAbstractItemView.NoEditTriggers)  # the audit trail is never editable
        self.history_table.setMinimumHeight(90)
        layout.addWidget(self.history_table, 1)
        self.setWidget(body)

        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.confirm_button.clicked.connect(self.confirm)
        self.return_button.clicked.connect(self.return_patch)
        self.refresh_button.clicked.connect(self.refresh)
        self.queue_table.cellClicked.connect(lambda row, _col: self.go_to(row))
        self.reason_combo.currentIndexChanged.connect(self._update_buttons)
        self.basemap_check.toggled.connect(self.show_basemap)
        self.imagery_check.toggled.connect(self.show_imagery)

    def _install_shortcuts(self) -> List[QShortcut]:
        """N/P/C/R while the queue table (or the map canvas) has focus; never while a combo box or a text field
        has it (a C typed in the reason combo once confirmed the patch). C and R ask before they move a patch."""
        out = []
        keys = (("N", self.next), ("P", self.previous), ("C", self.confirm_by_key), ("R", self.return_by_key))
        canvas = None
        try:
            canvas = self.iface.mapCanvas()
        except Exception:  # noqa: BLE001 - an iface without a canvas (scripts)
            canvas = None
        for key, slot in keys:
            out.append(QShortcut(QKeySequence(key), self.queue_table, slot, context=Qt.WidgetWithChildrenShortcut))
            if isinstance(canvas, QWidget):
                out.append(QShortcut(QKeySequence(key), canvas, slot, context=Qt.WidgetShortcut))
        return out

    def _key_question(self, target: str, returning: bool) -> bool:
        """Ask before a shortcut moves the current patch: how many patches, to which stage."""
        cur = self.current
        label = schema.patch_label(cur["patch_id"], cur.get("tuban_no")) if cur else ""
        stage = schema.stage_label(target, self.lang)
        if returning:
            title = tr("Return the patch?")
            text = tr("Return {0} patch ({1}) to {2}?").format(1, label, stage)
        else:
            title = tr("Move the patch?")
            text = tr("Move {0} patch ({1}) to {2}?").format(1, label, stage)
        return bool(self.ask(title, text))

    def confirm_by_key(self) -> workflow.BatchReport | None:
        """The C shortcut: confirm the current patch after asking."""
        target = self.target_combo.currentData()
        if not target or self.current is None or not self.confirm_button.isEnabled():
            return None
        if not self._key_question(target, returning=False):
            return None
        return self.confirm()

    def return_by_key(self) -> workflow.BatchReport | None:
        """The R shortcut: return the current patch after asking (a reason must have been chosen)."""
        target = self.return_stage_combo.currentData()
        if not target or self.current is None:
            return None
        if self.reason_combo.currentData() is None:
            return self.return_patch()  # says to choose a reason
        if not self._key_question(target, returning=True):
            return None
        return self.return_patch()

    # -- state ----------------------------------------------------------------------------
    @property
    def role(self) -> str:
        return self.engine.role if self.engine is not None else ""

    @property
    def identity(self):
        return self.engine.identity if self.engine is not None else None

    @property
    def current(self) -> Dict[str, Any] | None:
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    def patch_layer(self) -> QgsVectorLayer | None:
        return _table_layer(QgsProject.instance(), self.path, schema.PATCHES) if self.path else None

    def _project_changed(self, *_args) -> None:
        if working_copy_in_project(QgsProject.instance()) != self.path:
            self.refresh()
        else:
            self._update_context()

    def refresh(self, *_args) -> None:
        """Reload the configuration and the queue of the current role; keep the current patch if it is still there."""
        keep = self.current["patch_id"] if self.current else None
        self.path = working_copy_in_project(QgsProject.instance())
        self.engine, self.queue = None, []
        if self.path:
            try:
                self.engine = workflow.WorkflowEngine(self.path)
                self.queue = self.engine.queue()
            except (workflow.WorkflowError, geopackage.WorkingCopyError, Exception) as e:  # noqa: BLE001
                # a damaged file or a bad configuration must not break the panel; say why
                self.engine, self.queue = None, []
                messages.warning(self.iface, str(e), messages.REVIEW)
        self._show_identity()
        self._fill_queue()
        ids = [q["patch_id"] for q in self.queue]
        idx = ids.index(keep) if keep in ids else min(max(self.index, 0), len(self.queue) - 1)
        self.go_to(idx, zoom=False)
        self._update_context()

    def _show_identity(self) -> None:
        ident = self.identity
        if ident is None:
            self.identity_label.setText("")
            return
        text = html.escape(ident.label(self.lang))
        if ident.source == "cached":
            text += " <span style='color:#9a6700'>({})</span>".format(html.escape(
                tr("offline: your moves stay pending until the platform accepts them")))
        elif ident.source == "local":
            text += " <span style='color:#9a6700'>({})</span>".format(html.escape(
                tr("no platform login: local technician; log in to review")))
        self.identity_label.setText(tr("You are: {0}").format(text))

    def _fill_queue(self) -> None:
        self.queue_table.setRowCount(0)
        for q in self.queue:
            r = self.queue_table.rowCount()
            self.queue_table.insertRow(r)
            stage = schema.stage_label(q["stage"], self.lang)
            tip = ""
            if q.get("pending"):
                stage = tr("{0} (pending)").format(stage)
                tip = tr("Moved here by {0}; waits for the platform to accept it at the next sync").format(
                    q["pending"].get("user_name") or "")
            elif q.get("refused"):
                stage = tr("{0} ✘ refused by the platform").format(stage)
                tip = q["refused"].get("message_zh" if self.lang == "zh" else "message_en") or ""
            values = [schema.patch_label(q["patch_id"], q.get("tuban_no")), stage,
                      q.get("village_name") or q.get("village_code") or "", "{:,.2f}".format(q["area_mu"] or 0.0)]
            for col, v in enumerate(values):
                item = QTableWidgetItem(v)
                if col == 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if tip:
                    item.setToolTip(tip)
                if q.get("pending") and col == 1:
                    item.setForeground(Qt.darkYellow)
                elif q.get("refused") and col == 1:
                    item.setForeground(Qt.red)
                self.queue_table.setItem(r, col, item)
        if not self.path:
            self.queue_label.setText(tr("No working copy open"))
        elif self.engine is not None and not self.engine.config.queues.get(self.role):
            self.queue_label.setText(tr("Your role ({0}) reviews no patches").format(
                schema.ROLES.label(self.role, self.lang)))
        else:
            self.queue_label.setText(tr("{0} patch(es) awaiting review by {1}").format(
                len(self.queue), schema.ROLES.label(self.role, self.lang)))

    # -- navigation -----------------------------------------------------------------------
    def go_to(self, index: int, zoom: bool = True) -> None:
        """Make queue row `index` the current patch, show it and (by default) zoom to it."""
        self.index = index if 0 <= index < len(self.queue) else -1
        if self.index >= 0:
            self.queue_table.selectRow(self.index)
        else:
            self.queue_table.clearSelection()
        self.position_label.setText(f"{self.index + 1} / {len(self.queue)}" if self.queue else "—")
        self._fill_targets()
        self._show_info()
        self._fill_history()
        self._update_buttons()
        if zoom and self.current:
            self.zoom_to_current()

    def next(self) -> None:
        """Next patch in the queue (wraps around)."""
        if self.queue:
            self.go_to((self.index + 1) % len(self.queue))

    def previous(self) -> None:
        """Previous patch in the queue (wraps around)."""
        if self.queue:
            self.go_to((self.index - 1) % len(self.queue))

    def zoom_to_current(self) -> None:
        """Zoom the map canvas to the current patch, select and flash it."""
        layer, cur = self.patch_layer(), self.current
        if layer is None or cur is None:
            return
        feat = next(layer.getFeatures(QgsFeatureRequest(cur["fid"])), None)
        if feat is None or not feat.hasGeometry():
            return
        canvas = self.iface.mapCanvas()
        rect = feat.geometry().boundingBox()
        ct = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
        rect = ct.transformBoundingBox(rect)
        rect.scale(3.0)  # show the neighbourhood: the base map around the patch is what the reviewer judges
        canvas.setExtent(rect)
        canvas.refresh()
        layer.selectByIds([cur["fid"]])
        canvas.flashFeatureIds(layer, [cur["fid"]])

    # -- current patch --------------------------------------------------------------------
    def _fill_targets(self) -> None:
        self.target_combo.clear()
        self.return_stage_combo.clear()
        cur = self.current
        if cur is None or self.engine is None:
            return
        for s in self.engine.forward_targets(cur["stage"]):
            self.target_combo.addItem(schema.stage_label(s, self.lang), s)
        targets = self.engine.return_targets(cur["stage"])
        for s in targets:
            self.return_stage_combo.addItem(schema.stage_label(s, self.lang), s)
        # default: one step back (the stage the patch came from, per its audit trail), the usual rectification target
        came_from = [h["from_stage"] for h in workflow.history(self.path, cur["patch_id"])
                     if h["to_stage"] == cur["stage"] and h["action"] == workflow.ACTION_TRANSITION]
        back = came_from[-1] if came_from and came_from[-1] in targets else (targets[-1] if targets else None)
        self.return_stage_combo.setCurrentIndex(targets.index(back) if back else -1)

    def _show_info(self) -> None:
        cur = self.current
        if cur is None:
            self.info_label.setText(tr("Nothing to review.") if self.path else "")
            return
        rows = workflow.read_patch_rows(self.path, [cur["patch_id"]])
        attrs = rows[cur["patch_id"]][1] if cur["patch_id"] in rows else {}
        lines = [f"<b>{html.escape(schema.patch_label(cur['patch_id'], attrs.get('tuban_no')))}</b> — "
                 f"{html.escape(schema.stage_label(cur['stage'], self.lang))}"]
        for name in ("method", "species", "area_mu", "survival_rate", "accept_date", "contractor"):
            f = schema.PATCH_FIELD[name]
            v = attrs.get(name)
            if f.code_list and v:
                v = schema.CODE_LISTS[f.code_list].label(v, self.lang)
            lines.append(f"{html.escape(f.label(self.lang))}: {html.escape('' if v is None else str(v))}")
        if cur.get("pending"):
            lines.append("<span style='color:#9a6700'>… {}</span>".format(html.escape(tr(
                "Moved to {0} by {1}: pending until the platform accepts it").format(
                    schema.stage_label(cur["pending"].get("to_stage") or "", self.lang),
                    cur["pending"].get("user_name") or ""))))
        if cur.get("refused"):
            msg = cur["refused"].get("message_zh" if self.lang == "zh" else "message_en") or cur["refused"].get("code")
            lines.append("<span style='color:#b42318'>✘ {}</span>".format(html.escape(
                tr("The platform refused the move to {0}: {1}").format(
                    schema.stage_label(cur["refused"].get("to_stage") or "", self.lang), msg))))
        target = self.target_combo.currentData()
        if target and self.engine is not None:
            # A dry run tells the reviewer before the click whether the patch can go forward, and why not.
            res = self.engine.plan([cur["patch_id"]], target, recheck=False)[0]
            # A stale or missing check is no obstacle when Confirm re-checks first: say what Confirm will do.
            rechecks = bool(self.engine.config.recheck_stale)
            stale = [r for r in res.refusals if r.code == workflow.R_STALE] if rechecks else []
            others = [r for r in res.refusals if r not in stale]
            if not res.refusals:
                lines.append("<span style='color:#1a7f37'>✔ {}</span>".format(html.escape(tr("Ready to confirm"))))
            if stale:
                never = workflow.check_revisions(self.path, [cur["patch_id"]]).get(cur["patch_id"]) is None
                text = tr("Not checked yet: Confirm checks it first, then moves it if no error is found") if never \
                    else tr("Modified since it was checked: Confirm re-checks it first, then moves it if no error "
                            "is found")
                lines.append(f"<span style='color:#9a6700'>↻ {html.escape(text)}</span>")
            lines += [f"<span style='color:#b42318'>✘ {html.escape(r.message)}</span>" for r in others]
        self.info_label.setText("<br>".join(lines))

    def _fill_history(self) -> None:
        self.history_table.setRowCount(0)
        cur = self.current
        if cur is None or not self.path:
            return
        for h in reversed(workflow.history(self.path, cur["patch_id"])):  # newest first
            r = self.history_table.rowCount()
            self.history_table.insertRow(r)
            change = "{} → {}".format(schema.stage_label(h["from_stage"] or "", self.lang),
                                        schema.stage_label(h["to_stage"] or "", self.lang))
            if h["action"] == workflow.ACTION_RETURN:
                change = tr("Returned: {0}").format(change)
            elif h["action"] == "platform_refused":
                change = tr("Back to the platform's stage: {0}").format(change)
            if h["action"] in (workflow.ACTION_TRANSITION, workflow.ACTION_RETURN):
                if h["status"] == audit.PENDING:
                    change += " (" + tr("pending") + ")"
                elif h["status"] == audit.REFUSED:
                    change += " ✘ " + (h.get("message_zh" if self.lang == "zh" else "message_en") or tr("refused"))
            who = h["user_name"] or ""
            if h["role"]:
                who = "{} ({})".format(who, schema.ROLES.label(h["role"], self.lang))
            why = schema.REJECTION_REASONS.label(h["reason"], self.lang) if h["reason"] else ""
            if h["comment"]:
                why = "{}: {}".format(why, h["comment"]) if why else h["comment"]
            values = ["{}\n{}".format(clock.local_text(h["at"], seconds=False), who),
                      f"{change}\n{why}" if why else change]
            for col, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                self.history_table.setItem(r, col, item)
        self.history_table.resizeRowsToContents()

    def _update_buttons(self, *_args) -> None:
        has = self.current is not None
        self.prev_button.setEnabled(len(self.queue) > 1)
        self.next_button.setEnabled(len(self.queue) > 1)
        self.confirm_button.setEnabled(has and self.target_combo.count() > 0)
        self.target_combo.setEnabled(self.target_combo.count() > 0)
        can_return = has and self.return_stage_combo.count() > 0
        self.reason_combo.setEnabled(can_return)
        self.return_stage_combo.setEnabled(can_return)
        self.comment_edit.setEnabled(can_return)
        self.return_button.setEnabled(can_return and self.reason_combo.currentData() is not None)

    # -- actions --------------------------------------------------------------------------
    def _edits_saved(self, layer: QgsVectorLayer | None) -> bool:
        """True when the patches layer has no unsaved edits (after asking to save them); never clobbers the buffer."""
        if layer is None or not (layer.isEditable() and layer.isModified()):
            return True
        answer = QMessageBox.question(
            self, tr("Unsaved edits"),
            tr("The patches layer has unsaved edits. Save them before changing stages?"),
            QMessageBox.Save | QMessageBox.Cancel, QMessageBox.Save)
        if answer != QMessageBox.Save:
            messages.warning(self.iface, tr("Nothing changed: save or discard the edits of the patches layer first"),
                             messages.REVIEW)
            return False
        if not layer.commitChanges(False):  # keep editing on: the user was editing
            messages.error(self.iface, tr("Could not save the edits: {0}").format("; ".join(layer.commitErrors())),
                           messages.REVIEW)
            return False
        return True

    def _apply(self, target: str, reason: str | None = None, comment: str = "") -> workflow.BatchReport | None:
        cur = self.current
        if cur is None or self.engine is None:
            return None
        layer = self.patch_layer()
        if not self._edits_saved(layer):
            return None
        report = self.engine.apply([cur["patch_id"]], target, reason=reason, comment=comment)
        self.last_report = report
        if report.applied:
            messages.success(self.iface, report.summary(), messages.REVIEW, duration=3)
            if layer is not None:
                layer.reload()  # the file changed under the layer
                layer.triggerRepaint()
            self.comment_edit.clear()
            self.reason_combo.setCurrentIndex(0)
            pos = self.index
            self.refresh()
            # the patch left the queue (or moved on): show the one that took its place
            if self.queue:
                self.go_to(min(pos, len(self.queue) - 1))
        else:
            why = "; ".join(r.message for res in report.refused for r in res.refusals) or report.error
            messages.warning(self.iface, tr("Refused: {0}").format(why), messages.REVIEW, duration=10)
            self._show_info()
        return report

    def confirm(self) -> workflow.BatchReport | None:
        """Move the current patch forward to the chosen stage."""
        target = self.target_combo.currentData()
        if not target or not self.confirm_button.isEnabled():
            return None
        return self._apply(target)

    def return_patch(self) -> workflow.BatchReport | None:
        """Return the current patch to the chosen earlier stage with the chosen reason and comment."""
        target, reason = self.return_stage_combo.currentData(), self.reason_combo.currentData()
        if not target or self.current is None:
            return None
        if reason is None:
            messages.warning(self.iface, tr("Choose a reason for the return"), messages.REVIEW)
            self.reason_combo.setFocus()
            return None
        return self._apply(target, reason, self.comment_edit.text())

    # -- map context ----------------------------------------------------------------------
    def _update_context(self) -> None:
        project = QgsProject.instance()
        base = _table_layer(project, self.path, schema.BASEMAP) if self.path else None
        node = project.layerTreeRoot().findLayer(base.id()) if base else None
        for box, checked, enabled in (
                (self.basemap_check, bool(node and node.isVisible()), node is not None),
                (self.imagery_check, self._imagery_visible(), bool(imagery_layers(project)))):
            box.blockSignals(True)
            box.setChecked(checked)
            box.setEnabled(enabled)
            box.blockSignals(False)

    def _imagery_visible(self) -> bool:
        root = QgsProject.instance().layerTreeRoot()
        for lyr in imagery_layers(QgsProject.instance()):
            node = root.findLayer(lyr.id())
            if node is not None and node.isVisible():
                return True
        return False

    def show_basemap(self, on: bool = True) -> None:
        """Show (or hide) the base map layer; it sits under the patches in the layer tree."""
        base = _table_layer(QgsProject.instance(), self.path, schema.BASEMAP) if self.path else None
        node = QgsProject.instance().layerTreeRoot().findLayer(base.id()) if base else None
        if node is None:
            return
        node.setItemVisibilityCheckedParentRecursive(on)

    def show_imagery(self, on: bool = True) -> None:
        """Show (or hide) the first XYZ imagery layer, moved to the bottom so it never hides the patches."""
        project = QgsProject.instance()
        layers = imagery_layers(project)
        if not layers:
            return
        root = project.layerTreeRoot()
        node = root.findLayer(layers[0].id())
        if node is None:
            return
        if on and root.children() and root.children()[-1] is not node:
            clone = node.clone()
            root.addChildNode(clone)
            node.parent().removeChildNode(node)
            node = clone
        node.setItemVisibilityCheckedParentRecursive(on)
        if isinstance(node, QgsLayerTreeLayer) and node.layer() is not None \
                and node.layer().type() == QgsMapLayer.RasterLayer:
            node.layer().triggerRepaint()

    def disconnect_project(self) -> None:
        identity.remove_listener(self.refresh)
        for signal in (QgsProject.instance().layersAdded, QgsProject.instance().layersRemoved):
            try:
                signal.disconnect(self._project_changed)
            except TypeError:
                pass
        for sc in self._shortcuts:
            sc.setEnabled(False)
            sc.deleteLater()
        self._shortcuts = []


class WorkflowDockComponent(DockComponent):
    """Adds the reviewer dock and its toggle action."""

    dock_class = WorkflowDock
    icon = "workflow"
    start_hidden = False

    def labels(self):
        return tr("Review"), tr("Show the review panel: queue, confirm / return, history")

    def placed(self, dock) -> None:
        # share the right-hand area with the working-copy dock as tabs: the review panel needs the full height
        main = self.plugin.iface.mainWindow()
        project_dock = main.findChild(QgsDockWidget, "ForestryProjectDock") if main is not None else None
        if project_dock is not None and hasattr(main, "tabifyDockWidget"):
            main.tabifyDockWidget(project_dock, dock)
