"""Progress report (进度通报): every cell read back and checked against independently computed numbers."""

import datetime
import os

import pytest
import shapely
from openpyxl import load_workbook
from qgis.core import QgsVectorLayer
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.reports.progress import (
    compute_progress,
    progress_report_from_working_copy,
    read_progress_inputs,
    write_progress_report,
)

T1, T2, T3 = "339901101", "339901102", "339901201"


def _patch(i, township, stage, mu, year=2025):
    return ({"patch_id": f"00000000-0000-4000-8000-{i:012d}", "county_code": "339901", "township_code": township,
             "village_code": township + "201", "year": year, "stage": stage, "area_mu": mu},
            shapely.to_wkb(box(500000 + i * 100, 3330000, 500050 + i * 100, 3330050)))


@pytest.fixture()
def small_county(empty_working_copy):
    path = empty_working_copy
    patches = [
        _patch(1, T1, "design", 10.0), _patch(2, T1, "accepted", 20.0), _patch(3, T1, "included", 5.5),
        _patch(4, T1, "province_verified", 4.5),  # completed + confirmed + verified
        _patch(5, T2, "design", 7.25), _patch(6, T2, "confirmed", 12.75), _patch(7, T2, "city_verified", 10.0),
        _patch(8, T3, "accepted", 30.0),
        _patch(9, T1, "accepted", 99.0, year=2024),  # other year: not counted
    ]
    geopackage.write_features(path, schema.PATCHES, patches)
    tasks = [{"year": 2025, "unit_code": T1, "unit_level": "township", "quota_mu": 60.0},
             {"year": 2025, "unit_code": T2, "unit_level": "township", "quota_mu": 45.5},
             {"year": 2025, "unit_code": T3, "unit_level": "township", "quota_mu": 50.0},
             {"year": 2025, "unit_code": "339901", "unit_level": "county", "quota_mu": 155.5},
             {"year": 2024, "unit_code": T1, "unit_level": "township", "quota_mu": 1000.0}]
    geopackage.write_features(path, schema.TASKS, [(t, None) for t in tasks])
    admin = [({"code": T1, "name": "青山镇", "level": "township", "parent_code": "339901"}, None),
             ({"code": T2, "name": "白云镇", "level": "township", "parent_code": "339901"}, None),
             ({"code": T3, "name": "石门乡", "level": "township", "parent_code": "339901"}, None),
             ({"code": "339901", "name": "示例县", "level": "county", "parent_code": None}, None)]
    geopackage.write_features(path, schema.ADMIN, admin)
    return path


def _table(path):
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    first = next(i for i, r in enumerate(rows) if r[0] == 1)
    data = []
    for r in rows[first:]:
        if r[1] is None:
            break
        data.append(r)
    return ws, rows, data


def test_numbers_cell_by_cell(small_county, tmp_path):
    out = str(tmp_path / "progress.xlsx")
    progress_report_from_working_copy(small_county, out, "township", 2025, date=datetime.date(2025, 12, 1))
    ws, rows, data = _table(out)
    # Independently: T1 completed = 20 + 5.5 + 4.5 = 30 of 60 (50 %); T2 = 12.75 + 10 = 22.75 of 45.5 (50 %);
    # T3 = 30 of 50 (60 %). Ranking: T3 1st, T1 and T2 share 2nd.
    expected = {
        "石门乡（339901201）": (50.0, 1, 30.0, 0, 0.0, 1, 30.0, 0, 0.0, 0, 0.0, 0.6, 1),
        "青山镇（339901101）": (60.0, 4, 40.0, 1, 10.0, 3, 30.0, 1, 4.5, 1, 4.5, 0.5, 2),
        "白云镇（339901102）": (45.5, 3, 30.0, 1, 7.25, 2, 22.75, 2, 22.75, 1, 10.0, 0.5, 2),
    }
    assert [r[1] for r in data[:3]] == ["石门乡（339901201）", "青山镇（339901101）", "白云镇（339901102）"]
    for r in data[:3]:
        assert r[0] in (1, 2, 3)
        got = r[2:]
        for g, e in zip(got, expected[r[1]]):
            assert g == pytest.approx(e), (r[1], got)
    total = data[3]
    assert total[1] == "合计" or total[1] == "Total"
    assert total[2:13] == pytest.approx((155.5, 8, 100.0, 2, 17.25, 6, 82.75, 3, 27.25, 2, 14.5))
    assert total[13] == pytest.approx(82.75 / 155.5)
    # Title, date and unit in the header; formats; frozen header; print setup; chart.
    header_text = " ".join(str(c) for r in rows[:4] for c in r if c)
    assert "2025-12-01" in header_text and "2025" in header_text
    first_data_row = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == 1)
    assert ws.freeze_panes == f"C{first_data_row}"
    assert ws.cell(row=first_data_row, column=3).number_format == "#,##0.00"
    assert ws.cell(row=first_data_row, column=14).number_format == "0.0%"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.page_margins.left == 0.5 and ws.page_margins.top == 0.6
    header_rows = [int(x) for x in ws.print_title_rows.replace("$", "").split(":")]
    assert header_rows[1] == first_data_row - 1  # both header rows repeat on every page
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.type == "col"


