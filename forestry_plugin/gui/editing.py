"""Patch editing toolbar: new patch (snapping + tracing), from base map, split, reshape, merge, delete, import."""

from __future__ import annotations

import os
from typing import Callable, Dict, List, Optional

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsExpression,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsSnappingConfig,
    QgsTask,
    QgsTolerance,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.gui import (
    QgsAdvancedDigitizingDockWidget,
    QgsMapCanvas,
    QgsMapCanvasSnappingUtils,
    QgsMapCanvasTracer,
    QgsMapMouseEvent,
    QgsMapTool,
    QgsMapToolCapture,
    QgsMapToolDigitizeFeature,
    QgsMessageBar,
    QgsRubberBand,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QAction, QFileDialog

from .. import schema
from ..core import importer
from ..core.attributes import MergeRefused, PatchContext
from ..core.project import geopackage_table
from ..i18n import tr
from ..settings import PluginSettings
from . import edit_live, messages
from .common import DetailsDialog, ImportReportDialog, find_layer, guarded
from .edit_controller import EditError, PatchEditController
from .edit_live import MissingFieldsNotice

SNAP_TOLERANCE_PX = 12
SNAP_TABLES = (schema.BASEMAP, schema.ADMIN, schema.PATCHES)


def table_layer(project: QgsProject, table: str, path: Optional[str] = None) -> Optional[QgsVectorLayer]:
    """The project layer showing `table` of the working copy at `path` (of any working copy without one)."""
    if path:
        return find_layer(path, table, project)
    for layer in project.mapLayers().values():
        source = geopackage_table(layer)
        if source and source[1] == table:
            return layer
    return None


def _snap_flags():
    # 3.22: QgsSnappingConfig.VertexFlag/SegmentFlag; newer versions also offer Qgis.SnappingType.
    if hasattr(QgsSnappingConfig, "VertexFlag"):
        return QgsSnappingConfig.VertexFlag | QgsSnappingConfig.SegmentFlag
    return Qgis.SnappingType.Vertex | Qgis.SnappingType.Segment


def configure_snapping(project: QgsProject, layers: List[QgsVectorLayer], tolerance_px: int = SNAP_TOLERANCE_PX,
                       canvas: Optional[QgsMapCanvas] = None) -> QgsSnappingConfig:
    """Advanced snapping (vertex + segment, pixels) on the given layers; returns the config set on the project.

    A layer the user already snaps to in advanced mode keeps the user's settings (type, tolerance), as do the
    other layers of the project.
    """
    cfg = QgsSnappingConfig(project.snappingConfig())
    was_advanced = cfg.enabled() and cfg.mode() == QgsSnappingConfig.AdvancedConfiguration
    cfg.setEnabled(True)
    cfg.setMode(QgsSnappingConfig.AdvancedConfiguration)
    flags = _snap_flags()
    for layer in layers:
        current = cfg.individualLayerSettings(layer)
        if was_advanced and current.valid() and current.enabled():
            continue
        cfg.setIndividualLayerSettings(layer, QgsSnappingConfig.IndividualLayerSettings(
            True, flags, float(tolerance_px), QgsTolerance.Pixels, 0.0, 0.0))
    project.setSnappingConfig(cfg)
    if canvas is not None:
        utils = canvas.snappingUtils()
        if not isinstance(utils, QgsMapCanvasSnappingUtils):
            # A bare canvas (no QGIS main window) has plain snapping utils that do not follow the canvas extent.
            utils = QgsMapCanvasSnappingUtils(canvas, canvas)
            canvas._forestry_snapping_utils = utils  # the canvas does not own it: keep the wrapper alive
            canvas.setSnappingUtils(utils)
        utils.setConfig(cfg)
    return cfg


def enable_tracing(canvas: QgsMapCanvas, message_bar=None, owner=None) -> QgsMapCanvasTracer:
    """Turn tracing on for the canvas (QGIS's own tracer and its toolbar toggle if QGIS has one)."""
    tracer = QgsMapCanvasTracer.tracerForCanvas(canvas)
    if tracer is None:  # no QGIS main window (tests, standalone canvas): make one, owned by `owner`
        bar = message_bar if isinstance(message_bar, QgsMessageBar) else None  # test doubles are not QgsMessageBar
        tracer = QgsMapCanvasTracer(canvas, bar)
        action = QAction(tr("Enable tracing"), canvas)
        action.setCheckable(True)
        tracer.setActionEnableTracing(action)
        if owner is not None:
            owner._own_tracer = (tracer, action)  # keep the wrappers alive; deleted again on unload
    action = tracer.actionEnableTracing()
    if action is not None and not action.isChecked():
        action.setChecked(True)  # same as the user clicking the "Enable Tracing" toggle (shortcut T)
    return tracer


class NewPatchTool(QgsMapToolDigitizeFeature):
    """Digitize a polygon (snapping and tracing from QGIS's capture tool) and add it as a patch."""

    def __init__(self, canvas: QgsMapCanvas, cad: QgsAdvancedDigitizingDockWidget, on_polygon: Callable):
        super().__init__(canvas, cad, QgsMapToolCapture.CapturePolygon)
        self.on_polygon = on_polygon
        self.digitizingCompleted.connect(self._completed)

    def _completed(self, feature) -> None:
        self.on_polygon(QgsGeometry(feature.geometry()))


class LineTool(QgsMapTool):
    """Collects a line (left click adds a snapped point, right click finishes, Esc cancels) for split/reshape."""

    def __init__(self, canvas: QgsMapCanvas, layer_getter: Callable[[], Optional[QgsVectorLayer]],
                 on_line: Callable[[List[QgsPointXY]], None]):
        super().__init__(canvas)
        self.layer_getter = layer_getter
        self.on_line = on_line
        self.points: List[QgsPointXY] = []
        self.band = QgsRubberBand(canvas, QgsWkbTypes.LineGeometry)
        self.band.setColor(QColor(220, 30, 30))
        self.band.setWidth(2)
        self.setCursor(Qt.CrossCursor)

    def canvasReleaseEvent(self, e: QgsMapMouseEvent) -> None:  # noqa: N802 (QGIS API name)
        if e.button() == Qt.RightButton:
            self.finish()
            return
        if e.button() != Qt.LeftButton:
            return
        match = self.canvas().snappingUtils().snapToMap(e.pos())
        pt = match.point() if match.isValid() else self.toMapCoordinates(e.pos())
        self.points.append(QgsPointXY(pt))
        self.band.addPoint(QgsPointXY(pt))

    def keyPressEvent(self, e) -> None:  # noqa: N802 (QGIS API name)
        if e.key() == Qt.Key_Escape:
            self.reset()

    def finish(self) -> None:
        pts = list(self.points)
        self.reset()
        layer = self.layer_getter()
        if len(pts) >= 2 and layer is not None:
            self.on_line([self.toLayerCoordinates(layer, p) for p in pts])

    def reset(self) -> None:
        self.points = []
        self.band.reset(QgsWkbTypes.LineGeometry)

    def deactivate(self) -> None:
        self.reset()
        super().deactivate()

    def clean(self) -> None:
        self.reset()


class EditingComponent:
    """The patch editing toolbar and its map tools; keeps attributes of every patch layer current."""

    def __init__(self, plugin):
        self.plugin = plugin
        self.iface = plugin.iface
        self.toolbar = None
        self.actions: Dict[str, QAction] = {}
        self.tools: Dict[str, QgsMapTool] = {}
        self.controllers: Dict[str, PatchEditController] = {}
        self.cad = None
        self._own_tracer = None
        self.form_watcher = None
        self.form_notice = None
        self._checkers: Dict[str, object] = {}  # working-copy path -> LiveChecker (reference data indexed once)
        self._commit_hooks: Dict[str, tuple] = {}  # layer id -> (layer, [(signal, slot)])
        self._checker_tasks: Dict[str, QgsTask] = {}  # working-copy path -> task building its LiveChecker
        self._stale_checkers: set = set()  # paths saved since their checker last read the patches
        self._unloaded = False
        self._checked_commit = False
        self.ask = None  # live-check callback; None = FindingsDialog
        self.show_form = True  # open the attribute form after digitizing a new patch
        self.get_open_file_name = QFileDialog.getOpenFileName  # tests replace it

    # -- lifecycle ------------------------------------------------------------------------------
    def init_gui(self) -> None:
        self.toolbar = self.iface.addToolBar(tr("Forestry editing"))
        self.toolbar.setObjectName("ForestryEditingToolbar")
        canvas = self.iface.mapCanvas()
        self.cad = self.iface.cadDockWidget() if hasattr(self.iface, "cadDockWidget") else None
        self._own_cad_items = []
        if not isinstance(self.cad, QgsAdvancedDigitizingDockWidget):  # no QGIS main window (tests)
            before = set(canvas.scene().items())
            self.cad = QgsAdvancedDigitizingDockWidget(canvas)
            self._own_cad = True
            # the dock puts a canvas item on the canvas that paints from the dock: removed with it on unload
            self._own_cad_items = [i for i in canvas.scene().items() if i not in before]
        self.tools["new"] = NewPatchTool(canvas, self.cad, self._on_new_polygon)
        self.tools["split"] = LineTool(canvas, self.patch_layer, self._on_split_line)
        self.tools["reshape"] = LineTool(canvas, self.patch_layer, self._on_reshape_line)
        spec = [
            ("new", "edit_new_patch", tr("New patch (snapping and tracing to base map and boundaries)"), True),
            ("from_basemap", "edit_from_basemap", tr("New patch from selected base-map polygons"), False),
            ("split", "edit_split", tr("Split patch (click a line, right click to finish)"), True),
            ("reshape", "edit_reshape", tr("Reshape patch (click a line, right click to finish)"), True),
            ("merge", "edit_merge", tr("Merge selected patches"), False),
            ("delete", "edit_delete", tr("Delete selected patches"), False),
            ("save", "edit_save", tr("Check and save patch edits"), False),
            ("import", "edit_import", tr("Import patches (GeoJSON, Shapefile, KML/KMZ, GPX)"), False),
        ]
        for key, icon, text, checkable in spec:
            action = QAction(self.plugin.icon(icon), text, self.iface.mainWindow())
            action.setObjectName(f"forestry_edit_{key}")
            action.setCheckable(checkable)
            action.triggered.connect(lambda _checked=False, k=key: self.trigger(k))
            self.toolbar.addAction(action)
            self.actions[key] = action
        for key in ("new", "split", "reshape"):
            self.tools[key].setAction(self.actions[key])
        self.form_watcher = edit_live.FormWatcher(
            lambda layer: layer.id() in self.controllers, lambda path: self.checker(path, wait=False),
            self.report_findings,
            complete=lambda layer, geom, attrs: self.controller(layer).completed_attributes(geom, attrs))
        self.form_watcher.install()
        self.form_notice = MissingFieldsNotice(lambda layer: layer.id() in self.controllers)
        self.form_notice.install()
        project = QgsProject.instance()
        project.layersAdded.connect(self._on_layers_added)
        project.layersWillBeRemoved.connect(self._on_layers_removed)
        self._on_layers_added(list(project.mapLayers().values()))

    def unload(self) -> None:
        if self.form_watcher is not None:
            self.form_watcher.remove()
            self.form_watcher.deleteLater()
            self.form_watcher = None
        if self.form_notice is not None:
            self.form_notice.remove()
            self.form_notice.deleteLater()
            self.form_notice = None
        project = QgsProject.instance()
        for signal, slot in ((project.layersAdded, self._on_layers_added),
                             (project.layersWillBeRemoved, self._on_layers_removed)):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
        canvas = self.iface.mapCanvas()
        for tool in self.tools.values():
            if canvas.mapTool() is tool:
                canvas.unsetMapTool(tool)
            if isinstance(tool, LineTool):
                canvas.scene().removeItem(tool.band)
            tool.deleteLater()
        self.tools = {}
        for ctrl in self.controllers.values():
            ctrl.detach()
        self.controllers = {}
        for layer_id in list(self._commit_hooks):
            self._unhook(layer_id)
        self._unloaded = True
        for task in list(self._checker_tasks.values()):
            try:
                task.cancel()
            except RuntimeError:  # already finished and deleted
                pass
        self._checker_tasks = {}
        self._checkers = {}
        self._stale_checkers = set()
        for action in self.actions.values():
            action.deleteLater()
        self.actions = {}
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None
        if getattr(self, "_own_cad", False) and self.cad is not None:
            for item in self._own_cad_items:
                canvas.scene().removeItem(item)
            self._own_cad_items = []
            self.cad.deleteLater()
            self._own_cad = False
        self.cad = None
        if self._own_tracer is not None:
            for obj in self._own_tracer:
                obj.deleteLater()
            self._own_tracer = None

    # -- layers and controllers ----------------------------------------------------------------
    def _is_patch_layer(self, layer) -> bool:
        source = geopackage_table(layer)
        return bool(source) and source[1] == schema.PATCHES

    @guarded
    def _on_layers_added(self, layers) -> None:
        for layer in layers:
            if self._is_patch_layer(layer) and layer.id() not in self.controllers:
                self.controller(layer)

    @guarded
    def _on_layers_removed(self, layer_ids) -> None:
        for layer_id in layer_ids:
            ctrl = self.controllers.pop(layer_id, None)
            if ctrl is not None:
                ctrl.detach()
            self._unhook(layer_id)

    def patch_layer(self) -> Optional[QgsVectorLayer]:
        """The patch layer: the active layer if it is one, else the first in the project."""
        active = self.iface.activeLayer() if hasattr(self.iface, "activeLayer") else None
        if self._is_patch_layer(active):
            return active
        return table_layer(QgsProject.instance(), schema.PATCHES)

    def _path(self, layer: QgsVectorLayer) -> str:
        source = geopackage_table(layer)
        return source[0] if source else ""

    def controller(self, layer: QgsVectorLayer) -> PatchEditController:
        """The controller of a patch layer (created on first use)."""
        ctrl = self.controllers.get(layer.id())
        if ctrl is None:
            path = self._path(layer)
            # reference layers of its own, not the project's: removing a layer from the project must not pull
            # them from under the controller
            ctx = PatchContext.from_working_copy(path, layer.crs())
            ctrl = PatchEditController(layer, ctx, self.notify)
            self.controllers[layer.id()] = ctrl
            hooks = [(layer.beforeCommitChanges, lambda *_a, lyr=layer: self._summarize_before_commit(lyr)),
                     (layer.afterCommitChanges, lambda *_a, p=path: self._stale_checkers.add(p)),
                     (layer.editingStarted, lambda *_a, p=path: self.preload_checker(p))]
            for signal, slot in hooks:
                signal.connect(slot)
            self._commit_hooks[layer.id()] = (layer, hooks)
        return ctrl

    def _unhook(self, layer_id: str) -> None:
        _layer, hooks = self._commit_hooks.pop(layer_id, (None, []))
        for signal, slot in hooks:
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass

    def checker(self, path: str, wait: bool = True):
        """The live checker of a working copy, built once (None without a check engine).

        wait=False: None while it is still being built in the background (a form save does not wait for it).
        """
        if path not in self._checkers:
            if not wait and path in self._checker_tasks:
                return None
            self._checkers[path] = edit_live.load_checker(path)
            self._stale_checkers.discard(path)
        elif path in self._stale_checkers:
            self._refresh_checker(path)  # saved patches are the "other patches" of the next check
        return self._checkers.get(path)

    @guarded
    def preload_checker(self, path: str) -> None:
        """Index the working copy for the live check in a background task (when editing starts)."""
        if path in self._checkers or path in self._checker_tasks:
            return

        def build(_task):
            return edit_live.load_checker(path)

        def done(exception, result=None):
            self._checker_tasks.pop(path, None)
            if exception is None and result is not None and not self._unloaded:
                self._checkers.setdefault(path, result)

        task = QgsTask.fromFunction(tr("Preparing the live check"), build, on_finished=done)
        self._checker_tasks[path] = task
        QgsApplication.taskManager().addTask(task)

    def _refresh_checker(self, path: str) -> None:
        """Take the patches changed since (saved edits, sync, numbering; not the reference data) into the checker of
        `path`: only those rows are read (a county's full re-read held QGIS for a second at every save)."""
        self._stale_checkers.discard(path)
        checker = self._checkers.get(path)
        if checker is not None:
            try:
                checker.refresh_patches()
            except Exception:
                self._checkers.pop(path, None)

    @guarded
    def report_findings(self, patch_id: str, findings, _retry: bool = True) -> None:
        """Message bar note after an attribute form saved a patch with open findings."""
        if _retry and self._patch_number(patch_id) is None:
            # A new patch's form: QGIS adds the feature (and this plugin its 图斑编号) right after the form's OK;
            # name it by that number, a moment later, rather than by an id nobody reads.
            from qgis.PyQt.QtCore import QTimer

            QTimer.singleShot(0, lambda: self.report_findings(patch_id, findings, _retry=False))
            return
        errors = [f for f in findings if f.severity == "error"]
        rules = edit_live.rule_labels(findings)
        label = self._patch_label(patch_id)
        if errors:
            self.notify(tr("Patch {0}: {1} check error(s) ({2}). Fix them or accept them as exceptions; "
                           "\"Check and save\" will not save the patch until then.").format(
                label, len(errors), rules), Qgis.Warning)
        else:
            self.notify(tr("Patch {0}: {1} warning(s) ({2}).").format(label, len(findings), rules), Qgis.Info)

    def _patch_number(self, patch_id: str):
        """图斑编号 of a patch of the patch layer (edit buffer included), or None."""
        layer = self.patch_layer()
        if layer is None or not patch_id or layer.fields().indexFromName("tuban_no") < 0:
            return None
        req = QgsFeatureRequest().setFilterExpression(QgsExpression.createFieldEqualityExpression("patch_id", patch_id))
        req.setFlags(QgsFeatureRequest.NoGeometry)
        number = next((f["tuban_no"] for f in layer.getFeatures(req)), None)
        return schema.plain_value(number) or None

    def _patch_label(self, patch_id: str) -> str:
        """图斑编号 of a patch of the patch layer (edit buffer included), else its short id."""
        return schema.patch_label(patch_id, self._patch_number(patch_id))

    @staticmethod
    def _patch_numbers(layer: QgsVectorLayer) -> Dict[str, str]:
        """patch_id -> 图斑编号 of every patch of the layer (no geometries)."""
        fields = layer.fields()
        if fields.indexFromName("tuban_no") < 0:
            return {}
        req = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(
            ["patch_id", "tuban_no"], fields)
        return {str(f["patch_id"]): str(schema.plain_value(f["tuban_no"]) or "") for f in layer.getFeatures(req)}

    def notify(self, message: str, level: int = Qgis.Info) -> None:
        """Tell the user (gui.messages: the message bar and the log). The editing tools' one way to speak: the
        controllers, the live check and guarded slots are handed this method."""
        messages.show(self.iface, message, level, messages.EDITING)

    def _require_layer(self) -> Optional[QgsVectorLayer]:
        layer = self.patch_layer()
        if layer is None:
            self.notify(tr("Open a working copy first: no patch layer in the project."), Qgis.Warning)
            return None
        if not layer.isEditable() and not layer.startEditing():
            self.notify(tr("The patch layer cannot be edited."), Qgis.Critical)
            return None
        return layer

    def prepare_digitizing(self, layer: QgsVectorLayer) -> None:
        """Snapping (advanced, vertex+segment, pixels) on base map, admin units and patches; tracing on."""
        project = QgsProject.instance()
        path = self._path(layer)
        layers = [lyr for lyr in (table_layer(project, t, path) for t in SNAP_TABLES) if lyr is not None]
        canvas = self.iface.mapCanvas()
        configure_snapping(project, layers, SNAP_TOLERANCE_PX, canvas)
        enable_tracing(canvas, self.iface.messageBar(), self)

    # -- actions -------------------------------------------------------------------------------
    @guarded
    def trigger(self, key: str) -> None:
        """Run one toolbar action (also used by tests)."""
        layer = self._require_layer()
        if layer is None:
            if key in self.tools:
                self.actions[key].setChecked(False)
            return
        ctrl = self.controller(layer)
        canvas = self.iface.mapCanvas()
        try:
            if key == "new":
                self.iface.setActiveLayer(layer) if hasattr(self.iface, "setActiveLayer") else None
                self.prepare_digitizing(layer)
                self.tools["new"].setLayer(layer)
                canvas.setMapTool(self.tools["new"])
            elif key in ("split", "reshape"):
                self.prepare_digitizing(layer)
                canvas.setMapTool(self.tools[key])
            elif key == "from_basemap":
                base = table_layer(QgsProject.instance(), schema.BASEMAP, self._path(layer))
                if base is None:
                    raise EditError(tr("The base map layer is not in the project."))
                fid = ctrl.add_from_basemap(base)
                self._after_new(layer, fid)
            elif key == "merge":
                ctrl.merge_selected()
                self.notify(tr("Patches merged."), Qgis.Success)
            elif key == "delete":
                n = ctrl.delete_selected()
                self.notify(tr("{0} patch(es) deleted (undo with Ctrl+Z).").format(n), Qgis.Info)
            elif key == "save":
                self.check_and_commit(layer)
            elif key == "import":
                self.import_dialog(layer)
        except (EditError, MergeRefused) as e:
            self.notify(str(e), Qgis.Warning)

    @guarded
    def _on_new_polygon(self, geom: QgsGeometry) -> None:
        layer = self.tools["new"].layer() or self.patch_layer()
        if layer is None:
            return
        try:
            fid = self.controller(layer).add_patch(geom)
        except EditError as e:
            self.notify(str(e), Qgis.Warning)
            return
        self._after_new(layer, fid)

    def _after_new(self, layer: QgsVectorLayer, fid: int) -> None:
        layer.selectByIds([fid])
        if self.show_form:
            # modal: False when the user cancelled the form; the new patch goes then, as with QGIS's add tool
            if self.iface.openFeatureForm(layer, layer.getFeature(fid), False, True) is False:
                self.controller(layer).discard_new(fid)

    @guarded
    def _on_split_line(self, points: List[QgsPointXY]) -> None:
        layer = self.patch_layer()
        if layer is None:
            return
        try:
            n = self.controller(layer).split(points)
            self.notify(tr("Patch split: {0} new part(s); all parts got new ids.").format(n), Qgis.Success)
        except EditError as e:
            self.notify(str(e), Qgis.Warning)

    @guarded
    def _on_reshape_line(self, points: List[QgsPointXY]) -> None:
        layer = self.patch_layer()
        if layer is None:
            return
        try:
            self.controller(layer).reshape(points)
        except EditError as e:
            self.notify(str(e), Qgis.Warning)

    # -- saving ---------------------------------------------------------------------------------
    def changed_patch_ids(self, layer: QgsVectorLayer) -> List[int]:
        """Fids of patches added or changed in the edit buffer."""
        buf = layer.editBuffer()
        if buf is None:
            return []
        ids = set(buf.addedFeatures().keys()) | set(buf.changedGeometries().keys()) | \
            set(buf.changedAttributeValues().keys())
        return sorted(ids - set(buf.deletedFeatureIds()))

    def _changed_patches(self, layer: QgsVectorLayer):
        """(fid, patch id, geometry, attributes) of the changed patches, read in one request."""
        ids = self.changed_patch_ids(layer)
        if not ids:
            return []
        names = layer.fields().names()
        return [(f.id(), str(f["patch_id"]), f.geometry(), {n: f[n] for n in names})
                for f in layer.getFeatures(QgsFeatureRequest().setFilterFids(ids))]

    def check_and_commit(self, layer: QgsVectorLayer) -> bool:
        """Live-check every changed patch; commit only if none has unaccepted errors."""
        path = self._path(layer)
        self._refresh_checker(path)  # the platform or the workflow may have changed other patches meanwhile
        checker = self.checker(path)
        ask = self.ask or edit_live.ask_with_dialog(self.iface.mainWindow())
        if checker is not None:
            # Every changed patch is checked and every failing one shown together, not only the first.
            changed = self._changed_patches(layer)
            numbers = self._patch_numbers(layer)
            failing = edit_live.review_many(path, [(pid, geom, attrs) for _fid, pid, geom, attrs in changed], ask,
                                            checker, notify=lambda text: self.notify(text, Qgis.Warning),
                                            numbers=numbers)
            if failing:
                fids = [fid for fid, pid, _g, _a in changed if pid in failing]
                layer.selectByIds(fids)
                labels = [schema.patch_label(pid, numbers.get(pid)) for pid in failing]
                self.notify(tr("Not saved: {0} patch(es) have check errors: {1}.").format(
                    len(labels), ", ".join(labels)), Qgis.Warning)
                return False
        self._checked_commit = True  # the summary before QGIS's commit has nothing to add
        try:
            saved = layer.commitChanges(False)
        finally:
            self._checked_commit = False
        if not saved:
            self.notify(tr("Saving failed: {0}").format("; ".join(layer.commitErrors())), Qgis.Critical)
            return False
        self.notify(tr("Patch edits saved."), Qgis.Success)
        return True

    @guarded
    def _summarize_before_commit(self, layer: QgsVectorLayer) -> None:
        # QGIS's own save button cannot be vetoed from Python: report the errors so nothing passes silently.
        if self._checked_commit:
            return
        checker = self.checker(self._path(layer), wait=False)
        if checker is None:
            if self.changed_patch_ids(layer):
                self.notify(tr("Saved without the live check (still being prepared); run the checks before "
                               "submitting."), Qgis.Warning)
            return
        n_err = 0
        for _fid, pid, geom, attrs in self._changed_patches(layer):
            findings = edit_live.open_findings(checker.check_patch(geom, attrs, pid))
            n_err += sum(1 for x in findings if x.severity == "error")
        if n_err:
            self.notify(tr("{0} check error(s) in the saved patches; see the check panel.").format(n_err),
                        Qgis.Warning)

    # -- import ----------------------------------------------------------------------------------
    @guarded
    def import_dialog(self, layer: QgsVectorLayer) -> None:
        """Ask for a file and import its patches into the edit buffer (all or nothing, one undo step)."""
        patterns = " ".join(f"*{suffix}" for suffix in importer.SUFFIXES)
        fn, _ = self.get_open_file_name(self.iface.mainWindow(), tr("Import patches"), self._last_import_dir(),
                                        tr("Patch files ({0})").format(patterns))
        if fn:
            PluginSettings().import_dir = os.path.dirname(fn)
            self.import_file(layer, fn)

    @staticmethod
    def _last_import_dir() -> str:
        return PluginSettings().import_dir

    def import_file(self, layer: QgsVectorLayer, fn: str) -> importer.ImportReport:
        """Import one file into the patch layer; the report is shown to the user and returned."""
        ctrl = self.controller(layer)
        admin = table_layer(QgsProject.instance(), schema.ADMIN, self._path(layer))
        extent = None
        if admin is not None and admin.featureCount() > 0:
            extent = QgsCoordinateTransform(admin.crs(), layer.crs(), QgsProject.instance()) \
                .transformBoundingBox(admin.extent())
        report = importer.read_source_patches(fn, layer.crs(), extent, layer)
        if report.ok:
            try:
                fids = ctrl.add_patches([(p.geometry, p.attrs) for p in report.patches],
                                        tr("Import {0}").format(os.path.basename(fn)))
                report.added = len(fids)
                layer.selectByIds(fids)
            except EditError as e:
                report.errors.append(str(e))
        text = report.summary()
        self.last_import_report = report  # what show_report lists feature by feature
        if report.ok and not (report.skipped or report.warnings):
            self.notify(text, Qgis.Success)
        else:
            self.show_report(tr("Import patches"), text, report.ok)
        return report

    def show_report(self, title: str, text: str, ok: bool) -> None:
        """The import report dialog: every feature imported or skipped and why, savable (tests replace it)."""
        report = getattr(self, "last_import_report", None)
        if report is None:
            DetailsDialog(title, text.split("\n")[0], text, ok, self.iface.mainWindow()).exec_()
            return
        self.report_dialog = ImportReportDialog(title, report, self.iface.mainWindow())
        self.report_dialog.exec_()


__all__ = ["EditingComponent", "NewPatchTool", "LineTool", "configure_snapping", "enable_tracing"]
