"""Patch editing tools driven with simulated map clicks in a real QGIS canvas."""

from __future__ import annotations

import re

import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsLineString,
    QgsPoint,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSnappingConfig,
    QgsVectorLayerUtils,
)
from qgis.gui import QgsMapCanvasTracer, QgsMapMouseEvent
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt

from forestry_plugin import schema
from forestry_plugin.core import area, geopackage
from forestry_plugin.core.attributes import CROSSING_REMARK, MergeRefused
from forestry_plugin.gui import editing
from tests.helpers.editing_copy import (
    COUNTY,
    PARENT,
    TOWNSHIP,
    V_EAST,
    V_WEST,
    X0,
    Y0,
    FakePlugin,
    make_working_copy,
    project_with_working_copy,
    settle,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture()
def setup(tmp_path, qgis_iface, qgis_canvas, qgis_new_project):
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    project = QgsProject.instance()
    layers = project_with_working_copy(path)
    assert all(lyr.isValid() for lyr in layers.values())
    project.setCrs(layers[schema.PATCHES].crs())
    # pytest-qgis's canvas sits in a hidden window with a 98x28 viewport: show it so pixels map to real distances
    qgis_canvas.window().resize(820, 640)
    qgis_canvas.window().show()
    qgis_canvas.resize(800, 600)
    QCoreApplication.processEvents()
    qgis_canvas.setDestinationCrs(layers[schema.PATCHES].crs())
    qgis_canvas.setLayers(list(layers.values()))
    qgis_canvas.setExtent(QgsRectangle(X0 - 100, Y0 - 100, X0 + 2100, Y0 + 1100))
    qgis_canvas.refresh()
    qgis_iface.setActiveLayer(layers[schema.PATCHES])
    comp = editing.EditingComponent(FakePlugin(qgis_iface))
    comp.show_form = False
    comp.init_gui()
    yield path, layers, comp, qgis_canvas
    comp.unload()
    for lyr in layers.values():
        if lyr.isEditable():
            lyr.rollBack()
    project.removeAllMapLayers()
    qgis_canvas.window().hide()  # the shared pytest-qgis main window goes back to how other tests expect it


def click(canvas, tool, x, y, button=Qt.LeftButton):
    """Press + release at map coordinates (x, y) through the canvas's mapToPixel."""
    px = canvas.getCoordinateTransform().transform(QgsPointXY(x, y))
    pos = QPoint(int(round(px.x())), int(round(px.y())))
    tool.canvasMoveEvent(QgsMapMouseEvent(canvas, QEvent.MouseMove, pos, Qt.NoButton, Qt.NoButton, Qt.NoModifier))
    tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.MouseButtonPress, pos, button, button, Qt.NoModifier))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.MouseButtonRelease, pos, button, button, Qt.NoModifier))


def features(layer):
    return {f["patch_id"]: f for f in layer.getFeatures()}


def m2(geom, layer):
    return area.AreaCalculator(layer.crs()).area(geom).m2


