"""The reference platform enforces the workflow configuration from the token's account (real HTTP, no plugin client):
the transition matrix for every role, returns, creates/edits/deletes, values/geometry/area, the audit hash chain
with the platform's own identity, and exceptions."""

from __future__ import annotations

import json
import uuid

import pytest

from forestry_plugin import schema
from forestry_plugin.core import audit_chain
from reference_platform.server import DEMO_USERS, start_server, stop_server
from tests.helpers.platform_api import COUNTY, Api, batch, feature, item, props_for, square

STAGES = [c.code for c in schema.STAGES]
ROLE_USER = {"contractor": "demo_contractor", "county_technician": "demo_tech", "county_reviewer": "demo_county",
             "city_reviewer": "demo_city", "province_reviewer": "demo_province"}
# The default matrix (resources/workflow.json), written out independently of the policy module.
FORWARD = {("design", "accepted"): "county_technician", ("design", "included"): "county_technician",
           ("accepted", "confirmed"): "county_reviewer", ("included", "confirmed"): "county_reviewer",
           ("confirmed", "county_checked"): "county_reviewer", ("county_checked", "city_verified"): "city_reviewer",
           ("city_verified", "province_verified"): "province_reviewer"}
RETURN_FROM = {"county_reviewer": {"accepted", "included", "confirmed"}, "city_reviewer": {"county_checked"},
               "province_reviewer": {"city_verified"}}
ANCESTORS = {"design": set(), "accepted": {"design"}, "included": {"design"},
             "confirmed": {"design", "accepted", "included"},
             "county_checked": {"design", "accepted", "included", "confirmed"},
             "city_verified": {"design", "accepted", "included", "confirmed", "county_checked"},
             "province_verified": {"design", "accepted", "included", "confirmed", "county_checked",
                                   "city_verified"}}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    db = tmp_path_factory.mktemp("platform") / "platform.sqlite"
    server, url = start_server(str(db))
    yield server, Api(url)
    stop_server(server)


def placed(server, stage, **kw):
    """A patch put at `stage` by the operator import (the only way besides transitions)."""
    f = feature(stage, **kw)
    server.db.import_patches(COUNTY, [f])
    return f


def audit_rows(user, moves, head=audit_chain.GENESIS, display="", role="", identity="platform"):
    """Sealed audit items continuing `head`: moves = [(patch_id, action, from, to, reason, comment, base_version)]."""
    rows = []
    # what the account is, as the client records it; rows made without an account claim the local technician
    role = role or ("county_technician" if identity == "local" else ROLE_OF.get(user, ""))
    for pid, action, frm, to, reason, comment, base in moves:
        rows.append({"patch_id": pid, "action": action, "from_stage": frm, "to_stage": to, "user_name": user,
                     "display_name": display or user, "role": role, "identity": identity, "reason": reason,
                     "comment": comment, "approval_ref": None, "patch_version": 1, "at": "2025-10-02T10:00:00",
                     "client_key": uuid.uuid4().hex, "base_version": base})
    audit_chain.seal(rows, head)
    return rows


ROLE_OF = {u[0]: u[2] for u in DEMO_USERS}


def post_transitions(api, user, rows, copy_id=None, secret=None):
    copy_id = copy_id or "copy-" + uuid.uuid4().hex[:12]
    return api.call("POST", f"/counties/{COUNTY}/transitions",
                    {"copy_id": copy_id, "copy_secret": secret or "secret-of-" + copy_id, "items": rows}, user=user)


def expected(role, frm, to):
    """None (accepted) or the reason code the default configuration gives."""
    if schema.STAGE_ORDER[to] > schema.STAGE_ORDER[frm]:
        if (frm, to) not in FORWARD:
            return "transition_not_allowed"
        return None if FORWARD[(frm, to)] == role else "role_not_allowed"
    if frm not in RETURN_FROM.get(role, ()):
        return "role_not_allowed"
    return None if to in ANCESTORS[frm] else "return_not_allowed"


