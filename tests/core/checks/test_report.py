"""The xlsx check report, read back cell by cell."""

from __future__ import annotations

import openpyxl
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.model import Finding
from forestry_plugin.core.checks.report import write_check_report


def test_report_cells(tmp_path, qgis_app):
    findings = [
        Finding("p1", R.PATCH_OVERLAP, "error", "overlap", 900.123, box(0, 0, 1, 1), "p2"),
        Finding("p2", R.PATCH_OVERLAP, "error", "overlap", 900.123, None, "p1"),
        Finding("p2", R.MIN_AREA, "warning", "small", 500.0),
        Finding("p3", R.CROPLAND, "error", "crop", 12.5, None, "B7", accepted=True),
        Finding("", R.CRS, "error", "layer crs"),
    ]
    units = {"p1": ("339901101", "339901101200"), "p2": ("339901101", "339901101201"),
             "p3": ("339901102", "339901102200")}
    names = {"339901101": "青山镇", "339901101200": "东岙村"}
    out = write_check_report(findings, str(tmp_path / "r.xlsx"), patch_units=units, unit_names=names, title="T")
    wb = openpyxl.load_workbook(out)
    assert len(wb.sheetnames) == 4
    by_rule, by_unit, full, about = (wb[n] for n in wb.sheetnames)
    assert by_rule.freeze_panes == "A2" and full.freeze_panes == "A2"
    # the test session's QGIS is English: so is the workbook (a Chinese QGIS writes it in Chinese, tests/test_i18n.py)
    assert by_rule["B1"].value == "Rule" and by_rule["C1"].value == "Error" and by_rule["D1"].value == "Warning"
    rows = {r[0]: r for r in by_rule.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == list(R.RULE_CODES)
    assert rows[R.PATCH_OVERLAP][2:6] == (2, 0, 0, 2)
    assert rows[R.MIN_AREA][2:5] == (0, 1, 0)
    assert rows[R.CROPLAND][2] == 0 and rows[R.CROPLAND][6] == 1  # accepted: not counted as open
    assert rows[R.CRS][2] == 1
    assert by_unit["A1"].value == schema.PATCH_FIELD["township_code"].en
    units_rows = list(by_unit.iter_rows(min_row=2, values_only=True))
    assert ("339901101", "青山镇", "339901101200", "东岙村", 1, 0, 0, 1) in units_rows
    assert ("339901101", "青山镇", "339901101201", None, 1, 1, 0, 1) in units_rows  # "" reads back as None
    assert (None, None, None, None, 1, 0, 0, 1) in units_rows  # the layer-level crs finding: no unit
    assert full["A1"].value == schema.PATCH_FIELD["tuban_no"].en and full["G1"].value == "Measured value" \
        and full["I1"].value == "Message" and full["L1"].value == "Patch ID" and full["K1"].value == "Unit"
    body = list(full.iter_rows(min_row=2, values_only=True))
    assert len(body) == 5
    assert [r[3] for r in body] == [R.MIN_AREA, R.PATCH_OVERLAP, R.PATCH_OVERLAP, R.CROPLAND, R.CRS]  # rule order
    ov = [r for r in body if r[3] == R.PATCH_OVERLAP and r[0] == "p1"][0]
    assert ov[1:3] == ("339901101", "339901101200") and ov[5] == "Error" and ov[6] == 900.12  # rounded as the rule says
    assert ov[7] == "p2" and ov[10] == "m²" and ov[11] == "p1"
    cell = [c for c in full.iter_rows(min_row=2) if c[11].value == "p1"][0][6]
    assert cell.number_format == "#,##0.00"
    assert [r for r in body if r[3] == R.CROPLAND][0][9]  # accepted flag
    assert about["B1"].value == "T"
