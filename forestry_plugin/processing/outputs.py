"""Feature-sink outputs of the Processing algorithms, checked after closing.

A Shapefile's or GeoJSON's writer may learn only when the file is closed that the disk is full, and QGIS 3.22 then
reports nothing: a run would end well with rows missing from its output. `verify_sink` reads the closed output back
and counts; `remove_output` takes away an unfinished file this run made (with its side files). `file_destination`
is the one test of "is this destination a plain file" (a provider's URI, a layer inside a file and a memory layer are
not). Files the algorithms write themselves (reports, maps, JSON) go through core.output_file instead.

Only a count that is known exactly and is smaller than what was written makes an output incomplete (and removes
it): a format OGR reads back row for row (EXACT_DRIVERS), a memory layer of this run. Anything else -- another
format, a table in a database, a file OGR cannot open, more rows than written -- is never called incomplete and
never removed: at most the run warns. (A text-only XLSX read with OGR's defaults counts its header as a row; a
Shapefile without geometry is only a .dbf: a guess there deleted good outputs.)
"""

from __future__ import annotations

import json
import os
import re
from typing import Optional

from osgeo import gdal
from qgis.core import QgsProcessingUtils

from ..core.output_file import OutputFileError
from ..i18n import tr

# The formats whose written rows OGR reads back one for one: extension -> (drivers, the config options that make
# the reading exact: XLSX and ODS otherwise take a first row of text only for data). Not FlatGeobuf: GDAL 3.6
# drops its rows without geometry (a healthy file of transition's report reads 0); not KML, GML, MapInfo, DXF...
_GEOJSON = ("GeoJSON", "GeoJSONSeq")  # QGIS 3.22 writes "GeoJSON - Newline Delimited" as name.geojsonl.json
EXACT_DRIVERS = {
    ".gpkg": (("GPKG",), {}), ".sqlite": (("SQLite",), {}), ".db": (("SQLite",), {}),
    ".geojson": (_GEOJSON, {}), ".json": (_GEOJSON, {}), ".geojsonl": (_GEOJSON, {}), ".geojsons": (_GEOJSON, {}),
    ".shp": (("ESRI Shapefile",), {}), ".dbf": (("ESRI Shapefile",), {}), ".csv": (("CSV",), {}),
    ".xlsx": (("XLSX",), {"OGR_XLSX_HEADERS": "FORCE"}), ".ods": (("ODS",), {"OGR_ODS_HEADERS": "FORCE"}),
}
_OPEN_OPTIONS = {"CSV": ["HEADERS=YES"]}  # the CSV writer always writes the header line
# The files a format writes beside the one named (stem + extension), and SQLite's (path + suffix).
SIDE_FILES = {
    ".shp": (".shx", ".dbf", ".prj", ".cpg", ".qix", ".qpj", ".sbn", ".sbx"),
    ".dbf": (".cpg",),
    ".tab": (".dat", ".id", ".map", ".ind", ".cpg"),  # MapInfo
    ".mif": (".mid",),
    ".gml": (".xsd", ".gfs"),
}
SQLITE_SIDE = ("-journal", "-wal", "-shm")
SQLITE_EXT = (".gpkg", ".sqlite", ".db")
# ogr:, memory:, postgis:, spatialite:, delimitedtext:, ... (one letter before the colon is a Windows drive)
_PROVIDER_URI = re.compile(r"^[A-Za-z][A-Za-z0-9_+.-]+:")


def file_destination(dest) -> Optional[str]:
    """`dest` when a sink destination is a plain file path (what a file chooser gives); None for a provider's URI
    (memory:, ogr:dbname=..., postgis:...), a layer inside a file (...|layername=...), a URL, TEMPORARY_OUTPUT or a
    memory layer's id (Findings_0b9c...: no extension)."""
    if not isinstance(dest, str) or not dest or "|" in dest or "://" in dest or _PROVIDER_URI.match(dest):
        return None
    return dest if os.path.splitext(dest)[1] else None


def memory_layer(dest, context):
    """The memory layer of this run that `dest` names (its id, as a memory sink's destination is), or None."""
    if not isinstance(dest, str) or not dest or context is None:
        return None
    layer = QgsProcessingUtils.mapLayerFromString(dest, context, False)
    return layer if layer is not None and layer.providerType() == "memory" else None


def _files(path: str):
    """`path` and the side files its format writes beside it."""
    stem, ext = os.path.splitext(path)
    sides = SIDE_FILES.get(ext.lower(), ())
    out = [path] + [stem + (s.upper() if ext.isupper() else s) for s in sides]
    if ext.lower() in SQLITE_EXT:
        out += [path + s for s in SQLITE_SIDE]
    return out


def remove_output(path) -> bool:
    """Remove an output file this run wrote and did not finish, with its side files (a Shapefile's, MapInfo's,
    GML's, SQLite's journals): True when `path` is a plain file path and nothing of it is left; False for a
    database table, a layer inside another file or a memory layer (nothing is removed), or a file that is held
    open elsewhere (Windows)."""
    path = file_destination(path)
    if path is None:
        return False
    left = False
    for p in _files(path):
        try:
            if os.path.lexists(p):
                os.remove(p)
        except OSError:  # held open elsewhere (Windows): left, the run still ends with its error
            left = True
    return not left


