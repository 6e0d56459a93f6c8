"""Workflow engine: every allowed and refused transition, returns, batch atomicity, audit trail, config override."""

from __future__ import annotations

import json
import sqlite3

import pytest
from osgeo import ogr

from forestry_plugin import schema
from forestry_plugin.core import audit, geopackage, identity, workflow
from tests.helpers.working_copies import add_issue, audit_rows, make_patches, new_copy, stage_of, who


def engine(path, role, name="", config=None):
    return workflow.WorkflowEngine(path, config, who(role, name))


@pytest.fixture()
def wc(tmp_path, qgis_app):
    return new_copy(tmp_path, "wf.gpkg")


ALLOWED = [  # (from, to, role) exactly as resources/workflow.json says
    ("design", "accepted", "county_technician"),
    ("design", "included", "county_technician"),
    ("accepted", "confirmed", "county_reviewer"),
    ("included", "confirmed", "county_reviewer"),
    ("confirmed", "county_checked", "county_reviewer"),
    ("county_checked", "city_verified", "city_reviewer"),
    ("city_verified", "province_verified", "province_reviewer"),
]


def test_default_config_matches_table():
    cfg = workflow.load_config()
    got = sorted((f, t, r) for (f, t), roles in cfg.transitions.items() for r in roles)
    assert got == sorted(ALLOWED)
    assert cfg.min_survival == 85.0
    assert cfg.return_targets("city_reviewer", "county_checked") == ["design", "accepted", "included", "confirmed"]
    assert cfg.return_targets("county_reviewer", "included") == ["design"]
    assert cfg.return_targets("contractor", "confirmed") == []


@pytest.mark.parametrize("frm,to,role", ALLOWED)
def test_every_allowed_transition(wc, frm, to, role):
    (p,) = make_patches(wc, [frm])
    rep = workflow.transition(wc, [p["patch_id"]], to, who(role, "alice"))
    assert rep.applied, rep.to_dict()
    assert stage_of(wc, p["patch_id"]) == (to, 2)
    (row,) = audit_rows(wc)
    assert row[:9] == (p["patch_id"], "transition", frm, to, "alice", role, None, None, 2)


@pytest.mark.parametrize("frm,to,role", [(f, t, r) for f, t, _ in ALLOWED for r in schema.ROLES.values()
                                         if (f, t, r) not in ALLOWED])
def test_every_wrong_role_is_refused(wc, frm, to, role):
    (p,) = make_patches(wc, [frm])
    rep = workflow.transition(wc, [p["patch_id"]], to, who(role))
    assert not rep.applied
    assert rep.results[0].codes == [workflow.R_ROLE]
    assert stage_of(wc, p["patch_id"]) == (frm, 1)
    assert audit_rows(wc) == []


@pytest.mark.parametrize("frm,to", [("design", "confirmed"), ("accepted", "county_checked"),
                                    ("confirmed", "province_verified"), ("design", "province_verified"),
                                    ("accepted", "included")])
def test_skipped_stage_is_refused(wc, frm, to):
    (p,) = make_patches(wc, [frm])
    for role in schema.ROLES.values():
        rep = workflow.transition(wc, [p["patch_id"]], to, who(role))
        assert not rep.applied
        assert rep.results[0].codes == [workflow.R_NOT_ALLOWED]
    assert stage_of(wc, p["patch_id"]) == (frm, 1)


def test_missing_attributes_refused(wc):
    (p,) = make_patches(wc, ["design"], survival_rate=None, accept_date=None)
    rep = workflow.transition(wc, [p["patch_id"]], "accepted", who("county_technician"))
    assert rep.results[0].codes == [workflow.R_MISSING]
    msg = rep.results[0].refusals[0].message
    # named by the fields' labels, as a person reads them, not by their internal names
    assert "Survival rate (%)" in msg and "Acceptance date" in msg and "survival_rate" not in msg, msg
    assert stage_of(wc, p["patch_id"]) == ("design", 1)