# -- the transition matrix ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_every_transition_for_every_role(platform, role):
    server, api = platform
    user = ROLE_USER[role]
    pairs = [(a, b) for a in STAGES for b in STAGES if a != b]
    patches = {pair: placed(server, pair[0], survival_rate=92.0, accept_date="2025-10-01") for pair in pairs}
    moves = []
    for (frm, to), f in patches.items():
        back = schema.STAGE_ORDER[to] < schema.STAGE_ORDER[frm]
        moves.append((f["id"], "return" if back else "transition", frm, to, "not_implemented" if back else None,
                      "", 1))
    s, b, _ = post_transitions(api, user, audit_rows(user, moves))
    assert s == 200, b
    assert b["stored"] == b["received"] == len(pairs)
    got = {}
    for (pair, f), res in zip(patches.items(), b["results"]):
        want = expected(role, *pair)
        got[pair] = res["code"] if res["status"] == "rejected" else None
        assert got[pair] == want, (role, pair, res)
        if want is None:
            assert res["version"] == 2
        else:
            assert {r["code"] for r in res["rejections"]} == {want} and res["server"]["id"] == f["id"]
    assert any(v is None for v in got.values()) == (role != "contractor")
    # the platform's copies moved exactly where accepted
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user=user)
    stage = {ft["id"]: ft["properties"]["stage"] for ft in page["features"]}
    for (frm, to), f in patches.items():
        assert stage[f["id"]] == (to if got[(frm, to)] is None else frm)


def test_returns_need_a_reason_and_other_needs_a_comment(platform):
    server, api = platform
    fs = [placed(server, "confirmed") for _ in range(4)]
    moves = [(fs[0]["id"], "return", "confirmed", "design", None, "", None),
             (fs[1]["id"], "return", "confirmed", "design", "other", "  ", None),
             (fs[2]["id"], "return", "confirmed", "accepted", "other", "界址不符，请重新勾绘", None),
             (fs[3]["id"], "return", "confirmed", "design", "no_such_reason", "", None)]
    s, b, _ = post_transitions(api, "demo_county", audit_rows("demo_county", moves))
    assert s == 200, b
    codes = [r.get("code") for r in b["results"]]
    assert codes == ["reason_required", "comment_required", None, "reason_required"]
    assert b["results"][2]["status"] == "accepted"
    # a city reviewer cannot return a confirmed patch; a county reviewer cannot return included -> accepted
    inc = placed(server, "included")
    s, b, _ = post_transitions(api, "demo_county", audit_rows(
        "demo_county", [(inc["id"], "return", "included", "accepted", "duplicate", "", None)]))
    assert b["results"][0]["code"] == "return_not_allowed"
    r = b["results"][0]["rejections"][0]
    assert r["message_en"] and r["message_zh"] and r["details"] == {"from_stage": "included", "to_stage": "accepted"}


def test_forward_moves_check_fields_survival_stage_and_version(platform):
    server, api = platform
    bare = placed(server, "design")  # no survival rate, no acceptance date
    low = placed(server, "design", survival_rate=60.0, accept_date="2025-10-01")
    moved = placed(server, "accepted")
    stale = placed(server, "design", survival_rate=90.0, accept_date="2025-10-01")
    moves = [(bare["id"], "transition", "design", "accepted", None, "", None),
             (low["id"], "transition", "design", "accepted", None, "", None),
             (moved["id"], "transition", "design", "accepted", None, "", None),
             (stale["id"], "transition", "design", "accepted", None, "", 7),
             (str(uuid.uuid4()), "transition", "design", "accepted", None, "", None)]
    s, b, _ = post_transitions(api, "demo_tech", audit_rows("demo_tech", moves))
    res = b["results"]
    assert res[0]["code"] == "missing_fields" and "survival_rate" in res[0]["rejections"][0]["details"]["fields"]
    assert res[1]["code"] == "survival" and res[1]["rejections"][0]["details"]["threshold"] == 85.0
    assert res[2]["code"] == "stage_mismatch" and res[2]["rejections"][0]["details"]["stage"] == "accepted"
    assert res[3]["code"] == "version_conflict"
    assert res[4]["code"] == "unknown_patch" and res[4]["server"] is None


# -- audit identity and the chain --------------------------------------------------------------------------------


