"""图斑编号 (tuban_no): assigned by the working copy's scheme, unique, kept with suffixes on split and merge, and
what findings, the check-and-save dialog and the Excel report name patches by."""

from __future__ import annotations

import openpyxl
import pytest
from qgis.core import QgsGeometry, QgsLineString, QgsPoint, QgsPointXY, QgsRectangle

from forestry_plugin import schema
from forestry_plugin.core import attributes, geopackage
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.engine import check_working_copy
from forestry_plugin.core.checks.model import Finding
from forestry_plugin.core.checks.report import write_check_report
from forestry_plugin.i18n import ui_language
from tests.helpers.editing_copy import DESIGN_2025, PARENT, TOWNSHIP, X0, Y0, editing_project, make_working_copy

PREFIX = "2025" + TOWNSHIP  # default scheme: year + township code + 4-digit sequence


@pytest.fixture()
def wc(tmp_path, qgis_iface, qgis_new_project):
    """The editing working copy whose patch is numbered 0007: (path, layers, component)."""
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    with geopackage.connect(path) as con:
        con.execute("UPDATE patches SET tuban_no = ? WHERE patch_id = ?", (PREFIX + "0007", PARENT))
    with editing_project(path, qgis_iface) as (layers, comp):
        yield path, layers, comp


def numbers(layer):
    return {f["patch_id"]: f["tuban_no"] for f in layer.getFeatures()}


def test_scheme_and_numberer():
    assert attributes.DEFAULT_NUMBER_SCHEME == "{year}{township}{seq:04d}"
    n = attributes.PatchNumberer(existing=[PREFIX + "0007", PREFIX + "0009-1", "2024" + TOWNSHIP + "0050"])
    attrs = {"year": 2025, "township_code": TOWNSHIP}
    assert n.next_number(attrs) == PREFIX + "0010"  # after the highest, split parts included
    assert n.next_number(attrs) == PREFIX + "0011"  # unique: what was handed out is taken
    assert n.next_number({"year": 2025, "township_code": "339901102"}) == "2025339901102" + "0001"
    assert n.split_numbers(PREFIX + "0009", 3) == [PREFIX + "0009", PREFIX + "0009-2", PREFIX + "0009-3"]
    assert not attributes.valid_number_scheme("{year}{township}")  # no sequence
    assert not attributes.valid_number_scheme("{year}{seq}{seq}")
    assert not attributes.valid_number_scheme("{name}{seq}")
    assert attributes.valid_number_scheme("T{county}-{year}-{seq:05d}")
    assert schema.patch_label(PARENT, None) == PARENT[:8] and schema.patch_label(PARENT, "X-1") == "X-1"


def test_scheme_is_a_working_copy_setting(tmp_path):
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    assert attributes.number_scheme(path) == attributes.DEFAULT_NUMBER_SCHEME
    with pytest.raises(ValueError):
        attributes.set_number_scheme(path, "{year}")
    attributes.set_number_scheme(path, "{county}-{year}-{seq:03d}")
    assert geopackage.get_setting(path, attributes.NUMBER_SCHEME_KEY) == "{county}-{year}-{seq:03d}"
    # the patch without a number gets one; its revision goes up so the number is synced
    assert attributes.unnumbered_patches(path) == 1
    assert attributes.number_patches(path) == 1
    rows = geopackage.read_features(path, schema.PATCHES)
    assert rows[0][1]["tuban_no"] == "339901-2025-001" and rows[0][1]["revision"] == 4
    assert attributes.number_patches(path) == 0  # numbered ones are left alone


def test_new_patches_get_unique_numbers(wc):
    path, layers, comp = wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    a = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 400, Y0 + 100, X0 + 500, Y0 + 200)), DESIGN_2025)
    b = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 600, Y0 + 100, X0 + 700, Y0 + 200)), DESIGN_2025)
    assert patches.getFeature(a)["tuban_no"] == PREFIX + "0008"  # after the copy's highest number (0007)
    assert patches.getFeature(b)["tuban_no"] == PREFIX + "0009"
    # an imported patch keeps its own number
    c = ctrl.add_patches([(QgsGeometry.fromRect(QgsRectangle(X0 + 800, Y0 + 100, X0 + 900, Y0 + 200)),
                           dict(DESIGN_2025, tuban_no="K-7"))])[0]
    assert patches.getFeature(c)["tuban_no"] == "K-7"
    assert len(set(numbers(patches).values())) == 4
    assert patches.commitChanges(), patches.commitErrors()