def test_survival_threshold_and_arid_override(wc):
    (p,) = make_patches(wc, ["design"], survival_rate=75.0)
    rep = workflow.transition(wc, [p["patch_id"]], "accepted", who("county_technician"))
    assert rep.results[0].codes == [workflow.R_SURVIVAL]
    # an arid county lowers the threshold to 70 %: in the policy the platform serves, not in a local setting
    geopackage.set_setting(wc, workflow.CONFIG_SETTING, {"survival": {"arid": True}})
    rep = workflow.transition(wc, [p["patch_id"]], "accepted", who("county_technician"))
    assert rep.results[0].codes == [workflow.R_SURVIVAL]
    raw = json.load(open(workflow.default_config_path(), encoding="utf-8"))
    raw["survival"]["arid"] = True
    workflow.cache_policy(wc, raw)
    rep = workflow.transition(wc, [p["patch_id"]], "accepted", who("county_technician"))
    assert rep.applied, rep.to_dict()


def test_open_error_finding_refused_and_warning_not(wc):
    a, b = make_patches(wc, ["accepted", "accepted"])
    add_issue(wc, a["patch_id"])
    add_issue(wc, b["patch_id"], rule="sliver", severity="warning")
    rep = engine(wc, "county_reviewer").apply([a["patch_id"]], "confirmed")
    assert rep.results[0].codes == [workflow.R_OPEN_ERROR]
    assert "basic_farmland" in rep.results[0].refusals[0].message
    rep = engine(wc, "county_reviewer").apply([b["patch_id"]], "confirmed")
    assert rep.applied


def test_accepted_exception_lets_it_pass(wc):
    a, b = make_patches(wc, ["accepted", "accepted"])
    add_issue(wc, a["patch_id"], rule="patch_overlap", other_id="X1")
    add_issue(wc, b["patch_id"], rule="patch_overlap", other_id="X1")
    with geopackage.connect(wc) as con:
        # a: any other_id accepted; b: an exception for a different other feature does not cover X1
        con.execute(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, other_id, reason, status) VALUES (?, "
                    "'patch_overlap', NULL, 'field-verified', 'pending')", (a["patch_id"],))
        con.execute(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, other_id, reason, status) VALUES (?, "
                    "'patch_overlap', 'X2', 'field-verified', 'accepted')", (b["patch_id"],))
    # the gates count only exceptions the platform has accepted: a's is still pending
    rep = workflow.transition(wc, [a["patch_id"]], "confirmed", who("county_reviewer"))
    assert rep.results[0].codes == [workflow.R_OPEN_ERROR]
    with geopackage.connect(wc) as con:
        con.execute(f"UPDATE {schema.EXCEPTIONS} SET status = 'accepted'")
    assert workflow.transition(wc, [a["patch_id"]], "confirmed", who("county_reviewer")).applied
    rep = workflow.transition(wc, [b["patch_id"]], "confirmed", who("county_reviewer"))
    assert rep.results[0].codes == [workflow.R_OPEN_ERROR]


def test_stale_or_missing_check_refused(wc):
    a, b = make_patches(wc, ["accepted", "accepted"])
    with geopackage.connect(wc) as con:
        con.execute(f"UPDATE {schema.CHECK_STATE} SET patch_revision = 0 WHERE patch_id = ?", (a["patch_id"],))
        con.execute(f"DELETE FROM {schema.CHECK_STATE} WHERE patch_id = ?", (b["patch_id"],))
    eng = engine(wc, "county_reviewer")
    rep = eng.apply([a["patch_id"], b["patch_id"]], "confirmed", recheck=False)
    assert [r.codes for r in rep.results] == [[workflow.R_STALE], [workflow.R_STALE]]
    assert "run the checks first" in rep.results[0].refusals[0].message
    assert "never been checked" in rep.results[1].refusals[0].message


def test_area_mismatch_refused(wc):
    (p,) = make_patches(wc, ["design"], area_mu=20.0, area_ha=20.0 / 15)
    rep = workflow.transition(wc, [p["patch_id"]], "accepted", who("county_technician"))
    assert rep.results[0].codes == [workflow.R_AREA]
    assert "area_mu = 20.00" in rep.results[0].refusals[0].message
    # inside the tolerance (0.1 mu or 1 %) passes
    (q,) = make_patches(wc, ["design"])
    assert engine(wc, "county_technician").plan([q["patch_id"]], "accepted")[0].ok