def test_identity_comes_from_the_token(platform):
    server, api = platform
    f = placed(server, "city_verified")
    copy_id = "copy-ident-" + uuid.uuid4().hex[:8]
    rows = audit_rows("demo_province", [(f["id"], "transition", "city_verified", "province_verified", None, "", 1)],
                      role="province_reviewer", display="省级核查")
    s, b, _ = post_transitions(api, "demo_contractor", rows, copy_id)
    assert s == 200 and b["stored"] == 1
    res = b["results"][0]
    assert res["status"] == "rejected" and res["code"] == "identity_mismatch"
    assert res["rejections"][0]["details"] == {"claimed": "demo_province", "user": "demo_contractor"}
    codes = {r["code"] for r in res["rejections"]}
    assert "role_not_allowed" in codes  # and the contractor's own role may not do it either
    s, a, _ = api.call("GET", f"/counties/{COUNTY}/audit?copy_id={copy_id}", user="demo_county")
    (row,) = a["items"]
    assert row["user_name"] == "demo_contractor" and row["role"] == "contractor"
    assert row["display_name"] == "示例施工队" and row["claimed_user_name"] == "demo_province"
    assert row["claimed_role"] == "province_reviewer" and row["status"] == "rejected"
    assert row["code"] == "identity_mismatch" and row["row_hash"] == rows[0]["row_hash"] and row["received_at"]
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user="demo_county")
    assert {x["id"]: x for x in page["features"]}[f["id"]]["properties"]["stage"] == "city_verified"
    # a locally made row (no account at the time) is adopted by the account that uploads it
    g = placed(server, "design", survival_rate=95.0, accept_date="2025-10-01")
    rows = audit_rows("someone_offline", [(g["id"], "transition", "design", "accepted", None, "", None)],
                      identity="local", head=b["head"])
    s, b2, _ = post_transitions(api, "demo_tech", rows, "copy-local-" + uuid.uuid4().hex[:8])
    assert s == 409  # a different copy starts at GENESIS, not at another copy's head
    rows = audit_rows("someone_offline", [(g["id"], "transition", "design", "accepted", None, "", None)],
                      identity="local")
    cid = "copy-local-" + uuid.uuid4().hex[:8]
    s, b2, _ = post_transitions(api, "demo_tech", rows, cid)
    assert s == 200 and b2["results"][0]["status"] == "accepted", b2
    s, a, _ = api.call("GET", f"/counties/{COUNTY}/audit?patch_id={g['id']}", user="demo_tech")
    assert a["items"][0]["user_name"] == "demo_tech" and a["items"][0]["claimed_user_name"] == "someone_offline"
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user="demo_county")
    got = {x["id"]: x for x in page["features"]}[g["id"]]["properties"]
    assert got["stage"] == "accepted" and got["updated_by"] == "demo_tech" and got["version"] == 2