def test_split_keeps_number_on_largest_part_and_suffixes_others(wc):
    path, layers, comp = wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    # the parent is x 100..300: a line at x 150 leaves a quarter west, three quarters east
    n = ctrl.split([QgsPointXY(X0 + 150, Y0 + 50), QgsPointXY(X0 + 150, Y0 + 350)])
    assert n == 1
    feats = sorted(patches.getFeatures(), key=lambda f: -f["area_mu"])
    assert [f["tuban_no"] for f in feats] == [PREFIX + "0007", PREFIX + "0007-1"]
    assert feats[0].geometry().boundingBox().xMinimum() == pytest.approx(X0 + 150)
    # split the largest again with a line at x 250: the new part takes the next free suffix
    patches.selectByIds([feats[0].id()])
    ctrl.split([QgsPointXY(X0 + 250, Y0 + 50), QgsPointXY(X0 + 250, Y0 + 350)])
    patches.removeSelection()
    got = sorted(f["tuban_no"] for f in patches.getFeatures())
    assert got == [PREFIX + "0007", PREFIX + "0007-1", PREFIX + "0007-2"]
    patches.undoStack().undo()
    patches.undoStack().undo()
    assert list(numbers(patches).values()) == [PREFIX + "0007"]


def test_qgis_split_tool_numbers_parts(wc):
    path, layers, comp = wc
    patches = layers[schema.PATCHES]
    comp.controller(patches)
    patches.startEditing()
    patches.beginEditCommand("Features split")  # what QGIS's split tool does
    patches.splitFeatures(QgsLineString([QgsPoint(X0 + 250, Y0 + 50), QgsPoint(X0 + 250, Y0 + 350)]), False, False)
    patches.endEditCommand()
    feats = sorted(patches.getFeatures(), key=lambda f: -f["area_mu"])
    assert len(feats) == 2 and {f["parent_ids"] for f in feats} == {PARENT}
    assert [f["tuban_no"] for f in feats] == [PREFIX + "0007", PREFIX + "0007-1"]
    assert patches.commitChanges(), patches.commitErrors()


def test_merge_keeps_the_survivors_number(wc):
    path, layers, comp = wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    small = ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 300, Y0 + 100, X0 + 350, Y0 + 300)), DESIGN_2025)
    got = patches.getFeature(small)
    # (seen once in a fresh-clone run: no admin codes and no known numbers, as if the context read nothing)
    assert got["tuban_no"] == PREFIX + "0008", (dict(zip(got.fields().names(), got.attributes())),
                                               ctrl.ctx._villages is not None, sorted(ctrl.ctx.numbers.taken))
    patches.selectAll()
    merged = patches.getFeature(ctrl.merge_selected())
    assert merged["tuban_no"] == PREFIX + "0007"  # the larger patch's number
    assert patches.featureCount() == 1


def _overlapping_copy(tmp_path):
    path = make_working_copy(str(tmp_path / "ov.gpkg"))
    from shapely.geometry import box

    other = {"patch_id": "22222222-2222-4222-8222-222222222222", "county_code": "339901", "township_code": TOWNSHIP,
             "village_code": "339901101001", "year": 2025, "method": "planting", "forest_type": "protection",
             "species": "camphor", "area_mu": 60.0, "area_ha": 4.0, "stage": "design", "revision": 1,
             "tuban_no": PREFIX + "0002"}
    geopackage.write_features(path, schema.PATCHES, [(other, box(X0 + 200, Y0 + 100, X0 + 400, Y0 + 300).wkb)])
    with geopackage.connect(path) as con:
        con.execute("UPDATE patches SET tuban_no = ? WHERE patch_id = ?", (PREFIX + "0001", PARENT))
    return path, other["patch_id"]


def test_overlap_message_names_the_other_patch_by_number(tmp_path):
    path, other = _overlapping_copy(tmp_path)
    res = check_working_copy(path)
    overlaps = {f.patch_id: f for f in res.findings if f.rule == R.PATCH_OVERLAP}
    assert set(overlaps) == {PARENT, other}
    assert PREFIX + "0002" in overlaps[PARENT].message and other not in overlaps[PARENT].message
    assert PREFIX + "0001" in overlaps[other].message and PARENT not in overlaps[other].message
    assert overlaps[PARENT].other_id == other  # the id stays for the machine


