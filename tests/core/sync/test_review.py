"""Accountable review end to end: the plugin's engine against the real reference platform over HTTP.

Moves made offline are pending until the platform accepts them; what the platform refuses returns to the platform's
state with the reason per patch; a patched client (forged stage, values, identity, policy, exceptions, a rewritten
audit log) gets nothing recorded that the logged-in account may not do.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from forestry_plugin import schema
from forestry_plugin.core import audit, audit_chain, geopackage, identity, workflow
from forestry_plugin.core.checks import store
from forestry_plugin.core.sync.engine import SyncEngine
from tests.helpers.platform_logins import client, onboard, reviewer_copy
from tests.helpers.working_copies import make_patches, new_copy


def platform_patch(server, pid):
    with server.db.connect() as con:
        row = con.execute("SELECT * FROM patches WHERE patch_id = ?", (pid,)).fetchone()
    return dict(row, properties=json.loads(row["properties"])) if row else None


def stage(path, pid):
    with geopackage.connect(path) as con:
        return con.execute("SELECT stage FROM patches WHERE patch_id = ?", (pid,)).fetchone()[0]


@pytest.fixture()
def county(platform, tmp_path, qgis_app):
    """A county on the platform: patches at accepted and county_checked, a technician's linked working copy."""
    server, url = platform
    path = new_copy(tmp_path, "tech.gpkg")
    patches = make_patches(path, ["accepted", "accepted", "county_checked", "design"])
    onboard(server, path)
    tech = SyncEngine(path, client(url, "demo_tech"))
    tech.sync()
    assert tech.local_changes()["total"] == 0  # the imported patches are the copy's own: linked, no conflict
    return server, url, path, patches


def test_offline_review_is_pending_then_accepted(county, tmp_path):
    server, url, _tech_path, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    a = patches[0]["patch_id"]
    offline = workflow.WorkflowEngine(path)  # no live session: the cached login
    assert offline.identity.source == identity.CACHED and offline.identity.username == "demo_county"
    rep = offline.apply([a], "confirmed")
    assert rep.applied and rep.pending
    assert [q["patch_id"] for q in offline.queue() if q["pending"]] == [a]
    assert platform_patch(server, a)["properties"]["stage"] == "accepted"  # nothing on the platform yet
    pushed = eng.push()
    assert (pushed.transitions_accepted, pushed.transitions_refused) == (1, 0)
    assert platform_patch(server, a)["properties"]["stage"] == "confirmed"
    assert [h["status"] for h in workflow.history(path, a)] == [audit.ACCEPTED]
    assert not [q for q in workflow.WorkflowEngine(path).queue() if q["pending"]]
    # the platform's audit row names the token's account, not what a client might claim
    items = eng.client.audit("339901", a)
    assert items[-1]["user_name"] == "demo_county" and items[-1]["role"] == "county_reviewer"
    # a second copy sees the move as the platform's, with nothing pending
    other, e2 = reviewer_copy(tmp_path, url, "city.gpkg", "demo_city")
    assert stage(other, a) == "confirmed"


def test_platform_refusal_returns_the_patch_with_the_reason(county, tmp_path):
    """A patched client whose cached policy lets a county reviewer verify for the city: the platform refuses."""
    server, url, _tech, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    c = patches[2]["patch_id"]  # county_checked: the city's to verify
    raw = json.load(open(workflow.default_config_path(), encoding="utf-8"))
    raw["transitions"].append({"from": "county_checked", "to": "city_verified", "roles": ["county_reviewer"]})
    workflow.cache_policy(path, raw)  # what a patched plugin would do
    rep = workflow.WorkflowEngine(path).apply([c], "city_verified")
    assert rep.applied and stage(path, c) == "city_verified"
    pushed = eng.push()
    assert pushed.transitions_refused == 1
    assert stage(path, c) == "county_checked"  # back to the platform's state
    assert platform_patch(server, c)["properties"]["stage"] == "county_checked"
    hist = workflow.history(path, c)
    assert hist[0]["status"] == audit.REFUSED and hist[0]["code"] == "role_not_allowed"
    assert hist[-1]["action"] == "platform_refused"  # the chain records that the move was undone
    assert audit.latest_refusals(path)[c]["code"] == "role_not_allowed"
    assert audit.problems(path) == []
    # the note is sent with the next upload and the chains on both sides still agree
    eng.push()
    assert eng.client.audit_head("339901", eng.copy_id)["head"] == audit.rows_after(path, 0)[-1]["row_hash"]


