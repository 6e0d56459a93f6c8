"""Issue 13 (forms and tools): missing-field notice, cancelled new-patch form, split with a stale selection,
Processing defaults from the working copy, the working-copy dock after a save."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsGeometry, QgsPointXY, QgsProject, QgsRectangle
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext, QgsAttributeForm
from qgis.PyQt.QtCore import QTimer

from forestry_plugin import schema
from forestry_plugin.core import forms, geopackage
from forestry_plugin.core import project as core_project
from forestry_plugin.gui import edit_live
from tests.helpers.editing_copy import DESIGN_2025, PARENT, X0, Y0, FakePlugin, make_working_copy, settle


# 1 -------------------------------------------------------------------------------------------------------------
def test_form_names_missing_fields_and_their_tab(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    forms.configure_patch_layer(patches, "zh")
    ctrl = comp.controller(patches)
    patches.startEditing()
    fid = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)),
                         {"year": 2025})  # no method, forest type, species: on the 造林信息 (planting) tab
    notice = edit_live.MissingFieldsNotice(lambda layer: layer.id() in comp.controllers)
    ctx = QgsAttributeEditorContext()
    ctx.setFormMode(QgsAttributeEditorContext.StandaloneDialog)
    form = QgsAttributeForm(patches, patches.getFeature(fid), ctx)
    try:
        label = notice.attach(form)
        assert label is not None and edit_live.notice_label(form) is label
        form.show()
        settle()
        text = label.text()
        assert "造林方式" in text and "林种" in text and "树种" in text, text
        assert "造林信息" in text, text  # the tab they are on
        assert "造林年度" not in text  # filled
        assert label.isVisible()
        assert notice.attach(form) is None  # once per form
        # filling them in takes them off the notice; all filled hides it
        form.changeAttribute("method", "planting")
        settle()
        assert "造林方式" not in label.text() and "树种" in label.text()
        form.changeAttribute("forest_type", "protection")
        form.changeAttribute("species", "camphor")
        settle()
        assert label.text() == "" and not label.isVisible()
    finally:
        form.close()
        form.deleteLater()
        settle()
    # forms of layers without a controller are left alone
    admin = layers[schema.ADMIN]
    other = QgsAttributeForm(admin, next(admin.getFeatures()), ctx)
    assert notice.attach(other) is None
    other.deleteLater()


def test_missing_fields_text_names_label_and_tab(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    forms.configure_patch_layer(patches, "en")
    f = patches.getFeature(next(patches.getFeatures()).id())
    f["species"] = None
    f["year"] = None
    missing = forms.missing_fields(patches, f)
    assert ("Tree species", "Planting") in missing and ("Afforestation year", "Basic") in missing
    text = forms.missing_fields_text(missing)
    assert "Tree species" in text and "Planting" in text and "Basic" in text
    assert forms.missing_fields_text([]) == ""


def test_editing_component_installs_the_notice(editing_wc, qgis_iface):
    from forestry_plugin.gui import editing

    comp = editing.EditingComponent(FakePlugin(qgis_iface))
    comp.init_gui()
    try:
        assert isinstance(comp.form_notice, edit_live.MissingFieldsNotice) and comp.form_notice._installed  # noqa: SLF001
    finally:
        comp.unload()
    assert comp.form_notice is None


# 2 -------------------------------------------------------------------------------------------------------------
def _open_and(answer):
    """An iface.openFeatureForm stand-in: QGIS's modal feature dialog, accepted or rejected by the 'user'."""
    seen = []

    def open_form(layer, feature, update_feature_only=False, show_modal=True):
        dlg = QgsAttributeDialog(layer, feature, False, None, True)
        seen.append(dlg)
        QTimer.singleShot(0, dlg.reject if answer == "cancel" else dlg.accept)
        return bool(dlg.exec_())

    return open_form, seen


@pytest.mark.parametrize("source", ["digitized", "basemap"])
def test_cancelled_new_patch_form_leaves_no_patch(editing_wc, monkeypatch, source):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    forms.configure_patch_layer(patches, "en")
    comp.controller(patches)
    patches.startEditing()
    comp.show_form = True
    open_form, seen = _open_and("cancel")
    monkeypatch.setattr(comp.iface, "openFeatureForm", open_form, raising=False)
    before = patches.featureCount()
    stack_before = patches.undoStack().index()
    if source == "digitized":
        monkeypatch.setattr(comp, "patch_layer", lambda: patches)
        comp.tools["new"] = type("T", (), {"layer": staticmethod(lambda: patches)})()
        comp._on_new_polygon(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)))  # noqa: SLF001
    else:
        base = layers[schema.BASEMAP]
        base.selectByIds([next(base.getFeatures()).id()])
        comp.trigger("from_basemap")
    settle()
    assert seen, "the form was not opened"
    assert patches.editBuffer().addedFeatures() == {}
    assert patches.featureCount() == before
    assert patches.undoStack().index() == stack_before


