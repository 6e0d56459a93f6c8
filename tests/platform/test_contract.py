"""The contract in one voice: docs/platform-api.yaml, the plugin's client and the reference platform agree on the
routes and on every reason code a refusal can carry."""

from __future__ import annotations

import os
import re

import yaml

from forestry_plugin.core.policy import REASONS
from tests.helpers import ROOT


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as fh:
        return fh.read()


def _spec_routes():
    spec = yaml.safe_load(_read("docs", "platform-api.yaml"))
    return {(m.upper(), re.sub(r"\{[^}]+\}", "{}", path)) for path, ops in spec["paths"].items()
            for m in ops if m in ("get", "post", "head", "put", "delete")}


def test_every_reason_code_is_documented():
    text = _read("docs", "platform-api.yaml")
    missing = [code for code in REASONS if not re.search(rf"\b{re.escape(code)}\b", text)]
    assert missing == [], missing


def test_every_route_the_client_calls_is_in_the_contract():
    client = _read("forestry_plugin", "core", "sync", "client.py")
    calls = set()
    for method, path in re.findall(r'call\("(GET|POST)",\s*f?"([^"?]+)', client):
        path = re.sub(r"(?<=[a-z])\{[^}]+\}$", "", path)  # a query string appended from a variable
        calls.add((method, re.sub(r"\{[^}]+\}", "{}", path)))
    for path in re.findall(r'_request\("GET",\s*f"([^"?]+)', client):
        calls.add(("GET", re.sub(r"\{[^}]+\}", "{}", path)))
    assert calls, "no calls found: the pattern no longer matches the client"
    assert calls - _spec_routes() == set()


def test_every_route_the_platform_serves_is_in_the_contract():
    server = _read("reference_platform", "server.py")
    served = set()
    for method, what in re.findall(r'\("(GET|POST|HEAD)", "([a-z:/]+)"\): self\._', server):
        served.add((method, "/counties/{}/" + what))
    for method, route in re.findall(r'method == "(GET|POST)" and route == "(/[a-z/]+)"', server):
        served.add((method, route))
    assert len(served) >= 10, served
    assert served - _spec_routes() == set()


def _enum(prop: str):
    """Every enum the contract gives a property of that name (the schemas may repeat one)."""
    spec = yaml.safe_load(_read("docs", "platform-api.yaml"))
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == prop and isinstance(v, dict) and "enum" in v:
                    found.append(list(v["enum"]))
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return found


def test_stages_roles_and_severities_are_the_schemas():
    from forestry_plugin import schema

    stages, roles = [c.code for c in schema.STAGES], [c.code for c in schema.ROLES]
    assert _enum("stage") and all(e == stages for e in _enum("stage")), (_enum("stage"), stages)
    assert _enum("role") and all(e == roles for e in _enum("role")), (_enum("role"), roles)
    assert all(set(e) <= {c.code for c in schema.SEVERITIES} for e in _enum("severity"))