def test_chain_broken_replay_and_mismatch(platform):
    server, api = platform
    f1 = placed(server, "design", survival_rate=95.0, accept_date="2025-10-01")
    f2 = placed(server, "accepted")
    cid = "copy-chain-" + uuid.uuid4().hex[:8]
    rows = audit_rows("demo_tech", [(f1["id"], "transition", "design", "accepted", None, "", None),
                                    (f2["id"], "platform_refused", "accepted", "accepted", None, "note", None)])
    # tampered second row: its hash no longer matches its content -> 409, nothing stored or applied
    bad = [dict(rows[0]), dict(rows[1], comment="rewritten")]
    s, b, _ = post_transitions(api, "demo_tech", bad, cid)
    assert s == 409 and b["error"] == "audit_chain_broken" and b["index"] == 1 and b["problem"]
    s, h, _ = api.call("GET", f"/counties/{COUNTY}/audit/head?copy_id={cid}", user="demo_tech")
    assert h == {"head": audit_chain.GENESIS, "count": 0}
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user="demo_tech")
    assert {x["id"]: x for x in page["features"]}[f1["id"]]["properties"]["stage"] == "design"
    # starting anywhere but the platform's head is broken as well
    s, b, _ = post_transitions(api, "demo_tech", rows[1:], cid)
    assert s == 409 and b["index"] == 0
    # the real upload
    s, first, _ = post_transitions(api, "demo_tech", rows, cid)
    assert s == 200 and first["stored"] == 2 and first["head"] == rows[1]["row_hash"]
    assert [r["status"] for r in first["results"]] == ["accepted", "noted"]
    # replay: the same results, nothing applied twice
    s, again, _ = post_transitions(api, "demo_tech", rows, cid)
    assert s == 200 and again["results"] == first["results"] and again["stored"] == 0
    assert again["head"] == first["head"]
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user="demo_tech")
    assert {x["id"]: x for x in page["features"]}[f1["id"]]["properties"]["version"] == 2
    # replay plus a new row continuing the head
    more = audit_rows("demo_tech", [(f2["id"], "platform_refused", "accepted", "accepted", None, "", None)],
                      head=first["head"])
    s, b, _ = post_transitions(api, "demo_tech", rows + more, cid)
    assert s == 200 and b["stored"] == 1 and b["results"][:2] == first["results"]
    assert b["results"][2]["status"] == "noted"
    # the same client_key with different content -> 422, nothing stored
    forged = audit_rows("demo_tech", [(f1["id"], "transition", "accepted", "confirmed", None, "", None)])
    forged[0]["client_key"] = rows[0]["client_key"]
    s, b, _ = post_transitions(api, "demo_tech", forged, cid)
    assert s == 422 and b["error"] == "idempotency_mismatch"
    s, h, _ = api.call("GET", f"/counties/{COUNTY}/audit/head?copy_id={cid}", user="demo_tech")
    assert h == {"head": more[0]["row_hash"], "count": 3}
    # malformed
    s, b, _ = api.call("POST", f"/counties/{COUNTY}/transitions", {"copy_id": "x", "items": []}, user="demo_tech")
    assert s == 400 and b["error"] == "bad_item"
    s, b, _ = api.call("POST", f"/counties/{COUNTY}/transitions",
                       {"copy_id": cid, "copy_secret": "secret-of-" + cid, "items": [{"patch_id": f1["id"]}]},
                       user="demo_tech")
    assert s == 400 and b["error"] == "bad_item"


# -- creates, edits, deletes, values ----------------------------------------------------------------------------


def test_contractor_cannot_forge_creates(platform):
    server, api = platform
    forged = feature("province_verified")
    neg = feature(survival_rate=-50)
    huge = feature(area_mu=1e9)
    wrong = feature(area_mu=500.0)
    wrong_ha = feature(area_ha=3.0)
    res = batch(api, "demo_contractor", [item(forged), item(neg), item(huge), item(wrong), item(wrong_ha)])
    assert [r["status"] for r in res] == ["rejected"] * 5
    assert res[0]["code"] == "create_stage" and res[0]["server"] is None
    assert res[0]["rejections"][0]["details"] == {"stage": "province_verified"}
    assert res[0]["reasons"] == [r["message_en"] for r in res[0]["rejections"]]
    assert res[1]["code"] == "invalid_value" and res[1]["rejections"][0]["details"]["field"] == "survival_rate"
    assert res[2]["code"] == "implausible_area"
    assert res[3]["code"] == "area_mismatch"
    assert res[4]["code"] == "area_mismatch" and res[4]["rejections"][0]["details"]["field"] == "area_ha"
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user="demo_contractor")
    ids = {x["id"] for x in page["features"]}
    assert not ids & {forged["id"], neg["id"], huge["id"], wrong["id"], wrong_ha["id"]}


def test_values_and_geometry_are_checked(platform):
    server, api = platform
    fs = [feature() for _ in range(9)]
    bow = dict(fs[1], geometry={"type": "Polygon", "coordinates": [[[120.0, 30.1], [120.001, 30.101],
                                                                   [120.001, 30.1], [120.0, 30.101],
                                                                   [120.0, 30.1]]]})
    open_ring = dict(fs[2], geometry={"type": "Polygon", "coordinates": [[[120.0, 30.1], [120.001, 30.1],
                                                                         [120.001, 30.101], [120.0, 30.101]]]})
    nan = dict(fs[3], geometry={"type": "Polygon", "coordinates": [[[120.0, 30.1], [float("nan"), 30.1],
                                                                    [120.001, 30.101], [120.0, 30.1]]]})
    far = feature()
    far["geometry"] = square(121.5, 31.0)
    far["properties"].update(props_for(far["geometry"]))
    items = [item(fs[0], species="oak"), item(bow), item(open_ring), item(nan), item(far),
             item(fs[5], survival_rate=float("nan")), item(fs[6], year="2025"),
             {"patch_id": "not-a-uuid", "op": "upsert", "properties": {}, "geometry": square()},
             item(fs[8], area_mu=None)]
    res = batch(api, "demo_tech", items)
    assert [r["code"] for r in res] == ["invalid_value", "invalid_geometry", "invalid_geometry", "invalid_geometry",
                                        "outside_county", "invalid_value", "invalid_value", "bad_item",
                                        "missing_fields"]
    assert "area_mu" in res[8]["rejections"][0]["details"]["fields"]


