"""The checks dock in a real QGIS on the sample county: run, tree, filter, zoom, accept, re-run changed, fix, undo."""

import os
import time

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtTest import QTest

from forestry_plugin.core import geopackage
from forestry_plugin.core.checks import store
from forestry_plugin.core.project import load_working_copy
from forestry_plugin.core.queries import patches_changed_since_check
from forestry_plugin.gui.checks_dock import ChecksDock


@pytest.fixture()
def dock(qgis_iface, qgis_new_project, sample_county):
    load_working_copy(sample_county.path, QgsProject.instance())
    d = ChecksDock(qgis_iface)
    yield d
    d.disconnect_project()
    d.deleteLater()
    QgsProject.instance().clear()


def test_run_tree_filter_zoom(dock, sample_county, qgis_iface):
    dock.run_checks("layer", wait=True)
    open_findings = [f for f in dock.findings if not f.accepted]
    flagged = {f.patch_id for f in open_findings}
    assert set(sample_county.faults) <= flagged
    groups = {(f.rule, f.severity) for f in open_findings}
    assert dock.tree.topLevelItemCount() == len(groups)
    assert sum(dock.tree.topLevelItem(i).childCount() for i in range(dock.tree.topLevelItemCount())) == len(open_findings)
    dock.filter_edit.setText("F001")  # a patch number of a labelled fault
    dock.flush_filter()  # the filter waits for a pause in typing
    shown = sum(dock.tree.topLevelItem(i).childCount() for i in range(dock.tree.topLevelItemCount()))
    assert 1 <= shown < len(open_findings)
    dock.filter_edit.setText("")
    dock.flush_filter()
    before = qgis_iface.mapCanvas().extent()
    item = dock.tree.topLevelItem(0).child(0)
    dock.tree.setCurrentItem(item)
    after = qgis_iface.mapCanvas().extent()
    assert after != before and after.width() < 2000
    assert dock.layer().selectedFeatureCount() == 1


def test_accept_exception_persists_and_rerun_changed(dock, sample_county):
    dock.run_checks("layer", wait=True)
    sliver = next(f for f in dock.findings if f.rule == "sliver")
    idx = dock.findings.index(sliver)
    item = next(dock.tree.topLevelItem(i).child(j) for i in range(dock.tree.topLevelItemCount())
                for j in range(dock.tree.topLevelItem(i).childCount())
                if dock.tree.topLevelItem(i).child(j).data(0, Qt.UserRole) == idx)
    dock.tree.setCurrentItem(item)
    # as a contractor (cached login) the policy says no, and the dock says why
    from forestry_plugin.core import identity

    ident = identity.Identity("demo_contractor", "contractor", county="339901", units=("339901",),
                              source="platform", verified_at=identity.utc_text())
    identity.cache_identity(sample_county.path, ident)
    assert not dock.accept_current("I say so")
    assert "Contractor" in dock.last_refusal or "施工" in dock.last_refusal
    # without a login the technician may accept a warning
    with geopackage.connect(sample_county.path) as con:
        con.execute("DELETE FROM sync_state WHERE key = 'identity'")
    assert dock.accept_current("windbreak strip along the road, width set by the design")
    assert sliver.patch_id not in store.open_findings(sample_county.path, [sliver.patch_id])
    dock.run_checks("layer", wait=True)
    again = [f for f in dock.findings if f.patch_id == sliver.patch_id and f.rule == "sliver"]
    assert again and all(f.accepted for f in again)
    assert patches_changed_since_check(sample_county.path) == []
    with geopackage.connect(sample_county.path) as con:
        con.execute("UPDATE patches SET revision = revision + 1 WHERE patch_id = ?", (sliver.patch_id,))
    assert patches_changed_since_check(sample_county.path) == [sliver.patch_id]
    dock.run_checks("changed", wait=True)
    assert patches_changed_since_check(sample_county.path) == []


def test_fix_invalid_geometry_in_edit_buffer_and_undo(dock, sample_county):
    dock.run_checks("layer", wait=True)
    bad = next(f for f in dock.findings if f.rule == "invalid_geometry")
    layer = dock.layer()
    feat = next(layer.getFeatures(f"patch_id = '{bad.patch_id}'"))
    original = feat.geometry().asWkt()
    assert not feat.geometry().isGeosValid()
    assert dock.apply_fix("repair", bad)
    fixed = next(layer.getFeatures(f"patch_id = '{bad.patch_id}'")).geometry()
    assert fixed.isGeosValid() and fixed.area() > 1000 and layer.isModified()
    layer.undoStack().undo()
    assert next(layer.getFeatures(f"patch_id = '{bad.patch_id}'")).geometry().asWkt() == original
    layer.rollBack()