def test_identity_of_another_person_is_refused(county, tmp_path):
    """Moves made under demo_city's cached login are not sent in by demo_county's session."""
    server, url, _tech, patches = county
    path, _eng = reviewer_copy(tmp_path, url, "city.gpkg", "demo_city")
    c = patches[2]["patch_id"]
    assert workflow.WorkflowEngine(path).apply([c], "city_verified").applied
    other = SyncEngine(path, client(url, "demo_county"))
    pushed = other.push()
    assert pushed.transitions_refused == 1
    assert workflow.history(path, c)[0]["code"] == "identity_mismatch"
    assert stage(path, c) == "county_checked" and platform_patch(server, c)["properties"]["stage"] == "county_checked"


def test_pending_move_void_when_the_platform_changed_the_patch(county, tmp_path):
    server, url, tech_path, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    a = patches[0]["patch_id"]
    assert workflow.WorkflowEngine(path).apply([a], "confirmed").applied  # offline
    with geopackage.connect(tech_path) as con:  # meanwhile the technician corrects the patch
        con.execute("UPDATE patches SET remark = 'survival re-counted' WHERE patch_id = ?", (a,))
    SyncEngine(tech_path, client(url, "demo_tech")).push()
    eng.sync()
    assert stage(path, a) == "accepted"  # the reviewer confirmed a version that no longer exists
    assert workflow.history(path, a)[0]["code"] == "changed_on_platform"
    assert platform_patch(server, a)["properties"]["stage"] == "accepted"


def test_contractor_forgeries_are_refused(county, tmp_path):
    server, url, tech_path, patches = county
    path = new_copy(tmp_path, "contractor.gpkg")
    eng = SyncEngine(path, client(url, "demo_contractor"))
    eng.sync()
    a = patches[0]["patch_id"]
    con = geopackage.open_connection(path)  # no plugin tools, just SQL: the changes are tracked all the same
    con.execute("UPDATE patches SET stage = 'province_verified', survival_rate = 100 WHERE patch_id = ?", (a,))
    con.execute("DELETE FROM patches WHERE patch_id = ?", (patches[2]["patch_id"],))
    con.commit()
    con.close()
    before = {p["patch_id"]: platform_patch(server, p["patch_id"])["version"] for p in patches}
    pushed = eng.push()
    assert pushed.rejected == 2 and pushed.accepted == 0
    assert {p["patch_id"]: platform_patch(server, p["patch_id"])["version"] for p in patches} == before
    # the working copy holds the platform's patches again; the refused versions are kept aside
    assert stage(path, a) == "accepted"
    with geopackage.connect(path) as con:
        assert con.execute("SELECT COUNT(*) FROM patches WHERE patch_id = ?", (patches[2]["patch_id"],)).fetchone()[0]
        codes = dict(con.execute("SELECT patch_id, code FROM sync_rejections").fetchall())
        kept = con.execute("SELECT local_feature FROM sync_rejections WHERE patch_id = ?", (a,)).fetchone()[0]
    assert codes == {a: "stage_change", patches[2]["patch_id"]: "delete_not_allowed"}
    assert json.loads(kept)["properties"]["stage"] == "province_verified"