def test_creates_edits_and_deletes_follow_the_permissions(platform):
    server, api = platform
    mine, other = feature(), feature()
    res = batch(api, "demo_contractor", [item(mine), item(other, created_by="demo_province", version=99)])
    assert [r["status"] for r in res] == ["accepted", "accepted"] and res[0]["version"] == 1
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0&limit=5000", user="demo_tech")
    by = {x["id"]: x["properties"] for x in page["features"]}
    assert by[other["id"]]["created_by"] == "demo_contractor" and by[other["id"]]["version"] == 1
    assert by[mine["id"]]["updated_by"] == "demo_contractor"
    # another contractor may neither edit nor delete it; the owner may edit
    res = batch(api, "demo_contractor2", [item(mine, base=1, remark="x"), item(other, op="delete", base=1)])
    assert [r["code"] for r in res] == ["not_owner", "not_owner"]
    assert res[0]["rejections"][0]["details"] == {"owner": "demo_contractor"}
    assert res[0]["server"]["properties"]["created_by"] == "demo_contractor"
    res = batch(api, "demo_contractor", [item(mine, base=1, remark="补植")])
    assert res[0]["status"] == "accepted" and res[0]["version"] == 2
    # the stage changes only through transitions
    res = batch(api, "demo_tech", [item(mine, base=2, stage="accepted", survival_rate=95.0,
                                        accept_date="2025-10-01")])
    assert res[0]["code"] == "stage_change"
    assert res[0]["rejections"][0]["details"] == {"stage": "design", "sent": "accepted"}
    # base_version mismatch is still a conflict
    res = batch(api, "demo_tech", [item(mine, base=1, remark="old")])
    assert res[0]["status"] == "conflict" and res[0]["server_version"] == 2 and res[0]["server"]["id"] == mine["id"]
    # a technician's province-verified patch: nobody deletes or edits it
    pv = placed(server, "province_verified")
    acc = placed(server, "accepted")
    res = batch(api, "demo_contractor", [item(pv, op="delete", base=1), item(acc, base=1, remark="x")])
    assert [r["code"] for r in res] == ["delete_not_allowed", "edit_not_allowed"]
    res = batch(api, "demo_tech", [item(pv, op="delete", base=1), item(acc, base=1, remark="x"),
                                   item(other, op="delete", base=1)])
    assert [r.get("code") for r in res] == ["delete_not_allowed", None, None]
    assert res[2]["status"] == "accepted"
    # reviewers create nothing
    res = batch(api, "demo_county", [item(feature())])
    assert res[0]["code"] == "create_not_allowed"
    # deleting what is not there stays accepted
    res = batch(api, "demo_contractor", [{"patch_id": str(uuid.uuid4()), "op": "delete", "base_version": None}])
    assert res[0]["status"] == "accepted"


def test_batch_idempotency_is_per_user_and_body(platform):
    server, api = platform
    f = feature()
    key = "key-" + uuid.uuid4().hex
    first = batch(api, "demo_tech", [item(f)], key=key)
    assert batch(api, "demo_tech", [item(f)], key=key) == first
    s, b, _ = api.call("POST", f"/counties/{COUNTY}/patches:batch", {"items": [item(f, remark="other")]},
                       user="demo_tech", headers={"Idempotency-Key": key})
    assert s == 422 and b["error"] == "idempotency_mismatch"
    # another account's key space is its own
    g = feature()
    assert batch(api, "demo_contractor", [item(g)], key=key)[0]["status"] == "accepted"


# -- exceptions ---------------------------------------------------------------------------------------------------


