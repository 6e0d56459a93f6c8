"""forestry:checkpatches: every check rule on any polygon layer against a base map (and optional layers)."""

from __future__ import annotations

import time

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProject,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ... import schema
from ...core.checks import engine
from ...core.checks.aggregate import aggregate
from ...core.checks.aggregate import single_finding as single
from ...core.checks.profile import ProfileError, RuleProfile
from ...core.checks.report import write_check_report
from ...i18n import tr


def target_crs(crs: QgsCoordinateReferenceSystem, extent, context) -> QgsCoordinateReferenceSystem:
    """The CRS the checks run in: the layer's own if it is a projected CGCS2000 one, else the CGCS2000 GK zone of its centre."""
    if crs.isValid() and not crs.isGeographic() and crs.postgisSrid() in schema.CGCS2000_EPSG_CODES:
        return crs
    lon = 120.0
    if crs.isValid() and extent is not None and not extent.isEmpty():
        ct = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(schema.CGCS2000_GEOGRAPHIC), context.transformContext())
        try:
            lon = ct.transform(extent.center()).x()
        except Exception:  # noqa: BLE001 - keep the default zone on a failing transform
            lon = 120.0
    return QgsCoordinateReferenceSystem(f"EPSG:{engine.gk_epsg_for_lon(lon)}")