def test_fix_and_editing_context_round_area_alike(dock):
    """One rounding of area_mu (the schema's decimals): a fix writes what the editing context writes."""
    from qgis.core import QgsGeometry
    from qgis.PyQt.QtGui import QTransform

    from forestry_plugin import schema
    from forestry_plugin.core.attributes import PatchContext

    dock.run_checks("layer", wait=True)
    bad = next(f for f in dock.findings if f.rule == "invalid_geometry")
    layer = dock.layer()
    feat = next(layer.getFeatures(f"patch_id = '{bad.patch_id}'"))
    g = QgsGeometry(feat.geometry())
    c = g.centroid().asPoint()
    g.transform(QTransform().translate(c.x(), c.y()).scale(1.01372, 0.99731).translate(-c.x(), -c.y()))
    layer.startEditing()
    layer.changeGeometry(feat.id(), g)  # an area with more than two decimals in mu
    assert dock.apply_fix("repair", bad)
    fixed = next(layer.getFeatures(f"patch_id = '{bad.patch_id}'"))
    expected = PatchContext(None, None, layer.crs()).areas(fixed.geometry())
    assert round(expected[0], 2) != expected[0]
    assert (fixed["area_mu"], fixed["area_ha"]) == expected
    assert expected == tuple(round(v, schema.PATCH_FIELD["area_mu"].decimals) for v in expected)
    layer.rollBack()


def test_export_excel(dock, tmp_path):
    dock.run_checks("layer", wait=True)
    out = dock.export(str(tmp_path / "checks.xlsx"))
    assert os.path.getsize(out) > 5000
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert len(wb.sheetnames) >= 2
    listed = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {f.patch_id for f in dock.findings if f.patch_id} <= listed  # every finding's patch id is in the report


def test_export_excel_on_a_full_disk_says_so_and_keeps_the_old_report(dock, qgis_iface, full_disk):
    """The dock's "Excel…" on a full disk: one message in the message bar (it used to be the Python error dialog's
    'OSError: [Errno 28] No space left on device'), no half-written file, last week's report unchanged."""
    from qgis.core import Qgis

    from tests.helpers.disk import fill, outputs

    dock.run_checks("layer", wait=True)
    out = full_disk / "checks.xlsx"
    out.write_bytes(b"last week's report")
    fill(full_disk)
    qgis_iface.messageBar().clear_messages()
    assert dock.export(str(out)) is None
    (shown,) = [m for m in qgis_iface.messageBar().get_messages(Qgis.Critical) if str(out) in m]
    assert f"Could not write {out}: the disk is full. The file that was there is unchanged." in shown, shown
    assert out.read_bytes() == b"last week's report" and outputs(full_disk) == ["checks.xlsx"]


def _children(dock):
    return [dock.tree.topLevelItem(i).child(j) for i in range(dock.tree.topLevelItemCount())
            for j in range(dock.tree.topLevelItem(i).childCount())]


def test_filter_is_debounced_and_reads_no_patch(dock, sample_county, monkeypatch):
    dock.run_checks("layer", wait=True)
    total = len(_children(dock))
    passes = []
    original = dock.populate
    monkeypatch.setattr(dock, "populate", lambda *a: (passes.append(dock.filter_edit.text()), original(*a)))
    # typing filters only what is loaded: no patch is read per keystroke
    layer = dock.layer()
    reads = []
    monkeypatch.setattr(type(dock), "_patch_numbers", lambda self: reads.append(1) or {})
    QTest.keyClicks(dock.filter_edit, "F001")  # four keystrokes
    assert passes == []  # nothing yet: the filter waits for the pause
    deadline = time.monotonic() + 5
    while not passes and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):  # no second pass comes later
        QCoreApplication.processEvents()
    assert passes == ["F001"]  # one filter pass for the four characters, with the whole text
    assert reads == [] and layer is not None
    shown = len(_children(dock))
    assert 1 <= shown < total
    # the dock names patches by 图斑编号 and shows values with their unit, none for attribute findings
    for item in _children(dock):
        assert "F001" in item.text(2) or "F001" in item.text(0)
    dock.filter_edit.clear()
    dock.flush_filter()
    items = {dock.current_finding(it).rule: it for it in _children(dock)}
    if "min_area" in items:
        assert items["min_area"].text(1).endswith("m²")
    if "attribute" in items:
        assert items["attribute"].text(1) == ""
    for item in _children(dock):
        f = dock.current_finding(item)
        if f.patch_id:
            assert item.text(2) != f.patch_id and f.patch_id not in item.toolTip(0)


