"""The sample county is deterministic, realistic and carries a labelled fault of every kind."""

import hashlib
import json
import re
from collections import Counter

import numpy as np
import pytest
import shapely
from osgeo import ogr

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.sample_county import COUNTY_CODE, PATCH_RULES, generate_sample_county


def _load(path, table, fields=None):
    rows = geopackage.read_features(path, table, fields)
    return [a for _f, a, _g in rows], np.array([shapely.from_wkb(g) if g else None for _f, _a, g in rows], dtype=object)


def _digest(path):
    h = hashlib.sha256()
    for table in (schema.PATCHES, schema.BASEMAP, schema.ADMIN, schema.HISTORY, schema.FARMLAND, schema.TASKS):
        for _fid, attrs, wkb in geopackage.read_features(path, table):
            h.update(json.dumps(attrs, sort_keys=True, default=str).encode())
            h.update(wkb or b"")
    return h.hexdigest()


def test_deterministic(tmp_path, sample_county_master):
    again = generate_sample_county(str(tmp_path / "again.gpkg"), seed=2025)
    assert _digest(again.path) == _digest(sample_county_master.path)
    assert again.faults == sample_county_master.faults
    other = generate_sample_county(str(tmp_path / "other.gpkg"), seed=7)
    assert _digest(other.path) != _digest(sample_county_master.path)


def test_basemap_is_a_gap_free_coverage(sample_county_master):
    attrs, geoms = _load(sample_county_master.path, schema.BASEMAP)
    admin, ageoms = _load(sample_county_master.path, schema.ADMIN)
    county = ageoms[[a["level"] == "county" for a in admin].index(True)]
    areas = shapely.area(geoms)
    union = shapely.union_all(geoms)
    # No gaps: the parcels cover the county; no overlaps: their areas add up to the union's.
    assert union.area == pytest.approx(county.area, rel=1e-6)
    assert areas.sum() == pytest.approx(union.area, rel=1e-6)
    assert all(shapely.is_valid(geoms))
    assert areas.min() >= 2000 and areas.max() >= 200000  # a few thousand to a few hundred thousand m2
    assert len(geoms) > 3000
    classes = Counter(a["DLBM"] for a in attrs)
    for code in ("0101", "0103", "0301", "0302", "0404", "0702", "1101"):
        assert classes[code] > 0, code
    for a in attrs:
        assert a["DLBM"] in schema.LAND_CLASSES
        assert a["DLMC"] == schema.LAND_CLASSES.label(a["DLBM"])
        assert re.fullmatch(r"339901\d{6}0{7}", a["ZLDWDM"])


def test_admin_codes_follow_gbt2260(sample_county_master):
    admin, geoms = _load(sample_county_master.path, schema.ADMIN)
    by_level = Counter(a["level"] for a in admin)
    assert by_level["county"] == 1 and by_level["township"] == 7 and by_level["village"] >= 28
    for a in admin:
        if a["level"] == "township":
            assert re.fullmatch(r"339901\d{3}", a["code"]) and a["parent_code"] == COUNTY_CODE
            assert 1 <= int(a["code"][6:]) <= 399
        if a["level"] == "village":
            assert re.fullmatch(r"339901\d{6}", a["code"]) and a["code"][:9] == a["parent_code"]
    # Villages tile their township.
    towns = {a["code"]: g for a, g in zip(admin, geoms) if a["level"] == "township"}
    for code, tg in towns.items():
        vs = [g for a, g in zip(admin, geoms) if a["level"] == "village" and a["parent_code"] == code]
        assert shapely.union_all(vs).area == pytest.approx(tg.area, rel=1e-6)


def test_every_rule_has_labelled_faults(sample_county_master):
    sc = sample_county_master
    counts = Counter(r for rules in sc.faults.values() for r in rules)
    for rule in PATCH_RULES:
        assert counts[rule] >= 2, rule
    assert sc.layer_faults and list(sc.layer_faults.values()) == [["crs"]]
    manifest = json.load(open(sc.manifest_path, encoding="utf-8"))
    assert manifest["patch_faults"] == sc.faults and set(manifest["clean"]) == set(sc.clean_ids)
    attrs, _g = _load(sc.path, schema.PATCHES)
    ids = {a["patch_id"] for a in attrs}
    assert set(sc.faults) <= ids and set(sc.clean_ids) | set(sc.faults) == ids
    assert len(sc.clean_ids) >= 150


def test_wrong_crs_copy_is_not_cgcs2000(sample_county_master, tmp_path):
    import os

    (name,) = sample_county_master.layer_faults
    ds = ogr.Open(os.path.join(os.path.dirname(sample_county_master.path), name))
    srs = ds.GetLayer(0).GetSpatialRef()
    assert srs.GetAuthorityCode(None) == "4326"


