"""Live check on save (real check engine): findings shown, errors block unless accepted as exceptions."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry, QgsRectangle, QgsVectorLayerUtils
from qgis.gui import QgsAttributeEditorContext, QgsAttributeForm
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QApplication, QLineEdit

from forestry_plugin import schema
from forestry_plugin.core import forms, geopackage, identity
from forestry_plugin.core.checks.live import LiveChecker
from forestry_plugin.gui import edit_live
from tests.helpers.editing_copy import DESIGN, X0, Y0


def cropland_patch(comp, layer):
    """A patch entirely on the base-map cell x 1500..2000 / y 0..500, which is 0103 dry land (cropland)."""
    ctrl = comp.controller(layer)
    layer.startEditing()
    return ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)), DESIGN)


def test_review_blocks_errors_until_accepted_with_reason(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    fid = cropland_patch(comp, patches)
    f = patches.getFeature(fid)
    attrs = {n: f[n] for n in f.fields().names()}
    checker = LiveChecker(path)
    findings = checker.check_patch(f.geometry(), attrs, f["patch_id"])
    assert "cropland" in {x.rule for x in findings if x.severity == "error"}
    asked, told = [], []

    def back(pid, fs):
        asked.append([x.rule for x in fs])
        return None

    # A local technician may not accept a cropland error (the exception policy): not even asked, told why.
    assert edit_live.review(path, f["patch_id"], f.geometry(), attrs, back, checker, notify=told.append) is False
    assert asked == [] and told and "cropland" in told[0].lower() or "耕地" in told[0]
    # A county reviewer may, with the approval number from the patch's 占用耕地审批文号.
    reviewer = identity.Identity("tester", "county_reviewer", county="339901", units=("339901",),
                                 source=identity.PLATFORM, verified_at=identity.utc_text())
    told.clear()
    assert edit_live.review(path, f["patch_id"], f.geometry(), attrs, back, checker, user=reviewer,
                            notify=told.append) is False
    assert "approval" in told[0].lower() or "审批" in told[0]  # no approval number on the patch yet
    # accepting it needs a reason like any exception; the approval number makes it pass
    rev = {**attrs}
    with pytest.MonkeyPatch.context() as mp:
        from forestry_plugin.core.checks import live as live_mod

        mp.setattr(live_mod.LiveChecker, "check_patch", lambda self, g, a, p: findings)  # the error as found
        rev["approval_no"] = "浙土资〔2025〕17号"
        assert edit_live.review(path, f["patch_id"], f.geometry(), rev, back, checker, user=reviewer) is False
        assert asked and "cropland" in asked[0]
        assert edit_live.review(path, f["patch_id"], f.geometry(), rev, lambda p, fs: "   ", checker,
                                user=reviewer) is False
        assert edit_live.review(path, f["patch_id"], f.geometry(), rev, lambda p, fs: "county approval 2025-17",
                                checker, user=reviewer) is True
    rows = geopackage.read_features(path, schema.EXCEPTIONS)
    assert {(r[1]["patch_id"], r[1]["rule"], r[1]["reason"], r[1]["accepted_by"], r[1]["approval_ref"])
            for r in rows} >= {(f["patch_id"], "cropland", "county approval 2025-17", "tester", "浙土资〔2025〕17号")}
    # a patch whose approval number is filled in has no cropland error at all: saved without asking
    assert edit_live.review(path, f["patch_id"], f.geometry(), rev,
                            lambda p, fs: pytest.fail("asked again"), LiveChecker(path), user=reviewer) is True


@pytest.fixture()
def watcher(editing_wc):
    path, layers, comp = editing_wc
    reports = []
    w = edit_live.FormWatcher(lambda layer: layer.id() in comp.controllers, comp.checker,
                              lambda pid, fs: reports.append((pid, sorted(x.rule for x in fs))),
                              complete=lambda layer, g, a: comp.controller(layer).completed_attributes(g, a))
    w.install()
    yield w, reports
    w.remove()


def _shown_form(layer, feature, mode=None):
    ctx = QgsAttributeEditorContext()
    ctx.setFormMode(QgsAttributeEditorContext.StandaloneDialog)  # as QGIS's feature form dialog
    form = QgsAttributeForm(layer, feature, ctx)
    if mode is not None:
        form.setMode(mode)
    form.show()
    QApplication.setActiveWindow(form)
    first = next(w for w in form.findChildren(QLineEdit) if w.isVisible())
    first.setFocus()  # QGIS focuses the first field of a new form
    QCoreApplication.processEvents()
    return form


def test_form_save_reports_findings_and_keeps_the_edit(editing_wc, watcher):
    path, layers, comp = editing_wc
    w, reports = watcher
    patches = layers[schema.PATCHES]
    fid = cropland_patch(comp, patches)
    form = _shown_form(patches, patches.getFeature(fid))
    assert form.property(edit_live.FormWatcher.PROPERTY)  # the watcher saw QGIS build the form
    form.changeAttribute("species", "poplar")
    assert form.save()
    pid = patches.getFeature(fid)["patch_id"]
    assert reports and reports[-1][0] == pid and "cropland" in reports[-1][1]
    assert patches.getFeature(fid)["species"] == "poplar"  # reported, not refused: nothing typed is lost
    form.close()
    # forms of other layers are left alone
    admin = layers[schema.ADMIN]
    other = _shown_form(admin, next(admin.getFeatures()))
    assert not other.property(edit_live.FormWatcher.PROPERTY)
    other.close()


def test_add_feature_form_adds_the_patch_despite_errors(editing_wc, watcher):
    path, layers, comp = editing_wc
    w, reports = watcher
    patches = layers[schema.PATCHES]
    forms.configure_patch_layer(patches, "en")  # as in the project: defaults, constraints, value maps
    comp.controller(patches)
    patches.startEditing()
    before = patches.featureCount()
    fields = patches.fields()
    feature = QgsVectorLayerUtils.createFeature(
        patches, QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1800, Y0 + 300)),
        {fields.indexFromName(k): v for k, v in dict(DESIGN, year=2025, tuban_no="0001").items()})
    form = _shown_form(patches, feature, QgsAttributeEditorContext.AddFeatureMode)
    assert form.property(edit_live.FormWatcher.PROPERTY)
    ok = form.saveWithDetails()
    assert ok is True or ok[0], ok
    assert patches.featureCount() == before + 1  # QGIS would have dropped it if the check had refused
    # checked as it is saved: admin codes and area, filled after the form, are not reported missing
    assert reports and reports[-1][1] == ["cropland"], reports
    form.close()


def test_removed_watcher_leaves_forms_alone(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    comp.controller(patches)
    w = edit_live.FormWatcher(lambda layer: True, comp.checker, lambda pid, fs: None)
    w.install()
    w.remove()
    form = _shown_form(patches, next(patches.getFeatures()))
    assert not form.property(edit_live.FormWatcher.PROPERTY)
    form.close()


def test_check_and_commit_blocks_then_saves(editing_wc):
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    cropland_patch(comp, patches)
    messages = []
    comp.notify = lambda m, level=0: messages.append(m)
    comp.ask = lambda pid, fs: None
    assert comp.check_and_commit(patches) is False
    assert patches.isEditable() and len(geopackage.read_features(path, schema.PATCHES)) == 1  # nothing written
    assert "check errors" in messages[-1]
    # a contractor or technician cannot wave a cropland error through: told why, nothing saved
    comp.ask = lambda pid, fs: "approved"
    assert comp.check_and_commit(patches) is False
    assert any("cannot be saved" in m for m in messages)
    # the patch's approval number (占用耕地审批文号) is what makes cropland allowed: then it saves
    fid = next(f.id() for f in patches.getFeatures() if f["patch_id"] != "11111111-1111-4111-8111-111111111111")
    patches.changeAttributeValue(fid, patches.fields().indexFromName("approval_no"), "浙土资〔2025〕17号")
    assert comp.check_and_commit(patches) is True
    rows = geopackage.read_features(path, schema.PATCHES)
    assert len(rows) == 2
    assert geopackage.read_features(path, schema.EXCEPTIONS) == []


def test_live_check_is_prepared_in_the_background_when_editing_starts(editing_wc):
    import time

    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    comp.controller(patches)
    assert path not in comp._checkers  # opening the project indexes nothing
    patches.startEditing()
    assert path in comp._checker_tasks
    if path not in comp._checkers:  # still being built: a form save does not wait for it
        assert comp.checker(path, wait=False) is None and path not in comp._checkers
    deadline = time.monotonic() + 60
    while path in comp._checker_tasks and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    assert not comp._checker_tasks and isinstance(comp._checkers[path], LiveChecker)


def test_saved_patches_count_as_other_patches_in_the_next_check(editing_wc):
    """After a save the checker re-reads the patches (once, when next used): a new patch over a saved one overlaps."""
    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    checker = comp.checker(path)
    square = QgsGeometry.fromRect(QgsRectangle(X0 + 600, Y0 + 100, X0 + 800, Y0 + 300))
    fid = ctrl.add_patch(square, DESIGN)
    year = patches.getFeature(fid)["year"]
    assert patches.commitChanges(), patches.commitErrors()
    assert path in comp._stale_checkers
    again = QgsGeometry.fromRect(QgsRectangle(X0 + 650, Y0 + 150, X0 + 850, Y0 + 350))
    rules = {f.rule for f in comp.checker(path, wait=False).check_patch(again, dict(DESIGN, year=year), "new")}
    assert "patch_overlap" in rules and comp.checker(path) is checker and path not in comp._stale_checkers


def test_form_reached_through_a_temporary_wrapper_keeps_the_live_check(editing_wc):
    """QGIS builds its feature forms in C++: the watcher gets a temporary wrapper (sip.cast of a plain QWidget).
    The interface must outlive that wrapper, or QGIS calls the C++ acceptChanges and nothing is checked."""
    import gc

    from qgis.PyQt import sip
    from qgis.PyQt.QtWidgets import QWidget

    path, layers, comp = editing_wc
    patches = layers[schema.PATCHES]
    fid = cropland_patch(comp, patches)
    reports = []
    w = edit_live.FormWatcher(lambda layer: layer.id() in comp.controllers, comp.checker,
                              lambda pid, fs: reports.append((pid, sorted(x.rule for x in fs))))
    parent = QWidget()  # owns the form on the C++ side, as QGIS's feature dialog does
    ctx = QgsAttributeEditorContext()
    ctx.setFormMode(QgsAttributeEditorContext.StandaloneDialog)
    form = QgsAttributeForm(patches, patches.getFeature(fid), ctx, parent)
    assert w.attach(sip.cast(sip.cast(form, QWidget), QgsAttributeForm))  # the temporary wrapper, dropped here
    gc.collect()
    assert w.attached_forms() == 1
    form.changeAttribute("species", "poplar")
    assert form.save()
    assert reports and "cropland" in reports[-1][1]
    del form
    sip.delete(parent)  # the dialog closes: the form and its interface go with it
    gc.collect()
    assert w.attached_forms() == 0  # dropped with the form
    w.remove()