def test_returns(wc):
    a, b, c, d = make_patches(wc, ["county_checked", "county_checked", "confirmed", "city_verified"])
    # no reason
    rep = engine(wc, "city_reviewer").apply([a["patch_id"]], "accepted")
    assert rep.results[0].codes == [workflow.R_REASON]
    # "other" needs a comment
    rep = workflow.return_patches(wc, [a["patch_id"]], "accepted", "other", "  ", user=who("city_reviewer"))
    assert rep.results[0].codes == [workflow.R_COMMENT]
    # wrong role (county reviewer cannot return a county_checked patch; it is the city's queue)
    rep = workflow.return_patches(wc, [a["patch_id"]], "accepted", "survival_failed", user=who("county_reviewer"))
    assert rep.results[0].codes == [workflow.R_ROLE]
    # a stage the patch never passed (accepted -> included path)
    (e,) = make_patches(wc, ["included"])
    rep = workflow.return_patches(wc, [e["patch_id"]], "accepted", "not_implemented", user=who("county_reviewer"))
    assert rep.results[0].codes == [workflow.R_NOT_ALLOWED]
    # open errors do not block a return: it is how faulty patches go back
    add_issue(wc, a["patch_id"])
    rep = workflow.return_patches(wc, [a["patch_id"], b["patch_id"]], "design", "other",
                                  "补植 the north edge", user=who("city_reviewer", "bob"))
    assert rep.applied, rep.to_dict()
    assert stage_of(wc, a["patch_id"]) == ("design", 2)
    rows = audit_rows(wc)
    assert rows[0][:9] == (a["patch_id"], "return", "county_checked", "design", "bob", "city_reviewer", "other",
                           "补植 the north edge", 2)
    assert rows[0][9].endswith("Z") and rows[0][9].startswith("20")
    # after the return the old check is stale: moving forward again needs a new check
    # (with automatic re-checking off; with it on, the check engine re-checks the patch first)
    no_recheck = workflow.bundled_policy()
    no_recheck.recheck_stale = False
    rep = workflow.transition(wc, [a["patch_id"]], "accepted", who("county_technician"), config=no_recheck)
    assert workflow.R_STALE in rep.results[0].codes
    assert workflow.return_patches(wc, [c["patch_id"]], "accepted", "survival_failed", user=who("county_reviewer")).applied
    assert workflow.return_patches(wc, [d["patch_id"]], "confirmed", "duplicate", user=who("province_reviewer")).applied


def test_batch_is_all_or_nothing(wc):
    patches = make_patches(wc, ["accepted"] * 4)
    add_issue(wc, patches[2]["patch_id"])
    ids = [p["patch_id"] for p in patches] + ["00000000-0000-4000-8000-000000000000"]
    rep = workflow.transition(wc, ids, "confirmed", who("county_reviewer"))
    assert not rep.applied and rep.changed == 0
    assert [r.ok for r in rep.results] == [True, True, False, True, False]
    assert rep.results[4].codes == [workflow.R_NOT_FOUND]
    assert all(stage_of(wc, p["patch_id"]) == ("accepted", 1) for p in patches)
    assert audit_rows(wc) == []
    rep = workflow.transition(wc, ids[:2] + ids[3:4], "confirmed", who("county_reviewer"))
    assert rep.applied and rep.changed == 3
    assert len(audit_rows(wc)) == 3
    json.dumps(rep.to_dict())  # the report is JSON-serialisable


def test_changed_meanwhile_rolls_back_everything(wc, monkeypatch):
    patches = make_patches(wc, ["accepted"] * 3)
    eng = engine(wc, "county_reviewer")
    real_plan = eng.plan

    def plan_then_edit(*a, **k):  # another user saves the third patch between evaluation and writing
        res = real_plan(*a, **k)
        con = geopackage.open_connection(wc)
        con.execute(f"UPDATE {schema.PATCHES} SET revision = 7 WHERE patch_id = ?", (patches[2]["patch_id"],))
        con.commit()
        con.close()
        return res

    monkeypatch.setattr(eng, "plan", plan_then_edit)
    rep = eng.apply([p["patch_id"] for p in patches], "confirmed")
    assert not rep.applied
    assert rep.results[2].codes == [workflow.R_CHANGED]
    assert [stage_of(wc, p["patch_id"])[0] for p in patches] == ["accepted"] * 3
    assert audit_rows(wc) == []