def test_clean_patches_are_clean_by_construction(sample_county_master):
    """Independent of the check engine: clean patches sit inside one plantable parcel and one village, are big
    enough, compact, valid, do not overlap anything, and their attribute area matches."""
    sc = sample_county_master
    attrs, geoms = _load(sc.path, schema.PATCHES)
    battrs, bgeoms = _load(sc.path, schema.BASEMAP)
    admin, ageoms = _load(sc.path, schema.ADMIN)
    _h, hgeoms = _load(sc.path, schema.HISTORY)
    _f, fgeoms = _load(sc.path, schema.FARMLAND)
    villages = {a["code"]: g for a, g in zip(admin, ageoms) if a["level"] == "village"}
    tree = shapely.STRtree(bgeoms)
    clean = [i for i, a in enumerate(attrs) if a["patch_id"] in set(sc.clean_ids)]
    for i in clean:
        a, g = attrs[i], geoms[i]
        assert g.is_valid and g.area > 1000
        assert 4 * np.pi * g.area / g.length ** 2 > 0.3
        hits = tree.query(g, predicate="intersects")
        assert len(hits) == 1, a["patch_id"]
        assert villages[a["village_code"]].contains(g)
        assert a["township_code"] == a["village_code"][:9] and a["county_code"] == COUNTY_CODE
        assert a["prev_dlbm"] == battrs[hits[0]]["DLBM"]
        assert a["method"] in schema.METHODS and a["species"] in schema.SPECIES
        for f in schema.required_fields_for_stage(a["stage"]):
            assert a[f.name] is not None, (f.name, a["stage"])
    others = shapely.STRtree(geoms)
    for i in clean:
        assert {int(j) for j in others.query(geoms[i], predicate="intersects")} == {i}
        assert not shapely.intersects(geoms[i], hgeoms).any()
        assert not shapely.intersects(geoms[i], fgeoms).any()


def test_tasks_cover_county_and_townships(sample_county_master):
    rows = [a for _f, a, _g in geopackage.read_features(sample_county_master.path, schema.TASKS)]
    assert {r["unit_level"] for r in rows} == {"county", "township"}
    county = [r for r in rows if r["unit_level"] == "county"][0]
    assert county["quota_mu"] == pytest.approx(sum(r["quota_mu"] for r in rows if r["unit_level"] == "township"))


def test_createworkingcopy_sample_on_a_full_disk_leaves_nothing_and_says_so(provider, full_disk):
    """forestry:createworkingcopy with Sample county on a full disk: it used to end in SQLite's traceback
    ('database or disk is full') with a half-written GeoPackage left at the path."""
    import processing
    from qgis.core import QgsProcessingException

    from tests.helpers.disk import outputs

    out = full_disk / "sample.gpkg"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:createworkingcopy", {"OUTPUT": str(out), "CRS": "EPSG:4549", "SAMPLE": True})
    text = str(e.value)
    assert text == f"Could not write {out}: the disk is full. Nothing was saved.", text
    assert outputs(full_disk) == []  # no GeoPackage, no fault manifest, no scratch folder


@pytest.mark.parametrize("fails", ["sample.gpkg", "sample_wgs84.gpkg"])
def test_a_failed_move_into_place_keeps_the_copy_there_with_its_side_files(tmp_path, monkeypatch, fails):
    """The fault manifest and the WGS 84 copy were moved into place before the GeoPackage: when its move failed the
    folder held the new side files beside the old copy, while the message said it was unchanged."""
    import os

    from forestry_plugin.core import sample_county as sc_mod
    from forestry_plugin.core.output_file import OutputFileError

    out = tmp_path / "sample.gpkg"
    old = {"sample.gpkg": b"old copy", "sample.faults.json": b"old manifest", "sample_wgs84.gpkg": b"old wgs84",
           "sample.gpkg-wal": b"old journal"}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)

    def generate(path, **_kw):
        stem = os.path.splitext(path)[0]
        for p in (path, stem + ".faults.json", stem + "_wgs84.gpkg"):
            with open(p, "wb") as fh:
                fh.write(b"new")
        return sc_mod.SampleCounty(path=path, faults={}, layer_faults={}, clean_ids=[], patch_count=0,
                                   basemap_count=0, year=2025, manifest_path=stem + ".faults.json")

    real_replace = os.replace

    def replace(src, dst):
        if os.path.basename(str(dst)) == fails and ".sample-county-" in str(src) and ".aside" not in str(src):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(sc_mod, "generate_sample_county", generate)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputFileError) as e:
        sc_mod.write_sample_county(str(out))
    monkeypatch.undo()
    assert str(e.value) == f"Could not write {out}: the disk is full. The file that was there is unchanged."
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old  # the old copy and its side files, as they were


def test_a_sample_county_moved_into_place_replaces_its_side_files(tmp_path, monkeypatch):
    import os

    from forestry_plugin.core import sample_county as sc_mod

    out = tmp_path / "sample.gpkg"
    for name in ("sample.gpkg", "sample.faults.json", "sample_wgs84.gpkg", "sample.gpkg-wal", "sample.gpkg-shm"):
        (tmp_path / name).write_bytes(b"old")

    def generate(path, **_kw):
        stem = os.path.splitext(path)[0]
        for p in (path, stem + ".faults.json", stem + "_wgs84.gpkg"):
            with open(p, "wb") as fh:
                fh.write(b"new")
        return sc_mod.SampleCounty(path=path, faults={}, layer_faults={}, clean_ids=[], patch_count=0,
                                   basemap_count=0, year=2025, manifest_path=stem + ".faults.json")

    monkeypatch.setattr(sc_mod, "generate_sample_county", generate)
    sc = sc_mod.write_sample_county(str(out))
    assert sc.path == str(out) and sc.manifest_path == str(tmp_path / "sample.faults.json")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "sample.gpkg": b"new", "sample.faults.json": b"new", "sample_wgs84.gpkg": b"new"}  # the old journal is gone
