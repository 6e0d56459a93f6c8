"""The reports on a full disk and in a read-only folder (a real tmpfs, `full_disk`): the progress report (进度通报),
the check report and the county map PDF, as the Processing algorithms and the GUI call them. One clear message,
nothing half written left, and a report already there kept whole."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from qgis.core import QgsProcessingException

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.checks.report import write_check_report
from forestry_plugin.core.output_file import OutputFileError
from forestry_plugin.core.reports.mapreport import map_from_working_copy
from forestry_plugin.core.reports.progress import progress_report_from_working_copy
from tests.helpers.disk import fill, outputs, read_only


def _progress_params(path, out):
    return {"PATCHES": geopackage.layer_uri(path, schema.PATCHES), "TASKS": geopackage.layer_uri(path, schema.TASKS),
            "OUTPUT": str(out)}


def _map_params(path, out):
    return {"PATCHES": geopackage.layer_uri(path, schema.PATCHES), "BASEMAP": geopackage.layer_uri(path, schema.BASEMAP),
            "ADMIN": geopackage.layer_uri(path, schema.ADMIN), "TITLE": "Test map", "OUTPUT": str(out)}


def _clear(message: str, out) -> None:
    """One message for a person: which file, why, and no Python traceback."""
    assert message.startswith(f"Could not write {out}: ") and "Traceback" not in message, message


def test_progress_report_algorithm_on_a_full_disk(provider, sample_county, full_disk):
    """It used to end in a traceback ('OSError: [Errno 28] No space left on device') with a broken p.xlsx left."""
    import processing

    fill(full_disk)
    out = full_disk / "p.xlsx"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:progressreport", _progress_params(sample_county.path, out))
    _clear(str(e.value), out)
    assert "the disk is full. Nothing was saved." in str(e.value) and outputs(full_disk) == []


def test_progress_report_overwrite_on_a_full_disk_keeps_the_old_report(sample_county, full_disk):
    out = full_disk / "p.xlsx"
    progress_report_from_working_copy(sample_county.path, str(out), "county")  # last week's report, 1 row
    before = out.read_bytes()
    fill(full_disk)
    with pytest.raises(OutputFileError) as e:
        progress_report_from_working_copy(sample_county.path, str(out), "township")
    _clear(str(e.value), out)
    assert "The file that was there is unchanged" in str(e.value)
    assert out.read_bytes() == before and outputs(full_disk) == ["p.xlsx"]
    assert load_workbook(str(out)).active.max_row > 5  # still a workbook Excel opens


def test_progress_report_in_a_read_only_folder(provider, sample_county, full_disk):
    import processing

    read_only(full_disk)
    out = full_disk / "p.xlsx"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:progressreport", _progress_params(sample_county.path, out))
    _clear(str(e.value), out)
    assert "the folder is read-only" in str(e.value) and outputs(full_disk) == []


def test_check_report_on_a_full_disk_keeps_the_old_report(full_disk):
    """write_check_report as the checks dock and forestry:checkpatches call it."""
    findings = [dict(patch_id=f"p{i}", rule="area_mismatch", severity="error", message="面积不符 " * 20, value=i)
                for i in range(300)]
    out = full_disk / "checks.xlsx"
    write_check_report(findings[:1], str(out))
    before = out.read_bytes()
    fill(full_disk)
    with pytest.raises(OutputFileError) as e:
        write_check_report(findings, str(out))
    _clear(str(e.value), out)
    assert "the disk is full" in str(e.value) and "unchanged" in str(e.value)
    assert out.read_bytes() == before and outputs(full_disk) == ["checks.xlsx"]


def test_map_algorithm_on_a_full_disk(provider, sample_county, full_disk):
    """QGIS 3.22's exporter says Success with the PDF cut at 20 KB by the full disk: the run used to end well,
    with a broken m.pdf."""
    import processing

    out = full_disk / "m.pdf"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:mapreport", _map_params(sample_county.path, out))
    _clear(str(e.value), out)
    assert "cut short" in str(e.value) and "Nothing was saved" in str(e.value) and outputs(full_disk) == []


def test_map_overwrite_on_a_full_disk_keeps_the_old_map(sample_county, full_disk):
    out = full_disk / "m.pdf"
    out.write_bytes(b"%PDF-1.4 last week's map\n%%EOF\n")
    before = out.read_bytes()
    with pytest.raises(OutputFileError) as e:
        map_from_working_copy(sample_county.path, str(out))
    _clear(str(e.value), out)
    assert "unchanged" in str(e.value) and out.read_bytes() == before and outputs(full_disk) == ["m.pdf"]


def test_map_in_a_read_only_folder(provider, sample_county, full_disk):
    import processing

    read_only(full_disk)
    out = full_disk / "m.pdf"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:mapreport", _map_params(sample_county.path, out))
    _clear(str(e.value), out)
    assert "the folder is read-only" in str(e.value) and outputs(full_disk) == []

