"""forestry:progressreport: the progress report (进度通报) as Excel."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ... import schema
from ...core import geopackage
from ...core.output_file import OutputFileError
from ...core.project import geopackage_table
from ...core.queries import admin_names
from ...core.reports.progress import GROUP_LEVELS, compute_progress, default_year, write_progress_report
from ...i18n import tr
from .checkpatches import working_copy_layer


def _records(source, fields):
    names = [f for f in fields if source.fields().indexFromName(f) >= 0]
    req = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(names, source.fields())
    out = []
    for f in source.getFeatures(req):
        out.append({n: schema.plain_value(f[n]) for n in names})
    return out


class ProgressReportAlgorithm(QgsProcessingAlgorithm):
    PATCHES, TASKS, ADMIN, GROUP_BY, YEAR, TITLE, OUTPUT = "PATCHES", "TASKS", "ADMIN", "GROUP_BY", "YEAR", "TITLE", "OUTPUT"

    def name(self):
        return "progressreport"

    def displayName(self):  # noqa: N802
        return tr("Progress report (Excel)")

    def group(self):
        return tr("Reports")

    def groupId(self):  # noqa: N802
        return "reports"

    def shortHelpString(self):  # noqa: N802
        return tr("Per county or township: patch count and area at design stage, completed (accepted + included), "
                  "confirmed and verified, the annual task and its completion, ranked. Areas are the declared patch "
                  "areas in mu. Unit names come from ADMIN or from the working copy of PATCHES.")

    def createInstance(self):  # noqa: N802
        return ProgressReportAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(self.PATCHES, tr("Patch layer"),
                                                              [QgsProcessing.TypeVectorPolygon],
                                                              defaultValue=working_copy_layer(schema.PATCHES)))
        self.addParameter(QgsProcessingParameterFeatureSource(self.TASKS, tr("Annual task quotas"),
                                                              [QgsProcessing.TypeVector],
                                                              defaultValue=working_copy_layer(schema.TASKS)))
        self.addParameter(QgsProcessingParameterFeatureSource(self.ADMIN, tr("Administrative units (names)"),
                                                              [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.GROUP_BY, tr("Group by"), [tr("county"), tr("township")],
                                                     defaultValue=1))
        self.addParameter(QgsProcessingParameterNumber(self.YEAR, tr("Year (empty: the patches' most common year)"),
                                                       QgsProcessingParameterNumber.Integer, optional=True,
                                                       minValue=2000, maxValue=2100))
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Progress report"),
                                                                tr("Excel workbook (*.xlsx)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        patches_src = self.parameterAsSource(parameters, self.PATCHES, context)
        tasks_src = self.parameterAsSource(parameters, self.TASKS, context)
        if patches_src is None or tasks_src is None:
            raise QgsProcessingException(tr("PATCHES and TASKS are required"))
        group_by = GROUP_LEVELS[self.parameterAsEnum(parameters, self.GROUP_BY, context)]
        patches = _records(patches_src, ["county_code", "township_code", "village_code", "year", "stage", "area_mu"])
        missing = [f for f in ("stage", "area_mu") if patches_src.fields().indexFromName(f) < 0]
        if missing:
            raise QgsProcessingException(tr("PATCHES lacks the fields {0}").format(", ".join(missing)))
        tasks = _records(tasks_src, ["year", "unit_code", "unit_level", "quota_mu"])
        names = {}
        admin_src = self.parameterAsSource(parameters, self.ADMIN, context)
        if admin_src is not None:
            names = {r["code"]: r["name"] for r in _records(admin_src, ["code", "name"]) if r.get("code")}
        else:
            source = geopackage_table(self.parameterAsVectorLayer(parameters, self.PATCHES, context))
            if source:
                try:
                    names = admin_names(source[0])
                except geopackage.WorkingCopyError:
                    names = {}
                except ValueError as e:  # its PostGIS reference cannot be read
                    raise QgsProcessingException(str(e)) from None
        year = parameters.get(self.YEAR)
        year = self.parameterAsInt(parameters, self.YEAR, context) if year not in (None, "") else default_year(patches)
        rows = compute_progress(patches, tasks, names, group_by, year)
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            write_progress_report(rows, out, group_by, year,
                                  self.parameterAsString(parameters, self.TITLE, context) or None)
        except OutputFileError as e:  # a full disk, an unwritable folder: its own message, no traceback
            raise QgsProcessingException(str(e)) from None
        feedback.pushInfo(tr("{0} units, year {1}: {2}").format(len(rows), year, out))
        return {self.OUTPUT: out}