def test_audit_log_is_immutable(wc):
    (p,) = make_patches(wc, ["accepted"])
    assert workflow.transition(wc, [p["patch_id"]], "confirmed", who("county_reviewer", "u")).applied
    con = sqlite3.connect(wc)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(f"UPDATE {schema.AUDIT} SET user_name = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(f"DELETE FROM {schema.AUDIT}")
    con.close()
    # through OGR as well (what QGIS would use)
    ds = ogr.Open(wc, update=1)
    lyr = ds.GetLayerByName(schema.AUDIT)
    feat = lyr.GetNextFeature()
    feat.SetField("comment", "edited")
    with pytest.raises(RuntimeError, match="append-only"):
        lyr.SetFeature(feat)
    ds = None
    assert audit_rows(wc)[0][4] == "u"
    hist = workflow.history(wc, p["patch_id"])
    assert [(h["action"], h["from_stage"], h["to_stage"], h["patch_version"]) for h in hist] == [
        ("transition", "accepted", "confirmed", 2)]


def test_protection_installed_by_create_working_copy(wc):
    with geopackage.connect(wc) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(audit.TRIGGERS) <= names
    assert audit.problems(wc) == []


def test_working_copy_setting_cannot_grant_rights(wc, tmp_path):
    """The old per-copy override is ignored: a contractor stays a contractor, checks stay on."""
    (p,) = make_patches(wc, ["accepted"])
    over = {"transitions": [{"from": "accepted", "to": "province_verified", "roles": ["contractor"]}],
            "require_fresh_checks": False}
    geopackage.set_setting(wc, workflow.CONFIG_SETTING, over)
    cfg = workflow.load_config(wc)
    assert ("accepted", "province_verified") not in cfg.transitions and cfg.require_fresh_checks
    rep = workflow.transition(wc, [p["patch_id"]], "province_verified", who("contractor"))
    assert rep.results[0].codes == [workflow.R_NOT_ALLOWED]
    # a broken cached platform policy falls back to the bundled one, never to "anything goes"
    with geopackage.connect(wc) as con:
        con.execute("INSERT OR REPLACE INTO sync_state VALUES ('policy', '{\"policy\": {\"transitions\": 5}}')")
    assert workflow.load_config(wc).fingerprint == workflow.bundled_policy().fingerprint
    with pytest.raises(workflow.WorkflowError, match="nowhere"):
        workflow.cache_policy(wc, {"transitions": [{"from": "design", "to": "nowhere", "roles": ["contractor"]}]})


def test_identity_decides_the_role_and_the_audit_names_it(wc):
    (p,) = make_patches(wc, ["accepted"])
    # no login: a local technician, who cannot confirm
    eng = workflow.WorkflowEngine(wc)
    assert eng.identity.source == identity.LOCAL and eng.role == "county_technician"
    assert eng.apply([p["patch_id"]], "confirmed").results[0].codes == [workflow.R_ROLE]
    # the cached login of a county reviewer (offline) may, and the audit row says who and how
    identity.cache_identity(wc, who("county_reviewer", "demo_county"))
    eng = workflow.WorkflowEngine(wc)
    assert eng.identity.source == identity.CACHED and eng.identity.username == "demo_county"
    rep = eng.apply([p["patch_id"]], "confirmed")
    assert rep.applied and rep.pending
    (h,) = workflow.history(wc, p["patch_id"])
    assert (h["user_name"], h["role"], h["identity"], h["status"]) == (
        "demo_county", "county_reviewer", identity.CACHED, audit.PENDING)
    # the cache expires: after offline_days the person is a local technician again
    import datetime as dt

    later = identity.utc_now() + dt.timedelta(days=8)
    assert identity.cached_identity(wc, 7, now=later) is None
    # a reviewer of another county does not reach this one
    (q,) = make_patches(wc, ["accepted"])
    rep = workflow.transition(wc, [q["patch_id"]], "confirmed", who("county_reviewer", units=("339902",)))
    assert rep.results[0].codes == [workflow.R_SCOPE]


def test_queue_per_role(wc):
    patches = make_patches(wc, ["design", "accepted", "included", "confirmed", "county_checked", "city_verified"])
    assert [q["stage"] for q in engine(wc, "county_reviewer").queue()] == ["accepted", "included", "confirmed"]
    assert [q["patch_id"] for q in engine(wc, "city_reviewer").queue()] == [patches[4]["patch_id"]]
    assert engine(wc, "contractor").queue() == []


def test_unknown_inputs_raise(wc):
    eng = engine(wc, "county_reviewer")
    with pytest.raises(workflow.WorkflowError):
        eng.plan(["x"], "heaven")
    with pytest.raises(workflow.WorkflowError):
        eng.plan(["x"], "confirmed", reason="bored")
    rep = eng.apply([], "confirmed")
    assert not rep.applied and rep.error


def test_uses_check_store_and_rechecks_stale_patches(wc, monkeypatch):
    """open_findings comes from the check store; stale patches are re-checked (only those) first."""
    from forestry_plugin.core.checks import engine as check_engine
    from forestry_plugin.core.checks import store

    a, b = make_patches(wc, ["accepted", "accepted"])
    with geopackage.connect(wc) as con:
        con.execute(f"UPDATE {schema.CHECK_STATE} SET patch_revision = 0")  # both stale
    calls = []

    def check_working_copy(path, patch_ids=None):
        calls.append(sorted(patch_ids))
        with geopackage.connect(path) as con:
            con.execute(f"UPDATE {schema.CHECK_STATE} SET patch_revision = (SELECT revision FROM {schema.PATCHES} p "
                        f"WHERE p.patch_id = {schema.CHECK_STATE}.patch_id)")

    def open_findings(path, patch_ids, platform_accepted_only=False):
        assert platform_accepted_only  # the gates count only exceptions the platform knows
        return {b["patch_id"]: [dict(rule="history_overlap", severity="error", message="from the store", value=1.0,
                                     other_id="h1")]}

    monkeypatch.setattr(check_engine, "check_working_copy", check_working_copy)
    monkeypatch.setattr(store, "open_findings", open_findings)
    rep = workflow.transition(wc, [a["patch_id"], b["patch_id"]], "confirmed", who("county_reviewer"))
    assert calls == [sorted([a["patch_id"], b["patch_id"]])]
    assert [r.codes for r in rep.results] == [[], [workflow.R_OPEN_ERROR]]
    assert "from the store" in rep.results[1].refusals[0].message


def test_gpkg_functions_for_rtree_triggers(wc):
    """The ST_* functions registered for plain sqlite3 give real envelopes (used if a trigger ever fires)."""
    (p,) = make_patches(wc, ["design"])
    con = geopackage.open_connection(wc)
    try:
        row = con.execute(f"SELECT ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom), ST_IsEmpty(geom) "
                          f"FROM {schema.PATCHES}").fetchone()
        rtree = con.execute(f"SELECT minx, maxx, miny, maxy FROM rtree_{schema.PATCHES}_geom").fetchone()
    finally:
        con.close()
    assert row[4] == 0
    assert row[:4] == pytest.approx(rtree, abs=0.01)
    assert row[:4] == pytest.approx((500000.0, 500100.0, 3330000.0, 3330100.0), abs=0.01)


def test_a_forward_move_keeps_the_check_fresh_for_the_next_reviewer(wc):
    """Confirming a checked patch is no modification: the next reviewer's move needs no new check (seen in the
    walkthrough: straight after 确认 the dock said 检查后已修改)."""
    (a,) = make_patches(wc, ["accepted"])
    no_recheck = workflow.bundled_policy()
    no_recheck.recheck_stale = False  # a stale check would be refused, not silently re-run
    rep = workflow.transition(wc, [a["patch_id"]], "confirmed", who("county_reviewer"), config=no_recheck)
    assert rep.applied, rep.to_dict()
    assert workflow.check_revisions(wc, [a["patch_id"]])[a["patch_id"]] == stage_of(wc, a["patch_id"])[1]
    rep = workflow.transition(wc, [a["patch_id"]], "county_checked", who("county_reviewer"), config=no_recheck)
    assert rep.applied and workflow.R_STALE not in rep.results[0].codes, rep.to_dict()
