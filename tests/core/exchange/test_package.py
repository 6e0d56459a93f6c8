"""Submission packages: template validation, export with each bundled template (read back by a clean GDAL in a
separate process), refusal of patches with check errors, import of a returned package, qgis_process."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import zipfile

import openpyxl
import pytest
from qgis.core import QgsProcessingException

from forestry_plugin import schema
from forestry_plugin.core import geopackage, importer
from forestry_plugin.core.exchange import package as pkg
from forestry_plugin.core.exchange import template as template_mod
from forestry_plugin.core.exchange.template import (
    NOT_IMPORTABLE,
    TemplateError,
    bundled_templates,
    load_template,
    names_for,
    parse_template,
)
from tests.helpers import ROOT, qgis_process

SYSTEM_PYTHON = "/usr/bin/python3"
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
BUNDLED = ("national", "provincial_plan", "provincial_design", "provincial_acceptance")

# Runs in /usr/bin/python3 with nothing of QGIS or of the plugin: what a platform's GDAL sees.
READER = r'''
import hashlib, json, os, struct, sys, tempfile, zipfile
from osgeo import ogr, osr
ogr.UseExceptions()
d = tempfile.mkdtemp()
zipfile.ZipFile(sys.argv[1]).extractall(d)
man = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
sums = {n: hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest() for n in man["files"]}
base = os.path.join(d, man["layer"])
ds = ogr.Open(base + ".shp")
lyr = ds.GetLayer(0)
defn = lyr.GetLayerDefn()
names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
rows, types = [], set()
for f in lyr:
    rows.append([f.GetField(i) for i in range(len(names))])
    g = f.GetGeometryRef()
    types.add(ogr.GeometryTypeToName(g.GetGeometryType()) if g else None)
srs = lyr.GetSpatialRef()
lyr.ResetReading()
feat0 = lyr.GetNextFeature()
first = feat0.GetGeometryRef().GetEnvelope()
out = {"names": names, "rows": rows, "types": sorted(t or "" for t in types), "sums": sums, "manifest": man,
       "cpg": open(base + ".cpg", encoding="ascii").read(), "dbf": open(base + ".dbf", "rb").read().hex(),
       "geogcs": srs.GetAttrValue("GEOGCS"), "projected": bool(srs.IsProjected()),
       "cm": srs.GetProjParm("central_meridian") if srs.IsProjected() else None, "envelope": first,
       "shape_type": struct.unpack("<i", open(base + ".shp", "rb").read()[32:36])[0],
       "zip": sorted(zipfile.ZipFile(sys.argv[1]).namelist())}
gdb = base + ".gdb"
if os.path.isdir(gdb):
    g = ogr.Open(gdb)
    out["gdb_count"] = g.GetLayer(0).GetFeatureCount()
    out["gdb_names"] = [g.GetLayer(0).GetLayerDefn().GetFieldDefn(i).GetName()
                        for i in range(g.GetLayer(0).GetLayerDefn().GetFieldCount())]
print(json.dumps(out, ensure_ascii=False))
'''

# Changes a returned package as the platform would: edits cells with OGR, re-zips. argv: zip, out zip, edits JSON
# [[feature index, column, value]], blank_ids (1: empty the id column of every feature), shift (move feature 0).
EDITOR = r'''
import json, os, sys, tempfile, zipfile
from osgeo import ogr
ogr.UseExceptions()
src, dst, edits, blank, shift = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4] == "1", float(sys.argv[5])
d = tempfile.mkdtemp()
zipfile.ZipFile(src).extractall(d)
man = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
ds = ogr.Open(os.path.join(d, man["layer"] + ".shp"), 1)
lyr = ds.GetLayer(0)
idf = json.loads(sys.argv[6])
feats = [f for f in lyr]
for k, f in enumerate(feats):
    if blank:
        f.SetField(idf, "")
    for i, col, val in edits:
        if i == k:
            f.SetField(col, val)
    if shift and k == 0:
        g2 = f.GetGeometryRef().Clone()
        for p in range(g2.GetGeometryCount()):
            part = g2.GetGeometryRef(p)
            rings = [part] if part.GetGeometryName() == "LINEARRING" else [part.GetGeometryRef(r) for r in range(part.GetGeometryCount())]
            for ring in rings:
                for n in range(ring.GetPointCount()):
                    x, y = ring.GetX(n), ring.GetY(n)
                    ring.SetPoint_2D(n, x + shift, y)
        f.SetGeometry(g2)
    lyr.SetFeature(f)
ds = None
with zipfile.ZipFile(dst, "w") as zf:
    for n in os.listdir(d):
        if os.path.isfile(os.path.join(d, n)):
            zf.write(os.path.join(d, n), n)
print(json.dumps({"n": len(feats)}))
'''


def _run(script: str, *args: str) -> dict:
    proc = subprocess.run([SYSTEM_PYTHON, "-c", script, *args], env=CLEAN_ENV, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _stages(path):
    with geopackage.connect(path) as con:
        return dict(con.execute("SELECT patch_id, stage FROM patches").fetchall())


def _add_error(path, patch_id, severity="error", rule="min_area"):
    with geopackage.connect(path) as con:
        con.execute("INSERT INTO check_issues (run_id, patch_id, rule, severity, message) VALUES (?,?,?,?,?)",
                    ("test-run", patch_id, rule, severity, "test finding"))


def _template_dict(**changes):
    with open(bundled_templates()["national"], encoding="utf-8") as fh:
        raw = json.load(fh)
    raw.update(changes)
    return raw


# -- templates -------------------------------------------------------------------------------------------------------


def test_bundled_templates_load():
    names = set(bundled_templates())
    assert set(BUNDLED) <= names
    for n in BUNDLED:
        t = load_template(n)
        assert t.fields and t.id_field and t.encoding in ("GBK", "UTF-8")
        for f in t.fields:
            assert len(f.name.encode("gbk" if t.encoding == "GBK" else "utf-8")) <= 10
    acc = load_template("provincial_acceptance")
    cols = {f.column for f in acc.import_fields}
    assert cols >= {"成活率", "验收意见"} and "核实面积" not in cols  # the area is the geometry's, never imported
    for n in BUNDLED:
        assert not {f.field for f in load_template(n).import_fields} & NOT_IMPORTABLE, n
    assert {"SHENG", "XIAN", "XIANG", "CUN", "LIN_BAN", "XIAO_BAN", "MIAN_JI", "ZAO_LIN_FS", "LIN_ZHONG", "SHU_ZHONG",
            "ZLND"} <= {f.name for f in load_template("national").fields}


def test_template_validation_errors(tmp_path):
    raw = _template_dict(crs="EPSG:999999")
    raw["fields"] = raw["fields"] + [
        {"name": "XX", "type": "string", "width": 5, "value": {"field": "no_such_field"}},
        {"name": "ZAO_LIN_FANGSHI", "type": "string", "width": 2, "value": {"field": "method"}},
        {"name": "xian", "type": "string", "width": 6, "value": {"field": "county_code"}},
        {"name": "造林方式名称", "type": "string", "width": 6, "value": {"const": "x"}},
    ]
    raw["code_tables"]["ZLFS"]["codes"]["helicopter"] = "9"
    raw["import"]["fields"].append({"column": "JD", "field": "stage"})
    with pytest.raises(TemplateError) as e:
        parse_template(raw, "bad.json")
    text = str(e.value)
    probs = e.value.problems
    assert "bad.json" in text
    assert any("no_such_field" in p and "unknown schema field" in p for p in probs), probs
    assert any("ZAO_LIN_FANGSHI" in p and "15 bytes" in p for p in probs), probs
    assert any("造林方式名称" in p and "12 bytes" in p for p in probs), probs
    assert any("xian" in p and "duplicate" in p for p in probs), probs
    assert any("helicopter" in p and "unknown code" in p for p in probs), probs
    assert any("EPSG:999999" in p for p in probs), probs
    assert any("stage" in p and "cannot be imported" in p for p in probs), probs
    with pytest.raises(TemplateError) as e:
        parse_template(_template_dict(crs="WGS84"), "crs.json")
    assert "EPSG" in str(e.value)
    # UTF-8: a Chinese character is 3 bytes, so 4 characters are too long.
    with open(bundled_templates()["provincial_plan"], encoding="utf-8") as fh:
        plan = json.load(fh)
    plan["encoding"] = "UTF-8"
    with pytest.raises(TemplateError) as e:
        parse_template(plan, "utf8.json")
    assert any("12 bytes in UTF-8" in p for p in e.value.problems)
    bad = tmp_path / "broken.json"
    bad.write_text('{"name": "x",', encoding="utf-8")
    with pytest.raises(TemplateError) as e:
        load_template(str(bad))
    assert "broken.json" in str(e.value) and "JSON" in str(e.value)
    with pytest.raises(TemplateError):
        load_template("no_such_template")


# -- export ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_export_each_bundled_template_round_trip(sample_county, tmp_path, name):
    tpl = load_template(name)
    stages = _stages(sample_county.path)
    expected = sorted(pid for pid, s in stages.items() if not tpl.stages or s in tpl.stages)
    out = str(tmp_path / f"{name}.zip")
    res = pkg.export_package(sample_county.path, name, out)
    assert res.count == len(expected) > 0
    got = _run(READER, out)
    man = got["manifest"]
    # Shapefile set, cpg, Excel and manifest in the zip; checksums of every file.
    layer = man["layer"]
    assert {layer + ext for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")} <= set(got["zip"])
    assert "manifest.json" in got["zip"] and any(n.endswith(".xlsx") for n in got["zip"])
    assert got["sums"] == {n: v["sha256"] for n, v in man["files"].items()}
    assert set(man["files"]) | {"manifest.json"} == set(got["zip"])
    assert got["cpg"] == tpl.encoding
    assert man["template"] == {"name": tpl.name, "version": tpl.version, "title": tpl.title, "file": f"{name}.json"}
    assert man["exported_by"]["username"] and man["exported_at"].endswith("Z")
    # Fields as the template names them, read by a GDAL that knows nothing of ours.
    assert got["names"] == [f.name for f in tpl.fields]
    assert len(got["rows"]) == man["count"] == len(expected)
    assert sorted(man["patch_ids"]) == expected
    assert got["shape_type"] == 5  # Shapefile polygons (multipolygons as polygons with several parts)
    assert set(got["types"]) <= {"Polygon", "Multi Polygon"}
    # Area: the template's area column, summed, is the manifest's area in mu.
    area_col = next(f for f in tpl.fields if "area" in f.value)
    k = got["names"].index(area_col.name)
    total = sum(r[k] or 0 for r in got["rows"])
    mu = total * {"mu": 1.0, "ha": 15.0, "m2": 1 / 666.6666667}[area_col.value["area"]]
    assert mu == pytest.approx(man["area_mu"], abs=0.01 * len(expected))
    with geopackage.connect(sample_county.path) as con:
        want = con.execute(f"SELECT SUM(area_mu) FROM patches WHERE patch_id IN ({','.join('?' * len(expected))})",
                           expected).fetchone()[0]
    assert man["area_mu"] == pytest.approx(want, abs=1e-3)
    # GBK: Chinese text in the .dbf is GBK bytes, and decodes back to the schema labels.
    dbf = bytes.fromhex(got["dbf"])
    if tpl.encoding == "GBK":
        label_col = next((f for f in tpl.fields if f.value.get("label") == "zh"), None)
        if label_col is not None:
            k = got["names"].index(label_col.name)
            values = {r[k] for r in got["rows"]} - {None, ""}
            assert values and values <= {c.zh for c in schema.SPECIES} | {c.zh for c in schema.METHODS}
            sample = sorted(values)[0]
            assert sample.encode("gbk") in dbf and sample.encode("utf-8") not in dbf
        for f in tpl.fields:
            if not f.name.isascii():
                assert f.name.encode("gbk") in dbf[:4000]
    # CRS of the template.
    assert "2000" in got["geogcs"]
    if tpl.crs == "EPSG:4490":
        assert not got["projected"] and 100 < got["envelope"][0] < 130
    else:
        assert got["projected"] and got["cm"] == pytest.approx(120.0)
    # Ids come back unchanged.
    k = got["names"].index(tpl.id_field)
    assert sorted(r[k] for r in got["rows"]) == expected
    if tpl.outputs["filegdb"]:
        assert got["gdb_count"] == len(expected) and got["gdb_names"][:3] == [f.name for f in tpl.fields][:3]
    # Excel: Chinese headers, a row per patch.
    with zipfile.ZipFile(out) as zf:
        xname = next(n for n in zf.namelist() if n.endswith(".xlsx"))
        zf.extract(xname, str(tmp_path))
    ws = openpyxl.load_workbook(str(tmp_path / xname)).active
    assert [c.value for c in ws[1]] == [f.zh or f.name for f in tpl.fields]
    assert ws.max_row == len(expected) + 2


def test_export_refuses_patches_with_errors(sample_county, tmp_path):
    stages = _stages(sample_county.path)
    design = sorted(pid for pid, s in stages.items() if s == "design")
    bad, warned = design[:2], design[2]
    for pid in bad:
        _add_error(sample_county.path, pid)
    _add_error(sample_county.path, warned, severity="warning", rule="sliver")
    res = pkg.export_package(sample_county.path, "provincial_design", str(tmp_path / "a.zip"))
    assert res.count == len(design) - 2 and sorted(res.excluded_with_errors) == bad
    assert warned in res.manifest["patch_ids"] and not set(bad) & set(res.manifest["patch_ids"])
    assert sorted(e["patch_id"] for e in res.manifest["excluded_with_errors"]) == bad
    assert res.manifest["included_with_errors"] == []
    res = pkg.export_package(sample_county.path, "provincial_design", str(tmp_path / "b.zip"), include_errors=True)
    assert res.count == len(design)
    assert sorted(e["patch_id"] for e in res.manifest["included_with_errors"]) == bad
    assert all(e["rules"] == ["min_area"] for e in res.manifest["included_with_errors"])
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.export_package(sample_county.path, "provincial_design", str(tmp_path / "c.zip"), patch_ids=bad)
    assert "check errors" in str(e.value)
    # An exception accepted for the finding lets the patch through.
    with geopackage.connect(sample_county.path) as con:
        con.execute("INSERT INTO accepted_exceptions (patch_id, rule, reason, status) VALUES (?, 'min_area', 'ok', "
                    "'accepted')", (bad[0],))
    res = pkg.export_package(sample_county.path, "provincial_design", str(tmp_path / "d.zip"))
    assert res.excluded_with_errors == [bad[1]]


def test_export_stage_selection_and_bad_stage(sample_county, tmp_path):
    stages = _stages(sample_county.path)
    res = pkg.export_package(sample_county.path, "national", str(tmp_path / "s.zip"), stage="accepted",
                             selection="area_mu > 20")
    with geopackage.connect(sample_county.path) as con:
        want = {r[0] for r in con.execute("SELECT patch_id FROM patches WHERE stage='accepted' AND area_mu > 20")}
    assert set(res.manifest["patch_ids"]) == want and all(stages[p] == "accepted" for p in want)
    with pytest.raises(pkg.ExchangeError):
        pkg.export_package(sample_county.path, "provincial_plan", str(tmp_path / "x.zip"), stage="accepted")
    with pytest.raises(pkg.ExchangeError):
        pkg.export_package(sample_county.path, "national", str(tmp_path / "x.zip"), selection="area_mu >")


# -- import ----------------------------------------------------------------------------------------------------------


def _returned(tmp_path, exported, edits, blank_ids=False, shift=0.0, id_field="图斑标识"):
    out = str(tmp_path / f"returned_{len(os.listdir(tmp_path))}.zip")
    _run(EDITOR, exported, out, json.dumps(edits, ensure_ascii=False), "1" if blank_ids else "0", str(shift),
         json.dumps(id_field, ensure_ascii=False))
    return out


def _patch(path, pid, *cols):
    with geopackage.connect(path) as con:
        return con.execute(f"SELECT {', '.join(cols)} FROM patches WHERE patch_id = ?", (pid,)).fetchone()


def test_import_by_id_diff_and_apply(sample_county, tmp_path):
    p = sample_county.path
    exported = str(tmp_path / "acc.zip")
    res = pkg.export_package(p, "provincial_acceptance", exported)
    ids = res.manifest["patch_ids"]
    edits = [[0, "成活率", 77.5], [1, "核实面积", 12.34], [2, "验收意见", "核实无误"], [3, "损失面积", 1.5]]
    ret = _returned(tmp_path, exported, edits)
    before = {pid: _patch(p, pid, "survival_rate", "area_mu", "remark", "revision") for pid in ids[:4]}
    report = pkg.read_returned_package(p, ret, "provincial_acceptance")
    assert report.features == len(ids) and len(report.matched) == len(ids) and not report.unmatched
    assert set(report.matched.values()) == {"id"}
    diff = {c.patch_id: [(f.field, f.old, f.new) for f in c.changes] for c in report.changes}
    # 核实面积 and 损失面积 map to nothing: the area stays the one computed from the geometry.
    assert diff == {ids[0]: [("survival_rate", before[ids[0]][0], 77.5)],
                    ids[2]: [("remark", before[ids[2]][2], "核实无误")]}
    assert any("77.5" in line for line in report.lines())
    assert _patch(p, ids[0], "survival_rate") == (before[ids[0]][0],)  # nothing written yet
    assert pkg.apply_import(p, report) == 2
    assert _patch(p, ids[0], "survival_rate", "revision") == (77.5, (before[ids[0]][3] or 0) + 1)
    assert _patch(p, ids[1], "area_mu") == (before[ids[1]][1],)
    assert _patch(p, ids[2], "remark") == ("核实无误",)
    with geopackage.connect(p) as con:  # the sync engine sees the changes
        assert {r[0] for r in con.execute("SELECT patch_id FROM sync_changes")} >= {ids[0], ids[2]}
    # Applying the same report again: the patches changed since it was read, nothing is written.
    with pytest.raises(pkg.ExchangeError):
        pkg.apply_import(p, report)
    assert not pkg.read_returned_package(p, ret, "provincial_acceptance").changes


def test_import_by_geometry_and_unmatched(sample_county, tmp_path):
    p = sample_county.path
    exported = str(tmp_path / "acc.zip")
    res = pkg.export_package(p, "provincial_acceptance", exported)
    ids = res.manifest["patch_ids"]
    ret = _returned(tmp_path, exported, [[1, "成活率", 66.0], [2, "成活率", 200.0]], blank_ids=True, shift=5000.0)
    report = pkg.import_package(p, ret, "provincial_acceptance", dry_run=True)
    assert len(report.unmatched) == 1  # feature 0 moved 5 km: no patch overlaps it by 90 %
    assert ids[0] not in report.matched and len(report.matched) == len(ids) - 1
    assert set(report.matched.values()) == {"geometry"}
    assert [(c.patch_id, c.matched_by, [(f.field, f.new) for f in c.changes]) for c in report.changes] == [
        (ids[1], "geometry", [("survival_rate", 66.0)])]
    assert any("200" in pr for pr in report.problems)  # outside 0..100: reported, not applied
    assert _patch(p, ids[1], "survival_rate") != (66.0,)  # dry run
    report = pkg.import_package(p, ret, "provincial_acceptance")
    assert report.applied and _patch(p, ids[1], "survival_rate") == (66.0,)


def test_import_is_one_transaction(sample_county, tmp_path, monkeypatch):
    p = sample_county.path
    exported = str(tmp_path / "acc.zip")
    ids = pkg.export_package(p, "provincial_acceptance", exported).manifest["patch_ids"]
    ret = _returned(tmp_path, exported, [[0, "成活率", 55.5], [1, "成活率", 56.5], [2, "成活率", 57.5]])
    report = pkg.read_returned_package(p, ret, "provincial_acceptance")
    assert len(report.changes) == 3
    before = [_patch(p, pid, "survival_rate", "revision", "updated_at") for pid in ids[:3]]
    real, calls = pkg._apply_patch, []

    def failing(con, change, now):
        calls.append(change.patch_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(con, change, now)

    monkeypatch.setattr(pkg, "_apply_patch", failing)
    with pytest.raises(RuntimeError):
        pkg.apply_import(p, report)
    assert len(calls) == 2
    assert [_patch(p, pid, "survival_rate", "revision", "updated_at") for pid in ids[:3]] == before
    assert not report.applied
    monkeypatch.setattr(pkg, "_apply_patch", real)
    assert pkg.apply_import(p, report) == 3
    assert [_patch(p, pid, "survival_rate")[0] for pid in ids[:3]] == [55.5, 56.5, 57.5]


# -- hardening: what a returned package, a template or a county name may not do -----------------------------------


def test_template_refuses_importing_auto_filled_fields():
    for fname in ("area_mu", "area_ha", "county_code", "township_code", "prev_dlbm"):
        raw = _template_dict()
        raw["import"]["fields"].append({"column": "X1", "field": fname})
        with pytest.raises(TemplateError) as e:
            parse_template(raw, "auto.json")
        assert any(fname in p and "filled in by the plugin" in p for p in e.value.problems), e.value.problems
    with open(bundled_templates()["provincial_acceptance"], encoding="utf-8") as fh:
        acc = json.load(fh)
    acc["import"]["fields"].append({"column": "核实面积", "field": "area_mu", "unit": "mu", "decimals": 2})
    with pytest.raises(TemplateError) as e:
        parse_template(acc, "old_acceptance.json")
    assert any("area_mu" in p for p in e.value.problems)


def test_template_refuses_format_specs_and_conversions():
    for key, text in (("package_name", "{county}_{year:>999999999}"), ("layer_name", "{county!r}_{year}"),
                      ("package_name", "{county:{year}}"), ("layer_name", "..{county}")):
        with pytest.raises(TemplateError) as e:
            parse_template(_template_dict(**{key: text}), "spec.json")
        assert any(key in p for p in e.value.problems), e.value.problems
    raw = _template_dict()
    raw["fields"][0] = dict(raw["fields"][0], value={"format": "{remark:>999999999}"})
    with pytest.raises(TemplateError) as e:
        parse_template(raw, "spec.json")
    assert any("format or conversion" in p for p in e.value.problems), e.value.problems
    # A Template built without validation: names_for still refuses the spec (and builds nothing big).
    tpl = dataclasses.replace(load_template("national"), package_name="{year:>999999999}")
    with pytest.raises(TemplateError):
        names_for(tpl, {"year": "2024"})


def test_names_for_sanitizes_substituted_values(sample_county, tmp_path, monkeypatch):
    tpl = dataclasses.replace(load_template("national"), package_name="{county_name}_{year}",
                              layer_name="{county_name}{county}")
    pkg_name, layer = names_for(tpl, {"county_name": "../../evil\\x\x00\n", "county": "/..", "year": "2024"})
    for name in (pkg_name, layer):
        assert "/" not in name and "\\" not in name and ".." not in name
        assert not any(ord(c) < 32 for c in name)
    assert names_for(tpl, {"county_name": "..", "county": "..", "year": ""}) == ("___", "____")
    # Through an export: the county name of the working copy cannot write outside the work folder or the zip.
    real = pkg.geopackage.verify_working_copy

    def settings(path):
        out = dict(real(path))
        out["county_name"] = "../../../escaped/县"
        return out

    monkeypatch.setattr(pkg.geopackage, "verify_working_copy", settings)
    out = tmp_path / "out" / "p.zip"
    res = pkg.export_package(sample_county.path, tpl, str(out))
    names = zipfile.ZipFile(str(out)).namelist()
    layer = res.manifest["layer"]
    assert "/" not in layer and ".." not in layer
    assert all(".." not in n.split("/") and not n.startswith("/") for n in names), names
    assert {n.split("/")[0] for n in names} <= {layer + e for e in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".gdb")} | {
        res.manifest["package"] + ".xlsx", "manifest.json"}, names
    assert not (tmp_path / "escaped").exists() and not os.path.exists(os.path.join(os.path.dirname(ROOT), "escaped"))


def _vrt_package(tmp_path, exported):
    """A returned package whose .shp is really an OGR VRT reading a local SQLite file."""
    secret = tmp_path / "secret.sqlite"
    con = sqlite3.connect(str(secret))
    con.execute("CREATE TABLE secret (val TEXT)")
    con.execute("INSERT INTO secret VALUES ('password')")
    con.commit()
    con.close()
    vrt = (f'<OGRVRTDataSource><OGRVRTLayer name="secret"><SrcDataSource>{secret}</SrcDataSource>'
           '<SrcLayer>secret</SrcLayer></OGRVRTLayer></OGRVRTDataSource>')
    out = tmp_path / "vrt_returned.zip"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(str(out), "w") as dst:
        layer = json.loads(src.read("manifest.json"))["layer"]
        dst.writestr("manifest.json", src.read("manifest.json"))
        dst.writestr(layer + ".shp", vrt)
    return str(out), str(secret), vrt


def test_import_refuses_vrt_disguised_as_shapefile(sample_county, tmp_path, monkeypatch):
    from osgeo import gdal

    p = sample_county.path
    exported = str(tmp_path / "acc.zip")
    pkg.export_package(p, "provincial_acceptance", exported)
    ret, secret, vrt = _vrt_package(tmp_path, exported)
    plain = tmp_path / "plain_vrt.shp"
    plain.write_text(vrt, encoding="utf-8")
    ds = gdal.OpenEx(str(plain), gdal.OF_VECTOR)  # the threat: any driver would read the SQLite file
    assert ds is not None and ds.GetDriver().ShortName == "OGR_VRT"
    ds = None
    read = []
    monkeypatch.setattr(pkg.geopackage, "_read_field", lambda *a: read.append(a))
    for package in (ret, str(plain)):
        with pytest.raises(pkg.ExchangeError) as e:
            pkg.read_returned_package(p, package, "provincial_acceptance")
        assert "VRT" in str(e.value) and "nothing was read" in str(e.value), str(e.value)
    assert read == []  # not one value was read
    # Anything other than a zip, a folder, a .shp or a .gdb is refused before GDAL sees it.
    other = tmp_path / "returned.vrt"
    other.write_text(vrt, encoding="utf-8")
    for bad in (str(other), "/vsicurl/http://example.invalid/p.zip", "https://example.invalid/p.zip",
                "/vsizip/" + exported):
        with pytest.raises(pkg.ExchangeError):
            pkg.read_returned_package(p, bad, "provincial_acceptance")
    assert read == []


def test_import_zip_limits(sample_county, tmp_path, monkeypatch):
    p = sample_county.path
    exported = str(tmp_path / "acc.zip")
    pkg.export_package(p, "provincial_acceptance", exported)
    unsafe = tmp_path / "unsafe.zip"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(str(unsafe), "w") as dst:
        for n in src.namelist():
            dst.writestr(n, src.read(n))
        dst.writestr("../../outside.txt", "x")
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.read_returned_package(p, str(unsafe), "provincial_acceptance")
    assert "unsafe" in str(e.value)
    assert not (tmp_path / "outside.txt").exists()
    monkeypatch.setattr(importer, "MAX_ZIP_MEMBERS", 2)
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.read_returned_package(p, exported, "provincial_acceptance")
    assert "more than the 2 allowed" in str(e.value)
    monkeypatch.setattr(importer, "MAX_ZIP_MEMBERS", 10000)
    monkeypatch.setattr(importer, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.read_returned_package(p, exported, "provincial_acceptance")
    assert "unpack" in str(e.value)
    monkeypatch.setattr(importer, "MAX_UNPACKED_BYTES", 200 * importer.MB)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(str(bomb), "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * (3 * importer.MB))
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.read_returned_package(p, str(bomb), "provincial_acceptance")
    assert "zip bomb" in str(e.value)
    assert pkg.read_returned_package(p, exported, "provincial_acceptance").features > 0  # within the limits


def test_no_global_gdal_state(sample_county, tmp_path):
    from osgeo import gdal

    for mod in (pkg, template_mod):
        with open(mod.__file__, encoding="utf-8") as fh:
            code = "\n".join(line.split("#")[0] for line in fh)
        assert "UseExceptions()" not in code and "SetConfigOption(" not in code.replace("ThreadLocalConfigOption(", "")
    old = gdal.GetConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", "")  # as QGIS's OGR provider sets it
    gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", None)
    try:
        out = str(tmp_path / "n.zip")
        res = pkg.export_package(sample_county.path, "provincial_acceptance", out)
        assert gdal.GetConfigOption("SHAPE_ENCODING") == ""
        assert gdal.GetThreadLocalConfigOption("SHAPE_ENCODING", None) is None
        gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", "LATIN1")
        pkg.read_returned_package(sample_county.path, out, "provincial_acceptance")
        assert gdal.GetThreadLocalConfigOption("SHAPE_ENCODING", None) == "LATIN1"  # restored
    finally:
        gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", None)
        gdal.SetConfigOption("SHAPE_ENCODING", old)
    with zipfile.ZipFile(out) as zf:
        dbf = zf.read(res.manifest["layer"] + ".dbf")
    assert "图斑标识".encode("gbk") in dbf  # recoded to GBK although the global option says "no recoding"


def test_xlsx_formula_text_stays_text(sample_county, tmp_path):
    p = sample_county.path
    tpl = load_template("provincial_acceptance")
    ids = sorted(pid for pid, s in _stages(p).items() if s in tpl.stages)[:4]
    evil = ['=HYPERLINK("http://evil.example/x","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)"]
    with geopackage.connect(p) as con:
        for pid, text in zip(ids, evil):
            con.execute("UPDATE patches SET remark = ? WHERE patch_id = ?", (text, pid))
    out = str(tmp_path / "x.zip")
    pkg.export_package(p, tpl, out, patch_ids=ids)
    with zipfile.ZipFile(out) as zf:
        xname = next(n for n in zf.namelist() if n.endswith(".xlsx"))
        zf.extract(xname, str(tmp_path))
    ws = openpyxl.load_workbook(str(tmp_path / xname)).active
    col = [c.value for c in ws[2]].index("验收意见") + 1
    cells = {ws.cell(r, col).value: ws.cell(r, col) for r in range(3, ws.max_row + 1)}
    for text in evil:
        assert text in cells, (text, list(cells))
        assert cells[text].data_type == "s", text  # a text, never a formula
    assert "<f>" not in zipfile.ZipFile(str(tmp_path / xname)).read("xl/worksheets/sheet1.xml").decode("utf-8")


# -- Processing ------------------------------------------------------------------------------------------------------


def test_processing_export_and_import(provider, sample_county, tmp_path):
    import processing

    p = sample_county.path
    out = str(tmp_path / "n.zip")
    res = processing.run("forestry:exportpackage", {"WORKING_COPY": p, "TEMPLATE": "provincial_acceptance",
                                                    "OUTPUT": out, "SELECTION": "area_mu > 10"})
    assert res["OUTPUT"] == out and res["COUNT"] > 0 and json.loads(res["MANIFEST"])["count"] == res["COUNT"]
    ret = _returned(tmp_path, out, [[0, "成活率", 88.0]])
    rep = str(tmp_path / "changes.json")
    res = processing.run("forestry:importpackage", {"WORKING_COPY": p, "PACKAGE": ret,
                                                    "TEMPLATE": "provincial_acceptance", "DRY_RUN": True,
                                                    "REPORT": rep})
    assert res["CHANGED"] == 1 and res["UNMATCHED"] == 0
    doc = json.load(open(rep, encoding="utf-8"))
    assert doc["changes"][0]["changes"][0]["field"] == "survival_rate" and doc["changes"][0]["changes"][0]["new"] == 88
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:exportpackage", {"WORKING_COPY": p, "TEMPLATE": "nope", "OUTPUT": out})
    assert "bundled" in str(e.value)


@pytest.mark.skipif(not qgis_process.available(), reason="qgis_process.bin not installed")
def test_qgis_process_export(sample_county, tmp_path):
    env, _root = qgis_process.profile_with_plugin(tmp_path)
    out = str(tmp_path / "qp.zip")
    proc = qgis_process.run(env, "forestry:exportpackage", {"WORKING_COPY": sample_county.path, "TEMPLATE": "national",
                                                            "OUTPUT": out, "STAGE": "design"}, as_json=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout[proc.stdout.index("{"):])
    n = sum(1 for s in _stages(sample_county.path).values() if s == "design")
    assert doc["results"]["OUTPUT"] == out and doc["results"]["COUNT"] == n
    got = _run(READER, out)
    assert len(got["rows"]) == n and got["cpg"] == "GBK" and got["sums"] == {
        k: v["sha256"] for k, v in got["manifest"]["files"].items()}


@pytest.mark.parametrize("full", ["work", "output"])
def test_a_full_disk_exports_nothing_and_says_so(sample_county, tmp_path, monkeypatch, full_disk, full):
    """The Shapefile written in a full temporary folder, or the zip in a full output folder: a clear error, no
    package and no half-written zip (GDAL's own text was all the user got, or a .part file was left)."""
    import tempfile

    out = full_disk / "p.zip" if full == "output" else tmp_path / "p.zip"
    if full == "work":
        monkeypatch.setattr(tempfile, "tempdir", str(full_disk))
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.export_package(sample_county.path, "national", str(out))
    if full == "work":  # the temporary folder is named: the output's folder has room
        assert str(e.value) == (f"Could not write the package {out}: in the temporary folder {full_disk}, where its "
                                "files are made first: the disk is full. Nothing was exported."), str(e.value)
    else:
        assert str(e.value) == f"Could not write {out}: the disk is full. Nothing was saved.", str(e.value)
    assert not out.exists() and os.listdir(full_disk) == []


@pytest.mark.parametrize("full_disk", ["4m"], indirect=True)  # room for a package once the filler goes
def test_a_failed_export_keeps_the_package_there_and_its_permissions(sample_county, full_disk):
    """The zip goes through output_file.atomic_output: an earlier package of that name stays as it was (its own
    '.part' scheme removed any p.zip.part, its own or not, and a new package lost the old one's permissions)."""
    import stat

    from tests.helpers.disk import fill, outputs

    out = full_disk / "p.zip"
    out.write_bytes(b"the package sent last week")
    os.chmod(out, 0o640)
    someone_elses = full_disk / "p.zip.part"
    someone_elses.write_bytes(b"not the export's")
    fill(full_disk)
    with pytest.raises(pkg.ExchangeError) as e:
        pkg.export_package(sample_county.path, "national", str(out))
    assert str(e.value) == f"Could not write {out}: the disk is full. The file that was there is unchanged."
    assert out.read_bytes() == b"the package sent last week" and outputs(full_disk) == ["p.zip", "p.zip.part"]
    os.remove(os.path.join(full_disk, "filler.bin"))
    res = pkg.export_package(sample_county.path, "national", str(out))
    assert res.path == str(out) and stat.S_IMODE(os.stat(out).st_mode) == 0o640 and out.read_bytes()[:2] == b"PK"
    assert outputs(full_disk) == ["p.zip", "p.zip.part"] and someone_elses.read_bytes() == b"not the export's"