def test_group_by_county(small_county, tmp_path):
    patches, tasks, names = read_progress_inputs(small_county)
    (row,) = compute_progress(patches, tasks, names, "county", 2025)
    assert row.name == "示例县" and row.quota_mu == 155.5
    assert (row.total_n, row.completed_n, row.confirmed_n, row.verified_n) == (8, 6, 3, 2)
    assert row.completed_mu == pytest.approx(82.75) and row.rank == 1


def test_unit_without_task_and_empty_data(tmp_path):
    rows = compute_progress([{"township_code": T1, "year": 2025, "stage": "accepted", "area_mu": 5.0}], [],
                            {}, "township", 2025)
    assert rows[0].quota_mu is None and rows[0].completion is None and rows[0].rank is None
    out = write_progress_report(rows, str(tmp_path / "no_task.xlsx"), year=2025)
    _ws, _rows, data = _table(out)
    assert data[0][13] == "—" and data[0][14] == "—"
    empty = write_progress_report([], str(tmp_path / "empty.xlsx"), year=2025)
    assert os.path.exists(empty)
    with pytest.raises(ValueError):
        compute_progress([], [], {}, "village")


def test_processing_algorithm(small_county, tmp_path, provider):
    import processing

    patches = QgsVectorLayer(geopackage.layer_uri(small_county, schema.PATCHES), "p", "ogr")
    tasks = QgsVectorLayer(geopackage.layer_uri(small_county, schema.TASKS), "t", "ogr")
    out = str(tmp_path / "alg.xlsx")
    res = processing.run("forestry:progressreport", {"PATCHES": patches, "TASKS": tasks, "GROUP_BY": 1,
                                                     "YEAR": 2025, "OUTPUT": out})
    assert res["OUTPUT"] == out
    _ws, _rows, data = _table(out)
    assert data[0][1] == "石门乡（339901201）"  # names from the working copy of PATCHES


def test_write_from_path_and_from_records(small_county, tmp_path):
    """write_progress_report accepts a working-copy path or patch records + tasks and gives the same numbers."""
    from_path = write_progress_report(small_county, str(tmp_path / "p.xlsx"), "township", 2025)
    patches, tasks, names = read_progress_inputs(small_county)
    from_records = write_progress_report(patches, str(tmp_path / "r.xlsx"), "township", 2025, tasks=tasks,
                                         unit_names=names)
    _w1, _r1, d1 = _table(from_path)
    _w2, _r2, d2 = _table(from_records)
    assert d1 == d2 and len(d1) == 4
    assert d1[0][1] == "石门乡（339901201）" and d1[3][13] == pytest.approx(82.75 / 155.5)


