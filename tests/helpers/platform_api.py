"""The reference platform over real HTTP without the plugin's client: a tiny HTTP client with the demo accounts'
tokens, and valid patch features (GeoJSON, lon/lat near 120.0, 30.0) to send it."""

from __future__ import annotations

import http.client
import itertools
import json
import uuid
from urllib.parse import urlparse

from forestry_plugin import schema
from reference_platform.server import ellipsoidal_area_m2
from tests.helpers.platform_logins import PW

COUNTY = "339901"


class Api:
    """A tiny HTTP client over http.client: (status, json body, headers)."""

    def __init__(self, base: str):
        u = urlparse(base)
        self.host, self.port, self.prefix = u.hostname, u.port, u.path
        self.tokens = {}

    def call(self, method, path, body=None, user=None, token=None, headers=None):
        con = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = dict(headers or {})
        if user and not token:
            token = self.token(user)
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        con.request(method, self.prefix + path, body=data, headers=h)
        r = con.getresponse()
        raw = r.read()
        con.close()
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except ValueError:
            parsed = raw
        return r.status, parsed, {k.lower(): v for k, v in r.getheaders()}

    def token(self, user):
        if user not in self.tokens:
            s, b, _ = self.call("POST", "/auth/login", {"username": user, "password": PW})
            assert s == 200, b
            self.tokens[user] = b["access_token"]
        return self.tokens[user]


def square(lon=120.0, lat=30.09, d=0.001):
    """A GeoJSON square of d degrees at (lon, lat)."""
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                [lon, lat]]]}


def props_for(geometry, stage="design", **kw):
    """Complete, valid properties of a patch at `stage` with the area of `geometry`; `kw` change them."""
    mu = schema.m2_to_mu(ellipsoidal_area_m2(geometry))
    p = {"county_code": COUNTY, "township_code": COUNTY + "001", "village_code": COUNTY + "001001", "year": 2025,
         "method": "planting", "forest_type": "protection", "species": "camphor", "area_mu": round(mu, 3),
         "area_ha": round(mu / 15.0, 4), "stage": stage, "design_date": "2025-03-01"}
    if schema.STAGE_ORDER[stage] >= schema.STAGE_ORDER["accepted"]:
        p.update(survival_rate=92.0, accept_date="2025-10-01")
    p.update(kw)
    return p


_offset = itertools.count()


def feature(stage="design", pid=None, **kw):
    """A valid patch feature near (120.0, 30.09), each call at its own place."""
    i = next(_offset)
    g = square(120.0 + 0.0015 * (i % 100), 30.0 + 0.0015 * (i // 100))
    pid = pid or str(uuid.uuid4())
    return {"type": "Feature", "id": pid, "properties": dict(props_for(g, stage, **kw), patch_id=pid), "geometry": g}


def item(f, op="upsert", base=None, **prop_changes):
    """A batch item for feature `f` (its properties changed by `prop_changes`) based on version `base`."""
    props = dict(f["properties"], **prop_changes)
    return {"patch_id": f["id"], "op": op, "base_version": base, "properties": props, "geometry": f["geometry"]}


def batch(api, user, items, key=None, county=COUNTY):
    """POST the items as `user` (an idempotency key of their own unless `key`): the per-item results."""
    s, b, _ = api.call("POST", f"/counties/{county}/patches:batch", {"items": items}, user=user,
                       headers={"Idempotency-Key": key or uuid.uuid4().hex})
    assert s == 200, b
    return b["results"]