def test_accepted_new_patch_form_keeps_the_patch(editing_wc, monkeypatch):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    comp.controller(patches)
    patches.startEditing()
    comp.show_form = True
    open_form, seen = _open_and("ok")
    monkeypatch.setattr(comp.iface, "openFeatureForm", open_form, raising=False)
    base = layers[schema.BASEMAP]
    base.selectByIds([next(base.getFeatures()).id()])
    comp.trigger("from_basemap")
    settle()
    assert seen and len(patches.editBuffer().addedFeatures()) == 1


def test_discard_new_after_other_edits_deletes_it(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    fid = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)), DESIGN_2025)
    other = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1200, Y0 + 600, X0 + 1300, Y0 + 700)), DESIGN_2025)
    assert ctrl.discard_new(fid)  # not the last edit: deleted in its own command, the later patch stays
    assert set(patches.editBuffer().addedFeatures()) == {other}
    assert not ctrl.discard_new(fid)


# 3 -------------------------------------------------------------------------------------------------------------
def test_split_ignores_a_selection_the_line_does_not_cross(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    fid = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)), DESIGN_2025)
    parent_fid = next(f.id() for f in patches.getFeatures() if f["patch_id"] == PARENT)
    patches.selectByIds([fid])  # left over from adding it
    n = ctrl.split([QgsPointXY(X0 + 200, Y0 + 50), QgsPointXY(X0 + 200, Y0 + 350)])  # crosses the saved patch only
    assert n == 1
    assert patches.getFeature(parent_fid).geometry().area() == pytest.approx(100 * 200)
    assert patches.getFeature(fid).geometry().area() == pytest.approx(200 * 200)  # the selected one untouched


def test_split_keeps_to_the_selected_patches_the_line_crosses(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    fid = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 100, Y0 + 400, X0 + 300, Y0 + 600)), DESIGN_2025)
    parent_fid = next(f.id() for f in patches.getFeatures() if f["patch_id"] == PARENT)
    patches.selectByIds([fid])
    n = ctrl.split([QgsPointXY(X0 + 200, Y0 + 50), QgsPointXY(X0 + 200, Y0 + 650)])  # crosses both
    assert n == 1
    assert patches.getFeature(fid).geometry().area() == pytest.approx(100 * 200)
    assert patches.getFeature(parent_fid).geometry().area() == pytest.approx(200 * 200)


# 4 -------------------------------------------------------------------------------------------------------------
def test_processing_defaults_are_the_working_copy_layers(tmp_path, qgis_new_project):
    from forestry_plugin.processing.algs.checkpatches import CheckPatchesAlgorithm, working_copy_layer
    from forestry_plugin.processing.algs.mapreport import MapReportAlgorithm
    from forestry_plugin.processing.algs.progressreport import ProgressReportAlgorithm
    from forestry_plugin.processing.algs.transition import TransitionAlgorithm

    assert working_copy_layer(schema.PATCHES) is None
    alg = CheckPatchesAlgorithm()
    alg.initAlgorithm()
    assert alg.parameterDefinition("PATCHES").defaultValue() is None  # no working copy: no default
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    project = QgsProject.instance()
    try:
        layers = core_project.load_working_copy(path, project, "zh")
        issues = layers[schema.ISSUES]
        assert project.layerTreeRoot().layerOrder()[0] == issues or issues.id() in project.mapLayers()
        ids = {t: layers[t].id() for t in (schema.PATCHES, schema.BASEMAP, schema.TASKS)}
        for cls, params in ((CheckPatchesAlgorithm, {"PATCHES": schema.PATCHES, "BASEMAP": schema.BASEMAP}),
                            (MapReportAlgorithm, {"PATCHES": schema.PATCHES, "BASEMAP": schema.BASEMAP}),
                            (ProgressReportAlgorithm, {"PATCHES": schema.PATCHES, "TASKS": schema.TASKS}),
                            (TransitionAlgorithm, {"PATCHES": schema.PATCHES})):
            alg = cls()
            alg.initAlgorithm()
            for name, table in params.items():
                assert alg.parameterDefinition(name).defaultValue() == ids[table], (cls.__name__, name)
                assert alg.parameterDefinition(name).defaultValue() != issues.id()
    finally:
        project.removeAllMapLayers()


# 5 -------------------------------------------------------------------------------------------------------------
def test_dock_counts_follow_a_save(editing_wc, qgis_iface):
    from forestry_plugin.gui.project_dock import ProjectDock

    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    dock = ProjectDock(qgis_iface)
    try:
        assert dock.wait(30000)

        def total():
            return dock.table.item(dock.table.rowCount() - 1, 1).text()

        assert total() == "1"
        ctrl = comp.controller(patches)
        patches.startEditing()
        ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)), DESIGN_2025)
        assert patches.commitChanges(), patches.commitErrors()
        assert len(geopackage.read_features(path, schema.PATCHES)) == 2
        settle(2)
        assert dock.wait(30000)
        QgsApplication.processEvents()
        assert total() == "2"
    finally:
        dock.disconnect_project()
        dock.deleteLater()
        settle()
