"""Keeps patch attributes current while the patch layer is edited, and runs the patch edit operations.

Hooks the layer's signals (featureAdded, geometryChanged, attributeValueChanged) so edits made with any tool,
the plugin's or QGIS's own, get their attributes filled inside the same edit command: one undo step each.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Callable, Dict, List, Optional, Sequence

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsExpression,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsLineString,
    QgsPoint,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, QTimer

from .. import schema
from ..core import attributes
from ..core.attributes import MergeRefused, PatchContext
from ..core.forms import AUTO_FILLED
from ..i18n import tr
from .common import guarded, working_copy_of

Notify = Callable[[str, int], None]  # (message, Qgis.MessageLevel)


def fill_text() -> str:
    """Text of the follow-up command that fills what QGIS's own tools added (shown in the undo history)."""
    return tr("Fill patch attributes")


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
        self._split_bases: Dict[str, str] = {}  # split parent id -> its 图斑编号, which the largest part keeps
        # Attributes (before our update) of the features whose geometry changed in the current edit command:
        # a feature added in the same command with the same descriptive attributes is a split part.
        self._cmd_changed: Dict[int, Dict[str, Any]] = {}
        # Features added by other tools (QGIS's add/split tools) in the current command. They are filled when the
        # command ends, in a follow-up command: changing them inside featureAdded would put the attribute change
        # before the add in the undo macro (QUndoStack appends a command after running it) and break redo.
        self._pending_added: List[int] = []
        # Saved patches deleted in the current command (fid -> attributes): QGIS's merge tool deletes the
        # parents and adds the union in one command.
        self._cmd_deleted: Dict[int, Dict[str, Any]] = {}
        # Saved patches whose attributes QGIS's own tools (form, attribute table) changed in the current command:
        # fid -> stage, to check the edit against what the acting person may do.
        self._cmd_touched: Dict[int, str] = {}
        # Undo/redo of a QGIS command and of the attribute fill that follows it go together.
        self._undo_index = layer.undoStack().index() if layer.undoStack() is not None else 0
        self._pairing = False
        self._last_added: Optional[tuple] = None  # (fid, undo index) of the patch add_patch added last
        self._connections = [
            (layer.featureAdded, self._on_feature_added),
            (layer.featureDeleted, self._on_feature_deleted),
            (layer.undoStack().indexChanged, self._on_undo_index),
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
    @guarded
    def _on_command_started(self, _text: str = "") -> None:
        self._in_command += 1

    @guarded
    def _on_command_ended(self) -> None:
        self._in_command = max(0, self._in_command - 1)
        if self._in_command == 0 and not self._busy:
            pending, changed, deleted = self._pending_added, dict(self._cmd_changed), dict(self._cmd_deleted)
            touched = dict(self._cmd_touched)
            self._pending_added, self._cmd_changed, self._cmd_deleted, self._cmd_touched = [], {}, {}, {}
            why = self._tool_refusal(pending, changed, deleted, touched)
            if why:
                # QGIS's own tools cannot be stopped beforehand: what the person may not do is taken back at once.
                self.notify(tr("{0} The edit was undone.").format(why), Qgis.Warning)
                self._undo_later()
                return
            if pending:
                self._fill_added(pending, changed, deleted)

    @guarded
    def _reset_session(self) -> None:
        self._split_ids.clear()
        self._split_bases.clear()
        self._in_command = 0
        self._pending_added, self._cmd_changed, self._cmd_deleted, self._cmd_touched = [], {}, {}, {}
        self._undo_index = 0

    @guarded
    def _on_undo_index(self, index: int) -> None:
        """One Ctrl+Z / Ctrl+Shift+Z takes a QGIS command and the attribute fill after it together."""
        previous, self._undo_index = self._undo_index, index
        if self._pairing:
            return
        stack = self.layer.undoStack()
        if index == previous - 1 and index >= 1 and stack.command(index).text() == fill_text():
            QTimer.singleShot(0, lambda: self._paired("undo", index))  # the fill was undone: its edit too
        elif index == previous + 1 and index < stack.count() and stack.command(index).text() == fill_text():
            QTimer.singleShot(0, lambda: self._paired("redo", index))  # the edit was redone: its fill too

    @guarded
    def _paired(self, step: str, expected_index: int) -> None:
        """Undo or redo one more step, unless the layer is gone or the user did something else meanwhile."""
        if not self._connections or sip.isdeleted(self.layer):
            return
        stack = self.layer.undoStack()
        if stack is None or stack.index() != expected_index:
            return
        self._pairing = True
        try:
            getattr(stack, step)()
        finally:
            self._pairing = False
        self._undo_index = stack.index()

    def _undo_later(self) -> None:
        """Undo the command that just ended, once QGIS has finished with it; never a later command instead."""
        stack = self.layer.undoStack()
        expected = stack.index()

        def undo():
            if self._connections and not sip.isdeleted(self.layer) and stack.index() == expected:
                stack.undo()

        QTimer.singleShot(0, undo)

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
        busy, self._busy = self._busy, True
        try:
            self.layer.changeAttributeValues(fid, changes)
        finally:
            self._busy = busy

    def _flag_crossing(self, values: Dict[str, Any]) -> None:
        if values.get("_crossing"):
            shares = ", ".join(f"{c} {s:.0%}" for c, s in sorted(values["_shares"].items(),
                                                                               key=lambda x: -x[1]))
            self.notify(tr("The patch crosses an administrative boundary ({0}); it was assigned to the village "
                           "with the largest share and marked in the remark.").format(shares), Qgis.Warning)

    @guarded
    def _on_feature_added(self, fid: int) -> None:
        if self._active():
            self._pending_added.append(fid)

    @guarded
    def _on_feature_deleted(self, fid: int) -> None:
        if self._active() and fid >= 0:
            for f in self.layer.dataProvider().getFeatures(QgsFeatureRequest(fid)):
                self._cmd_deleted[fid] = _clean(f)

    def _fill_added(self, fids: List[int], changed: Dict[int, Dict[str, Any]],
                    deleted: Optional[Dict[int, Dict[str, Any]]] = None) -> None:
        deleted = deleted or {}
        if len(fids) == 1 and len(deleted) >= 2:  # QGIS's merge: the parents deleted, their union added
            f = self.layer.getFeature(fids[0])
            try:
                values = self.ctx.merge(list(deleted.values()), f.geometry()) if f.isValid() else None
            except MergeRefused as e:
                self.notify(tr("{0} The merge was undone.").format(e), Qgis.Warning)
                self._undo_later()
                return
            if values is not None:
                self._run_fill(lambda: self._apply(fids[0], values))
                self._flag_crossing(values)
                return
        self._run_fill(lambda: self._fill_each(fids, changed))

    def _run_fill(self, work: Callable[[], None]) -> None:
        """`work` as the fill step after a QGIS command; nothing is left open if it fails."""
        with self._command(fill_text()):
            work()

    def _fill_each(self, fids: List[int], changed: Dict[int, Dict[str, Any]]) -> None:
        for fid in fids:
            f = self.layer.getFeature(fid)
            if not f.isValid():
                continue
            attrs = _clean(f)
            pid = attrs.get("patch_id")
            others = self._others_with_id(pid, fid) if pid else []
            if pid and (pid in self._split_ids or any(o.id() in changed for o in others)):
                self._split_part(fid, f, attrs, pid)  # QGIS's split copied the id to the new part
                continue
            parent_id = self._split_parent(f, attrs, changed)
            if parent_id:
                self._split_part(fid, f, attrs, parent_id)
                continue
            if others:  # a pasted copy of an existing patch: a new patch of its own
                attrs["patch_id"] = None
                attrs["tuban_no"] = None
            elif attrs.get("tuban_no") and self._others_with("tuban_no", attrs["tuban_no"], fid):
                attrs["tuban_no"] = None  # a copy with a fresh id but the original's 图斑编号: numbered anew
            values = self.ctx.new_patch(f.geometry(), attrs)
            self._apply(fid, values)
            self._flag_crossing(values)

    def _others_with_id(self, pid: str, fid: int) -> List[QgsFeature]:
        return self._others_with("patch_id", pid, fid)

    def _others_with(self, name: str, value: Any, fid: int) -> List[QgsFeature]:
        req = QgsFeatureRequest().setFilterExpression(QgsExpression.createFieldEqualityExpression(name, str(value)))
        return [f for f in self.layer.getFeatures(req) if f.id() != fid]

    def _split_parent(self, f: QgsFeature, attrs: Dict[str, Any], changed: Dict[int, Dict[str, Any]]) -> Optional[str]:
        # QGIS gives the copied part a fresh value for the unique patch_id (from its default), so a split part
        # is recognised by its descriptive attributes and its contact with a patch reshaped in the same command.
        keys = [k for k in attrs if k not in AUTO_FILLED and k != "fid"]
        for other_fid, old in changed.items():
            if other_fid == f.id() or any(old.get(k) != attrs.get(k) for k in keys):
                continue
            other = self.layer.getFeature(other_fid)
            touch = 1e-7 if self.layer.crs().isGeographic() else 0.01  # about 1 cm, in degrees or metres
            if other.isValid() and other.geometry().buffer(touch, 2).intersects(f.geometry()):
                return old.get("patch_id")
        return None

    def _split_part(self, fid: int, f: QgsFeature, attrs: Dict[str, Any], parent_id: str) -> None:
        # Every part gets a new id with the parent recorded, including the part that keeps the original fid.
        self._split_ids[parent_id] = True
        base = self._split_bases.get(parent_id)
        if base is None:
            base = attrs.get("tuban_no") or next((o["tuban_no"] for o in self._others_with_id(parent_id, fid)
                                                  if schema.plain_value(o["tuban_no"])), None) \
                or self.ctx.numbers.next_number(attrs)
            self._split_bases[parent_id] = str(base)
        for other in self._others_with_id(parent_id, fid):
            values = self.ctx.split(dict(_clean(other), tuban_no=base), [other.geometry()])[0]
            values["revision"] = self._committed_revision(other.id()) + 1 if other.id() >= 0 else 1
            self._apply(other.id(), values)
        parent = dict(attrs, patch_id=parent_id, tuban_no=base)
        values = self.ctx.split(parent, [f.geometry()])[0]
        self._apply(fid, values)
        self._renumber_split(parent_id, str(base))

    def _renumber_split(self, parent_id: str, base: str) -> None:
        """图斑编号 of the parts of `parent_id` so far: the largest keeps `base`, the others get -1, -2, …"""
        req = QgsFeatureRequest().setFilterExpression(
            QgsExpression.createFieldEqualityExpression("parent_ids", str(parent_id)))
        parts = list(self.layer.getFeatures(req))
        if not parts:
            return
        current = [str(schema.plain_value(p["tuban_no"]) or "") for p in parts]
        numbers = self.ctx.split_numbers({"tuban_no": base}, [p.geometry() for p in parts],
                                         [p.geometry().area() for p in parts], reuse=current)
        for p, old, new in zip(parts, current, numbers):
            if old != new:
                self._apply(p.id(), {"tuban_no": new})

    @guarded
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

    @guarded
    def _on_attribute_changed(self, fid: int, idx: int, _value) -> None:
        if not self._active() or fid < 0:
            return
        if self.layer.fields().at(idx).name() in AUTO_FILLED:
            return
        self._cmd_touched.setdefault(fid, str(schema.plain_value(self.layer.getFeature(fid)["stage"]) or "design"))
        self._apply(fid, attributes.touched(self._committed_revision(fid)))

    def completed_attributes(self, geom: QgsGeometry, attrs: Dict[str, Any]) -> Dict[str, Any]:
        """`attrs` with the empty automatic fields (admin codes, area, 前地类) as this controller fills them from the
        geometry once the feature is added: what an attribute form's save will store, for the live check."""
        out = dict(attrs)
        if geom is None or geom.isEmpty():
            return out
        for key, value in self.ctx.geometry_attributes(geom, schema.plain_value(attrs.get("remark"))).items():
            if key in AUTO_FILLED and schema.plain_value(out.get(key)) in (None, ""):
                out[key] = value
        return out

    # -- what the acting person may do ------------------------------------------------------
    def permission_refusal(self, op: str, stages: Sequence[str] = ("design",)) -> Optional[str]:
        """None when the acting person (core.identity) may `op` ("create", "edit", "delete") patches at these
        stages under the platform's policy, else why. Whether a contractor's design patch is their own is the
        platform's to check (the working copy does not know who created a patch)."""
        from ..core import identity
        from ..core.refusals import render_rejection
        from ..core.workflow import load_policy

        path = working_copy_of(self.layer)
        if not path:
            return None
        try:
            pol = load_policy(path)
            role = identity.current_user(path, pol.offline_days).role
        except Exception:  # noqa: BLE001 - a file being written elsewhere must not block editing; the platform checks
            return None
        for stage in dict.fromkeys(stages or ("design",)):
            if op == "create":
                refusal = pol.create_refusal(role, "design")
            elif op == "edit":
                refusal = pol.edit_refusal(role, stage, True)
            else:
                refusal = pol.delete_refusal(role, stage, True)
            if refusal is not None:
                return render_rejection(refusal)
        return None

    def _require(self, op: str, feats: Sequence[QgsFeature] = ()) -> None:
        """Raise EditError when the acting person may not `op` these patches (saved ones; new ones are theirs)."""
        stages = [str(schema.plain_value(f["stage"]) or "design") for f in feats if f.id() >= 0]
        if op == "create" or stages:
            why = self.permission_refusal(op, stages or ["design"])
            if why:
                raise EditError(why)

    def _tool_refusal(self, added: List[int], changed: Dict[int, Dict[str, Any]],
                      deleted: Dict[int, Dict[str, Any]], touched: Dict[int, str]) -> Optional[str]:
        """Why a QGIS tool's command did what the acting person may not do, or None."""
        stage = lambda attrs: str(schema.plain_value(attrs.get("stage")) or "design")  # noqa: E731
        if deleted and len(added) == 1 and len(deleted) >= 2:  # QGIS's merge: the parents go, the union comes
            try:
                attributes.check_merge(list(deleted.values()))
            except MergeRefused:
                return None  # refused (and undone) as a merge, with that reason, when the command is filled
            return self.permission_refusal("delete", [stage(a) for a in deleted.values()]) or \
                self.permission_refusal("create")
        return (self.permission_refusal("delete", [stage(a) for a in deleted.values()]) if deleted else None) or \
            (self.permission_refusal("edit", [stage(a) for f, a in changed.items() if f >= 0]
                                     + [s for f, s in touched.items() if f >= 0])
             if any(f >= 0 for f in list(changed) + list(touched)) else None) or \
            (self.permission_refusal("create") if added and not changed else None)

    # -- operations --------------------------------------------------------------------------
    @contextmanager
    def _command(self, text: str, quiet: bool = True):
        """One edit command (one undo step); on any error it is destroyed, which reverts what it did.

        quiet: the handlers stay off (the operation sets every attribute itself).
        """
        self.layer.beginEditCommand(text)
        self._busy = quiet
        try:
            yield
        except BaseException:
            self._busy = True
            try:
                self.layer.destroyEditCommand()
            finally:
                self._busy = False
            raise
        self._busy = True  # our own command's end must not re-enter the handlers
        try:
            self.layer.endEditCommand()
        finally:
            self._busy = False

    def _start(self) -> None:
        if not self.layer.isEditable() and not self.layer.startEditing():
            raise EditError(tr("The patch layer cannot be edited."))

    def add_patch(self, geom: QgsGeometry, attrs: Optional[Dict[str, Any]] = None,
                  text: Optional[str] = None) -> int:
        """Add one patch (geometry in the layer CRS) with its attributes filled; return its (temporary) fid."""
        self._require("create")
        self._start()
        geom = QgsGeometry(geom)
        if not geom.isGeosValid():
            geom = geom.makeValid()
        geom.convertToMultiType()
        if geom.isEmpty() or geom.area() <= 0:
            raise EditError(tr("The patch has no area."))
        values = self.ctx.new_patch(geom, attrs)
        f = _new_feature(self.layer, geom, values)
        with self._command(text or tr("New patch")):
            if not self.layer.addFeature(f):
                raise EditError(tr("The patch could not be added."))
        self._last_added = (f.id(), self.layer.undoStack().index())
        self._flag_crossing(values)
        return f.id()

    def discard_new(self, fid: int) -> bool:
        """Take back a patch add_patch just added (its attribute form was cancelled): as QGIS's own add tool, a
        cancelled form leaves no feature in the edit buffer. True if it was taken back."""
        layer = self.layer
        if sip.isdeleted(layer) or not layer.isEditable() or fid not in layer.editBuffer().addedFeatures():
            return False
        stack = layer.undoStack()
        if self._last_added == (fid, stack.index()) and stack.index() == stack.count():
            stack.undo()  # the add was the last edit: undone, so that the undo history does not keep it either
        else:
            with self._command(tr("Discard new patch")):
                if not layer.deleteFeature(fid):
                    raise EditError(tr("The patch could not be removed."))
        self._last_added = None
        return fid not in layer.editBuffer().addedFeatures()

    def add_patches(self, items: Sequence[tuple], text: Optional[str] = None) -> List[int]:
        """Add many patches ((geometry in the layer CRS, user attributes) pairs) as one undo step, all or nothing."""
        self._require("create")
        self._start()
        feats, crossing = [], 0
        for geom, attrs in items:
            values = self.ctx.new_patch(geom, attrs)
            crossing += bool(values.get("_crossing"))
            feats.append(_new_feature(self.layer, geom, values))
        if not feats:
            return []
        with self._command(text or tr("Import patches")):  # an error reverts the ones already added
            if not all([self.layer.addFeature(f) for f in feats]):  # addFeature sets each feature's new id
                raise EditError(tr("The patches could not be added; nothing was imported."))
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
        """The selected patches the line crosses; all the patches it crosses when it crosses no selected one (a
        selection left over from an earlier edit must not make the tool act on nothing)."""
        crossed = [f for f in self.layer.getSelectedFeatures() if f.geometry().intersects(line)]
        if crossed:
            return crossed
        req = QgsFeatureRequest().setFilterRect(line.boundingBox())
        return [f for f in self.layer.getFeatures(req) if f.geometry().intersects(line)]

    def split(self, points: Sequence[QgsPointXY]) -> int:
        """Split the selected patches the line crosses (or, if it crosses none of them, all the patches it crosses)
        along a line; return the number of new parts."""
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
        self._require("edit", [f for f, _parts in plan])
        # Computed first, written in one command with the handlers off: one undo step, redo-safe order.
        added = 0
        with self._command(tr("Split patches")):
            for f, parts in plan:
                parent = _clean(f)
                for g in parts:
                    g.convertToMultiType()
                values = self.ctx.split(parent, parts)
                values[0]["revision"] = self._committed_revision(f.id()) + 1 if f.id() >= 0 else 1
                self.layer.changeGeometry(f.id(), parts[0])
                self.layer.changeAttributeValues(f.id(), _indexed(self.layer, values[0]))
                for g, v in zip(parts[1:], values[1:]):
                    nf = _new_feature(self.layer, g, v)
                    self.layer.addFeature(nf)
                    added += 1
                self._split_ids[str(parent.get("patch_id"))] = True
        return added

    def reshape(self, points: Sequence[QgsPointXY]) -> int:
        """Reshape the patches the line crosses twice; return how many changed."""
        self._start()
        line = QgsLineString([QgsPointXY(p) for p in points])
        line_geom = QgsGeometry(line.clone())
        n = 0
        targets = self._targets(line_geom)
        self._require("edit", targets)
        with self._command(tr("Reshape patch"), quiet=False):  # the handlers fill area, codes, revision
            for f in targets:
                g = QgsGeometry(f.geometry())
                if g.reshapeGeometry(line) == Qgis.GeometryOperationResult.Success and g.isGeosValid():
                    self.layer.changeGeometry(f.id(), g)
                    n += 1
            if n == 0:
                raise EditError(tr("The line must cross the patch boundary twice to reshape it."))
        return n

    def merge_selected(self) -> int:
        """Merge the selected patches into one new patch recording both parents; return its fid."""
        self._start()
        feats = list(self.layer.getSelectedFeatures())
        records = [_clean(f) for f in feats]
        attributes.check_merge(records)  # raises MergeRefused with the reason
        self._require("delete", feats)
        self._require("create")
        geom = attributes.union(f.geometry() for f in feats)
        values = self.ctx.merge(records, geom)
        f = _new_feature(self.layer, geom, values)
        with self._command(tr("Merge patches")):
            if not (self.layer.deleteFeatures([x.id() for x in feats]) and self.layer.addFeature(f)):
                raise EditError(tr("The patches could not be merged."))
        self.layer.selectByIds([f.id()])
        self._flag_crossing(values)
        return f.id()

    def delete_selected(self) -> int:
        """Delete the selected patches (one undo step); return how many."""
        self._start()
        ids = self.layer.selectedFeatureIds()
        if not ids:
            raise EditError(tr("Select the patches to delete first."))
        self._require("delete", list(self.layer.getSelectedFeatures()))
        with self._command(tr("Delete patches")):
            if not self.layer.deleteFeatures(ids):
                raise EditError(tr("The patches could not be deleted."))
        return len(ids)


def _clean(f: QgsFeature) -> Dict[str, Any]:
    """Feature attributes as a dict with NULLs as None and dates as ISO text."""
    return {name: schema.plain_value(f[name]) for name in f.fields().names()}


def _new_feature(layer: QgsVectorLayer, geom: QgsGeometry, values: Dict[str, Any]) -> QgsFeature:
    """A new patch feature with every schema value set by the plugin.

    Not QgsVectorLayerUtils.createFeature: it checks unique constraints by querying the layer for each feature
    (7 ms a patch on 5 000 patches, growing with the layer), and the plugin sets every value itself anyway.
    """
    f = QgsFeature(layer.fields())
    f.setGeometry(geom)
    for idx, value in _indexed(layer, values).items():
        f.setAttribute(idx, value)
    return f


def _indexed(layer: QgsVectorLayer, values: Dict[str, Any]) -> Dict[int, Any]:
    fields = layer.fields()
    return {fields.indexFromName(k): v for k, v in attributes.public(values).items()
            if fields.indexFromName(k) >= 0 and k in schema.PATCH_FIELD_NAMES}


__all__ = ["PatchEditController", "EditError", "MergeRefused"]