def test_sample_county_against_sqlite(sample_county, tmp_path):
    """On the sample county, per-township completed areas and counts match a plain SQL aggregation."""
    import sqlite3

    out = str(tmp_path / "sample.xlsx")
    progress_report_from_working_copy(sample_county.path, out, "township")
    con = sqlite3.connect(sample_county.path)
    try:
        (year,) = con.execute(f"SELECT year FROM {schema.PATCHES} GROUP BY year ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
        stages = ",".join(f"'{s}'" for s in schema.COMPLETED_STAGES)
        expected = {code: (n, mu) for code, n, mu in con.execute(
            f"SELECT township_code, COUNT(*), SUM(area_mu) FROM {schema.PATCHES} "
            f"WHERE year = ? AND stage IN ({stages}) GROUP BY township_code", (year,))}
        quotas = dict(con.execute(f"SELECT unit_code, SUM(quota_mu) FROM {schema.TASKS} "
                                  "WHERE year = ? AND unit_level = 'township' GROUP BY unit_code", (year,)))
    finally:
        con.close()
    assert expected, "sample county has completed patches"
    _ws, _rows, data = _table(out)
    by_code = {r[1].rsplit("（", 1)[-1].rstrip("）"): r for r in data[:-1]}
    for code, (n, mu) in expected.items():
        r = by_code[code]
        assert r[7] == n and r[8] == pytest.approx(round(mu, 2))
        if quotas.get(code):
            assert r[13] == pytest.approx(mu / quotas[code])
    assert data[-1][8] == pytest.approx(round(sum(mu for _n, mu in expected.values()), 2), abs=0.01)


def test_unit_names_from_the_postgis_reference(pg, small_county, tmp_path):
    """A working copy whose administrative units live in PostGIS (setting reference_source, a real server): the
    report names the townships from the database, the county's only (a province's table holds other counties)."""
    import json

    from forestry_plugin.core.checks import pg_source
    from forestry_plugin.settings import WorkingCopyKey
    from tests.helpers.working_copies import without_reference

    pg_source.load_from_geopackage(small_county, pg.dsn, tables={"admin": "prov_xzq"})
    pg.sql("INSERT INTO prov_xzq (code, name, level, geom) SELECT '339902' || substr(code, 7), '邻县' || name, level, "
           "geom FROM prov_xzq")  # the neighbouring county's units
    source = {"dsn": pg.dsn, "tables": {"admin": "prov_xzq"}}
    other = without_reference(small_county, tmp_path, None, tables=(schema.ADMIN,))
    assert read_progress_inputs(other)[2] == {}  # not pointing at the database: no names of its own
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, json.dumps(source))
    names = read_progress_inputs(other)[2]
    assert names == read_progress_inputs(small_county)[2] == {T1: "青山镇", T2: "白云镇", T3: "石门乡",
                                                               "339901": "示例县"}
    out = str(tmp_path / "pg.xlsx")
    rows = progress_report_from_working_copy(other, out, "township", 2025)
    assert {r.code: r.name for r in rows} == {T1: "青山镇", T2: "白云镇", T3: "石门乡"}
    _ws, _rows, data = _table(out)
    assert {r[1] for r in data[:-1]} == {"青山镇（339901101）", "白云镇（339901102）", "石门乡（339901201）"}
    # a database that cannot be reached: said, not a report without names
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": "host=/nonexistent/socket port=5432 dbname=none user=none"}))
    with pytest.raises(pg_source.ReferenceSourceError, match="cannot be reached"):
        read_progress_inputs(other)


def test_unit_lists_and_review_queue_name_units_from_the_postgis_reference(pg, small_county, tmp_path, monkeypatch):
    """Every reader of unit names (queries.admin_units / admin_names: the sync panel's counties, the review queue's
    villages, the reports) reads them from PostGIS when the admin units live there; the level from the table's
    column, else from the code's length. A database that cannot be reached leaves the queue working, with codes,
    and is not asked again at every refresh."""
    import json

    from forestry_plugin.core import queries, workflow
    from forestry_plugin.core.checks import pg_source
    from forestry_plugin.settings import WorkingCopyKey
    from tests.helpers.working_copies import who, without_reference

    pg_source.load_from_geopackage(small_county, pg.dsn, tables={"admin": "prov_xzq"})
    pg.sql("INSERT INTO prov_xzq (code, name, level) VALUES ('339901101201', '青山村', NULL), "
           "('339902101201', '邻县村', NULL)")
    other = without_reference(small_county, tmp_path, None, tables=(schema.ADMIN,))
    geopackage.set_setting(other, WorkingCopyKey.COUNTY_CODE, "339901")
    assert queries.admin_units(other, "village") == []
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE,
                           json.dumps({"dsn": pg.dsn, "tables": {"admin": "prov_xzq"}}))
    assert queries.admin_units(other, "township") == [(T1, "青山镇"), (T2, "白云镇"), (T3, "石门乡")]
    assert queries.admin_units(other, "village") == [("339901101201", "青山村")]  # the level from the code
    assert queries.admin_units(other, "county") == [("339901", "示例县")]
    assert queries.admin_names(other)["339901101201"] == "青山村" and "339902101201" not in queries.admin_names(other)
    queue = workflow.WorkflowEngine(other, None, who("county_reviewer")).queue()
    names = {q["village_code"]: q["village_name"] for q in queue}
    assert names["339901101201"] == "青山村"
    # unreachable: the queue still opens (codes only), and the database is asked once, not at every refresh
    bad = json.dumps({"dsn": "host=/nonexistent/socket port=5432 dbname=none user=none"})
    geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, bad)
    calls = []
    real = pg_source.read_admin_units

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(pg_source, "read_admin_units", counted)
    for _ in range(3):
        queue = workflow.WorkflowEngine(other, None, who("county_reviewer")).queue()
        assert queue and all(q["village_name"] is None for q in queue)
    assert len(calls) == 1
    monkeypatch.setattr(workflow, "RETRY_NAMES_S", 0.0)  # a minute later: asked again (an outage is not for good)
    workflow.WorkflowEngine(other, None, who("county_reviewer")).queue()
    assert len(calls) == 2
