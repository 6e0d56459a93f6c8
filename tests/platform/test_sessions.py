"""Reference platform sessions, accounts and robustness over real HTTP: logout and refresh-reuse revoke the session
family, login throttling (injected clock), hashed tokens, county isolation by units, request limits, operator
import, the startup banner."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid

import pytest

from reference_platform import server as srv
from reference_platform.server import start_server, stop_server
from tests.helpers import ROOT
from tests.helpers.platform_api import COUNTY, PW, Api, batch, feature, item


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture()
def platform(tmp_path):
    server, url = start_server(str(tmp_path / "platform.sqlite"))
    yield server, Api(url)
    stop_server(server)


def login(api, user, password=PW):
    return api.call("POST", "/auth/login", {"username": user, "password": password})


def raw_request(server, data: bytes) -> bytes:
    """Send raw bytes, return the whole reply (the server closes after an error)."""
    s = socket.create_connection(server.server_address[:2], timeout=30)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    finally:
        s.close()


def test_login_reply_me_and_workflow(platform):
    server, api = platform
    s, b, _ = login(api, "demo_city")
    assert s == 200 and b["token_type"] == "Bearer" and b["expires_in"] > 0
    want = {"username": "demo_city", "display_name": "示例市市级核查", "role": "city_reviewer", "county": COUNTY,
            "units": ["3399"]}
    assert b["user"] == want
    s, me, _ = api.call("GET", "/me", token=b["access_token"])
    assert s == 200 and me == want
    s, w, _ = api.call("GET", "/workflow", token=b["access_token"])
    assert s == 200 and w["fingerprint"] == server.policy.fingerprint and w["policy"]["transitions"]
    s, e, _ = api.call("GET", "/workflow")
    assert s == 401 and e["error"] == "missing_token"
    s, e, _ = login(api, "demo_city", "wrong")
    assert s == 401 and e["error"] == "invalid_credentials"
    s, e, _ = login(api, "nobody", "wrong")
    assert s == 401 and e["error"] == "invalid_credentials"


def test_logout_revokes_the_session_family(platform):
    server, api = platform
    _, a, _ = login(api, "demo_tech")
    _, other, _ = login(api, "demo_tech")  # another session of the same account stays valid
    s, b, _ = api.call("POST", "/auth/logout", {}, token=a["access_token"])
    assert s == 200 and b == {"revoked": True}
    s, e, _ = api.call("GET", "/me", token=a["access_token"])
    assert s == 401 and e["error"] == "session_revoked"
    s, e, _ = api.call("POST", "/auth/refresh", {"refresh_token": a["refresh_token"]})
    assert s == 401 and e["error"] == "invalid_refresh_token"
    assert api.call("GET", "/me", token=other["access_token"])[0] == 200
    s, e, _ = api.call("GET", "/me", token="no-such-token")
    assert s == 401 and e["error"] == "invalid_token"


def test_refresh_rotates_and_reuse_revokes_the_family(platform):
    server, api = platform
    _, a, _ = login(api, "demo_county")
    s, b, _ = api.call("POST", "/auth/refresh", {"refresh_token": a["refresh_token"]})
    assert s == 200 and b["refresh_token"] != a["refresh_token"] and b["user"]["username"] == "demo_county"
    assert api.call("GET", "/me", token=b["access_token"])[0] == 200
    s, e, _ = api.call("POST", "/auth/refresh", {"refresh_token": a["refresh_token"]})  # the stolen copy
    assert s == 401 and e["error"] == "refresh_reused"
    for token in (a["access_token"], b["access_token"]):
        s, e, _ = api.call("GET", "/me", token=token)
        assert s == 401 and e["error"] == "session_revoked"
    s, e, _ = api.call("POST", "/auth/refresh", {"refresh_token": b["refresh_token"]})
    assert s == 401 and e["error"] == "invalid_refresh_token"


def test_expired_tokens(platform):
    server, api = platform
    server.clock = clock = Clock()
    _, a, _ = login(api, "demo_tech")
    clock.now += srv.ACCESS_TTL + 1
    s, e, _ = api.call("GET", "/me", token=a["access_token"])
    assert s == 401 and e["error"] == "token_expired"
    s, b, _ = api.call("POST", "/auth/refresh", {"refresh_token": a["refresh_token"]})
    assert s == 200 and api.call("GET", "/me", token=b["access_token"])[0] == 200


def test_login_throttling(platform):
    server, api = platform
    server.clock = clock = Clock()
    server.throttle = {"user_failures": 3, "address_failures": 6, "window_s": 900, "lockout_s": 60}
    for _ in range(3):
        assert login(api, "demo_tech", "wrong")[0] == 401
    s, e, h = login(api, "demo_tech")  # even the right password waits out the lockout
    assert s == 429 and e["error"] == "too_many_attempts" and e["retry_after"] == 60 and h["retry-after"] == "60"
    clock.now += 30
    s, e, h = login(api, "demo_tech")
    assert s == 429 and e["retry_after"] == 30 and h["retry-after"] == "30"
    assert login(api, "demo_county")[0] == 200  # other accounts are not locked by it
    clock.now += 31
    assert login(api, "demo_tech")[0] == 200
    # failures spread over a longer time than the window do not add up
    for _ in range(2):
        assert login(api, "demo_city", "wrong")[0] == 401
    clock.now += 901
    assert login(api, "demo_city", "wrong")[0] == 401
    assert login(api, "demo_city")[0] == 200
    # one address trying many names (known or not)
    clock.now += 10_000
    for i in range(6):
        assert login(api, f"guess{i}", "wrong")[0] == 401
    s, e, h = login(api, "demo_province")
    assert s == 429 and int(h["retry-after"]) == 60


def test_tokens_are_stored_hashed(platform, tmp_path):
    server, api = platform
    _, a, _ = login(api, "demo_tech")
    _, b, _ = api.call("POST", "/auth/refresh", {"refresh_token": a["refresh_token"]})
    data = b""
    for suffix in ("", "-wal", "-journal"):
        path = server.db.path + suffix
        if os.path.exists(path):
            with open(path, "rb") as fh:
                data += fh.read()
    for token in (a["access_token"], a["refresh_token"], b["access_token"], b["refresh_token"]):
        assert token.encode() not in data
    assert hashlib.sha256(b["access_token"].encode()).hexdigest().encode() in data


def test_county_isolation_by_units(platform):
    server, api = platform
    for user, status in (("demo_tech_other", 403), ("demo_tech", 200), ("demo_city", 200), ("demo_province", 200),
                         ("demo_contractor2", 200)):
        s, b, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0", user=user)
        assert s == status, (user, b)
        if status == 403:
            assert b["error"] == "forbidden_county"
    assert api.call("GET", "/counties/339902/patches", user="demo_tech_other")[0] == 200
    assert api.call("GET", "/counties/339902/patches", user="demo_tech")[0] == 403
    assert api.call("GET", "/counties/339902/patches", user="demo_city")[0] == 200  # 3399 covers 339902
    assert api.call("GET", "/counties/349901/patches", user="demo_province")[0] == 403
    s, b, _ = api.call("POST", f"/counties/{COUNTY}/transitions", {"copy_id": "copy-xxxxxxxx", "items": []},
                       user="demo_tech_other")
    assert s == 403


def test_request_limits(platform):
    server, api = platform
    token = api.token("demo_tech")
    auth = f"Authorization: Bearer {token}\r\n".encode()
    head = f"POST /api/v1/counties/{COUNTY}/exceptions HTTP/1.1\r\nHost: x\r\n".encode() + auth

    def status(reply: bytes):
        line, _, rest = reply.partition(b"\r\n")
        return int(line.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2] or b"null")

    assert status(raw_request(server, head + b"Content-Type: application/json\r\n\r\n"))[0] == 411
    for bad in (b"abc", b"-5"):
        s, b = status(raw_request(server, head + b"Content-Type: application/json\r\nContent-Length: " + bad
                                  + b"\r\n\r\n"))
        assert s == 400 and b["error"] == "bad_content_length"
    s, b = status(raw_request(server, head + b"Content-Type: application/json\r\nContent-Length: "
                              + str(40 * 1024 * 1024).encode() + b"\r\n\r\n{"))
    assert s == 413 and b["error"] == "payload_too_large"
    s, b = status(raw_request(server, head + b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"))
    assert s == 415 and b["error"] == "unsupported_media_type"
    deep = b"[" * 100_000 + b"]" * 100_000
    s, b = status(raw_request(server, head + b"Content-Type: application/json\r\nContent-Length: "
                              + str(len(deep)).encode() + b"\r\n\r\n" + deep))
    assert s == 400 and b["error"] == "bad_json"
    nested = json.dumps({"items": [json.loads("[" * 70 + "]" * 70)]}).encode()
    s, b = status(raw_request(server, head + b"Content-Type: application/json\r\nContent-Length: "
                              + str(len(nested)).encode() + b"\r\n\r\n" + nested))
    assert s == 400 and b["error"] == "bad_json"
    for q in ("quotas?year=abc", "patches?cursor=1e23", "patches?changed_since=-1", "patches?limit=x",
              "patches?cursor=99999999999999999999999"):
        s, b, _ = api.call("GET", f"/counties/{COUNTY}/{q}", user="demo_tech")
        assert s == 400 and b["error"] == "bad_query", (q, b)
    assert srv.Handler.timeout == 30


def test_unexpected_errors_answer_without_internals(platform, monkeypatch):
    server, api = platform

    def boom(self, user, county, query):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(srv.Handler, "_quotas", boom)
    s, b, _ = api.call("GET", f"/counties/{COUNTY}/quotas", user="demo_tech")
    assert s == 500 and b == {"error": "internal", "message": "internal server error"}


def test_operator_import_keeps_stages(platform, tmp_path):
    server, api = platform
    f = feature("province_verified")
    assert server.db.import_patches(COUNTY, [f]) == 1
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0", user="demo_tech")
    (got,) = [x for x in page["features"] if x["id"] == f["id"]]
    assert got["properties"]["stage"] == "province_verified" and got["properties"]["created_by"] == "platform"
    assert batch(api, "demo_tech", [item(f, base=1, remark="x")])[0]["code"] == "edit_not_allowed"


def test_import_gpkg(platform, tmp_path):
    from osgeo import ogr, osr

    from reference_platform.__main__ import import_gpkg

    server, api = platform
    path = str(tmp_path / "wc.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    sr = osr.SpatialReference()
    sr.ImportFromEPSG(4549)
    lyr = ds.CreateLayer("patches", sr, ogr.wkbMultiPolygon)
    for name, kind in (("patch_id", ogr.OFTString), ("county_code", ogr.OFTString), ("stage", ogr.OFTString),
                       ("area_mu", ogr.OFTReal), ("year", ogr.OFTInteger), ("accept_date", ogr.OFTDate),
                       ("revision", ogr.OFTInteger)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    pid = str(uuid.uuid4())
    ft = ogr.Feature(lyr.GetLayerDefn())
    for k, v in (("patch_id", pid), ("county_code", COUNTY), ("stage", "county_checked"), ("area_mu", 15.0),
                 ("year", 2025), ("revision", 4)):
        ft.SetField(k, v)
    ft.SetField("accept_date", 2025, 10, 1, 0, 0, 0, 0)
    ft.SetGeometry(ogr.CreateGeometryFromWkt(
        "MULTIPOLYGON(((500000 3330000,500100 3330000,500100 3330100,500000 3330100,500000 3330000)))"))
    lyr.CreateFeature(ft)
    ds = None
    assert import_gpkg(server.db.path, path) == 1
    s, page, _ = api.call("GET", f"/counties/{COUNTY}/patches?changed_since=0", user="demo_tech")
    (got,) = [x for x in page["features"] if x["id"] == pid]
    p = got["properties"]
    assert p["stage"] == "county_checked" and p["year"] == 2025 and p["accept_date"] == "2025-10-01"
    assert "revision" not in p  # not a synced field
    lon, lat = got["geometry"]["coordinates"][0][0][0]
    assert abs(lon - 120.0) < 1e-6 and abs(lat - 30.09) < 0.01
    area = srv.ellipsoidal_area_m2(got["geometry"])
    assert abs(area - 10_000) < 20  # 100 m x 100 m (Gauss-Kruger scale at the central meridian is ~1)


def test_area_of_a_known_cell():
    cell = {"type": "Polygon", "coordinates": [[[120, 30], [120.001, 30], [120.001, 30.001], [120, 30.001],
                                                [120, 30]]]}
    assert abs(srv.ellipsoidal_area_m2(cell) - 10_695.687) < 0.01
    holed = {"type": "MultiPolygon", "coordinates": [[cell["coordinates"][0],
                                                      [[120.0002, 30.0002], [120.0004, 30.0002], [120.0004, 30.0004],
                                                       [120.0002, 30.0004], [120.0002, 30.0002]]]]}
    assert srv.ellipsoidal_area_m2(holed) < srv.ellipsoidal_area_m2(cell)


def test_banner_prints_no_password(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.Popen([sys.executable, "-m", "reference_platform", "--port", "0", "--db",
                          str(tmp_path / "p.sqlite")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         cwd=ROOT)
    try:
        line = p.stdout.readline().decode("utf-8")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
    assert "reference platform at http://127.0.0.1:" in line and "demo_tech" in line
    assert PW not in line