def working_copy_layer(table: str, project=None):
    """Id of the project layer showing `table` of the open working copy (the one whose patch layer is in the
    project), or None: the default of a layer parameter, so that the dialogs do not offer the first polygon layer
    of the list (the findings layer, on top of the working copy's layers)."""
    project = project or QgsProject.instance()

    def table_of(layer):
        if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr":
            return None, None
        parts = layer.source().split("|")
        if not parts[0].lower().endswith(".gpkg") or parts[-1] == parts[0]:
            return None, None
        return parts[0], parts[-1].replace("layername=", "", 1) if parts[-1].startswith("layername=") else None

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
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Findings"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFileDestination(self.REPORT, tr("Report (xlsx)"),
                                                                tr("Excel workbook (*.xlsx)"), optional=True))

    def _gpkg_table(self, parameters, name, context, crs):
        """(path, table) when a parameter is a whole GeoPackage table already in `crs` (read directly, fast)."""
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition) and (
                value.selectedFeaturesOnly or value.featureLimit != -1):
            return None
        layer = self.parameterAsVectorLayer(parameters, name, context)
        if layer is None or layer.providerType() != "ogr" or layer.subsetString() or layer.crs() != crs:
            return None
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path, table = parts.get("path") or "", parts.get("layerName") or ""
        if not (path.lower().endswith(".gpkg") and table):
            return None
        return path, table

    def _read_fast(self, table, fields, id_field, where=""):
        """Like _read, straight from the GeoPackage with sqlite3 (no per-feature QGIS overhead)."""
        path, name = table
        cols = None if fields == "all" else list({*fields, "fid", *([id_field] if id_field else [])})
        attrs, geoms, _epsg = engine.read_table(path, name, cols, where=where)
        ids = []
        for a in attrs:
            v = a.get(id_field) if id_field else None
            ids.append(str(v) if v not in (None, "") else "fid {}".format(a.get("fid")))
        return ids, geoms, attrs

    @staticmethod
    def _read(source, crs, context, feedback, fields=(), id_field=None, weight=0.0, expression=""):
        """(ids, shapely geoms, attribute dicts) of a source, transformed to `crs`."""
        req = QgsFeatureRequest().setDestinationCrs(crs, context.transformContext())
        names = source.fields().names()
        wanted = [f for f in fields if f in names] if fields != "all" else names
        if fields != "all":
            req.setSubsetOfAttributes(list({*wanted, *([id_field] if id_field in names else [])}), source.fields())
        if expression:
            req.setFilterExpression(expression)
        ids, wkbs, attrs = [], [], []
        total = max(source.featureCount(), 1)
        # Invalid geometries are the invalid_geometry rule's job: never let Processing drop or reject them.
        for k, feat in enumerate(source.getFeatures(req, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)):
            if feedback.isCanceled():
                raise engine.CheckCanceled(tr("The check was canceled"))
            g = feat.geometry()
            if g is None or g.isNull() or g.isEmpty():
                wkbs.append(None)
            else:
                # Curves (CurvePolygon, MultiSurface, CompoundCurve rings) as the polygon QGIS draws for them.
                if QgsWkbTypes.isCurvedType(g.wkbType()):
                    g = QgsGeometry(g.constGet().segmentize())
                wkbs.append(bytes(g.asWkb()))
            a = {n: feat[n] for n in wanted}
            for n, v in a.items():
                if v is not None and hasattr(v, "isNull") and v.isNull():  # QVariant NULL
                    a[n] = None
                elif hasattr(v, "toString") and not isinstance(v, str):
                    a[n] = v.toString("yyyy-MM-dd") if hasattr(v, "day") and not hasattr(v, "hour") else v.toString()
            attrs.append(a)
            fid = a.get(id_field) if id_field and id_field in names else None
            ids.append(str(fid) if fid not in (None, "") else f"fid {feat.id()}")
            if k % 5000 == 0:
                feedback.setProgress(weight * 100 * k / total)
        return ids, engine.geoms_from_wkb(wkbs), attrs

    def _plain_gpkg_destination(self, parameters, context):
        """The path when OUTPUT is a new GeoPackage file of its own (a plain path ending in .gpkg), else None."""
        try:
            dest = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        except Exception:  # noqa: BLE001 - any doubt: write through the sink
            return None
        if not dest or "|" in dest or dest.lower().startswith(("ogr:", "memory:", "postgis:", "spatialite:")) \
                or not dest.lower().endswith(".gpkg"):
            return None
        return dest

    @staticmethod
    def _append_to_gpkg(path, rows, geoms):
        import sqlite3

        con = sqlite3.connect(path, isolation_level=None)
        try:
            tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
            if len(tables) != 1:
                raise QgsProcessingException(tr("Cannot write the findings to {0}").format(path))
            con.execute("BEGIN IMMEDIATE")
            try:
                engine.append_gpkg_features(con, tables[0], ("patch_id", "rule", "severity", "message", "value",
                                                             "other_id", "pairs", "other_ids"), rows, geoms)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

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
        crs = target_crs(patches.sourceCrs(), patches.sourceExtent(), context)
        src_crs = patches.sourceCrs()
        if crs != src_crs:
            feedback.pushInfo(tr("Checking in {0} (patch layer is in {1})").format(crs.authid(), src_crs.authid() or "?"))
        pnames = patches.fields().names()
        missing = [f.name for f in schema.PATCH_FIELDS if f.name not in pnames]
        if id_field not in pnames:
            feedback.pushWarning(tr("The patch layer has no field {0}: feature ids are used").format(id_field))
        if lc_field not in base.fields().names():
            raise QgsProcessingException(tr("The base map has no land-class field {0}").format(lc_field))
        try:
            fast = {n: self._gpkg_table(parameters, n, context, crs) for n in (self.PATCHES, self.BASEMAP, self.ADMIN,
                                                                              self.FARMLAND, self.HISTORY)}
            if fast[self.PATCHES]:
                p_ids, p_geoms, p_attrs = self._read_fast(fast[self.PATCHES], "all", id_field if id_field in pnames else None)
            else:
                p_ids, p_geoms, p_attrs = self._read(patches, crs, context, feedback, "all", id_field, 0.1)
            # Only parcels a rule looks at (cropland, built-up/water, existing forest); the filter runs in the provider.
            classes = ",".join(f"'{c}'" for c in sorted(engine.BASEMAP_CLASSES))
            expr = f"{QgsExpression.quotedColumnRef(lc_field)} IN ({classes})"
            if fast[self.BASEMAP]:
                b_ids, b_geoms, b_attrs = self._read_fast(fast[self.BASEMAP], [lc_field, "BSM"],
                                                          "BSM" if "BSM" in base.fields().names() else None,
                                                          where=f"trim({QgsExpression.quotedColumnRef(lc_field)}) IN ({classes})")
            else:
                b_ids, b_geoms, b_attrs = self._read(base, crs, context, feedback, [lc_field, "BSM"], "BSM", 0.3, expr)
            inputs = dict(basemap_geoms=b_geoms, basemap_ids=b_ids, basemap_classes=[a.get(lc_field) for a in b_attrs])
            if admin is not None:
                _i, a_geoms, a_attrs = self._read_fast(fast[self.ADMIN], ["code", "level"], None) if fast[self.ADMIN] \
                    else self._read(admin, crs, context, feedback, ["code", "level"], None, 0.35)
                if "code" not in admin.fields().names():
                    feedback.pushWarning(tr("The administrative layer has no field 'code': the outside_admin rule is "
                                            "skipped"))
                else:
                    inputs.update(admin_geoms=a_geoms, admin_codes=[a.get("code") for a in a_attrs],
                                  admin_levels=[a.get("level") for a in a_attrs])
            if farmland is not None:
                fid_field = "jbnt_id" if "jbnt_id" in farmland.fields().names() else None
                f_ids, f_geoms, _a = self._read_fast(fast[self.FARMLAND], ["jbnt_id"], fid_field) if fast[self.FARMLAND] \
                    else self._read(farmland, crs, context, feedback, ["jbnt_id"], "jbnt_id", 0.38)
                inputs.update(farmland_geoms=f_geoms, farmland_ids=f_ids)
            if history is not None:
                hid = schema.PATCH_ID_FIELD if schema.PATCH_ID_FIELD in history.fields().names() else None
                h_ids, h_geoms, _a = self._read_fast(fast[self.HISTORY], [schema.PATCH_ID_FIELD], hid) \
                    if fast[self.HISTORY] else self._read(history, crs, context, feedback, [schema.PATCH_ID_FIELD],
                                                          schema.PATCH_ID_FIELD, 0.4)
                inputs.update(history_geoms=h_geoms, history_ids=h_ids)
            ci = engine.CheckInputs(patch_ids=p_ids, patch_geoms=p_geoms, patch_attrs=p_attrs, epsg=crs.postgisSrid(),
                                    layer_epsg=src_crs.postgisSrid() if src_crs.isValid() else None,
                                    missing_fields=missing, layer_name=patches.sourceName(), **inputs)
            t1 = time.perf_counter()
            findings = engine.run_checks(ci, profile, lambda f: feedback.setProgress(40 + 55 * f), feedback.isCanceled)
        except engine.CheckCanceled:
            feedback.pushInfo(tr("Canceled"))
            return {}

        t2 = time.perf_counter()
        fields = QgsFields()
        for name, kind, length in (("patch_id", QVariant.String, 60), ("rule", QVariant.String, 30),
                                   ("severity", QVariant.String, 10), ("message", QVariant.String, 254),
                                   ("value", QVariant.Double, 0), ("other_id", QVariant.String, 60),
                                   ("pairs", QVariant.Int, 0), ("other_ids", QVariant.String, 254)):
            fields.append(QgsField(name, kind, len=length))
        pairs = findings
        if self.parameterAsBoolean(parameters, self.AGGREGATE, context):
            findings = aggregate(pairs)  # one per patch and rule: a city's run gives tens of thousands, not 800k
        else:
            findings = [single(f) for f in pairs]
        gpkg_out = self._plain_gpkg_destination(parameters, context)
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.MultiPolygon, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        rows = [(f.patch_id, f.rule, f.severity, f.message[:254], f.value, f.other_id, f.pairs,
                 f.other_ids_text[:254]) for f in findings]
        geoms = [f.geometry for f in findings]
        if gpkg_out is not None:
            # A new GeoPackage file: QGIS creates it (fields, CRS, spatial index, layer to load on completion), the
            # findings go in with one executemany instead of a QgsFeature each (most of the run at city scale).
            del sink
            self._append_to_gpkg(gpkg_out, rows, geoms)
        else:
            wkbs = engine.multi_wkbs(geoms)
            batch = []
            for r, wkb in zip(rows, wkbs):
                feat = QgsFeature(fields)
                feat.setAttributes(list(r))
                if wkb is not None:
                    g = QgsGeometry()
                    g.fromWkb(wkb)
                    feat.setGeometry(g)
                batch.append(feat)
                if len(batch) == 10000:
                    sink.addFeatures(batch, QgsFeatureSink.FastInsert)
                    batch = []
            sink.addFeatures(batch, QgsFeatureSink.FastInsert)
            del sink
        t3 = time.perf_counter()
        feedback.pushDebugInfo(f"read {t1 - t0:.2f} s, rules {t2 - t1:.2f} s, findings to the sink {t3 - t2:.2f} s")
        counts = {}
        for f in findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        if len(pairs) != len(findings):
            feedback.pushInfo(tr("{0} pairs in {1} findings (one per patch and rule)").format(len(pairs), len(findings)))
        feedback.pushInfo(tr("{0} findings: {1}").format(len(findings), ", ".join(
            f"{k} {v}" for k, v in sorted(counts.items()))))
        result = {self.OUTPUT: dest}
        if report_path:
            units = {pid: (str(a.get("township_code") or ""), str(a.get("village_code") or ""))
                     for pid, a in zip(p_ids, p_attrs)}
            write_check_report(findings, report_path, patch_units=units, title=patches.sourceName(),
                               details=pairs if len(pairs) != len(findings) else None)
            result[self.REPORT] = report_path
        feedback.setProgress(100)
        return result
