"""forestry:transition Processing algorithm: batch all-or-nothing, returns, report outputs, edit-buffer guard."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from tests.helpers.working_copies import add_issue, audit_rows, log_in_as, make_patches, new_copy, stage_of


@pytest.fixture()
def wc(tmp_path, qgis_app):
    return new_copy(tmp_path, "wf.gpkg")


def _layer(path):
    layer = QgsVectorLayer(geopackage.layer_uri(path, schema.PATCHES), "patches", "ogr")
    assert layer.isValid()
    return layer


def _params(layer, **kw):
    p = {"PATCHES": layer, "SELECTION": "stage = 'accepted'", "TARGET": schema.STAGES.values().index("confirmed"),
         "COMMENT": "", "OUTPUT": "memory:"}
    p.update(kw)
    return p


def test_transition_algorithm_batch(provider, wc, tmp_path):
    import processing

    patches = make_patches(wc, ["accepted", "accepted", "accepted", "design"])
    add_issue(wc, patches[1]["patch_id"])
    layer = _layer(wc)
    report = str(tmp_path / "report.json")
    # no login: a local technician may not confirm (the role is not a parameter any more)
    res = processing.run("forestry:transition", _params(layer, REPORT=report))
    assert (res["APPLIED"], res["REFUSED"]) == (False, 3)
    log_in_as(wc, "county_reviewer")
    res = processing.run("forestry:transition", _params(layer, REPORT=report))
    assert (res["APPLIED"], res["TOTAL"], res["CHANGED"], res["REFUSED"]) == (False, 3, 0, 1)
    out = res["OUTPUT"]
    out = out if isinstance(out, QgsVectorLayer) else processing.QgsProcessingUtils.mapLayerFromString(out, None)
    rows = {f["patch_id"]: (f["status"], f["refusal_codes"]) for f in out.getFeatures()}
    assert rows[patches[1]["patch_id"]] == ("refused", "open_error")
    assert rows[patches[0]["patch_id"]] == ("unchanged", "")
    with open(report, encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["refused"] == 1 and data["applied"] is False and len(data["results"]) == 3
    assert all(stage_of(wc, p["patch_id"])[0] == "accepted" for p in patches[:3])
    # exclude the faulty patch: the rest goes through, audited with the given user
    res = processing.run("forestry:transition", _params(
        layer, SELECTION="stage = 'accepted' AND patch_id <> '{}'".format(patches[1]["patch_id"])))
    assert (res["APPLIED"], res["CHANGED"], res["REFUSED"]) == (True, 2, 0)
    assert [r[4] for r in audit_rows(wc)] == ["proc-user", "proc-user"]
    assert layer.getFeature(1)["stage"] == "confirmed"  # the layer was reloaded


def test_transition_algorithm_return_and_errors(provider, wc):
    import processing

    (p,) = make_patches(wc, ["county_checked"])
    layer = _layer(wc)
    target = schema.STAGES.values().index("accepted")
    log_in_as(wc, "city_reviewer")
    # no reason: refused
    res = processing.run("forestry:transition", _params(layer, SELECTION="", TARGET=target))
    assert res["REFUSED"] == 1 and not res["APPLIED"]
    reason = schema.REJECTION_REASONS.values().index("location_mismatch")
    res = processing.run("forestry:transition", _params(layer, SELECTION="", TARGET=target,
                                                        REASON=reason, COMMENT="redraw the east edge"))
    assert res["APPLIED"] and stage_of(wc, p["patch_id"]) == ("accepted", 2)
    assert audit_rows(wc)[0][1:8] == ("return", "county_checked", "accepted", "proc-user", "city_reviewer",
                                      "location_mismatch", "redraw the east edge")
    with pytest.raises(QgsProcessingException, match="expression"):
        processing.run("forestry:transition", _params(layer, SELECTION="stage = = 'x'"))
    # unsaved edits in the layer: refused, buffer untouched
    layer.startEditing()
    layer.changeAttributeValue(1, layer.fields().indexFromName("remark"), "draft")
    with pytest.raises(QgsProcessingException, match="unsaved edits"):
        processing.run("forestry:transition", _params(layer, SELECTION=""))
    assert layer.isModified()
    layer.rollBack()
    other = QgsVectorLayer(geopackage.layer_uri(wc, schema.AUDIT), "audit", "ogr")
    with pytest.raises(QgsProcessingException, match="patches layer"):
        processing.run("forestry:transition", _params(other, SELECTION=""))


# -- a full disk: the stage change is made, and the message says the report is what is missing ----------------------


def _moved(provider, wc, n=3):
    patches = make_patches(wc, ["accepted"] * n)
    log_in_as(wc, "county_reviewer")
    return patches, _layer(wc)


@pytest.mark.parametrize("earlier", [False, True])
def test_a_full_disk_says_the_stage_change_was_made_and_its_json_report_not_saved(provider, wc, full_disk, earlier):
    """It used to end in a traceback ('OSError: [Errno 28] No space left on device') with an empty report.json,
    then in '... moved to ...: Could not write ...: the disk is full. Nothing was saved.' (the change was made)."""
    import processing

    from tests.helpers.disk import fill, outputs

    patches, layer = _moved(provider, wc)
    out = full_disk / "report.json"
    if earlier:
        out.write_text("{}", encoding="utf-8")
    fill(full_disk)
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:transition", _params(layer, REPORT=str(out)))
    text = str(e.value)
    assert text.startswith("3 patch(es) moved to") and "Traceback" not in text, text
    assert text.endswith(f"Its report {out} was not saved: the disk is full."
                         + (" The file that was there is unchanged." if earlier else "")), text
    assert "Nothing was saved" not in text and "Could not write" not in text, text
    assert all(stage_of(wc, p["patch_id"])[0] == "confirmed" for p in patches)  # done, as the message says
    assert outputs(full_disk) == (["report.json"] if earlier else [])
    if earlier:
        assert out.read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("name", ["report.geojson", "report.csv"])
def test_a_full_disk_leaves_no_per_patch_report_missing_rows(provider, wc, full_disk, name):
    """The per-patch report as a file: its writer learns only at closing that the disk is full and QGIS 3.22 says
    nothing (the run used to end well, with a file missing its rows)."""
    import processing

    from tests.helpers.disk import fill, outputs

    patches, layer = _moved(provider, wc, 40)
    out = full_disk / name
    fill(full_disk)
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:transition", _params(layer, OUTPUT=str(out)))
    text = str(e.value)
    assert text.startswith("40 patch(es) moved to") and text.endswith(f"Its report {out} was not saved: 0 of 40 rows "
                                                                      "are in it (is the disk full?)."), text
    assert outputs(full_disk) == []


@pytest.mark.parametrize("name", ["per_patch.xlsx", "per_patch.shp", "per_patch.ods", "per_patch.sqlite",
                                  "per_patch.fgb", "per_patch.gpkg"])
def test_a_per_patch_report_on_a_healthy_disk_is_kept(provider, wc, tmp_path, name):
    """Read back, a text-only XLSX counts its header as a row (OGR's default), a Shapefile without geometry is only
    a .dbf (the .shp path counts 0), a SQLite table without geometry is listed by no layer, FlatGeobuf drops rows
    without geometry: none is a short file on a full disk, and the run used to fail and delete the good output."""
    import processing
    from osgeo import gdal, ogr

    patches, layer = _moved(provider, wc)
    out = tmp_path / name
    res = processing.run("forestry:transition", _params(layer, OUTPUT=str(out)))
    assert res["APPLIED"] and res["CHANGED"] == 3
    kept = out if out.exists() else out.with_suffix(".dbf")  # OGR makes a .dbf alone for rows without geometry
    assert kept.exists(), sorted(p.name for p in tmp_path.iterdir())
    if name.endswith(".fgb"):
        return  # GDAL writes a FlatGeobuf's rows without geometry nowhere: kept as the format made it
    gdal.SetThreadLocalConfigOption("OGR_XLSX_HEADERS", "FORCE")  # its first row is the header
    try:
        ds = ogr.Open(str(kept))
        lyr = ds.GetLayerByName("per_patch")
        assert sorted(f.GetField("patch_id") for f in lyr) == sorted(p["patch_id"] for p in patches)
        lyr = ds = None
    finally:
        gdal.SetThreadLocalConfigOption("OGR_XLSX_HEADERS", None)