def exc(pid, rule, severity="error", reason="现场核实", approval_ref=None, op="accept", other_id=None):
    return {"client_key": uuid.uuid4().hex, "op": op, "patch_id": pid, "rule": rule, "severity": severity,
            "other_id": other_id, "reason": reason, "approval_ref": approval_ref, "at": "2025-10-03T09:00:00"}


def test_exceptions_follow_the_policy(platform):
    server, api = platform
    f = placed(server, "design")
    url = f"/counties/{COUNTY}/exceptions"
    for role, user in ROLE_USER.items():
        s, b, _ = api.call("POST", url, {"items": [exc(f["id"], "basic_farmland", approval_ref="浙政土〔2025〕1号")]},
                           user=user)
        assert s == 200 and b["results"][0]["code"] == "exception_forbidden", role
    items = [exc(f["id"], "cropland"), exc(f["id"], "cropland", approval_ref="浙政土〔2025〕7号", other_id="JB-1"),
             exc(f["id"], "cropland", approval_ref="x", reason=" "), exc(f["id"], "no_such_rule"),
             exc(str(uuid.uuid4()), "min_area", "warning")]
    s, b, _ = api.call("POST", url, {"items": items}, user="demo_county")
    codes = [r.get("code") for r in b["results"]]
    assert codes == ["approval_ref_required", None, "reason_text_required", "unknown_rule", "unknown_patch"]
    ok = b["results"][1]
    assert ok["status"] == "accepted" and ok["accepted_by"] == "demo_county" and ok["role"] == "county_reviewer"
    assert ok["accepted_at"]
    s, b, _ = api.call("POST", url, {"items": [exc(f["id"], "cropland", approval_ref="x")]}, user="demo_tech")
    assert b["results"][0]["code"] == "exception_not_allowed"
    warn = exc(f["id"], "min_area", "warning", other_id=None)
    s, b, _ = api.call("POST", url, {"items": [warn]}, user="demo_tech")
    assert b["results"][0]["status"] == "accepted"
    s, again, _ = api.call("POST", url, {"items": [warn]}, user="demo_tech")
    assert again["results"] == b["results"]  # idempotent by client_key
    s, b, _ = api.call("POST", url, {"items": [exc(f["id"], "sliver", "warning")]}, user="demo_contractor")
    assert b["results"][0]["code"] == "exception_not_allowed"
    s, b, _ = api.call("POST", url, {"items": [exc(f["id"], "min_area", "warning", op="withdraw", reason="")]},
                       user="demo_contractor")
    assert b["results"][0]["code"] == "exception_not_allowed"
    s, b, _ = api.call("POST", url, {"items": [exc(f["id"], "cropland", op="withdraw", reason="", other_id="JB-1")]},
                       user="demo_county")
    assert b["results"][0]["status"] == "accepted"
    s, lst, _ = api.call("GET", url, user="demo_city")
    mine = {(x["rule"], x["other_id"]): x for x in lst["items"] if x["patch_id"] == f["id"]}
    assert set(mine) == {("cropland", "JB-1"), ("min_area", None)}
    assert mine[("cropland", "JB-1")]["withdrawn"] is True
    assert mine[("min_area", None)]["withdrawn"] is False and mine[("min_area", None)]["accepted_by"] == "demo_tech"
    assert mine[("min_area", None)]["display_name"] == "示例县技术员"


def test_a_custom_workflow_file_is_enforced(tmp_path):
    with open(schema.__file__.replace("forestry_plugin/schema.py", "resources/workflow.json"), encoding="utf-8") as fh:
        raw = json.load(fh)
    raw["permissions"]["create"]["design"] = ["county_technician"]
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    server, url = start_server(str(tmp_path / "p.sqlite"), workflow_path=str(path))
    try:
        api = Api(url)
        assert batch(api, "demo_contractor", [item(feature())])[0]["code"] == "create_not_allowed"
        s, b, _ = api.call("GET", "/workflow", user="demo_contractor")
        assert s == 200 and b["policy"] == raw and b["fingerprint"] == server.policy.fingerprint
    finally:
        stop_server(server)


# -- what a review of the contract found, now refused ------------------------------------------------------------