def _complete_geojson_features(path: str) -> int:
    """The features of a GeoJSON (or GeoJSON sequence) file that are there whole, for a file OGR cannot open: cut
    short by a full disk. OGR's writers put each feature on a line of its own; the cut one does not parse."""
    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            line = line.strip().lstrip(b"\x1e").rstrip(b",")
            if not line.startswith(b"{") or b'"Feature"' not in line:
                continue
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            n += isinstance(doc, dict) and doc.get("type") == "Feature"
    return n


def _ends_a_line(path: str) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def _count_file(path: str) -> Optional[int]:
    """Rows in a closed output file of an EXACT_DRIVERS format, as OGR reads them (the layer named after the file);
    0 for an empty file (no rows in any of them), the whole features of a GeoJSON file cut short, a CSV's rows but a
    last one cut short; None when the format is not one of them, the file is not there or OGR cannot open it."""
    stem, ext = os.path.splitext(path)
    if ext.lower() not in EXACT_DRIVERS:
        return None
    drivers, config = EXACT_DRIVERS[ext.lower()]
    if ext.lower() == ".shp" and not os.path.exists(path) and os.path.exists(stem + ".dbf"):
        path = stem + ".dbf"  # rows without geometry: OGR writes the .dbf alone
    if not os.path.isfile(path):
        return None
    if os.path.getsize(path) == 0:
        return 0
    old = {k: gdal.GetThreadLocalConfigOption(k, None) for k in config}
    for k, v in config.items():
        gdal.SetThreadLocalConfigOption(k, v)
    gdal.PushErrorHandler("CPLQuietErrorHandler")  # a file that does not open is the caller's to report
    try:
        try:
            ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=list(drivers),
                             open_options=_OPEN_OPTIONS.get(drivers[0], []))
        except RuntimeError:  # GDAL exceptions turned on by another module
            ds = None
        if ds is None:
            return _complete_geojson_features(path) if drivers == _GEOJSON else None
        # QGIS names the layer of a new file after the file (a SQLite table without geometry is listed by no
        # other name); a file of one layer is that layer
        layer = ds.GetLayerByName(os.path.basename(stem)) or (ds.GetLayer(0) if ds.GetLayerCount() == 1 else None)
        got = layer.GetFeatureCount(1) if layer is not None else -1
        layer = ds = None
    except RuntimeError:
        return None
    finally:
        gdal.PopErrorHandler()
        for k, v in old.items():
            gdal.SetThreadLocalConfigOption(k, v)
    if got > 0 and drivers == ("CSV",) and not _ends_a_line(path):
        got -= 1  # the writer ends every row with a line end: a last row without one was cut (OGR counts it)
    return got if got >= 0 else None


def output_count(dest: str, context) -> Optional[int]:
    """The exact feature count of the closed output `dest`: a memory layer of this run, or a plain file of an
    EXACT_DRIVERS format; None when it cannot be told exactly (another format, a table in a database, a file OGR
    cannot open or that is not there)."""
    layer = memory_layer(dest, context)
    if layer is not None:
        return layer.featureCount()
    path = file_destination(dest)
    return _count_file(path) if path is not None else None


def output_name(dest, context) -> str:
    """How a message names the output `dest`: its file path, the temporary layer's name, or the URI as given."""
    layer = memory_layer(dest, context)
    if layer is not None:
        return tr("the temporary layer {0}").format(layer.name())
    return str(dest)


def output_failed(dest, why: str, context) -> OutputFileError:
    """The error of an output this run could not finish, after removing it when it is a file of its own: 'Nothing
    was saved' for a removed file or a temporary layer, '... is incomplete: remove it' for what stays (a table in a
    database, a file held open elsewhere)."""
    if memory_layer(dest, context) is not None or (isinstance(dest, str) and dest.lower().startswith("memory:")):
        return OutputFileError(output_name(dest, context), why, kept=False)
    return OutputFileError(str(dest), why, kept=False, left=not remove_output(dest))


def verify_sink(dest: str, expected: int, context, refused: str = "", feedback=None) -> None:
    """OutputFileError (and the output removed, when it is a file of its own) when the sink refused rows
    (`refused`: its lastError() when addFeatures said False) or the closed output `dest` is read back exactly with
    fewer than the `expected` features. An output that cannot be read back exactly, or reads more, is kept: a
    warning to `feedback` (QgsProcessingFeedback) at most."""
    memory = memory_layer(dest, context) is not None  # no disk to ask about
    if refused:
        why = tr("the layer refused rows ({0})").format(refused) if memory else \
            tr("the output refused rows ({0}): is the disk full?").format(refused)
        raise output_failed(dest, why, context)
    got = output_count(dest, context)
    if got is not None and got < expected:
        why = tr("{0} of {1} rows are in it") if memory else tr("{0} of {1} rows are in it (is the disk full?)")
        raise output_failed(dest, why.format(got, expected), context)
    if feedback is None:
        return
    path = file_destination(dest)
    if got is not None and got > expected:
        feedback.pushWarning(tr("{0} holds {1} rows where {2} were written: check it").format(
            output_name(dest, context), got, expected))
    elif got is None and path is not None and os.path.splitext(path)[1].lower() in EXACT_DRIVERS:
        feedback.pushWarning(tr("{0} could not be read back to count its rows ({1} were written): check it").format(
            path, expected))
