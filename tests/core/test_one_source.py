"""One source of truth for each fact (issue 16): one clock, one area rule, one rounding of area_mu."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
import uuid

import pytest

from forestry_plugin import schema
from forestry_plugin.core import clock, geopackage, identity, workflow
from forestry_plugin.core.checks import rules, store
from tests.helpers.working_copies import full_attrs, square_wkb


@pytest.fixture()
def shanghai(monkeypatch):
    """Local time is UTC+8 (no daylight saving) for the test."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- one clock -----------------------------------------------------------------------------------------------

def test_clock_stores_utc_and_reads_old_local_stamps(shanghai):
    stamp = clock.now_utc_iso()
    assert stamp.endswith("Z") and len(stamp) == len("2026-12-02T09:43:01.123Z")
    assert abs((clock.parse(stamp) - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 5
    # an old zone-less stamp is local time; a UTC one is UTC; both read as the same instant here
    assert clock.parse("2025-06-01T10:00:00") == clock.parse("2025-06-01T02:00:00Z") \
        == clock.parse("2025-06-01 02:00:00.000Z") == clock.parse("2025-06-01T10:00:00+08:00")
    assert clock.to_utc_iso("2025-06-01T10:00:00") == "2025-06-01T02:00:00.000Z"
    assert clock.local_text("2025-06-01T02:00:00.000Z") == "2025-06-01 10:00:00"
    assert clock.local_text("2025-06-01T10:00:00", seconds=False) == "2025-06-01 10:00"
    assert clock.local_text(None) == "" and clock.local_text("not a time") == "not a time"
    assert clock.local_date_iso("2025-06-01T20:30:00Z") == "2025-06-02"  # the local calendar day
    # 11:00 local is 03:00 UTC: the text says the old local stamp is later, the instants say the UTC one is
    old_local, new_utc = "2025-06-01T11:00:00", "2025-06-01T03:30:00.000Z"
    assert new_utc < old_local and clock.is_after(new_utc, old_local) and not clock.is_after(old_local, new_utc)
    assert sorted([old_local, new_utc], key=clock.sort_key) == [old_local, new_utc]
    assert identity.utc_text().endswith("Z") and workflow.utc_now().endswith("Z")


def test_exceptions_ordered_by_instant_not_text(shanghai, empty_working_copy):
    """A working copy holding an old local stamp and a new UTC one: the older instant comes first."""
    path = empty_working_copy
    store.ensure_exception_columns(path)
    older, newer = str(uuid.uuid4()), str(uuid.uuid4())
    with geopackage.connect(path) as con:
        con.executemany(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, reason, accepted_by, accepted_at, status) "
                        "VALUES (?, 'sliver', 'windbreak', 'tech', ?, 'accepted')",
                        [(newer, "2025-06-01T03:30:00.000Z"),  # 11:30 local, written by this version
                         (older, "2025-06-01T10:00:00")])  # 10:00 local, written by an older version
    assert [e["patch_id"] for e in store.list_exceptions(path)] == [older, newer]


def test_import_stamps_updated_at_in_utc(empty_working_copy):
    from forestry_plugin.core.exchange import package

    path = empty_working_copy
    pid = str(uuid.uuid4())
    geopackage.write_features(path, schema.PATCHES, [({"patch_id": pid, "revision": 1, "survival_rate": 80.0,
                                                       "updated_at": "2025-01-01T08:00:00"}, square_wkb(0))])
    rep = package.ImportReport(package="x.xlsx", template="t", features=1)
    rep.changes.append(package.PatchChange(pid, "", "id", 1, [package.FieldChange("survival_rate", 80.0, 90.0)]))
    assert package.apply_import(path, rep) == 1
    with geopackage.connect(path) as con:
        (stamp,) = con.execute(f"SELECT updated_at FROM {schema.PATCHES} WHERE patch_id = ?", (pid,)).fetchone()
    assert stamp.endswith("Z") and abs((clock.parse(stamp) - clock.now_utc()).total_seconds()) < 60


def test_check_report_created_is_local(tmp_path, shanghai):
    from openpyxl import load_workbook

    from forestry_plugin.core.checks.report import write_check_report

    out = write_check_report([], str(tmp_path / "r.xlsx"))
    about = load_workbook(out).worksheets[-1]
    created = next(r[1].value for r in about.iter_rows() if r[1].value and str(r[1].value)[:2] == "20")
    shown = dt.datetime.strptime(created, "%Y-%m-%d %H:%M:%S")
    assert abs((shown - dt.datetime.now()).total_seconds()) < 60  # local wall time, not UTC


def test_stamps_through_a_qgis_layer_keep_their_instant(empty_working_copy, shanghai):
    """QGIS 3.22 writes a layer's datetimes without their zone: the edit buffer gets local time (clock.layer_now),
    which the zone-less rule reads back as the same instant; a UTC stamp would come back 8 hours off."""
    from qgis.core import QgsVectorLayer

    from forestry_plugin.core import attributes

    path = empty_working_copy
    geopackage.write_features(path, schema.PATCHES, [({"patch_id": str(uuid.uuid4()), "revision": 1}, square_wkb(0))])
    layer = QgsVectorLayer(f"{path}|layername={schema.PATCHES}", "p", "ogr")
    fid = next(layer.getFeatures()).id()
    idx = layer.fields().indexFromName("updated_at")
    for value, kept in ((attributes.touched(1)["updated_at"], True), (clock.now_utc_iso(), False)):
        assert layer.startEditing()
        layer.changeAttributeValue(fid, idx, value)
        assert layer.commitChanges(), layer.commitErrors()
        with sqlite3.connect(path) as con:
            (stored,) = con.execute(f"SELECT updated_at FROM {schema.PATCHES}").fetchone()
        off = abs((clock.parse(stored) - clock.now_utc()).total_seconds())
        assert (off < 60) is kept, (value, stored)


# -- one area rule -------------------------------------------------------------------------------------------

def _design_patch(path: str, area_mu: float, i: int = 0) -> str:
    attrs = full_attrs("design", i, area_mu)
    geopackage.write_features(path, schema.PATCHES, [(attrs, square_wkb(i))])
    with geopackage.connect(path) as con:
        con.execute(f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings) "
                    "VALUES (?, ?, 1, 0, 0)", (attrs["patch_id"], clock.now_utc_iso()))
    return attrs["patch_id"]