def test_nobody_else_extends_a_copys_audit_chain(platform):
    """The copy_id is readable by every county account (GET /audit): only the copy holding its secret may append."""
    server, api = platform
    f = placed(server, "design", survival_rate=95.0, accept_date="2025-10-01")
    cid = "copy-victim-" + uuid.uuid4().hex[:8]
    rows = audit_rows("demo_tech", [(f["id"], "transition", "design", "accepted", None, "", None)])
    s, b, _ = post_transitions(api, "demo_tech", rows, cid, secret="the-victims-own-secret")
    assert s == 200 and b["results"][0]["status"] == "accepted"
    junk = audit_rows("demo_contractor2", [(f["id"], "platform_refused", "accepted", "design", None, "x", None)],
                      head=b["head"])
    s, e, _ = post_transitions(api, "demo_contractor2", junk, cid, secret="guessed-secret-123456")
    assert s == 403 and e["error"] == "copy_secret_mismatch"
    more = audit_rows("demo_tech", [(f["id"], "platform_refused", "accepted", "accepted", None, "n", None)],
                      head=b["head"])
    s, b2, _ = post_transitions(api, "demo_tech", more, cid, secret="the-victims-own-secret")
    assert s == 200 and b2["count"] == 2  # the victim's chain goes on


def test_claimed_role_and_actions_are_checked_on_every_row(platform):
    server, api = platform
    f = placed(server, "design", survival_rate=95.0, accept_date="2025-10-01")
    rows = audit_rows("demo_tech", [(f["id"], "transition", "design", "accepted", None, "", None),
                                    (f["id"], "platform_refused", "design", "design", None, "n", None),
                                    (f["id"], "exception_accepted", "design", "design", None, "n", None)],
                      role="province_reviewer")
    s, b, _ = post_transitions(api, "demo_tech", rows)
    assert s == 200 and [r["code"] for r in b["results"]] == ["identity_mismatch"] * 3
    notes = audit_rows("demo_contractor", [(f["id"], "platform_refused", "design", "design", None, "n", None)],
                       role="county_reviewer")
    s, b, _ = post_transitions(api, "demo_contractor", notes)
    assert b["results"][0]["code"] == "identity_mismatch"  # a note cannot claim another role either
    local = audit_rows("offline", [(f["id"], "transition", "design", "accepted", None, "", None)], identity="local",
                       role="province_reviewer")
    s, b, _ = post_transitions(api, "demo_tech", local)
    assert b["results"][0]["code"] == "identity_mismatch"  # rows made without an account are technicians' rows
    odd = audit_rows("demo_tech", [(f["id"], "exception_accepted", "design", "design", None, "n", None)])
    s, b, _ = post_transitions(api, "demo_tech", odd)
    assert b["results"][0]["status"] == "rejected" and b["results"][0]["code"] == "bad_item"


def test_exception_replay_must_be_the_same_item(platform):
    server, api = platform
    f = placed(server, "design")
    url = f"/counties/{COUNTY}/exceptions"
    first = exc(f["id"], "sliver", "warning")
    s, b, _ = api.call("POST", url, {"items": [first]}, user="demo_tech")
    assert b["results"][0]["status"] == "accepted"
    forged = dict(exc(f["id"], "basic_farmland"), client_key=first["client_key"])
    s, b, _ = api.call("POST", url, {"items": [forged]}, user="demo_tech")
    assert b["results"][0]["status"] == "rejected" and b["results"][0]["code"] == "bad_item"
    s, b, _ = api.call("POST", url, {"items": [first]}, user="demo_tech")
    assert b["results"][0]["status"] == "accepted"  # a true replay answers as before


def test_a_deleted_patch_is_nobody_elses_to_take_over(platform):
    server, api = platform
    f = feature("design")
    (r,) = batch(api, "demo_contractor", [item(f)])
    assert r["status"] == "accepted"
    (r,) = batch(api, "demo_contractor", [item(f, op="delete", base=r["version"])])
    assert r["status"] == "accepted"
    (r,) = batch(api, "demo_contractor2", [item(f)])
    assert r["status"] == "rejected" and r["code"] == "not_owner"
    (r,) = batch(api, "demo_contractor", [item(f)])  # its owner may bring it back
    assert r["status"] == "accepted"