def test_excel_names_patches_by_number_with_rounded_values(tmp_path, qgis_app):
    findings = [
        Finding(PARENT, R.PATCH_OVERLAP, "error", "overlap", 1799.998646636408, None, "p2"),
        Finding(PARENT, R.OUTSIDE_ADMIN, "error", "share", 87.6543),
        Finding("p2", R.ATTRIBUTE, "error", "species missing", 1.0),
    ]
    out = write_check_report(findings, str(tmp_path / "r.xlsx"), patch_numbers={PARENT: PREFIX + "0007", "p2": ""})
    ws = openpyxl.load_workbook(out).worksheets[2]
    header = [c.value for c in ws[1]]
    assert header[0] == schema.PATCH_FIELD["tuban_no"].label(ui_language()) and header[-1] == schema.PATCH_FIELD["patch_id"].label(ui_language())
    rows = {(r[0].value, r[3].value): r for r in ws.iter_rows(min_row=2)}
    ov = rows[(PREFIX + "0007", R.PATCH_OVERLAP)]
    assert ov[6].value == 1800.0 and ov[6].number_format == "#,##0.00"
    assert ov[7].value == "p2"  # the other patch, by its short id: it has no number
    assert ov[10].value == "m²" and ov[11].value == PARENT
    share = rows[(PREFIX + "0007", R.OUTSIDE_ADMIN)]
    assert share[6].value == 87.7 and share[6].number_format == "#,##0.0" and share[10].value == "%"
    attr = rows[("p2", R.ATTRIBUTE)]
    assert attr[6].value is None and attr[10].value is None  # attribute findings have no measure


def test_rule_units_and_formatting():
    assert R.RULE[R.PATCH_OVERLAP].unit == R.M2 and R.RULE[R.SLIVER].unit == R.M
    assert R.RULE[R.AREA_MISMATCH].unit == R.MU and R.RULE[R.OUTSIDE_ADMIN].unit == R.PERCENT
    assert R.RULE[R.ATTRIBUTE].unit is None
    assert R.format_value(R.PATCH_OVERLAP, 1799.998646636408) == "1,800.00 m²"
    assert R.format_value(R.OUTSIDE_ADMIN, 87.6543) == "87.7 %"
    assert R.format_value(R.AREA_MISMATCH, -0.456) == "-0.46 mu"
    assert R.format_value(R.ATTRIBUTE, 1.0) == "" and R.format_value(R.MIN_AREA, None) == ""


def test_check_and_save_lists_every_failing_patch(wc):
    path, layers, comp = wc
    patches = layers[schema.PATCHES]
    ctrl = comp.controller(patches)
    patches.startEditing()
    # two patches on dry land (0103, cropland: an error a technician may not accept), x 1500..2000 / y 0..500
    ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1600, Y0 + 100, X0 + 1700, Y0 + 300)), DESIGN_2025)
    ctrl.add_patch(QgsGeometry.fromRect(QgsRectangle(X0 + 1750, Y0 + 100, X0 + 1850, Y0 + 300)), DESIGN_2025)
    messages = []
    comp.notify = lambda m, level=0: messages.append(m)
    comp.ask = lambda label, fs: None
    assert comp.check_and_commit(patches) is False
    assert sum("cannot be saved" in m for m in messages) == 2  # both, not only the first
    assert PREFIX + "0008" in messages[-1] and PREFIX + "0009" in messages[-1]
    assert patches.selectedFeatureCount() == 2
    assert not any(PARENT in m for m in messages)


def test_findings_dialog_wraps_and_names_patches(qgis_app):
    from forestry_plugin.gui.edit_live import FindingsDialog, readable

    long = "On cropland 0103 旱地 (base-map parcel B0007) by 1,234.56 m² without an approval number " * 3
    fs = readable([Finding(PARENT, R.CROPLAND, "error", long, 1234.56, None, "B0007"),
                   Finding("22222222-2222-4222-8222-222222222222", R.PATCH_OVERLAP, "error",
                           "Overlaps patch 11111111 of the same year by 5.00 m²", 5.0, None, PARENT)],
                  {PARENT: PREFIX + "0007", "22222222-2222-4222-8222-222222222222": PREFIX + "0002"})
    dlg = FindingsDialog(PREFIX + "0007", fs)
    try:
        t = dlg.table
        assert t.wordWrap() and t.item(0, 3).text() == long and t.item(0, 3).toolTip() == long
        assert [t.item(r, 2).text() for r in range(2)] == [PREFIX + "0007", PREFIX + "0002"]
        assert PREFIX + "0007" in t.item(1, 3).text()  # the other patch named by its number
        assert "2" in dlg.windowTitle()
    finally:
        dlg.deleteLater()


