"""forestry:exportpackage and forestry:importpackage: submission packages for the platforms counties upload to."""

from __future__ import annotations

import json

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ... import schema
from ...core.exchange import package as pkg
from ...core.exchange.template import TemplateError, bundled_templates
from ...core.geopackage import WorkingCopyError
from ...core.output_file import OutputFileError, write_file
from ...i18n import tr


def _template_arg(alg, parameters, context) -> str:
    value = alg.parameterAsString(parameters, "TEMPLATE", context)
    if not value:
        raise QgsProcessingException(tr("A template is required: a template file or the name of a bundled template "
                                        "({0})").format(", ".join(sorted(bundled_templates()))))
    return value


class ExportPackageAlgorithm(QgsProcessingAlgorithm):
    WORKING_COPY, TEMPLATE, OUTPUT, STAGE, SELECTION, INCLUDE_ERRORS = (
        "WORKING_COPY", "TEMPLATE", "OUTPUT", "STAGE", "SELECTION", "INCLUDE_ERRORS")
    FILEGDB = "FILEGDB"

    def name(self):
        return "exportpackage"

    def displayName(self):  # noqa: N802
        return tr("Export submission package")

    def group(self):
        return tr("Exchange")

    def groupId(self):  # noqa: N802
        return "exchange"

    def shortHelpString(self):  # noqa: N802
        return tr("Writes the patches a submission template covers as the zip a platform takes: a Shapefile set "
                  "(.shp .shx .dbf .prj .cpg) with the template's fields, codes, CRS and encoding, optionally a File "
                  "Geodatabase, an Excel attribute table with Chinese headers and manifest.json (counts, area in mu, "
                  "SHA-256 checksums, template, who exported it and when). TEMPLATE is a template file or the name "
                  "of a bundled template. Patches with open check errors are left out unless Include errors is set.")

    def createInstance(self):  # noqa: N802
        return ExportPackageAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.WORKING_COPY, tr("Working copy (GeoPackage)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterString(self.TEMPLATE, tr("Template (file or bundled name)"),
                                                       "national"))
        self.addParameter(QgsProcessingParameterEnum(self.STAGE, tr("Stage (default: the template's stages)"),
                                                     options=[s.code for s in schema.STAGES], optional=True,
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterString(self.SELECTION, tr("Selection (expression on the patches)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.INCLUDE_ERRORS, tr("Include patches with check errors"),
                                                        False))
        self.addParameter(QgsProcessingParameterBoolean(self.FILEGDB, tr("Also write a File Geodatabase"),
                                                        optional=True, defaultValue=None))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Package (zip)"),
                                                                tr("Zip archive (*.zip)")))
        self.addOutput(QgsProcessingOutputNumber("COUNT", tr("Patches exported")))
        self.addOutput(QgsProcessingOutputNumber("AREA_MU", tr("Area (mu)")))
        self.addOutput(QgsProcessingOutputNumber("EXCLUDED", tr("Patches left out for check errors")))
        self.addOutput(QgsProcessingOutputString("MANIFEST", tr("Manifest (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        path = self.parameterAsFile(parameters, self.WORKING_COPY, context)
        template = _template_arg(self, parameters, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        stage = self.parameterAsEnumString(parameters, self.STAGE, context) if parameters.get(self.STAGE) not in (
            None, "") else None
        selection = self.parameterAsString(parameters, self.SELECTION, context) or None
        include = self.parameterAsBool(parameters, self.INCLUDE_ERRORS, context)
        gdb = None if parameters.get(self.FILEGDB) in (None, "") else self.parameterAsBool(parameters, self.FILEGDB,
                                                                                           context)
        try:
            res = pkg.export_package(path, template, output, stage=stage or None, selection=selection,
                                     include_errors=include, filegdb=gdb,
                                     progress=lambda f: feedback.setProgress(100 * f))
        except (TemplateError, pkg.ExchangeError, WorkingCopyError) as e:
            raise QgsProcessingException(str(e)) from e
        except (OSError, RuntimeError, ValueError) as e:
            raise QgsProcessingException(tr("The package could not be written: {0}").format(e)) from e
        for w in res.warnings:
            feedback.pushWarning(w)
        if res.excluded_with_errors:
            feedback.pushWarning(tr("{0} patches with open check errors were left out (see the manifest)").format(
                len(res.excluded_with_errors)))
        if res.included_with_errors:
            feedback.pushWarning(tr("{0} patches with open check errors are included (listed in the manifest)").format(
                len(res.included_with_errors)))
        feedback.pushInfo(tr("{0} patches, {1:.2f} mu written to {2}").format(res.count, res.area_mu, res.path))
        return {self.OUTPUT: res.path, "COUNT": res.count, "AREA_MU": res.area_mu,
                "EXCLUDED": len(res.excluded_with_errors),
                "MANIFEST": json.dumps(res.manifest, ensure_ascii=False)}


class ImportPackageAlgorithm(QgsProcessingAlgorithm):
    WORKING_COPY, PACKAGE, TEMPLATE, DRY_RUN, REPORT = "WORKING_COPY", "PACKAGE", "TEMPLATE", "DRY_RUN", "REPORT"

    def name(self):
        return "importpackage"

    def displayName(self):  # noqa: N802
        return tr("Import returned package")

    def group(self):
        return tr("Exchange")

    def groupId(self):  # noqa: N802
        return "exchange"

    def shortHelpString(self):  # noqa: N802
        return tr("Reads a package the platform returns (a zipped Shapefile with, for example, verified areas added), "
                  "matches its features to the patches (by the template's id column, else by geometry: the largest "
                  "overlap covering at least 90 % of both) and maps the columns named in the template's import "
                  "section back onto the patches, in one transaction (all or nothing). Dry run only lists the "
                  "changes: patch, field, old and new value.")

    def createInstance(self):  # noqa: N802
        return ImportPackageAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.WORKING_COPY, tr("Working copy (GeoPackage)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFile(self.PACKAGE, tr("Returned package (zip or shp)")))
        self.addParameter(QgsProcessingParameterString(self.TEMPLATE, tr("Template (file or bundled name)"),
                                                       "national"))
        self.addParameter(QgsProcessingParameterBoolean(self.DRY_RUN, tr("Dry run (only list the changes)"), False))
        self.addParameter(QgsProcessingParameterFileDestination(self.REPORT, tr("Report of changes (JSON)"),
                                                                tr("JSON files (*.json)"), optional=True))
        self.addOutput(QgsProcessingOutputNumber("MATCHED", tr("Features matched")))
        self.addOutput(QgsProcessingOutputNumber("CHANGED", tr("Patches changed")))
        self.addOutput(QgsProcessingOutputNumber("UNMATCHED", tr("Features not matched")))
        self.addOutput(QgsProcessingOutputString("CHANGES", tr("Changes (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        path = self.parameterAsFile(parameters, self.WORKING_COPY, context)
        package = self.parameterAsFile(parameters, self.PACKAGE, context)
        template = _template_arg(self, parameters, context)
        dry = self.parameterAsBool(parameters, self.DRY_RUN, context)
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        try:
            report = pkg.import_package(path, package, template, dry_run=dry)
        except (TemplateError, pkg.ExchangeError, WorkingCopyError) as e:
            raise QgsProcessingException(str(e)) from e
        except (OSError, RuntimeError, ValueError) as e:
            raise QgsProcessingException(tr("The package could not be imported: {0}").format(e)) from e
        for line in report.lines():
            feedback.pushInfo(line)
        for p in report.problems:
            feedback.pushWarning(p)
        if report.unmatched:
            feedback.pushWarning(tr("{0} features match no patch: {1}").format(len(report.unmatched),
                                                                              ", ".join(report.unmatched[:20])))
        if report.missing_columns:
            feedback.pushWarning(tr("The package lacks the columns {0}").format(", ".join(report.missing_columns)))
        feedback.pushInfo((tr("Dry run: {0} patches would change") if dry else tr("{0} patches changed")).format(
            len(report.changes)))
        doc = report.to_json()
        if report_path:
            try:
                write_file(report_path, json.dumps(doc, ensure_ascii=False, indent=1))
            except OutputFileError as e:  # the import is done (or the dry run): say so, with why the file is not
                done = tr("Dry run: {0} patches would change") if dry else tr("{0} patches changed")
                raise QgsProcessingException(tr("{0}. The report of changes {1} was not saved: {2}. {3}").format(
                    done.format(len(report.changes)), e.path, e.reason, e.outcome()).strip()) from None
        result = {"MATCHED": len(report.matched), "CHANGED": len(report.changes), "UNMATCHED": len(report.unmatched),
                  "CHANGES": json.dumps(doc["changes"], ensure_ascii=False)}
        if report_path:
            result[self.REPORT] = report_path
        return result
