"""Reviewer dock driven through pytest-qgis: queue, next/previous with zoom, confirm, return, edit-buffer guard."""

from __future__ import annotations

import pytest
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsProject
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QMessageBox

from forestry_plugin import schema
from forestry_plugin.core import geopackage, identity, workflow
from forestry_plugin.core.project import load_working_copy
from forestry_plugin.core.working_copy import create_working_copy
from forestry_plugin.gui.workflow_dock import WorkflowDock
from tests.helpers.working_copies import add_issue, audit_rows, make_patches, stage_of, who


@pytest.fixture()
def review(tmp_path, qgis_iface, qgis_canvas, qgis_new_project):
    path = str(tmp_path / "review.gpkg")
    create_working_copy(path, county_code="339901")
    patches = make_patches(path, ["accepted", "accepted", "included", "design"])
    layers = load_working_copy(path, QgsProject.instance(), lang="en")
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4549"))
    qgis_canvas.setLayers([layers[schema.PATCHES], layers[schema.BASEMAP]])
    qgis_iface.messageBar().clear_messages()
    identity.set_session(who("county_reviewer", "demo_county"))  # what the sync panel does on login
    dock = WorkflowDock(qgis_iface)
    yield dock, path, patches, layers
    identity.set_session(None)
    dock.disconnect_project()
    dock.deleteLater()
    QgsProject.instance().removeAllMapLayers()


def test_queue_navigation_and_zoom(review, qgis_canvas):
    dock, path, patches, layers = review
    assert dock.path == path
    assert [q["patch_id"] for q in dock.queue] == [p["patch_id"] for p in patches[:3]]
    assert dock.index == 0 and dock.position_label.text() == "1 / 3"
    dock.next_button.click()
    assert dock.index == 1 and dock.queue_table.currentRow() == 1
    fid = dock.current["fid"]
    geom = next(layers[schema.PATCHES].getFeatures([fid])).geometry()
    assert qgis_canvas.extent().contains(geom.boundingBox())
    assert qgis_canvas.extent().width() < 2000  # zoomed to the patch, not to the county
    assert layers[schema.PATCHES].selectedFeatureIds() == [fid]
    dock.prev_button.click()
    dock.prev_button.click()
    assert dock.index == 2  # wraps around
    # tooltips name the shortcuts
    assert "(N)" in dock.next_button.toolTip() and "(C)" in dock.confirm_button.toolTip()
    assert "(R)" in dock.return_button.toolTip() and "(P)" in dock.prev_button.toolTip()


def test_keyboard_shortcuts(review):
    dock, _path, _patches, _layers = review
    from qgis.PyQt.QtWidgets import QApplication

    dock.show()
    QApplication.setActiveWindow(dock)
    dock.queue_table.setFocus()
    QApplication.processEvents()
    QTest.keyClick(dock.queue_table, Qt.Key_N)
    QTest.keyClick(dock.queue_table, Qt.Key_N)
    QTest.keyClick(dock.queue_table, Qt.Key_P)
    assert dock.index == 1
    # typing in the comment field does not trigger the shortcuts
    dock.comment_edit.setFocus()
    QTest.keyClicks(dock.comment_edit, "NRC")
    assert dock.comment_edit.text() == "NRC" and dock.index == 1


def test_confirm_and_return_in_two_clicks(review, qgis_iface):
    dock, path, patches, layers = review
    pid = dock.current["patch_id"]
    assert dock.target_combo.currentData() == "confirmed"
    assert "Ready to confirm" in dock.info_label.text()
    report = dock.confirm()  # click 1 (the confirm button)
    assert report.applied
    assert stage_of(path, pid) == ("confirmed", 2)
    assert qgis_iface.messageBar().get_messages(Qgis.Success)
    # the layer was reloaded: it shows the new stage
    feat = next(layers[schema.PATCHES].getFeatures(f"patch_id = '{pid}'"))
    assert feat["stage"] == "confirmed"
    # return: click 1 = the reason, click 2 = the Return button; target defaults to one step back
    dock.go_to([q["patch_id"] for q in dock.queue].index(patches[1]["patch_id"]))
    assert not dock.return_button.isEnabled()  # no reason chosen yet
    dock.reason_combo.setCurrentIndex(dock.reason_combo.findData("survival_failed"))
    assert dock.return_stage_combo.currentData() == "design"
    dock.return_button.click()
    assert stage_of(path, patches[1]["patch_id"]) == ("design", 2)
    assert patches[1]["patch_id"] not in [q["patch_id"] for q in dock.queue]
    rows = audit_rows(path)
    assert [(r[0], r[1], r[3], r[5], r[6]) for r in rows] == [
        (pid, "transition", "confirmed", "county_reviewer", None),
        (patches[1]["patch_id"], "return", "design", "county_reviewer", "survival_failed")]
    # history of the confirmed patch is shown, newest first
    dock.go_to([q["patch_id"] for q in dock.queue].index(pid))
    assert dock.history_table.rowCount() == 1
    assert dock.history_table.item(0, 1).text().endswith("Confirmed (pending)")  # until the platform accepts it
    assert "pending" in dock.queue_table.item(dock.index, 1).text()
    # the audit layer is read-only in QGIS
    assert layers[schema.AUDIT].readOnly()
    assert not layers[schema.AUDIT].startEditing()


