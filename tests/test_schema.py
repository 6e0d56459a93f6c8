"""The schema is the single source of truth: its lists and fields must be consistent."""

import math

import pytest

from forestry_plugin import schema


def test_units():
    assert schema.M2_PER_MU == pytest.approx(666.6666667)
    assert schema.m2_to_mu(10000) == pytest.approx(15.0)  # 1 ha = 15 mu
    assert schema.m2_to_ha(10000) == 1.0
    assert schema.mu_to_m2(3) == pytest.approx(2000.0)


def test_code_lists_are_unique_and_labelled():
    for cl in schema.CODE_LISTS.values():
        codes = cl.values()
        assert len(codes) == len(set(codes)), cl.name
        for c in cl:
            assert c.zh and c.en and c.code, (cl.name, c)
        assert len(cl.value_map("zh")) == len(codes), f"duplicate labels in {cl.name}"


def test_domain_codes_present():
    assert schema.STAGES.values() == ["design", "accepted", "included", "confirmed", "county_checked",
                                      "city_verified", "province_verified"]
    for code in ("0101", "0102", "0103", "0301", "0302", "0305", "0307", "0404", "0702", "1101", "1206"):
        assert code in schema.LAND_CLASSES
    assert schema.LAND_CLASSES.label("0301") == "乔木林地"
    assert {c.zh for c in schema.METHODS} == {"人工造林", "飞播造林", "封山育林", "退化林修复", "人工更新"}
    assert {c.zh for c in schema.REJECTION_REASONS} == {"未实施", "重复上报", "绿化方式与设计不符", "位置范围与设计不符",
                                                        "未按设计施工", "成活率不合格", "其他"}
    assert schema.CROPLAND_CLASSES == {"0101", "0102", "0103"}
    assert "0702" in schema.BUILTUP_CLASSES and "0301" not in schema.BUILTUP_CLASSES
    assert "1101" in schema.WATER_CLASSES


def test_fields_reference_existing_code_lists_and_are_unique():
    for ld in schema.LAYERS:
        names = [f.name for f in ld.fields]
        assert len(names) == len(set(names)), ld.name
        for f in ld.fields:
            assert f.type in (schema.STRING, schema.INTEGER, schema.REAL, schema.DATE, schema.DATETIME, schema.BOOLEAN)
            if f.code_list:
                assert f.code_list in schema.CODE_LISTS, (ld.name, f.name)
            if f.required_from:
                assert f.required_from in schema.STAGE_ORDER


def test_required_fields_grow_with_stage():
    design = {f.name for f in schema.required_fields_for_stage("design")}
    accepted = {f.name for f in schema.required_fields_for_stage("accepted")}
    assert {"patch_id", "county_code", "village_code", "stage", "area_mu"} <= design
    assert accepted - design == {"survival_rate", "accept_date"}


def test_cgcs2000_codes():
    for code in (4490, 4527, 4528, 4529, 4548, 4549, 4550):
        assert code in schema.CGCS2000_EPSG_CODES
    for code in (4326, 3857, 32650, 4214):
        assert code not in schema.CGCS2000_EPSG_CODES
    assert math.isclose(schema.MU_PER_HA, 15.0)