def test_exceptions_sync_and_only_accepted_ones_open_the_gate(county, tmp_path):
    server, url, _tech, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    a, b = patches[0]["patch_id"], patches[1]["patch_id"]
    for pid, rule in ((a, "cropland"), (b, "basic_farmland")):
        geopackage.write_features(path, schema.ISSUES, [(dict(run_id="r", patch_id=pid, rule=rule, severity="error",
                                                              message=rule), None)])
    store.accept_exception(path, a, "cropland", None, "approved conversion", approval_ref="浙土资〔2025〕12号")
    with geopackage.connect(path) as con:  # a patched client writes a basic-farmland waiver into the table
        con.execute(f"INSERT INTO {schema.EXCEPTIONS}(patch_id, rule, reason, accepted_by, status, severity) "
                    "VALUES (?, 'basic_farmland', 'trust me', 'demo_county', 'pending', 'error')", (b,))
    offline = workflow.WorkflowEngine(path)
    assert [r.codes for r in offline.plan([a, b], "confirmed")] == [[workflow.R_OPEN_ERROR]] * 2
    pushed = eng.push()
    assert (pushed.exceptions_sent, pushed.exceptions_refused) == (2, 1)
    status = {e["rule"]: e["status"] for e in store.list_exceptions(path)}
    assert status == {"cropland": "accepted", "basic_farmland": "refused"}
    plan = workflow.WorkflowEngine(path).plan([a, b], "confirmed")
    assert plan[0].ok and plan[1].codes == [workflow.R_OPEN_ERROR]
    on_platform = {e["rule"]: e for e in eng.client.exceptions("339901")}
    assert set(on_platform) == {"cropland"} and on_platform["cropland"]["accepted_by"] == "demo_county"


def test_rewritten_audit_log_is_refused_by_the_platform(county, tmp_path):
    server, url, _tech, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    a = patches[0]["patch_id"]
    assert workflow.WorkflowEngine(path).apply([a], "confirmed").applied
    eng.push()
    # someone rewrites the uploaded row and recomputes the whole chain and head: locally it looks intact
    con = sqlite3.connect(path)
    for name in audit.TRIGGERS:
        con.execute(f'DROP TRIGGER "{name}"')
    rows = [dict(zip([c[0] for c in con.execute(f"SELECT * FROM {schema.AUDIT}").description], r))
            for r in con.execute(f"SELECT * FROM {schema.AUDIT} ORDER BY fid")]
    rows[0]["comment"] = "confirmed after a field visit"
    head = audit_chain.seal(rows)
    for r in rows:
        con.execute(f"UPDATE {schema.AUDIT} SET comment = ?, prev_hash = ?, row_hash = ? WHERE fid = ?",
                    (r["comment"], r["prev_hash"], r["row_hash"], r["fid"]))
    con.execute(f"UPDATE {audit.HEAD_TABLE} SET head = ?", (head,))
    audit._install_triggers(con)
    con.commit()
    con.close()
    assert audit.problems(path) == []
    with pytest.raises(audit.AuditTampered, match="platform already holds"):
        eng.push()
    with pytest.raises(audit.AuditTampered):
        eng.pull()
    assert platform_patch(server, a)["properties"]["stage"] == "confirmed"  # what was accepted stands


def test_review_dock_shows_pending_then_the_platforms_refusal(county, tmp_path, qgis_iface, qgis_new_project):
    """The reviewer's dock, offline then after the sync: "(pending)", then ✘ with the platform's reason."""
    from qgis.core import QgsProject

    from forestry_plugin.core.project import load_working_copy
    from forestry_plugin.gui.workflow_dock import WorkflowDock

    server, url, _tech, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    load_working_copy(path, QgsProject.instance(), lang="en")
    dock = WorkflowDock(qgis_iface)
    try:
        assert "demo_county" in dock.identity_label.text() and "offline" in dock.identity_label.text()
        a = patches[0]["patch_id"]
        dock.go_to([q["patch_id"] for q in dock.queue].index(a))
        assert dock.confirm().applied
        dock.go_to([q["patch_id"] for q in dock.queue].index(a))
        row = dock.index
        assert "pending" in dock.queue_table.item(row, 1).text() and "pending" in dock.info_label.text()
        # before the move arrives the platform holds a newer version of the patch (its own correction): the move
        # applies to what the reviewer saw, so the platform refuses it
        with server.db.connect() as con:
            con.execute("UPDATE patches SET version = version + 1, seq = seq + 1000 WHERE patch_id = ?", (a,))
        eng.push()
        dock.refresh()
        dock.go_to([q["patch_id"] for q in dock.queue].index(a))
        text = dock.queue_table.item(dock.index, 1).text()
        assert "refused by the platform" in text, text
        assert "The platform refused the move to Confirmed" in dock.info_label.text(), dock.info_label.text()
        assert "version" in dock.info_label.text()
        assert stage(path, a) == "accepted"
    finally:
        dock.disconnect_project()
        dock.deleteLater()
        QgsProject.instance().removeAllMapLayers()


