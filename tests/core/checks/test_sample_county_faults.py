"""The sample county's labelled faults: every injected fault found, no clean patch flagged, per rule."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.engine import check_working_copy

PATCH_RULES = [r for r in R.RULE_CODES if r != R.CRS]


@pytest.fixture(scope="module")
def county_result(sample_county_master, tmp_path_factory):
    import shutil

    path = str(tmp_path_factory.mktemp("checks") / "county.gpkg")
    shutil.copyfile(sample_county_master.path, path)
    res = check_working_copy(path)
    with open(sample_county_master.manifest_path, encoding="utf-8") as fh:
        manifest = json.load(fh)
    found = defaultdict(set)
    for f in res.findings:
        found[f.patch_id].add(f.rule)
    return res, manifest, found


@pytest.mark.parametrize("rule", PATCH_RULES)
def test_every_injected_fault_found(county_result, rule):
    _res, manifest, found = county_result
    expected = [pid for pid, rules in manifest["patch_faults"].items() if rule in rules]
    assert expected, f"the sample county has no {rule} fault"
    missed = [pid for pid in expected if rule not in found.get(pid, set())]
    assert missed == []


@pytest.mark.parametrize("rule", PATCH_RULES)
def test_no_clean_patch_flagged(county_result, rule):
    _res, manifest, found = county_result
    faults = manifest["patch_faults"]
    wrong = [pid for pid, rules in found.items() if rule in rules and rule not in faults.get(pid, [])]
    assert wrong == []


def test_clean_patches_have_no_findings(county_result):
    _res, manifest, found = county_result
    assert manifest["clean"] and not [pid for pid in manifest["clean"] if pid in found]


def test_crs_fault_layer(sample_county_master, provider, tmp_path):
    """The WGS 84 copy is a layer-level crs fault; its patches are still checked after reprojection."""
    import os

    import processing
    from qgis.core import QgsVectorLayer

    folder = os.path.dirname(sample_county_master.path)
    (name,) = list(sample_county_master.layer_faults)
    wrong = os.path.join(folder, name)
    out = str(tmp_path / "f.gpkg")
    base = f"{sample_county_master.path}|layername=basemap"
    res = processing.run("forestry:checkpatches", {"PATCHES": f"{wrong}|layername=patches", "BASEMAP": base,
                                                    "OUTPUT": out})
    lyr = QgsVectorLayer(res["OUTPUT"], "o", "ogr")
    rules = [f["rule"] for f in lyr.getFeatures()]
    assert rules.count("crs") == 1
    assert "area_mismatch" not in rules  # reprojected to the GK zone: ellipsoidal areas still agree
