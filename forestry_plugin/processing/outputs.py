"""Feature-sink outputs of the Processing algorithms, checked after closing.

A Shapefile's or GeoJSON's writer may learn only when the file is closed that the disk is full, and QGIS 3.22 then
reports nothing: a run would end well with rows missing from its output. `verify_sink` reads the closed output back
and counts; `remove_output` takes away an unfinished file this run made (with a Shapefile's or SQLite's side files).
Files the algorithms write themselves (reports, maps, JSON) go through core.output_file instead.
"""

from __future__ import annotations

import os
from typing import Optional

from qgis.core import QgsProcessingContext, QgsProcessingUtils

from ..core.output_file import OutputFileError
from ..i18n import tr


def output_count(dest: str, context) -> Optional[int]:
    """The feature count of the closed output `dest` (a memory layer of this run, or a file); None if unreadable."""
    layer = QgsProcessingUtils.mapLayerFromString(dest, context, False)  # a memory layer of this run
    probe = None
    if layer is None:
        probe = QgsProcessingContext()  # a layer of its own, released with it (the file is not held open)
        layer = QgsProcessingUtils.mapLayerFromString(dest, probe, True)
    got = layer.featureCount() if layer is not None and layer.isValid() else None
    del layer, probe
    return got


def remove_output(path) -> bool:
    """Remove an output file this run wrote and did not finish (with SQLite's or a Shapefile's side files), if it
    is a plain file path (True); a database table or a layer inside another file is left (False)."""
    if not path or "|" in path or "://" in path or path.lower().startswith(("memory:", "ogr:", "postgis:",
                                                                             "postgres:", "spatialite:")) \
            or not os.path.isfile(path):
        return False
    stem, ext = os.path.splitext(path)
    side = [stem + e for e in (".shx", ".dbf", ".prj", ".cpg", ".qix", ".qpj", ".sbn", ".sbx")] \
        if ext.lower() == ".shp" else []
    for p in [path, path + "-journal", path + "-wal", path + "-shm"] + side:
        try:
            if os.path.exists(p):
                os.remove(p)
        except OSError:  # held open elsewhere (Windows): left, the run still ends with its error
            pass
    return True


def verify_sink(dest: str, expected: int, context, refused: str = "") -> None:
    """OutputFileError unless the closed output `dest` holds the `expected` features and the sink refused none
    (`refused`: its lastError() when addFeatures said False). An incomplete file is removed first."""
    got = None if refused else output_count(dest, context)
    if not refused and got == expected:
        return
    why = tr("the output refused rows ({0}): is the disk full?").format(refused) if refused else \
        tr("{0} of {1} rows are in it (is the disk full?)").format(got or 0, expected)
    left = not remove_output(dest)
    raise OutputFileError(dest, why, kept=False, left=left and not str(dest).lower().startswith("memory:"))