def test_new_patch_by_clicks_fills_attributes_and_undoes(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    comp.trigger("new")
    tool = comp.tools["new"]
    assert canvas.mapTool() is tool
    # snapping configured: advanced mode, vertex+segment in pixels on basemap, admin_units and patches
    cfg = QgsProject.instance().snappingConfig()
    assert cfg.enabled() and cfg.mode() == QgsSnappingConfig.AdvancedConfiguration
    for t in (schema.BASEMAP, schema.ADMIN, schema.PATCHES):
        s = cfg.individualLayerSettings(layers[t])
        assert s.enabled() and s.units() == editing.QgsTolerance.Pixels and s.tolerance() == editing.SNAP_TOLERANCE_PX
    tracer = QgsMapCanvasTracer.tracerForCanvas(canvas)
    assert tracer is not None and tracer.actionEnableTracing().isChecked()
    # the tools snap in "relaxed" mode (point locators are built in the background while the user moves the
    # mouse); build them now as the moving mouse would
    assert canvas.snappingUtils().snapToMap(QgsPointXY(X0 + 1003, Y0 + 103)).isValid()

    # clicks 3 m off the village boundary x = X0+1000 and 3-4 m off the base-map vertex (X0+1000, Y0+500): snapped
    for x, y in ((X0 + 600, Y0 + 100), (X0 + 1003, Y0 + 103), (X0 + 997, Y0 + 497), (X0 + 600, Y0 + 503)):
        click(canvas, tool, x, y)
    click(canvas, tool, X0 + 600, Y0 + 500, Qt.RightButton)
    assert patches.featureCount() == 2
    new = [f for f in patches.getFeatures() if f["patch_id"] != PARENT][0]
    assert UUID.match(new["patch_id"])
    assert (new["county_code"], new["township_code"], new["village_code"]) == (COUNTY, TOWNSHIP, V_WEST)
    assert new["stage"] == "design" and new["revision"] == 1 and new["year"] >= 2025
    bbox = new.geometry().boundingBox()
    assert bbox.xMaximum() == pytest.approx(X0 + 1000, abs=1e-6)  # snapped to the boundary segment and vertex
    assert bbox.yMaximum() == pytest.approx(Y0 + 500, abs=1e-6)
    assert any(abs(v.x() - (X0 + 1000)) < 1e-6 and abs(v.y() - (Y0 + 500)) < 1e-6 for v in new.geometry().vertices())
    expected = m2(new.geometry(), patches)
    assert new["area_mu"] == pytest.approx(schema.m2_to_mu(expected), abs=1e-3)
    assert new["area_ha"] == pytest.approx(schema.m2_to_ha(expected), abs=1e-4)
    # the patch lies in the base-map cell x 500..1000 / y 0..500 (0307) except a sliver west of x = 500
    assert new["prev_dlbm"] == "0307"
    assert not (new["remark"] or "").startswith(CROSSING_REMARK)
    patches.undoStack().undo()
    assert patches.featureCount() == 1


def test_new_patch_across_boundary_is_flagged(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    messages = []
    comp.notify = lambda msg, level=0: messages.append(msg)
    comp.controllers.clear()
    ctrl = comp.controller(patches)
    ctrl.notify = comp.notify
    patches.startEditing()
    g = QgsGeometry.fromRect(QgsRectangle(X0 + 700, Y0 + 600, X0 + 1100, Y0 + 900))  # 75 % west, 25 % east
    fid = ctrl.add_patch(g)
    f = patches.getFeature(fid)
    assert f["village_code"] == V_WEST
    assert f["remark"].startswith(CROSSING_REMARK)
    assert messages and V_EAST in messages[0]


def test_split_by_clicks_gives_new_ids_and_parent(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    canvas.setExtent(QgsRectangle(X0, Y0, X0 + 400, Y0 + 400))  # about 1 m per pixel: 12 px snapping = ~12 m
    comp.trigger("split")
    tool = comp.tools["split"]
    assert canvas.mapTool() is tool
    click(canvas, tool, X0 + 150, Y0 + 50)
    click(canvas, tool, X0 + 150, Y0 + 350)
    click(canvas, tool, X0 + 150, Y0 + 350, Qt.RightButton)
    feats = list(patches.getFeatures())
    assert len(feats) == 2
    ids = {f["patch_id"] for f in feats}
    assert PARENT not in ids and all(UUID.match(i) for i in ids)
    assert {f["parent_ids"] for f in feats} == {PARENT}
    areas = sorted(f["area_mu"] for f in feats)
    total = schema.m2_to_mu(m2(QgsGeometry.fromRect(QgsRectangle(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300)), patches))
    assert sum(areas) == pytest.approx(total, abs=1e-3)
    assert areas[0] == pytest.approx(total / 4, rel=1e-2)  # 50 m of 200 m width (click rounded to a pixel)
    assert all(f["revision"] == 1 for f in feats if f.id() < 0)
    kept = [f for f in feats if f.id() >= 0][0]
    assert kept["revision"] == 4  # committed revision 3 + 1
    assert all(f["method"] == "planting" and f["species"] == "camphor" for f in feats)
    # one undo restores the original patch, id and area
    patches.undoStack().undo()
    feats = list(patches.getFeatures())
    assert len(feats) == 1 and feats[0]["patch_id"] == PARENT and feats[0]["area_mu"] == 60.0
    # commit works (unique patch ids) after redo
    patches.undoStack().redo()
    assert patches.featureCount() == 2
    assert patches.commitChanges(), patches.commitErrors()
    rows = geopackage.read_features(path, schema.PATCHES)
    assert len(rows) == 2 and {r[1]["parent_ids"] for r in rows} == {PARENT}


def test_reshape_by_clicks_updates_area_and_revision(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    canvas.setExtent(QgsRectangle(X0, Y0, X0 + 500, Y0 + 500))
    comp.trigger("reshape")
    tool = comp.tools["reshape"]
    # enlarge eastwards: line from inside the top edge out and back in through the bottom edge
    for x, y in ((X0 + 250, Y0 + 250), (X0 + 400, Y0 + 250), (X0 + 400, Y0 + 150), (X0 + 250, Y0 + 150)):
        click(canvas, tool, x, y)
    click(canvas, tool, X0 + 250, Y0 + 150, Qt.RightButton)
    f = next(patches.getFeatures())
    assert f.geometry().boundingBox().xMaximum() == pytest.approx(X0 + 400, abs=0.5)
    assert f["area_mu"] == pytest.approx(schema.m2_to_mu(m2(f.geometry(), patches)), abs=1e-3)
    assert f["area_mu"] > 60.5 and f["revision"] == 4 and f["patch_id"] == PARENT
    patches.undoStack().undo()
    f = next(patches.getFeatures())
    assert f["area_mu"] == 60.0 and f["revision"] == 3


def test_merge_records_parents_and_refuses_mixed(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    fid = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 300, Y0 + 100, X0 + 400, Y0 + 300)),
                         {"method": "planting", "forest_type": "protection", "species": "camphor"})
    patches.selectAll()
    new_fid = ctrl.merge_selected()
    feats = list(patches.getFeatures())
    assert len(feats) == 1 and feats[0].id() == new_fid
    merged = feats[0]
    parents = merged["parent_ids"].split(",")
    assert len(parents) == 2 and PARENT in parents
    assert merged["geometry"] if False else merged.geometry().area() == pytest.approx(300 * 200, rel=1e-6)
    assert merged.geometry().constGet().numGeometries() == 1  # dissolved
    patches.undoStack().undo()
    assert patches.featureCount() == 2
    # different stage: refused with a clear message, nothing changed
    patches.changeAttributeValue(fid, patches.fields().indexFromName("stage"), "accepted")
    patches.selectAll()
    messages = []
    comp.notify = lambda msg, level=0: messages.append(msg)
    comp.trigger("merge")
    assert patches.featureCount() == 2
    assert messages and "different stages" in messages[-1]
    with pytest.raises(MergeRefused, match="different counties"):
        patches.changeAttributeValue(fid, patches.fields().indexFromName("stage"), "design")
        patches.changeAttributeValue(fid, patches.fields().indexFromName("county_code"), "339902")
        ctrl.merge_selected()


def test_from_basemap_union_keeps_holes_and_delete(setup):
    path, layers, comp, canvas = setup
    patches, base = layers[schema.PATCHES], layers[schema.BASEMAP]
    ids = [f.id() for f in base.getFeatures() if f["BSM"] in ("B0002", "B0003")]  # cells x 500..1000, both rows
    base.selectByIds(ids)
    comp.trigger("from_basemap")
    assert patches.featureCount() == 2
    new = [f for f in patches.getFeatures() if f["patch_id"] != PARENT][0]
    g = new.geometry()
    assert g.area() == pytest.approx(500 * 1000, rel=1e-9) and g.constGet().numGeometries() == 1
    assert new["village_code"] == V_WEST and new["area_mu"] == pytest.approx(schema.m2_to_mu(m2(g, patches)), 1e-6)
    patches.selectByIds([new.id()])
    comp.trigger("delete")
    assert patches.featureCount() == 1
    patches.undoStack().undo()
    assert patches.featureCount() == 2


def test_attribute_edit_bumps_revision_once(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    comp.controller(patches)
    patches.startEditing()
    fid = next(patches.getFeatures()).id()
    before = patches.getFeature(fid)["updated_at"]
    for species in ("schima", "ginkgo"):
        patches.beginEditCommand("edit")
        patches.changeAttributeValue(fid, patches.fields().indexFromName("species"), species)
        patches.endEditCommand()
    f = patches.getFeature(fid)
    assert f["revision"] == 4 and f["species"] == "ginkgo"
    assert f["updated_at"] != before and str(f["updated_at"].toString("yyyy-MM-ddTHH:mm:ss")
                                             if hasattr(f["updated_at"], "toString") else f["updated_at"]) > \
        "2025-01-01T08:00:00"


def test_unload_leaves_nothing(setup, qgis_iface):
    path, layers, comp, canvas = setup
    comp.trigger("split")
    comp.unload()
    assert comp.tools == {} and comp.controllers == {} and comp.toolbar is None
    patches = layers[schema.PATCHES]
    patches.startEditing()
    patches.beginEditCommand("x")
    patches.changeGeometry(next(patches.getFeatures()).id(),
                           QgsGeometry.fromRect(QgsRectangle(X0, Y0, X0 + 10, Y0 + 10)))
    patches.endEditCommand()
    assert next(patches.getFeatures())["area_mu"] == 60.0  # no controller left to update it
    assert comp.form_watcher is None
    comp.init_gui()  # the fixture unloads again


def test_qgis_own_tools_are_hooked(setup):
    """QGIS's split and add-feature tools (layer.splitFeatures / addFeature in an edit command) get attributes too."""
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    comp.controller(patches)
    patches.startEditing()
    # what QGIS's split tool does
    patches.beginEditCommand("Features split")
    patches.splitFeatures(QgsLineString([QgsPoint(X0 + 200, Y0 + 50),
                                                 QgsPoint(X0 + 200, Y0 + 350)]), False, False)
    patches.endEditCommand()
    feats = list(patches.getFeatures())
    assert len(feats) == 2
    assert PARENT not in {f["patch_id"] for f in feats} and {f["parent_ids"] for f in feats} == {PARENT}
    assert [round(f["area_mu"], 2) for f in feats] == [30.0, 30.0]
    # what QGIS's add-feature tool does after the form: a feature without automatic attributes
    f = QgsVectorLayerUtils.createFeature(
        patches, QgsGeometry.fromRect(QgsRectangle(X0 + 1200, Y0 + 100, X0 + 1400, Y0 + 300)),
        {patches.fields().indexFromName("method"): "planting"})
    patches.beginEditCommand("Feature added")
    patches.addFeature(f)
    patches.endEditCommand()
    new = [x for x in patches.getFeatures() if x["village_code"] == V_EAST]
    assert len(new) == 1 and UUID.match(new[0]["patch_id"]) and new[0]["area_mu"] == pytest.approx(60.0, abs=0.01)
    assert new[0]["prev_dlbm"] == "1206" and new[0]["stage"] == "design"
    # one Ctrl+Z takes back a QGIS command together with its attribute fill, one Ctrl+Shift+Z redoes both
    stack = patches.undoStack()
    stack.undo()
    settle()
    assert patches.featureCount() == 2 and not [x for x in patches.getFeatures() if x["village_code"] == V_EAST]
    stack.undo()
    settle()
    assert [(f["patch_id"], f["area_mu"]) for f in patches.getFeatures()] == [(PARENT, 60.0)]
    stack.redo()
    settle()
    feats = list(patches.getFeatures())
    assert {f["parent_ids"] for f in feats} == {PARENT} and [round(f["area_mu"], 2) for f in feats] == [30.0, 30.0]
    stack.redo()
    settle()
    assert patches.featureCount() == 3 and stack.index() == stack.count()
    assert patches.commitChanges(), patches.commitErrors()


def _qgis_merge(patches, keep_attrs_of):
    """What QGIS's Merge Selected Features does: delete the selected, add their union, one command."""
    feats = list(patches.getFeatures())
    union = QgsGeometry.unaryUnion([f.geometry() for f in feats])
    merged = QgsFeature(patches.fields())
    merged.setAttributes(next(f for f in feats if f.id() == keep_attrs_of).attributes())
    merged.setAttribute("fid", None)
    merged.setGeometry(union)
    patches.beginEditCommand("Merged features")
    patches.deleteFeatures([f.id() for f in feats])
    patches.addFeature(merged)
    patches.endEditCommand()
    settle()


def test_qgis_merge_and_paste_keep_lineage(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 300, Y0 + 100, X0 + 450, Y0 + 300)),
                   {"method": "planting", "forest_type": "protection", "species": "camphor"})
    assert patches.commitChanges(), patches.commitErrors()
    patches.startEditing()
    ids = sorted(f["patch_id"] for f in patches.getFeatures())
    _qgis_merge(patches, next(f.id() for f in patches.getFeatures() if f["patch_id"] == PARENT))
    feats = list(patches.getFeatures())
    assert len(feats) == 1
    assert feats[0]["patch_id"] not in ids and sorted(feats[0]["parent_ids"].split(",")) == ids
    assert feats[0]["area_mu"] == pytest.approx(60.0 + 45.0, abs=0.05)
    # a pasted copy of a patch is a patch of its own, the original keeps its id
    patches.rollBack()
    patches.startEditing()
    original = next(f for f in patches.getFeatures() if f["patch_id"] == PARENT)
    copy = QgsFeature(original)
    copy.setAttribute("fid", None)
    copy.setGeometry(QgsGeometry.fromRect(QgsRectangle(X0 + 1200, Y0 + 600, X0 + 1400, Y0 + 800)))
    patches.beginEditCommand("Features pasted")
    patches.addFeature(copy)
    patches.endEditCommand()
    pasted = [f for f in patches.getFeatures() if f["village_code"] == V_EAST]
    assert len(pasted) == 1 and pasted[0]["patch_id"] != PARENT and not pasted[0]["parent_ids"]
    assert patches.getFeature(original.id())["patch_id"] == PARENT


def test_qgis_merge_of_patches_at_different_stages_is_undone(setup):
    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    messages = []
    comp.notify = lambda m, level=0: messages.append(m)
    ctrl = comp.controller(patches)
    ctrl.notify = comp.notify
    patches.startEditing()
    ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 300, Y0 + 100, X0 + 450, Y0 + 300)),
                   {"method": "planting", "forest_type": "protection", "species": "camphor"})
    assert patches.commitChanges(), patches.commitErrors()
    with geopackage.connect(path) as con:  # the first patch was accepted meanwhile
        con.execute("UPDATE patches SET stage = 'accepted' WHERE patch_id = ?", (PARENT,))
    patches.reload()
    patches.startEditing()
    _qgis_merge(patches, next(f.id() for f in patches.getFeatures() if f["patch_id"] == PARENT))
    settle()
    assert patches.featureCount() == 2 and PARENT in {f["patch_id"] for f in patches.getFeatures()}
    assert messages and "merge was undone" in messages[-1]