def test_two_offline_moves_of_one_patch_both_reach_the_platform(county, tmp_path):
    server, url, _tech, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    a = patches[0]["patch_id"]
    offline = workflow.WorkflowEngine(path)
    assert offline.apply([a], "confirmed").applied
    with geopackage.connect(path) as con:  # checked again after the first move (the revision went up)
        con.execute(f"UPDATE {schema.CHECK_STATE} SET patch_revision = (SELECT revision FROM patches p "
                    f"WHERE p.patch_id = {schema.CHECK_STATE}.patch_id)")
    assert workflow.WorkflowEngine(path).apply([a], "county_checked").applied
    pushed = eng.push()
    assert (pushed.transitions_accepted, pushed.transitions_refused) == (2, 0), pushed.errors
    assert platform_patch(server, a)["properties"]["stage"] == "county_checked" == stage(path, a)


def test_a_refused_edit_leaves_the_move_to_the_platform(county, tmp_path):
    """An edit the platform refuses does not decide a pending move of the same patch: the platform does."""
    server, url, tech_path, patches = county
    d = patches[3]["patch_id"]  # design, the technician's to accept
    with geopackage.connect(tech_path) as con:
        con.execute(f"INSERT OR REPLACE INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, "
                    "warnings) SELECT patch_id, '2025-06-02T00:00:00Z', revision, 0, 0 FROM patches")
    assert workflow.WorkflowEngine(tech_path).apply([d], "accepted").applied  # local technician, offline
    con = geopackage.open_connection(tech_path)
    con.execute("UPDATE patches SET species = 'no-such-tree' WHERE patch_id = ?", (d,))  # refused on upload
    con.commit()
    con.close()
    pushed = SyncEngine(tech_path, client(url, "demo_tech")).push()
    assert pushed.rejected == 1 and pushed.transitions_accepted == 1
    assert platform_patch(server, d)["properties"]["stage"] == "accepted" == stage(tech_path, d)
    assert [h["status"] for h in workflow.history(tech_path, d) if h["action"] == "transition"] == [audit.ACCEPTED]


def test_a_refused_withdrawal_keeps_the_exception(county, tmp_path):
    server, url, _tech, patches = county
    path, eng = reviewer_copy(tmp_path, url, "county.gpkg", "demo_county")
    a = patches[0]["patch_id"]
    geopackage.write_features(path, schema.ISSUES, [(dict(run_id="r", patch_id=a, rule="patch_overlap",
                                                          severity="error", message="overlap"), None)])
    store.accept_exception(path, a, "patch_overlap", None, "boundary agreed with the neighbour")
    assert eng.push().exceptions_sent == 1
    # the reviewer's account loses the right on the platform before the withdrawal arrives
    raw = json.load(open(workflow.default_config_path(), encoding="utf-8"))
    store.remove_exception(path, a, "patch_overlap")
    assert store.list_exceptions(path) == []
    raw["exceptions"]["rules"]["patch_overlap"] = {"roles": ["province_reviewer"]}
    from forestry_plugin.core import policy

    server.policy = policy.parse_policy(raw)
    pushed = eng.push()
    assert pushed.exceptions_refused == 1
    (e,) = store.list_exceptions(path)
    assert (e["rule"], e["status"]) == ("patch_overlap", "accepted") and e["platform_message"]
