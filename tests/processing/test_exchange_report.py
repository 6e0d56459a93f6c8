"""forestry:importpackage's report of changes on a full disk (a real tmpfs, `full_disk`): the import's outcome and
why the report is missing, in one message; no report.json half written."""

from __future__ import annotations

import pytest
from qgis.core import QgsProcessingException

from tests.helpers.disk import fill, outputs


def test_a_full_disk_says_what_the_import_did_and_that_its_report_was_not_saved(provider, sample_county, tmp_path,
                                                                                full_disk):
    """It used to end in a traceback ('OSError: [Errno 28] No space left on device') with an empty report."""
    import processing

    p = sample_county.path
    package = str(tmp_path / "n.zip")
    processing.run("forestry:exportpackage", {"WORKING_COPY": p, "TEMPLATE": "provincial_acceptance",
                                              "OUTPUT": package, "SELECTION": "area_mu > 10"})
    fill(full_disk)
    out = full_disk / "changes.json"
    with pytest.raises(QgsProcessingException) as e:
        processing.run("forestry:importpackage", {"WORKING_COPY": p, "PACKAGE": package, "TEMPLATE":
                                                  "provincial_acceptance", "DRY_RUN": True, "REPORT": str(out)})
    text = str(e.value)
    assert text == f"Dry run: 0 patches would change. The report of changes {out} was not saved: the disk is full.", \
        text  # not 'Could not write ...: the disk is full. Nothing was saved.' after what was done
    assert outputs(full_disk) == []