def test_new_patches_belong_to_the_task_year(tmp_path):
    from forestry_plugin.core.attributes import PatchContext, task_year

    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    assert task_year(path) is None  # no annual task yet: today's year
    geopackage.write_features(path, schema.TASKS, [
        ({"year": y, "unit_code": COUNTY, "unit_level": "county", "quota_mu": 1000.0}, None) for y in (2023, 2024)])
    assert task_year(path) == 2024
    ctx = PatchContext.from_working_copy(path)
    attrs = ctx.new_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 600, Y0 + 100, X0 + 800, Y0 + 300)))
    assert attrs["year"] == 2024


def test_snapping_keeps_what_the_user_set(setup):
    path, layers, comp, canvas = setup
    project = QgsProject.instance()
    cfg = QgsSnappingConfig(project.snappingConfig())
    cfg.setEnabled(True)
    cfg.setMode(QgsSnappingConfig.AdvancedConfiguration)
    mine = QgsSnappingConfig.IndividualLayerSettings(True, editing._snap_flags(), 3.0, editing.QgsTolerance.ProjectUnits,
                                                     0.0, 0.0)
    cfg.setIndividualLayerSettings(layers[schema.BASEMAP], mine)
    project.setSnappingConfig(cfg)
    comp.trigger("new")
    after = project.snappingConfig()
    base = after.individualLayerSettings(layers[schema.BASEMAP])
    assert base.tolerance() == 3.0 and base.units() == editing.QgsTolerance.ProjectUnits  # the user's, kept
    admin = after.individualLayerSettings(layers[schema.ADMIN])
    assert admin.enabled() and admin.tolerance() == editing.SNAP_TOLERANCE_PX  # added where there was none