def _technician():
    return identity.Identity(username="tech", role="county_technician", county="339901", units=("339901",),
                             source=identity.PLATFORM, verified_at=identity.utc_text())


def _accept(path: str, pid: str, status: str) -> None:
    store.ensure_exception_columns(path)
    with geopackage.connect(path) as con:
        con.execute(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, reason, accepted_by, accepted_at, status) "
                    "VALUES (?, 'area_mismatch', 'area from the contract survey', 'tech', ?, ?)",
                    (pid, clock.now_utc_iso(), status))


def test_one_area_rule():
    assert rules.area_tolerance(5.0, 0.1, 0.01) == pytest.approx(0.1)
    assert rules.area_tolerance(100.0, 0.1, 0.01) == pytest.approx(1.0)
    assert rules.area_mismatch(100.9, None, 100.0) is None  # within 1 %
    bad = rules.area_mismatch(102.0, None, 100.0)
    assert (bad.field, bad.difference_mu, bad.tolerance_mu) == ("area_mu", pytest.approx(2.0), pytest.approx(1.0))
    assert rules.area_mismatch(100.0, 7.0, 100.0).field == "area_ha"  # 7 ha = 105 mu
    assert rules.area_mismatch(None, None, 100.0) is None
    pol = workflow.load_policy()
    assert pol.area_thresholds == {"tolerance_mu": pol.area_tolerance_mu,
                                   "tolerance_rel": pol.area_tolerance_pct / 100.0}
    # the policy's defaults are the rule's defaults: one tolerance
    assert pol.area_thresholds == pytest.approx(rules.RULE[rules.AREA_MISMATCH].thresholds)


def test_workflow_honours_accepted_area_exception(empty_working_copy):
    path = empty_working_copy
    pid = _design_patch(path, 20.0)  # the square is ≈ 15 mu
    eng = workflow.WorkflowEngine(path, None, _technician())
    assert eng.plan([pid], "accepted")[0].codes == [workflow.R_AREA]
    _accept(path, pid, store.PENDING)  # not yet accepted by the platform: still refused, as open findings are
    assert eng.plan([pid], "accepted")[0].codes == [workflow.R_AREA]
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.EXCEPTIONS} SET status = 'accepted' WHERE patch_id = ?", (pid,))
    res = eng.plan([pid], "accepted")[0]
    assert res.ok, [r.message for r in res.refusals]
    other = _design_patch(path, 20.0, 1)  # the exception covers its own patch only
    assert eng.plan([other], "accepted")[0].codes == [workflow.R_AREA]


def test_workflow_area_uses_the_policy_thresholds(empty_working_copy):
    path = empty_working_copy
    pid = _design_patch(path, 15.0 * 1.05)  # 5 % off
    eng = workflow.WorkflowEngine(path, None, _technician())
    assert eng.plan([pid], "accepted")[0].codes == [workflow.R_AREA]
    loose = workflow.load_policy()
    loose.area_tolerance_pct = 10.0
    assert workflow.WorkflowEngine(path, loose, _technician()).plan([pid], "accepted")[0].ok


def test_dialogs_show_stored_stamps_in_local_time(shanghai):
    """The compare dialog (and every table showing patch values) shows a stored stamp in local time."""
    from forestry_plugin.gui.common import display_value

    text, tip = display_value("updated_at", "2025-06-01T02:00:00.000Z", "en")
    assert text == "2025-06-01 10:00:00" and "2025-06-01T02:00:00.000Z" in tip
    assert display_value("updated_at", "2025-06-01T10:00:00", "en")[0] == "2025-06-01 10:00:00"  # an old local one
    assert display_value("stage", "design", "en")[0] != "design"  # code values still by their labels