def test_numbers_handed_out_as_by_a_scan_of_every_number_in_use():
    """The numberer keeps the highest sequence per unit and year instead of scanning every number in use for each
    new one (a city's 250 000 numbers made each new patch cost 117 ms): through observe, release, split and
    next_number in a random order, it hands out what a scan of the numbers in use gives."""
    import random
    import re

    def scanned(numberer, attrs):  # the number a full scan gives (the numberer's rule, worked out from scratch)
        values = numberer._values(attrs)
        head, _sep, tail = numberer.scheme.partition("{seq")
        pat = re.compile("^" + re.escape(head.format(**values)) + r"(\d+)" +
                         re.escape(tail.split("}", 1)[1].format(**values)) + r"(-\d+)*$")
        seq = max((int(m.group(1)) for m in map(pat.match, numberer.taken) if m), default=0)
        while numberer.scheme.format(seq=seq + 1, **values) in numberer.taken:
            seq += 1
        return numberer.scheme.format(seq=seq + 1, **values)

    rng = random.Random(7)
    units = [{"year": y, "county_code": "339901", "township_code": t} for y in (2024, 2025)
             for t in ("339901101", "339901102", "339901201")]
    existing = [f"{u['year']}{u['township_code']}{rng.randint(1, 60):04d}" for u in units for _ in range(20)]
    numberer = attributes.PatchNumberer(existing=existing)
    handed = []
    for step in range(600):
        op = rng.random()
        attrs = rng.choice(units)
        if op < 0.5:
            expected = scanned(numberer, attrs)
            got = numberer.next_number(attrs)
            assert got == expected, step
            handed.append(got)
        elif op < 0.75 and handed:
            numberer.release(handed.pop(rng.randrange(len(handed))))  # often the highest of its unit
        elif op < 0.85 and handed:
            numberer.split_numbers(rng.choice(handed), 3)
        else:
            numberer.observe(f"{attrs['year']}{attrs['township_code']}{rng.randint(1, 400):04d}")
    assert len(set(handed)) == len(handed)


def test_numbers_in_use_are_read_when_the_first_is_needed(tmp_path, qgis_app):
    """Opening a layer for editing does not wait for the working copy's numbers (a city's 250 000): they are read
    when the first number is needed, so one saved meanwhile is not handed out again; a read that fails (a locked
    file) is said and tried again, never numbered without."""
    import sqlite3

    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    unit = {"year": 2025, "township_code": TOWNSHIP}
    numberer = attributes.PatchNumberer.from_working_copy(path)
    with geopackage.connect(path) as con:  # saved after the layer was opened for editing
        con.execute("UPDATE patches SET tuban_no = ? WHERE patch_id = ?", (PREFIX + "0041", PARENT))
    assert numberer.next_number(unit) == PREFIX + "0042"
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return [PREFIX + "0005"]

    numberer = attributes.PatchNumberer(load=flaky)
    with pytest.raises(sqlite3.OperationalError):
        numberer.next_number(unit)
    assert numberer.next_number(unit) == PREFIX + "0006" and len(calls) == 2


@pytest.mark.parametrize("level_field", [False, True])
def test_villages_told_apart_by_code_length_where_the_level_says_nothing(qgis_app, level_field):
    """An admin layer without a "level" column (a province's 行政区 table), or with levels left empty: a patch gets
    its village from the 12-digit code, as the checks and the unit lists tell levels apart."""
    from qgis.core import QgsFeature, QgsVectorLayer

    fields = "field=code:string" + ("&field=level:string" if level_field else "")
    admin = QgsVectorLayer(f"MultiPolygon?crs=EPSG:4549&{fields}", "admin", "memory")
    feats = []
    for code, size in (("339901", 5000), ("339901101", 3000), ("339901101201", 1000)):
        f = QgsFeature(admin.fields())
        f["code"] = code
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(X0 - size, Y0 - size, X0 + size, Y0 + size)))
        feats.append(f)
    admin.dataProvider().addFeatures(feats)
    ctx = attributes.PatchContext(admin, None, "EPSG:4549")
    got = ctx.admin_codes(QgsGeometry.fromRect(QgsRectangle(X0, Y0, X0 + 100, Y0 + 100)))
    assert (got.county_code, got.township_code, got.village_code) == ("339901", "339901101", "339901101201")
