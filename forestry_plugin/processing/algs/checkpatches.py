"""forestry:checkpatches: every check rule on any polygon layer against a base map (and optional layers)."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from typing import Any, Dict

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProject,
    QgsWkbTypes,
)

from ... import schema
from ...core.checks.aggregate import TileAggregation
from ...core.checks.gpkg_io import append_findings_to_gpkg
from ...core.checks.layers import (
    SinkWriteError,
    add_findings_to_sink,
    check_crs,
    finding_fields,
    gpkg_table,
    read_layer_inputs,
)
from ...core.checks.model import CheckCanceled
from ...core.checks.profile import ProfileError, RuleProfile
from ...core.checks.report import write_check_report
from ...core.checks.tiles import TILE_PATCHES, run_tiled
from ...core.geopackage import WorkingCopyError
from ...core.output_file import OutputFileError, reason
from ...core.project import geopackage_table
from ...i18n import tr
from ..outputs import file_destination, output_failed, remove_output, verify_sink


def working_copy_layer(table: str, project=None):
    """Id of the project layer showing `table` of the open working copy (the one whose patch layer is in the
    project), or None: the default of a layer parameter, so that the dialogs do not offer the first polygon layer
    of the list (the findings layer, on top of the working copy's layers)."""
    project = project or QgsProject.instance()

    def table_of(layer):
        found = geopackage_table(layer)  # decodeUri, as everywhere the working copy behind a layer is asked for
        return (found[0], found[1] or None) if found else (None, None)

    layers = list(project.mapLayers().values())
    paths = [table_of(lyr)[0] for lyr in layers if table_of(lyr)[1] == schema.PATCHES]
    for path in paths:
        for lyr in layers:
            if table_of(lyr) == (path, table):
                return lyr.id()
    return None


class CheckPatchesAlgorithm(QgsProcessingAlgorithm):
    PATCHES, BASEMAP, LANDCLASS_FIELD, ID_FIELD = "PATCHES", "BASEMAP", "LANDCLASS_FIELD", "ID_FIELD"
    ADMIN, FARMLAND, HISTORY, RULES, OUTPUT, REPORT = "ADMIN", "FARMLAND", "HISTORY", "RULES", "OUTPUT", "REPORT"
    AGGREGATE = "AGGREGATE"
    TILE_SIZE = "TILE_SIZE"

    def name(self):
        return "checkpatches"

    def displayName(self):  # noqa: N802
        return tr("Check patches")

    def group(self):
        return tr("Checks")

    def groupId(self):  # noqa: N802
        return "checks"

    def shortHelpString(self):  # noqa: N802
        return tr("Runs the check rules (invalid geometry, minimum area, slivers, overlaps between patches, basic "
                  "farmland, cropland, built-up land/water, existing forest, administrative unit, earlier years' "
                  "patches, attribute area, attributes, CRS) on a polygon layer against a base map. Any polygon layer "
                  "works: missing fields give 'attribute' findings and the geometry rules still run. Layers in other "
                  "CRSs are reprojected to the patch layer's CGCS2000 Gauss-Kruger CRS (or the GK zone of the data). "
                  "Areas are ellipsoidal (CGCS2000). Output: one feature per finding, geometry = where the problem is.")

    def createInstance(self):  # noqa: N802
        return CheckPatchesAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        poly = [QgsProcessing.TypeVectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(self.PATCHES, tr("Patch layer"), poly,
                                                              defaultValue=working_copy_layer(schema.PATCHES)))
        self.addParameter(QgsProcessingParameterFeatureSource(self.BASEMAP, tr("Base map (land classes)"), poly,
                                                              defaultValue=working_copy_layer(schema.BASEMAP)))
        self.addParameter(QgsProcessingParameterField(self.LANDCLASS_FIELD, tr("Land-class field of the base map"),
                                                      schema.LANDCLASS_FIELD, self.BASEMAP, optional=True))
        self.addParameter(QgsProcessingParameterField(self.ID_FIELD, tr("Patch ID field"), schema.PATCH_ID_FIELD,
                                                      self.PATCHES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(self.ADMIN, tr("Administrative units"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(self.FARMLAND, tr("Permanent basic farmland"), poly,
                                                              optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(self.HISTORY, tr("Earlier years' patches"), poly,
                                                              optional=True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, tr("Rules profile (JSON)"), extension="json",
                                                     optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.AGGREGATE, tr("One finding per patch and rule (pairs summed; each pair in the report's detail sheet)"),
            True))
        tile = QgsProcessingParameterNumber(self.TILE_SIZE, tr("Patches per tile (the base map is read one tile's "
                                                               "window at a time: fewer use less memory)"),
                                            QgsProcessingParameterNumber.Integer, TILE_PATCHES, False, 1, 10 ** 7)
        tile.setFlags(tile.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(tile)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Findings"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFileDestination(self.REPORT, tr("Report (xlsx)"),
                                                                tr("Excel workbook (*.xlsx)"), optional=True))

    def _gpkg_table(self, parameters, name, context, crs):
        """(path, table) when a parameter is a whole GeoPackage table already in `crs` (read directly, fast)."""
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition) and (
                value.selectedFeaturesOnly or value.featureLimit != -1):
            return None
        return gpkg_table(self.parameterAsVectorLayer(parameters, name, context), crs)

    def _sink(self, parameters, context, fields, crs):
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.MultiPolygon, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        return sink, dest

    def _temporary_destination(self, parameters, context) -> bool:
        """True for a memory layer or QGIS's temporary output (the dialog's default): nothing half written stays."""
        try:
            dest = self.parameterAsOutputLayer(parameters, self.OUTPUT, context) or ""
        except Exception:  # noqa: BLE001 - any doubt: written at the end
            return False
        raw = parameters.get(self.OUTPUT)
        raw = getattr(raw, "sink", raw)
        raw = raw.staticValue() if hasattr(raw, "staticValue") else raw
        return dest.lower().startswith("memory:") or dest == QgsProcessing.TEMPORARY_OUTPUT or \
            str(raw or "") == QgsProcessing.TEMPORARY_OUTPUT

    def _plain_gpkg_destination(self, parameters, context):
        """The path when OUTPUT is a new GeoPackage file of its own (a plain path ending in .gpkg), else None."""
        try:
            dest = file_destination(self.parameterAsOutputLayer(parameters, self.OUTPUT, context))
        except Exception:  # noqa: BLE001 - any doubt: write through the sink
            return None
        return dest if dest is not None and dest.lower().endswith(".gpkg") else None

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        patches = self.parameterAsSource(parameters, self.PATCHES, context)
        base = self.parameterAsSource(parameters, self.BASEMAP, context)
        if patches is None or base is None:
            raise QgsProcessingException(tr("Patches and base map layers are required"))
        lc_field = self.parameterAsString(parameters, self.LANDCLASS_FIELD, context) or schema.LANDCLASS_FIELD
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context) or schema.PATCH_ID_FIELD
        admin = self.parameterAsSource(parameters, self.ADMIN, context)
        farmland = self.parameterAsSource(parameters, self.FARMLAND, context)
        history = self.parameterAsSource(parameters, self.HISTORY, context)
        rules_path = self.parameterAsFile(parameters, self.RULES, context)
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        try:
            profile = RuleProfile.from_file(rules_path) if rules_path else RuleProfile.default()
        except ProfileError as e:  # names the file, the rule, the key, what is wrong and what is allowed
            raise QgsProcessingException(str(e)) from e
        except (OSError, ValueError) as e:
            raise QgsProcessingException(tr("Cannot read the rules profile {0}: {1}").format(rules_path, e)) from e

        t0 = time.perf_counter()
        crs = check_crs(patches.sourceCrs(), patches.sourceExtent(), context.transformContext())
        src_crs = patches.sourceCrs()
        if crs != src_crs:
            feedback.pushInfo(tr("Checking in {0} (patch layer is in {1})").format(crs.authid(), src_crs.authid() or "?"))
        if id_field not in patches.fields().names():
            feedback.pushWarning(tr("The patch layer has no field {0}: feature ids are used").format(id_field))
        if lc_field not in base.fields().names():
            raise QgsProcessingException(tr("The base map has no land-class field {0}").format(lc_field))
        gpkg_out = dest = None
        written = [0]  # findings handed to the output: what it must hold when the run ends
        try:
            tables = {role: self._gpkg_table(parameters, name, context, crs) for role, name in (
                ("patches", self.PATCHES), ("basemap", self.BASEMAP), ("admin", self.ADMIN),
                ("farmland", self.FARMLAND), ("history", self.HISTORY))}
            inputs, read_window = read_layer_inputs(
                patches, base, crs, context.transformContext(), admin=admin, farmland=farmland, history=history,
                landclass_field=lc_field, id_field=id_field, tables=tables,
                progress=lambda f: feedback.setProgress(100 * f), is_canceled=feedback.isCanceled,
                warn=feedback.pushWarning)
            t1 = time.perf_counter()
            # In tiles: the base map, farmland and history read per tile window (memory bounded by the tile). A
            # patch is checked in one tile, so its pairs are aggregated there: one finding per patch and rule (a
            # city's run gives tens of thousands, not 800k); the pairs are kept only for the report's detail sheet.
            stats: Dict[str, Any] = {}
            # Each tile's findings go to the output as soon as the tile is done when it is a new GeoPackage file
            # (the default) or a memory layer: memory holds a tile's findings, not the city's (all of them only
            # when the report is asked for). Ids several patches share are held back and written merged at the
            # end (their pairs may fall into two tiles). Other destinations (Shapefile, an existing GeoPackage's
            # layer, ...) are written at the end, so a canceled run leaves nothing half written there either.
            fields = finding_fields()
            plain_gpkg = self._plain_gpkg_destination(parameters, context)
            sink = dest = emit = None
            if plain_gpkg is not None or self._temporary_destination(parameters, context):
                sink, dest = self._sink(parameters, context, fields, crs)
                gpkg_out = plain_gpkg  # made by this run: removed if the run does not finish
                if gpkg_out is not None:
                    # A new GeoPackage file: QGIS creates it (fields, CRS, spatial index, layer to load on
                    # completion), the findings go in with one executemany per tile instead of a QgsFeature each.
                    sink = None

                    def emit(part):
                        try:
                            written[0] += append_findings_to_gpkg(gpkg_out, part)
                        except sqlite3.Error as e:  # the disk full, the file taken away
                            raise SinkWriteError(str(e)) from e  # classified below, with the sink's
                else:
                    def emit(part):
                        written[0] += add_findings_to_sink(sink, fields, part)
            ids = Counter(inputs.patch_ids)
            each_tile = TileAggregation(self.parameterAsBoolean(parameters, self.AGGREGATE, context),
                                        keep_pairs=bool(report_path), emit=emit,
                                        keep=bool(report_path) or emit is None,
                                        hold_ids=[i for i, n in ids.items() if n > 1] if emit is not None else ())
            del ids
            findings = each_tile.finish(run_tiled(
                inputs, read_window, profile, lambda f: feedback.setProgress(10 + 85 * f), feedback.isCanceled,
                self.parameterAsInt(parameters, self.TILE_SIZE, context), stats=stats, each_tile=each_tile))
            if emit is None:
                sink, dest = self._sink(parameters, context, fields, crs)
                written[0] += add_findings_to_sink(sink, fields, findings)
            sink = None  # closed: a file's last writes happen here (a full disk is only told now, if at all)
            if dest:
                verify_sink(dest, written[0], context, feedback=feedback)  # removes an incomplete file
        except OutputFileError as e:
            raise QgsProcessingException(str(e)) from None
        except SinkWriteError as e:  # a batch refused, or the GeoPackage's own write failed
            why = reason(e.__cause__ or e, file_destination(gpkg_out or dest))  # SQLite's code, GDAL's words
            raise QgsProcessingException(str(output_failed(gpkg_out or dest, why, context))) from None
        except CheckCanceled:
            feedback.pushInfo(tr("Canceled"))
            remove_output(gpkg_out or dest)  # this run's file, with the tiles written before the cancel: not a result
            return {}
        except WorkingCopyError as e:
            remove_output(gpkg_out or dest)
            raise QgsProcessingException(str(e)) from None
        except BaseException:
            remove_output(gpkg_out or dest)  # made by this run and not finished
            raise

        t2 = time.perf_counter()
        feedback.pushDebugInfo(f"read patches {t1 - t0:.2f} s, reference, rules and findings written in "
                               f"{stats.get('tiles', 1)} tile(s) {t2 - t1:.2f} s")
        total, counts = each_tile.total, each_tile.counts
        if each_tile.counted != total:
            feedback.pushInfo(tr("{0} pairs in {1} findings (one per patch and rule)").format(each_tile.counted, total))
        feedback.pushInfo(tr("{0} findings: {1}").format(total, ", ".join(
            f"{k} {v}" for k, v in sorted(counts.items()))))
        result = {self.OUTPUT: dest}
        if report_path:
            units = {pid: (str(a.get("township_code") or ""), str(a.get("village_code") or ""))
                     for pid, a in zip(inputs.patch_ids, inputs.patch_attrs)}
            try:
                write_check_report(findings, report_path, patch_units=units, title=patches.sourceName(),
                                   details=each_tile.pairs if each_tile.pairs and len(each_tile.pairs) != total
                                   else None)
            except OutputFileError as e:  # the findings are written and load as usual; only the report is missing
                where = file_destination(dest) or file_destination(gpkg_out) or tr("the findings layer")
                feedback.reportError(tr("{0} findings were written to {1}, but the check report {2} was not saved: "
                                        "{3}. {4}").format(total, where, e.path, e.reason, e.outcome()).strip(),
                                     False)
            else:
                result[self.REPORT] = report_path
        feedback.setProgress(100)
        return result