def test_editing_follows_what_the_acting_person_may_do(setup):
    """A contractor's login offers no edits of an accepted patch and no deletes; a reviewer creates nothing.
    QGIS's own tools are not stopped beforehand: the edit is taken back at once, with the reason."""
    from forestry_plugin.core import identity
    from forestry_plugin.gui.edit_controller import EditError

    path, layers, comp, canvas = setup
    patches = layers[schema.PATCHES]
    with geopackage.connect(path) as con:
        con.execute("UPDATE patches SET stage = 'accepted'")
    patches.reload()
    ctrl = comp.controller(patches)
    messages = []
    ctrl.notify = lambda text, level=0: messages.append(text)
    identity.set_session(identity.Identity("demo_contractor", "contractor", county=COUNTY, units=(COUNTY,),
                                           source=identity.PLATFORM, verified_at=identity.utc_text()))
    patches.startEditing()
    fid = next(patches.getFeatures()).id()
    patches.selectByIds([fid])
    with pytest.raises(EditError, match="Contractor"):
        ctrl.delete_selected()
    with pytest.raises(EditError):
        ctrl.reshape([QgsPointXY(X0 + 100, Y0 - 50), QgsPointXY(X0 + 150, Y0 + 50), QgsPointXY(X0 + 200, Y0 - 50)])
    # QGIS's attribute table / form: an edit command of its own, undone at once
    stack = patches.undoStack()
    before = stack.index()
    patches.beginEditCommand("Attribute changed")
    patches.changeAttributeValue(fid, patches.fields().indexFromName("species"), "ginkgo")
    patches.endEditCommand()
    for _ in range(200):  # the undo is queued behind QGIS's own handling of the command: let the loop run it
        if stack.index() == before:
            break
        QCoreApplication.processEvents()
    assert stack.index() == before
    assert patches.getFeature(fid).attribute("species") == "camphor"
    assert messages and "undone" in messages[-1]
    # a new design patch is the contractor's to draw
    new = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1200, Y0 + 100, X0 + 1400, Y0 + 300)),
                         {"method": "planting", "forest_type": "protection", "species": "camphor"})
    assert patches.getFeature(new).isValid()
    # a city reviewer draws no patches at all
    identity.set_session(identity.Identity("demo_city", "city_reviewer", county=COUNTY, units=("3399",),
                                           source=identity.PLATFORM, verified_at=identity.utc_text()))
    with pytest.raises(EditError):
        ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1500, Y0 + 100, X0 + 1700, Y0 + 300)))
    # the county technician may edit accepted patches
    identity.set_session(None)
    patches.beginEditCommand("Attribute changed")
    patches.changeAttributeValue(fid, patches.fields().indexFromName("species"), "ginkgo")
    patches.endEditCommand()
    settle()
    assert patches.getFeature(fid).attribute("species") == "ginkgo"
    patches.rollBack()
