"""Keeps patch attributes current while the patch layer is edited, and runs the patch edit operations.

Hooks the layer's signals (featureAdded, geometryChanged, attributeValueChanged) so edits made with any tool,
the plugin's or QGIS's own, get their attributes filled inside the same edit command: one undo step each.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsLineString,
    QgsPoint,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)
from qgis.PyQt.QtCore import QObject

from .. import schema
from ..core import attributes
from ..core.attributes import MergeRefused, PatchContext
from ..core.forms import AUTO_FILLED
from ..i18n import tr

Notify = Callable[[str, int], None]  # (message, Qgis.MessageLevel)


class EditError(Exception):
    """An edit operation could not be done; the message is for the user."""


class PatchEditController(QObject):
    """Attribute automation and edit operations for one patch layer."""

    def __init__(self, layer: QgsVectorLayer, context: PatchContext, notify: Optional[Notify] = None, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.ctx = context
        self.notify = notify or (lambda msg, level: None)
        self._busy = False  # our own changes must not trigger the handlers again
        self._in_command = 0  # handlers act only inside edit commands: undo/redo replays must not be re-filled
        self._split_ids: Dict[str, bool] = {}  # patch ids of split parents seen in this edit session
        # Attributes (before our update) of the features whose geometry changed in the current edit command:
        # a feature added in the same command with the same descriptive attributes is a split part.
        self._cmd_changed: Dict[int, Dict[str, Any]] = {}
        # Features added by other tools (QGIS's add/split tools) in the current command. They are filled when the
        # command ends, in a follow-up command: changing them inside featureAdded would put the attribute change
        # before the add in the undo macro (QUndoStack appends a command after running it) and break redo.
        self._pending_added: List[int] = []
        self._connections = [
            (layer.featureAdded, self._on_feature_added),
            (layer.geometryChanged, self._on_geometry_changed),
            (layer.attributeValueChanged, self._on_attribute_changed),
            (layer.editCommandStarted, self._on_command_started),
            (layer.editCommandEnded, self._on_command_ended),
            (layer.editCommandDestroyed, self._on_command_ended),
            (layer.afterCommitChanges, self._reset_session),
            (layer.afterRollBack, self._reset_session),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)

    def detach(self) -> None:
        """Disconnect from the layer (plugin unload or layer removal)."""
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):  # already gone with the layer
                pass
        self._connections = []

    # -- signal handlers -------------------------------------------------------------------
    def _on_command_started(self, _text: str = "") -> None:
        self._in_command += 1

    def _on_command_ended(self) -> None:
        self._in_command = max(0, self._in_command - 1)
        if self._in_command == 0 and not self._busy:
            pending, changed = self._pending_added, dict(self._cmd_changed)
            self._pending_added, self._cmd_changed = [], {}
            if pending:
                self._fill_added(pending, changed)

    def _reset_session(self) -> None:
        self._split_ids.clear()
        self._in_command = 0
        self._pending_added, self._cmd_changed = [], {}

    def _active(self) -> bool:
        return not self._busy and self._in_command > 0

    def _committed_revision(self, fid: int) -> Optional[int]:
        if fid < 0:
            return 0  # new in this session: becomes revision 1
        for f in self.layer.dataProvider().getFeatures(QgsFeatureRequest(fid)):
            return f["revision"] if f["revision"] not in (None, "") else 0
        return 0

    def _apply(self, fid: int, values: Dict[str, Any]) -> None:
        fields = self.layer.fields()
        changes = {}
        for k, v in attributes.public(values).items():
            idx = fields.indexFromName(k)
            if idx >= 0:
                changes[idx] = v
        self._busy = True
        try:
            self.layer.changeAttributeValues(fid, changes)
        finally:
            self._busy = False

    def _flag_crossing(self, values: Dict[str, Any]) -> None:
        if values.get("_crossing"):
            shares = ", ".join(f"{c} {s:.0%}" for c, s in sorted(values["_shares"].items(),
                                                                               key=lambda x: -x[1]))
            self.notify(tr("The patch crosses an administrative boundary ({0}); it was assigned to the village "
                           "with the largest share and marked in the remark.").format(shares), Qgis.Warning)

    def _on_feature_added(self, fid: int) -> None:
        if self._active():
            self._pending_added.append(fid)

    def _fill_added(self, fids: List[int], changed: Dict[int, Dict[str, Any]]) -> None:
        self.layer.beginEditCommand(tr("Fill patch attributes"))
        try:
            for fid in fids:
                f = self.layer.getFeature(fid)
                if not f.isValid():
                    continue
                attrs = _clean(f)
                pid = attrs.get("patch_id")
                if pid and (pid in self._split_ids or self._others_with_id(pid, fid)):
                    self._split_part(fid, f, attrs, pid)
                    continue
                parent_id = self._split_parent(f, attrs, changed)
                if parent_id:
                    self._split_part(fid, f, attrs, parent_id)
                    continue
                values = self.ctx.new_patch(f.geometry(), attrs)
                self._apply(fid, values)
                self._flag_crossing(values)
        finally:
            self._busy = True  # our own command's end must not re-enter
            try:
                self.layer.endEditCommand()
            finally:
                self._busy = False

    def _others_with_id(self, pid: str, fid: int) -> List[QgsFeature]:
        req = QgsFeatureRequest().setFilterExpression(f'"patch_id" = {_literal(pid)}')
        return [f for f in self.layer.getFeatures(req) if f.id() != fid]

    def _split_parent(self, f: QgsFeature, attrs: Dict[str, Any], changed: Dict[int, Dict[str, Any]]) -> Optional[str]:
        # QGIS gives the copied part a fresh value for the unique patch_id (from its default), so a split part
        # is recognised by its descriptive attributes and its contact with a patch reshaped in the same command.
        keys = [k for k in attrs if k not in AUTO_FILLED and k != "fid"]
        for other_fid, old in changed.items():
            if other_fid == f.id() or any(old.get(k) != attrs.get(k) for k in keys):
                continue
            other = self.layer.getFeature(other_fid)
            if other.isValid() and other.geometry().buffer(0.01, 2).intersects(f.geometry()):
                return old.get("patch_id")
        return None

    def _split_part(self, fid: int, f: QgsFeature, attrs: Dict[str, Any], parent_id: str) -> None:
        # Every part gets a new id with the parent recorded, including the part that keeps the original fid.
        self._split_ids[parent_id] = True
        for other in self._others_with_id(parent_id, fid):
            values = self.ctx.split(_clean(other), [other.geometry()])[0]
            values["revision"] = self._committed_revision(other.id()) + 1 if other.id() >= 0 else 1
            self._apply(other.id(), values)
        parent = dict(attrs, patch_id=parent_id)
        values = self.ctx.split(parent, [f.geometry()])[0]
        self._apply(fid, values)

    def _on_geometry_changed(self, fid: int, geom: QgsGeometry) -> None:
        if not self._active():
            return
        attrs = _clean(self.layer.getFeature(fid))
        self._cmd_changed.setdefault(fid, attrs)
        values = self.ctx.changed_geometry(geom, attrs, self._committed_revision(fid))
        if fid < 0:
            values["revision"] = 1
        self._apply(fid, values)
        self._flag_crossing(values)

    def _on_attribute_changed(self, fid: int, idx: int, _value) -> None:
        if not self._active() or fid < 0:
            return
        if self.layer.fields().at(idx).name() in AUTO_FILLED:
            return
        self._apply(fid, attributes.touched(self._committed_revision(fid)))

    # -- operations --------------------------------------------------------------------------
    def _start(self) -> None:
        if not self.layer.isEditable() and not self.layer.startEditing():
            raise EditError(tr("The patch layer cannot be edited."))

    def add_patch(self, geom: QgsGeometry, attrs: Optional[Dict[str, Any]] = None,
                  text: Optional[str] = None) -> int:
        """Add one patch (geometry in the layer CRS) with its attributes filled; return its (temporary) fid."""
        self._start()
        geom = QgsGeometry(geom)
        if not geom.isGeosValid():
            geom = geom.makeValid()
        geom.convertToMultiType()
        if geom.isEmpty() or geom.area() <= 0:
            raise EditError(tr("The patch has no area."))
        values = self.ctx.new_patch(geom, attrs)
        f = QgsVectorLayerUtils.createFeature(self.layer, geom, _indexed(self.layer, values))
        self.layer.beginEditCommand(text or tr("New patch"))
        self._busy = True
        try:
            ok = self.layer.addFeature(f)
        finally:
            self._busy = False
        if not ok:
            self.layer.destroyEditCommand()
            raise EditError(tr("The patch could not be added."))
        self.layer.endEditCommand()
        self._flag_crossing(values)
        return f.id()

    def add_patches(self, items: Sequence[tuple], text: Optional[str] = None) -> List[int]:
        """Add many patches ((geometry in the layer CRS, user attributes) pairs) as one undo step, all or nothing."""
        self._start()
        feats, crossing = [], 0
        for geom, attrs in items:
            values = self.ctx.new_patch(geom, attrs)
            crossing += bool(values.get("_crossing"))
            feats.append(QgsVectorLayerUtils.createFeature(self.layer, geom, _indexed(self.layer, values)))
        if not feats:
            return []
        self.layer.beginEditCommand(text or tr("Import patches"))
        self._busy = True
        try:
            ok = all([self.layer.addFeature(f) for f in feats])  # addFeature sets each feature's new id
        finally:
            self._busy = False
        if not ok:
            self.layer.destroyEditCommand()  # reverts the ones already added
            raise EditError(tr("The patches could not be added; nothing was imported."))
        self.layer.endEditCommand()
        if crossing:
            self.notify(tr("{0} imported patch(es) cross an administrative boundary; they were assigned to the "
                           "village with the largest share and marked in the remark.").format(crossing), Qgis.Warning)
        return [f.id() for f in feats]

    def add_from_basemap(self, basemap: QgsVectorLayer, attrs: Optional[Dict[str, Any]] = None) -> int:
        """A new patch from the selected base-map polygons: their dissolved union (holes kept)."""
        feats = list(basemap.getSelectedFeatures())
        if not feats:
            raise EditError(tr("Select one or more base-map polygons first."))
        geom = attributes.union(f.geometry() for f in feats)
        if basemap.crs() != self.layer.crs():
            geom.transform(QgsCoordinateTransform(basemap.crs(), self.layer.crs(), QgsProject.instance()))
        return self.add_patch(geom, attrs, tr("New patch from base map"))

    def _targets(self, line: QgsGeometry) -> List[QgsFeature]:
        selected = list(self.layer.getSelectedFeatures())
        if selected:
            return selected
        req = QgsFeatureRequest().setFilterRect(line.boundingBox())
        return [f for f in self.layer.getFeatures(req) if f.geometry().intersects(line)]

    def split(self, points: Sequence[QgsPointXY]) -> int:
        """Split the selected patches (or all the line crosses) along a line; return the number of new parts."""
        self._start()
        if len(points) < 2:
            raise EditError(tr("Draw a line with at least two points."))
        line = [QgsPoint(p.x(), p.y()) for p in points]
        plan = []
        for f in self._targets(QgsGeometry(QgsLineString(line))):
            g = QgsGeometry(f.geometry())
            with warnings.catch_warnings():  # 3.22's Python API has only the QgsPointXY overload, marked deprecated
                warnings.simplefilter("ignore", DeprecationWarning)
                result, new_geoms, _topo = g.splitGeometry([QgsPointXY(p) for p in points], False)
            if result == Qgis.GeometryOperationResult.Success and new_geoms:
                plan.append((f, [g] + list(new_geoms)))
        if not plan:
            raise EditError(tr("The line does not split any patch."))
        # Computed first, written in one command with the handlers off: one undo step, redo-safe order.
        self.layer.beginEditCommand(tr("Split patches"))
        self._busy = True
        added = 0
        try:
            for f, parts in plan:
                parent = _clean(f)
                for g in parts:
                    g.convertToMultiType()
                values = self.ctx.split(parent, parts)
                values[0]["revision"] = self._committed_revision(f.id()) + 1 if f.id() >= 0 else 1
                self.layer.changeGeometry(f.id(), parts[0])
                self.layer.changeAttributeValues(f.id(), _indexed(self.layer, values[0]))
                for g, v in zip(parts[1:], values[1:]):
                    nf = QgsVectorLayerUtils.createFeature(self.layer, g, _indexed(self.layer, v))
                    self.layer.addFeature(nf)
                    added += 1
                self._split_ids[str(parent.get("patch_id"))] = True
        finally:
            self._busy = False
        self.layer.endEditCommand()
        return added

    def reshape(self, points: Sequence[QgsPointXY]) -> int:
        """Reshape the patches the line crosses twice; return how many changed."""
        self._start()
        line = QgsLineString([QgsPointXY(p) for p in points])
        line_geom = QgsGeometry(line.clone())
        n = 0
        self.layer.beginEditCommand(tr("Reshape patch"))
        for f in self._targets(line_geom):
            g = QgsGeometry(f.geometry())
            if g.reshapeGeometry(line) == Qgis.GeometryOperationResult.Success and g.isGeosValid():
                self.layer.changeGeometry(f.id(), g)
                n += 1
        if n == 0:
            self.layer.destroyEditCommand()
            raise EditError(tr("The line must cross the patch boundary twice to reshape it."))
        self.layer.endEditCommand()
        return n

    def merge_selected(self) -> int:
        """Merge the selected patches into one new patch recording both parents; return its fid."""
        self._start()
        feats = list(self.layer.getSelectedFeatures())
        records = [_clean(f) for f in feats]
        attributes.check_merge(records)  # raises MergeRefused with the reason
        geom = attributes.union(f.geometry() for f in feats)
        values = self.ctx.merge(records, geom)
        f = QgsVectorLayerUtils.createFeature(self.layer, geom, _indexed(self.layer, values))
        self.layer.beginEditCommand(tr("Merge patches"))
        self._busy = True
        try:
            ok = self.layer.deleteFeatures([x.id() for x in feats]) and self.layer.addFeature(f)
        finally:
            self._busy = False
        if not ok:
            self.layer.destroyEditCommand()
            raise EditError(tr("The patches could not be merged."))
        self.layer.endEditCommand()
        self.layer.selectByIds([f.id()])
        self._flag_crossing(values)
        return f.id()

    def delete_selected(self) -> int:
        """Delete the selected patches (one undo step); return how many."""
        self._start()
        ids = self.layer.selectedFeatureIds()
        if not ids:
            raise EditError(tr("Select the patches to delete first."))
        self.layer.beginEditCommand(tr("Delete patches"))
        if not self.layer.deleteFeatures(ids):
            self.layer.destroyEditCommand()
            raise EditError(tr("The patches could not be deleted."))
        self.layer.endEditCommand()
        return len(ids)


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _clean(f: QgsFeature) -> Dict[str, Any]:
    """Feature attributes as a dict with NULLs as None."""
    out = {}
    for name in f.fields().names():
        v = f[name]
        out[name] = None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
        if hasattr(out[name], "toString") and not isinstance(out[name], str):  # QDateTime/QDate -> ISO string
            out[name] = out[name].toString("yyyy-MM-ddTHH:mm:ss") if hasattr(out[name], "time") \
                else out[name].toString("yyyy-MM-dd")
    return out


def _indexed(layer: QgsVectorLayer, values: Dict[str, Any]) -> Dict[int, Any]:
    fields = layer.fields()
    return {fields.indexFromName(k): v for k, v in attributes.public(values).items()
            if fields.indexFromName(k) >= 0 and k in schema.PATCH_FIELD_NAMES}


__all__ = ["PatchEditController", "EditError", "MergeRefused"]
