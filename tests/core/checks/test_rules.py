"""Check engine rules on small constructed data: each rule finds its fault and leaves the clean case alone."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from forestry_plugin import schema
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.checker import run_checks
from forestry_plugin.core.checks.model import CheckCanceled, CheckInputs
from forestry_plugin.core.checks.profile import RuleProfile
from forestry_plugin.core.checks.projection import AreaModel

X0, Y0 = 500000.0, 3330000.0
AM = AreaModel(4549)


def sq(x: float, y: float, s: float, t: float | None = None) -> Polygon:
    return box(X0 + x, Y0 + y, X0 + x + s, Y0 + y + (s if t is None else t))


def attrs(geom, **kw):
    """Clean, complete attributes for a patch in village 339901101200 with the true area."""
    m2 = float(AM.areas([shapely.make_valid(geom)])[0]) if geom is not None else 0.0
    a = {"patch_id": str(uuid.uuid4()), "county_code": "339901", "township_code": "339901101",
         "village_code": "339901101200", "year": 2025, "method": "planting", "forest_type": "protection",
         "species": "camphor", "area_mu": round(schema.m2_to_mu(m2), 2), "area_ha": round(schema.m2_to_ha(m2), 4),
         "stage": "design", "revision": 1}
    a.update(kw)
    return a


# Base map: 200 m cells of grass, cropland, built-up, forest, water along x; admin: 2 villages split at x = 500.
BASE = [(sq(0, 0, 200), "0404"), (sq(200, 0, 200), "0103"), (sq(400, 0, 200), "0702"), (sq(600, 0, 200), "0301"),
        (sq(800, 0, 200), "1101"), (sq(0, 200, 1000), "0404")]
ADMIN = [(sq(-100, -100, 1300, 1400), "339901", "county"), (sq(-100, -100, 1300, 1400), "339901101", "township"),
         (sq(-100, -100, 600, 1400), "339901101200", "village"), (sq(500, -100, 700, 1400), "339901101201", "village")]
FARMLAND = [sq(0, 900, 100)]
HISTORY = [sq(100, 600, 100)]


def run(patches, profile=None, **kw):
    """Run the checks on [(geom, attrs)]; return {patch_id: {rule: [findings]}} plus the raw list."""
    inputs = CheckInputs(
        patch_ids=[a["patch_id"] for _g, a in patches], patch_geoms=[g for g, _a in patches],
        patch_attrs=[a for _g, a in patches], epsg=kw.pop("epsg", 4549),
        basemap_geoms=[g for g, _c in BASE], basemap_ids=[f"BSM{k}" for k in range(len(BASE))],
        basemap_classes=[c for _g, c in BASE], admin_geoms=[g for g, *_ in ADMIN], admin_codes=[c for _g, c, _l in ADMIN],
        admin_levels=[lv for *_, lv in ADMIN], farmland_geoms=FARMLAND, farmland_ids=["JBNT1"],
        history_geoms=HISTORY, history_ids=["hist-1"], **kw)
    found = run_checks(inputs, profile)
    by = {}
    for f in found:
        by.setdefault(f.patch_id, {}).setdefault(f.rule, []).append(f)
    return by, found


def rules_of(by, a):
    return set(by.get(a["patch_id"], {}))


def test_clean_patch_has_no_findings():
    g = sq(20, 20, 100)
    a = attrs(g)
    by, found = run([(g, a)])
    assert found == []


def test_invalid_geometry_found_and_overlap_measured_after_repair():
    bow = Polygon([(X0 + 20, Y0 + 20), (X0 + 80, Y0 + 80), (X0 + 80, Y0 + 20), (X0 + 20, Y0 + 80), (X0 + 20, Y0 + 20)])
    other = sq(50, 20, 60)  # overlaps the right triangle of the bow-tie: x 50..80, triangle part
    a, b = attrs(bow), attrs(other)
    by, _ = run([(bow, a), (other, b)])
    inv = by[a["patch_id"]][R.INVALID_GEOMETRY][0]
    assert "Self-intersection" in inv.message
    assert inv.value == pytest.approx(1800.0, abs=0.01)
    ov = by[a["patch_id"]][R.PATCH_OVERLAP][0]
    truth = shapely.make_valid(bow).intersection(other).area  # planar truth after repair (~ 675 m2, not 0)
    assert truth > 600
    assert ov.value == pytest.approx(float(AM.areas([shapely.make_valid(bow).intersection(other)])[0]), abs=1e-6)
    assert abs(ov.value - truth) < truth * 2e-3  # scale factor near the central meridian is ~1
    assert by[b["patch_id"]][R.PATCH_OVERLAP][0].other_id == a["patch_id"]
    assert R.INVALID_GEOMETRY not in rules_of(by, b)


def test_null_and_empty_geometry_give_invalid_geometry_without_crash():
    a, b, c = attrs(None), attrs(None), attrs(sq(20, 20, 50))
    by, _ = run([(None, a), (Polygon(), b), (sq(20, 20, 50), c)])
    assert set(by[a["patch_id"]]) == {R.INVALID_GEOMETRY}
    assert set(by[b["patch_id"]]) == {R.INVALID_GEOMETRY}
    assert c["patch_id"] not in by


@pytest.mark.parametrize("side,severity", [(17.0, "error"), (24.0, "warning"), (26.0, None)])
def test_min_area(side, severity):
    g = sq(50, 50, side)
    a = attrs(g)
    by, _ = run([(g, a)])
    if severity is None:
        assert R.MIN_AREA not in rules_of(by, a)
    else:
        f = by[a["patch_id"]][R.MIN_AREA][0]
        assert f.severity == severity and f.value == pytest.approx(side * side, rel=1e-4)


def test_sliver_found_and_compact_patch_clean():
    strip = shapely.affinity.rotate(sq(10, 100, 300, 4), 30)
    rect = sq(10, 300, 150, 30)  # 1:5 rectangle, 30 m wide: not a sliver
    a, b = attrs(strip), attrs(rect)
    by, _ = run([(strip, a), (rect, b)])
    assert by[a["patch_id"]][R.SLIVER][0].value == pytest.approx(4.0, abs=0.1)
    assert R.SLIVER not in rules_of(by, b)


def test_sliver_thresholds_configurable():
    rect = sq(10, 300, 150, 30)
    a = attrs(rect)
    prof = RuleProfile.default()
    prof.set(R.SLIVER, min_width_m=40)
    by, _ = run([(rect, a)], prof)
    assert R.SLIVER in rules_of(by, a)


def test_patch_overlap_pairs_tolerance_and_year():
    p1, p2 = sq(20, 300, 100), sq(80, 300, 100)  # 40 x 100 = 4000 m2
    p3 = sq(179.995, 300, 100)  # 0.005 x 100 = 0.5 m2 with p2: within the 1 m2 tolerance
    p4 = sq(20, 450, 100)
    p5 = sq(60, 450, 100)  # overlaps p4 but another year
    a1, a2, a3, a4, a5 = attrs(p1), attrs(p2), attrs(p3), attrs(p4), attrs(p5, year=2024)
    by, _ = run([(p1, a1), (p2, a2), (p3, a3), (p4, a4), (p5, a5)])
    f12 = by[a1["patch_id"]][R.PATCH_OVERLAP]
    assert len(f12) == 1 and f12[0].other_id == a2["patch_id"] and f12[0].value == pytest.approx(4000, rel=1e-3)
    assert f12[0].geometry.area == pytest.approx(4000, rel=1e-9)
    assert [f.other_id for f in by[a2["patch_id"]][R.PATCH_OVERLAP]] == [a1["patch_id"]]
    assert R.PATCH_OVERLAP not in rules_of(by, a3)
    assert R.PATCH_OVERLAP not in rules_of(by, a4) | rules_of(by, a5)


def test_basic_farmland():
    g, clean = sq(50, 880, 60), sq(300, 880, 60)
    a, b = attrs(g), attrs(clean)
    by, _ = run([(g, a), (clean, b)])
    f = by[a["patch_id"]][R.BASIC_FARMLAND][0]
    assert f.other_id == "JBNT1" and f.value == pytest.approx(50 * 40, rel=1e-3)
    assert b["patch_id"] not in by


def test_cropland_error_unless_approved():
    g = sq(250, 50, 50)
    a, b = attrs(g), attrs(g, approval_no="农转林〔2025〕1号")
    by, _ = run([(g, a)])
    f = by[a["patch_id"]][R.CROPLAND][0]
    assert f.severity == "error" and f.other_id == "BSM1"
    by, _ = run([(g, b)])
    assert R.CROPLAND not in rules_of(by, b)


@pytest.mark.parametrize("x", [450, 850])
def test_builtup_water_warning(x):
    g = sq(x, 50, 40)
    a = attrs(g, village_code="339901101201")
    by, _ = run([(g, a)])
    f = by[a["patch_id"]][R.BUILTUP_WATER][0]
    assert f.severity == "warning" and f.value == pytest.approx(1600, rel=1e-3)


def test_existing_forest_unless_method_allowed():
    g = sq(650, 50, 60)
    a = attrs(g, village_code="339901101201")
    by, _ = run([(g, a)])
    assert by[a["patch_id"]][R.EXISTING_FOREST][0].severity == "warning"
    for method in schema.METHODS_ALLOWED_ON_FOREST:
        b = attrs(g, village_code="339901101201", method=method,
                  restore_method="replanting" if method == "restoration" else None)
        by, _ = run([(g, b)])
        assert b["patch_id"] not in by


def test_outside_admin_share_and_codes():
    straddle = sq(460, 300, 100)  # 40 % in village ...200, 60 % in ...201
    inside = sq(100, 300, 100)
    a, b = attrs(straddle), attrs(inside)
    wrong = attrs(inside, village_code="339901101201")
    bad_code = attrs(inside, township_code="339901102", village_code="339901101200")
    by, _ = run([(straddle, a), (inside, b), (inside, wrong), (inside, bad_code)],
                profile=_no_overlap_profile())
    f = by[a["patch_id"]][R.OUTSIDE_ADMIN][0]
    assert f.value == pytest.approx(40.0, abs=1e-6) and f.other_id == "339901101200"
    assert f.geometry.area == pytest.approx(6000, rel=1e-6)  # the part outside
    assert b["patch_id"] not in by
    assert by[wrong["patch_id"]][R.OUTSIDE_ADMIN][0].value == pytest.approx(0.0)
    assert R.OUTSIDE_ADMIN in rules_of(by, bad_code)


def test_outside_admin_threshold_configurable():
    straddle = sq(460, 300, 100)
    a = attrs(straddle)
    prof = RuleProfile.default()
    prof.set(R.OUTSIDE_ADMIN, min_share=0.3)
    by, _ = run([(straddle, a)], prof)
    assert R.OUTSIDE_ADMIN not in rules_of(by, a)


def _no_overlap_profile():
    p = RuleProfile.default()
    p.set(R.PATCH_OVERLAP, enabled=False)
    return p


def test_history_overlap_but_not_with_itself():
    g = sq(150, 600, 100)
    a = attrs(g)
    same = attrs(g, patch_id="hist-1")  # the earlier record of the same patch is not a double count
    by, _ = run([(g, a)])
    f = by[a["patch_id"]][R.HISTORY_OVERLAP][0]
    assert f.other_id == "hist-1" and f.value == pytest.approx(5000, rel=1e-3)
    by, _ = run([(g, same)])
    assert R.HISTORY_OVERLAP not in rules_of(by, same)


def test_area_mismatch_tolerance():
    g = sq(20, 300, 100)  # 10000 m2 = 15 mu: tolerance max(0.1, 0.15) = 0.15 mu
    ok = attrs(g)
    ok["area_mu"] = round(ok["area_mu"] + 0.14, 2)
    bad = attrs(g)
    bad["area_mu"] = round(bad["area_mu"] + 0.2, 2)
    bad_ha = attrs(g)
    bad_ha["area_ha"] = 1.2
    by, _ = run([(g, ok)], _no_overlap_profile())
    assert ok["patch_id"] not in by
    by, _ = run([(g, bad), (g, bad_ha)], _no_overlap_profile())
    assert by[bad["patch_id"]][R.AREA_MISMATCH][0].value == pytest.approx(0.2, abs=0.01)
    assert R.AREA_MISMATCH in rules_of(by, bad_ha)


@pytest.mark.parametrize("key,value,stage", [("species", None, "design"), ("method", "人工造林", "design"),
                                             ("survival_rate", None, "accepted"), ("village_code", "33990110120", "design"),
                                             ("area_mu", -1, "design")])
def test_attribute_faults(key, value, stage):
    g = sq(20, 300, 100)
    a = attrs(g, stage=stage, survival_rate=90.0, accept_date="2025-10-01")
    a[key] = value
    prof = _no_overlap_profile()
    prof.set(R.AREA_MISMATCH, enabled=False)
    prof.set(R.OUTSIDE_ADMIN, enabled=False)
    by, _ = run([(g, a)], prof)
    assert set(by[a["patch_id"]]) == {R.ATTRIBUTE}
    assert key in by[a["patch_id"]][R.ATTRIBUTE][0].message


def test_missing_fields_give_attribute_finding_and_geometry_rules_still_run():
    g, small = sq(20, 300, 100), sq(300, 700, 10)
    a = {"patch_id": str(uuid.uuid4()), "year": 2025}
    b = {"patch_id": str(uuid.uuid4()), "year": 2025}
    missing = [f.name for f in schema.PATCH_FIELDS if f.name not in ("patch_id", "year")]
    by, found = run([(g, a), (small, b)], missing_fields=missing)
    layer = [f for f in found if f.patch_id == "" and f.rule == R.ATTRIBUTE]
    assert len(layer) == 1 and "species" in layer[0].message
    assert R.MIN_AREA in rules_of(by, b)
    assert not [f.message for f in found if f.patch_id and f.rule == R.ATTRIBUTE]  # no per-patch noise


def test_crs_rule():
    g = sq(20, 300, 100)
    a = attrs(g)
    _by, found = run([(g, a)], layer_epsg=4326)
    assert [f.rule for f in found if f.patch_id == ""] == [R.CRS]
    _by, found = run([(g, a)], layer_epsg=4549)
    assert not [f for f in found if f.rule == R.CRS]


def test_geographic_inputs_are_projected():
    from forestry_plugin.core.checks.projection import transform_geoms

    g = sq(20, 300, 100)
    a = attrs(g)
    gg = transform_geoms([g], 4549, 4490)
    inputs = CheckInputs(patch_ids=[a["patch_id"]], patch_geoms=gg, patch_attrs=[a], epsg=4490)
    found = run_checks(inputs)
    assert found == []  # area_mismatch agrees after projection to the GK zone: same ellipsoidal area


def test_empty_inputs():
    assert run_checks(CheckInputs(patch_ids=[], patch_geoms=[], patch_attrs=[])) == []


def test_exceptions_mark_findings():
    g = sq(250, 50, 50)
    a = attrs(g)
    by, _ = run([(g, a)], exceptions=[(a["patch_id"], R.CROPLAND, "BSM1")])
    assert by[a["patch_id"]][R.CROPLAND][0].accepted
    by, _ = run([(g, a)], exceptions=[(a["patch_id"], R.CROPLAND, "BSM9")])
    assert not by[a["patch_id"]][R.CROPLAND][0].accepted


def test_progress_and_cancel():
    g = sq(20, 300, 100)
    seen = []
    inputs = CheckInputs(patch_ids=["x"], patch_geoms=[g], patch_attrs=[attrs(g, patch_id="x")])
    run_checks(inputs, progress=seen.append)
    assert seen and seen[-1] == 1.0 and all(0 <= s <= 1 for s in seen) and seen == sorted(seen)
    with pytest.raises(CheckCanceled):
        run_checks(inputs, is_canceled=lambda: True)


def test_disabled_rule_and_severity_override():
    g = sq(50, 50, 17)
    a = attrs(g)
    prof = RuleProfile.default()
    prof.set(R.MIN_AREA, severity="info")
    by, _ = run([(g, a)], prof)
    assert by[a["patch_id"]][R.MIN_AREA][0].severity == "info"
    prof.set(R.MIN_AREA, enabled=False)
    by, _ = run([(g, a)], prof)
    assert a["patch_id"] not in by


def test_many_patches_vectorized_quickly():
    import time

    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(0, 900, 2000), rng.uniform(0, 1000, 2000)
    geoms = [sq(x, y, 15) for x, y in zip(xs, ys)]
    pats = [(g, attrs(g)) for g in geoms]
    t = time.perf_counter()
    by, found = run(pats)
    assert time.perf_counter() - t < 20
    assert sum(1 for f in found if f.rule == R.PATCH_OVERLAP) % 2 == 0  # both sides of each pair