# -- the clip and snap fixes with the reference in PostGIS (a real server, tests/helpers/pg_server.py) ----------

PG_TABLES = {"basemap": "city_dltb", "farmland": "city_jbnt", "history": "city_history", "admin": "city_xzq"}


@pytest.fixture()
def pg_dock(pg, qgis_iface, qgis_new_project, sample_county, tmp_path):
    """(dock, the pointing copy, a cropland finding): the sample county's reference only in PostGIS."""
    from forestry_plugin.core.checks import engine, pg_source
    from tests.helpers.working_copies import without_reference

    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables=PG_TABLES)
    found = engine.check_working_copy(sample_county.path, write=False)
    crop = [f for f in found.findings if f.rule == "cropland" and f.value > 50]
    other = without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn, "tables": PG_TABLES})
    load_working_copy(other, QgsProject.instance())
    d = ChecksDock(qgis_iface)
    qgis_iface.messageBar().clear_messages()
    yield d, other, crop
    if d.layer() is not None and d.layer().isEditable():
        d.layer().rollBack()
    d.disconnect_project()
    d.deleteLater()
    QgsProject.instance().clear()


def _area(layer, pid):
    return next(layer.getFeatures(f"patch_id = '{pid}'")).geometry().area()


def test_clip_fix_cuts_the_cropland_of_the_postgis_reference(pg_dock, sample_county):
    """A patch drawn half over a cropland parcel that only the database holds: the fix keeps the other half."""
    from qgis.core import QgsGeometry
    from shapely.geometry import box

    from forestry_plugin import schema
    from forestry_plugin.core import fixes
    from forestry_plugin.core.checks.gpkg_io import read_table

    dock, _other, crop = pg_dock
    attrs, geoms, _ = read_table(sample_county.path, schema.BASEMAP, [schema.LANDCLASS_FIELD])
    parcel = next(p for a, p in zip(attrs, geoms) if a[schema.LANDCLASS_FIELD] in schema.CROPLAND_CLASSES
                  and p.area > 20000)
    x, y = parcel.exterior.coords[0] if parcel.geom_type == "Polygon" else parcel.geoms[0].exterior.coords[0]
    g = box(x - 30, y - 30, x + 30, y + 30)
    expected = fixes.clip_to_allowed(g, fixes.forbidden_near(sample_county.path, fixes.window(g, 4549)))
    assert 0 < expected.area < 0.9 * g.area  # the oracle: the same fix on the copy holding the tables itself
    f = crop[0]
    layer = dock.layer()
    feat = next(layer.getFeatures(f"patch_id = '{f.patch_id}'"))
    layer.startEditing()
    layer.changeGeometry(feat.id(), QgsGeometry.fromWkt(f"MULTIPOLYGON((({x - 30} {y - 30},{x + 30} {y - 30},"
                                                         f"{x + 30} {y + 30},{x - 30} {y + 30},{x - 30} {y - 30})))"))
    assert _area(layer, f.patch_id) == pytest.approx(3600.0)
    assert dock.apply_fix("clip", f)
    assert _area(layer, f.patch_id) == pytest.approx(expected.area, abs=0.01)
    layer.undoStack().undo()
    assert _area(layer, f.patch_id) == pytest.approx(3600.0)


def test_fix_with_an_unreachable_database_says_so_and_changes_nothing(pg_dock, qgis_iface):
    import json

    from qgis.core import Qgis, QgsApplication

    from forestry_plugin.core.sync.auth import store_basic_config
    from forestry_plugin.settings import WorkingCopyKey

    dock, other, crop = pg_dock
    am = QgsApplication.authManager()
    if not am.masterPasswordIsSet():
        assert am.setMasterPassword("forestry-test-master", True)  # the suite's master password
    secret = "Unreachable-Secret-4417"
    cfg_id = store_basic_config("gone reference", "reader", secret)
    try:
        geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, json.dumps(
            {"dsn": "host=/nonexistent/socket port=5432 dbname=none", "authcfg": cfg_id}))
        layer = dock.layer()
        f = crop[0]
        wkt = next(layer.getFeatures(f"patch_id = '{f.patch_id}'")).geometry().asWkt()
        for fix in ("clip", "snap"):
            assert not dock.apply_fix(fix, f)
        assert next(layer.getFeatures(f"patch_id = '{f.patch_id}'")).geometry().asWkt() == wkt
        assert not layer.isModified()
        warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
        assert len(warnings) == 2 and all("cannot be reached" in m or "无法连接" in m for m in warnings)
        assert not any(secret in m for level in qgis_iface.messageBar().messages.values() for m in level)
    finally:
        am.removeAuthenticationConfig(cfg_id)