def test_refusal_is_shown_and_nothing_changes(review, qgis_iface):
    dock, path, patches, _layers = review
    add_issue(path, patches[0]["patch_id"], rule="cropland")
    dock.refresh()
    assert dock.current["patch_id"] == patches[0]["patch_id"]
    assert "cropland" in dock.info_label.text()
    report = dock.confirm()
    assert report is not None and not report.applied
    assert stage_of(path, patches[0]["patch_id"]) == ("accepted", 1)
    assert any("cropland" in m for m in qgis_iface.messageBar().get_messages(Qgis.Warning))
    # "other" without a comment is refused too
    dock.reason_combo.setCurrentIndex(dock.reason_combo.findData("other"))
    report = dock.return_patch()
    assert report is not None and report.results[0].codes == [workflow.R_COMMENT]
    assert audit_rows(path) == []


def test_unsaved_edits_guard(review, monkeypatch):
    dock, path, patches, layers = review
    layer = layers[schema.PATCHES]
    layer.startEditing()
    fid = dock.current["fid"]
    layer.changeAttributeValue(fid, layer.fields().indexFromName("remark"), "being edited")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Cancel)
    assert dock.confirm() is None
    assert layer.isModified() and stage_of(path, patches[0]["patch_id"]) == ("accepted", 1)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Save)
    report = dock.confirm()
    assert report is not None and report.applied
    with geopackage.connect(path) as con:
        remark, stage = con.execute(f"SELECT remark, stage FROM {schema.PATCHES} WHERE fid = ?", (fid,)).fetchone()
    assert (remark, stage) == ("being edited", "confirmed")  # the user's edit was saved, then the stage moved
    layer.rollBack()


def test_identity_decides_what_the_dock_offers(review):
    dock, _path, patches, layers = review
    assert "demo_county" in dock.identity_label.text() and "339901" in dock.identity_label.text()
    assert not hasattr(dock, "role_combo")  # the role is not a choice
    identity.set_session(who("county_technician", "demo_tech"))  # logging in as someone else refreshes the dock
    assert [q["patch_id"] for q in dock.queue] == [patches[3]["patch_id"]]
    assert [dock.target_combo.itemData(i) for i in range(dock.target_combo.count())] == ["accepted", "included"]
    assert not dock.return_button.isEnabled() and not dock.reason_combo.isEnabled()  # technicians do not return
    identity.set_session(who("province_reviewer", "demo_province", units=("33",)))
    assert dock.queue == [] and "Nothing to review" in dock.info_label.text()
    assert not dock.confirm_button.isEnabled()
    identity.set_session(who("contractor", "demo_contractor"))
    assert dock.queue == [] and not dock.confirm_button.isEnabled() and not dock.return_button.isEnabled()
    assert "reviews no patches" in dock.queue_label.text()
    identity.set_session(None)  # logged out, no cached login: a local technician
    assert "local technician" in dock.identity_label.text() and dock.role == "county_technician"
    # base map context: hidden base map is switched back on
    root = QgsProject.instance().layerTreeRoot()
    node = root.findLayer(layers[schema.BASEMAP].id())
    node.setItemVisibilityChecked(False)
    dock.show_basemap(True)
    assert node.isVisible()
    assert not dock.imagery_check.isEnabled()  # no XYZ layer in the project


def test_imagery_layer_offered_and_put_at_bottom(review):
    from qgis.core import QgsRasterLayer

    dock, _path, _patches, _layers = review
    # an XYZ layer on a local port nobody listens on: nothing is downloaded (the canvas is never rendered here)
    xyz = QgsRasterLayer("type=xyz&url=http://127.0.0.1:9/{z}/{x}/{y}.png&zmax=19&zmin=0", "Imagery", "wms")
    QgsProject.instance().addMapLayer(xyz)
    assert dock.imagery_check.isEnabled()
    dock.imagery_check.setChecked(True)
    root = QgsProject.instance().layerTreeRoot()
    assert root.children()[-1].layerId() == xyz.id() and root.children()[-1].isVisible()


def test_component_action_toggles_dock_and_unloads(qgis_iface):
    from qgis.PyQt.QtWidgets import QDockWidget

    import forestry_plugin

    plugin = forestry_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        comp = next(c for c in plugin.components if type(c).__name__ == "WorkflowDockComponent")
        dock = comp.dock
        assert dock.objectName() == "ForestryWorkflowDock"
        assert comp.action in plugin.toolbar.actions()
        qgis_iface.mainWindow().show()  # offscreen: visibility (and the action's checked state) follows for real
        dock.show()
        assert dock.isVisible() and comp.action.isChecked()
        comp.action.trigger()
        assert not dock.isVisible() and not comp.action.isChecked()
        comp.action.trigger()
        assert dock.isVisible() and comp.action.isChecked()
    finally:
        plugin.unload()
        qgis_iface.mainWindow().hide()
    from qgis.core import QgsApplication

    QgsApplication.processEvents()
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not [d for d in qgis_iface.mainWindow().findChildren(QDockWidget)
                if d.objectName() == "ForestryWorkflowDock"]


