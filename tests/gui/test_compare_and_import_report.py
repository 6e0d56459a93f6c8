"""Issue 13: the sync conflict's compare dialog shows code labels, schema field labels, translated buttons and the
base map; the import report lists every feature with its reason and schema labels and saves as a UTF-8 file."""

from __future__ import annotations

import pytest
from qgis.core import QgsProject, QgsVectorLayer
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.gui import common
from forestry_plugin.gui.sync_panel import CompareDialog
from tests.helpers.editing_copy import X0, Y0, editing_project, make_working_copy
from tests.helpers.vector_files import lonlat, rect, ring_wkt, write


def _comparison():
    g1, g2 = box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300).wkb, box(X0 + 120, Y0 + 100, X0 + 320, Y0 + 300).wkb
    return {"patch_id": "p-1", "differences": ["species", "prev_dlbm"], "crs": "EPSG:4549",
            "mine": {"method": "planting", "species": "phoebe", "prev_dlbm": "0305", "remark": "mine"},
            "theirs": {"method": "planting", "species": "camphor", "prev_dlbm": "0301", "remark": "theirs"},
            "mine_geometry": g1, "theirs_geometry": g2}


def test_compare_dialog_in_chinese_shows_code_labels_buttons_and_base_map(zh, tmp_path, qgis_new_project):
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    basemap = QgsVectorLayer(geopackage.layer_uri(path, schema.BASEMAP), schema.LAYER[schema.BASEMAP].label("zh"),
                             "ogr")
    assert basemap.isValid()
    QgsProject.instance().addMapLayer(basemap)
    dlg = CompareDialog(_comparison(), basemap=basemap)
    rows = {dlg.table.item(r, 0).text(): r for r in range(dlg.table.rowCount())}
    assert set(rows) == {"造林方式", "树种", "前地类", "备注"}
    assert dlg.table.item(rows["造林方式"], 0).toolTip() == "method"
    cells = {k: (dlg.table.item(r, 1).text(), dlg.table.item(r, 2).text()) for k, r in rows.items()}
    assert cells["造林方式"] == ("人工造林", "人工造林")
    assert cells["树种"] == ("浙江楠", "香樟")
    assert cells["前地类"] == ("灌木林地", "乔木林地")
    assert cells["备注"] == ("mine", "theirs")
    assert "phoebe" in dlg.table.item(rows["树种"], 1).toolTip()
    assert "0305" in dlg.table.item(rows["前地类"], 1).toolTip()
    assert (dlg.mine_button.text(), dlg.theirs_button.text(), dlg.close_button.text()) == ("保留本地", "采用平台",
                                                                                           "关闭")
    # both geometries (mine blue solid, theirs red dashed) over the base map
    assert len(dlg.layers) == 2 and dlg.canvas.layers()[-1] is basemap
    mine, theirs = (lyr.renderer().symbol().symbolLayer(0) for lyr in dlg.layers)
    assert mine.strokeColor().name() == "#1f78b4" and theirs.strokeColor().name() == "#e31a1c"
    assert mine.strokeStyle() != theirs.strokeStyle()
    dlg.theirs_button.click()
    assert dlg.choice == "theirs"


def test_compare_dialog_without_base_map(qgis_app):
    dlg = CompareDialog(_comparison())
    assert dlg.basemap is None and dlg.canvas.layers() == dlg.layers and len(dlg.layers) == 2
    row = [dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())].index("Tree species")
    assert dlg.table.item(row, 1).text() == "Zhejiang phoebe"


@pytest.fixture()
def wc(tmp_path, qgis_iface, qgis_new_project, monkeypatch):
    """The editing working copy, its patch layer in editing, and the import report dialogs that would have been
    shown: (tmp_path, patches, component, [dialog])."""
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    with editing_project(path, qgis_iface) as (layers, comp):
        comp.notify = lambda message, level=0: None
        shown = []
        monkeypatch.setattr(common.ImportReportDialog, "exec_", lambda self: shown.append(self) or 0)
        patches = layers[schema.PATCHES]
        patches.startEditing()
        yield tmp_path, patches, comp, shown


def _contractor_file(tmp):
    return write(str(tmp / "contractor.geojson"), "GeoJSON", [
        (ring_wkt(rect(400, 400, 700, 700)), {"树种": "香樟", "ZLFS": "planting", "TBBH": "T-01"}),
        (ring_wkt(rect(1200, 100, 1400, 300)), {"树种": "红松", "ZLFS": "planting", "TBBH": "T-02"}),
        ("POINT({!r} {!r})".format(*lonlat(50, 50)), {"TBBH": "P"}),
    ], ["树种", "ZLFS", "TBBH"])


def test_import_report_lists_each_feature_with_reason_and_schema_labels(wc, zh):
    tmp, patches, comp, shown = wc
    report = comp.import_file(patches, _contractor_file(tmp))
    assert report.ok and report.added == 2
    assert [(s, c, f, v, d) for s, c, f, v, _p, d in report.value_notes] == [("patches #2", "树种", "species", "红松",
                                                                               True)]
    assert len(shown) == 1
    dlg = shown[0]
    assert dlg.minimumWidth() >= 700 and dlg.minimumHeight() >= 450 and dlg.isSizeGripEnabled()
    rows = {dlg.table.item(r, 0).text(): [dlg.table.item(r, c).text() for c in (1, 2)]
            for r in range(dlg.table.rowCount())}
    assert set(rows) == {"patches #1", "patches #2", "patches #3"}
    assert rows["patches #3"][1] == "是点，不是图斑边界"
    one, two = rows["patches #1"][1], rows["patches #2"][1]
    assert "图斑编号: T-01" in one and "树种: 香樟" in one and "造林方式: 人工造林" in one
    assert "tuban_no" not in one and "species" not in one
    assert "树种" in two and "红松" in two
    assert rows["patches #1"][0] != rows["patches #3"][0]
    assert "2" in dlg.summary.text() and "1" in dlg.summary.text()
    assert "图斑编号" in dlg.notes.toPlainText() and "tuban_no" not in dlg.notes.toPlainText()
    assert dlg.close_button.text() == "关闭"


def test_import_report_save_writes_utf8_file(wc, tmp_path):
    tmp, patches, comp, shown = wc
    comp.import_file(patches, _contractor_file(tmp))
    dlg = shown[0]
    out = str(tmp_path / "报告.txt")
    dlg.get_save_file_name = lambda *args: (out, "")
    dlg.save_button.click()
    text = open(out, encoding="utf-8").read()
    assert text.splitlines()[0] == dlg.summary.text()
    assert "a point, not a patch outline" in text and "红松" in text and "Patch number: T-01" in text
    assert sum(line.startswith("patches #") for line in text.splitlines()) == 3
    dlg.get_save_file_name = lambda *args: ("", "")  # canceled: nothing written
    assert dlg.save() is None


def test_import_report_save_on_a_full_disk_says_so_once(wc, full_disk, monkeypatch):
    """"Save…" on a full disk: one warning naming the file and why (it used to be 'The report could not be saved:
    [Errno 28] No space left on device', with an empty 报告.txt left looking like the report)."""
    from tests.helpers.disk import fill, outputs

    tmp, patches, comp, shown = wc
    comp.import_file(patches, _contractor_file(tmp))
    dlg = shown[0]
    out = full_disk / "报告.txt"
    fill(full_disk)
    warned = []
    monkeypatch.setattr(common.QMessageBox, "warning", lambda *args: warned.append(args[2]))
    assert dlg.save(str(out)) is None
    assert warned == [f"Could not write {out}: the disk is full. Nothing was saved."]
    assert outputs(full_disk) == []