def _focus(dock, widget):
    from qgis.PyQt.QtWidgets import QApplication

    dock.show()
    QApplication.setActiveWindow(dock)
    widget.setFocus()
    QApplication.processEvents()


def test_shortcut_does_nothing_while_a_combo_box_has_focus(review):
    dock, path, patches, _layers = review
    asked = []
    dock.ask = lambda title, text: asked.append(text) or True
    pid = dock.current["patch_id"]
    for combo in (dock.reason_combo, dock.target_combo, dock.return_stage_combo):
        _focus(dock, combo)
        for key in (Qt.Key_C, Qt.Key_R, Qt.Key_N):
            QTest.keyClick(combo, key)
    assert asked == [] and audit_rows(path) == []
    assert stage_of(path, pid) == ("accepted", 1)
    assert dock.current["patch_id"] == pid or dock.index == 0


def test_shortcut_in_the_queue_asks_then_moves(review):
    dock, path, patches, _layers = review
    pid = dock.current["patch_id"]
    asked = []
    dock.ask = lambda title, text: asked.append((title, text)) or False  # "No"
    _focus(dock, dock.queue_table)
    QTest.keyClick(dock.queue_table, Qt.Key_C)
    assert len(asked) == 1 and "Confirmed" in asked[0][1] and "1" in asked[0][1]
    assert stage_of(path, pid) == ("accepted", 1) and audit_rows(path) == []
    dock.ask = lambda title, text: asked.append((title, text)) or True  # "Yes"
    _focus(dock, dock.queue_table)
    QTest.keyClick(dock.queue_table, Qt.Key_C)
    assert len(asked) == 2
    assert stage_of(path, pid) == ("confirmed", 2)


def test_keyboard_question_uses_a_translated_message_box(review, monkeypatch):
    from forestry_plugin.gui import common

    dock, path, patches, _layers = review
    seen = []

    def fake_exec(box):
        seen.append((box.text(), [b.text() for b in box.buttons()]))
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "exec_", fake_exec)
    assert common.ask_yes_no  # the dock's default question is the shared helper
    pid = dock.current["patch_id"]
    assert dock.confirm_by_key() is not None
    assert seen and "Confirmed" in seen[0][0]
    assert stage_of(path, pid) == ("confirmed", 2)


def test_modified_since_checked_says_what_confirm_does(review):
    dock, path, patches, _layers = review
    pid = dock.current["patch_id"]
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET revision = revision + 1 WHERE patch_id = ?", (pid,))
    dock.refresh()
    text = dock.info_label.text()
    assert "Confirm re-checks it first, then moves it" in text, text
    assert "run the checks first" not in text
    report = dock.confirm()
    assert report is not None and report.applied, report and [r.message for res in report.results for r in res.refusals]
    assert stage_of(path, pid)[0] == "confirmed"


def test_queue_shows_tuban_no_or_a_short_id(review):
    dock, path, patches, _layers = review
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET tuban_no = '2025-0007' WHERE patch_id = ?", (patches[0]["patch_id"],))
        con.execute(f"UPDATE {schema.PATCHES} SET tuban_no = NULL WHERE patch_id != ?", (patches[0]["patch_id"],))
    dock.refresh()
    shown = {dock.queue_table.item(r, 0).text() for r in range(dock.queue_table.rowCount())}
    assert "2025-0007" in shown
    assert all(len(t) <= 10 for t in shown), shown  # never a full UUID
    assert not any(p["patch_id"] in dock.info_label.text() for p in patches)


def test_queue_follows_the_numbers_the_checks_give(review, qgis_iface):
    """The checks number unnumbered patches before a run: the review queue shows the numbers at once, not the
    id prefixes it showed before (seen in the walkthrough until the dock was refreshed by hand)."""
    from forestry_plugin.gui import checks_dock

    dock, path, patches, layers = review
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET tuban_no = NULL, stage = 'accepted'")
    dock.refresh()
    before = {dock.queue_table.item(r, 0).text() for r in range(dock.queue_table.rowCount())}
    assert before and all(t in [p["patch_id"][:8] for p in patches] for t in before), before
    checks = checks_dock.ChecksDock(qgis_iface)
    try:
        with monkeypatch_stages(checks_dock, ("accepted",)):
            assert checks.number_missing(path, layers[schema.PATCHES]) == len(patches)
    finally:
        checks.deleteLater()
    after = {dock.queue_table.item(r, 0).text() for r in range(dock.queue_table.rowCount())}
    assert after and not after & before, after  # numbered, without a refresh by hand


class monkeypatch_stages:  # noqa: N801 - a small context manager
    def __init__(self, module, stages):
        self.module, self.stages = module, stages

    def __enter__(self):
        self.old = self.module.AUTO_NUMBER_STAGES
        self.module.AUTO_NUMBER_STAGES = self.stages

    def __exit__(self, *exc):
        self.module.AUTO_NUMBER_STAGES = self.old
