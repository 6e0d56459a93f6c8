"""forestry:createworkingcopy: an empty county working copy, or the sample county."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ... import schema
from ...core import geopackage
from ...core.working_copy import create_working_copy
from ...i18n import tr


class CreateWorkingCopyAlgorithm(QgsProcessingAlgorithm):
    OUTPUT, CRS, COUNTY_CODE, COUNTY_NAME, SAMPLE, SEED = "OUTPUT", "CRS", "COUNTY_CODE", "COUNTY_NAME", "SAMPLE", "SEED"

    def name(self):
        return "createworkingcopy"

    def displayName(self):  # noqa: N802
        return tr("Create working copy")

    def group(self):
        return tr("Working copy")

    def groupId(self):  # noqa: N802
        return "workingcopy"

    def shortHelpString(self):  # noqa: N802
        return tr("Creates a working-copy GeoPackage with every table of the patch schema (patches, earlier years, "
                  "base map, admin units, basic farmland, task quotas, check findings, exceptions, audit log) and "
                  "default styles. With 'Sample county' it generates the deterministic sample county with labelled faults.")

    def createInstance(self):  # noqa: N802
        return CreateWorkingCopyAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Working copy"), tr("GeoPackage (*.gpkg)")))
        self.addParameter(QgsProcessingParameterCrs(self.CRS, tr("CRS (CGCS2000)"), schema.DEFAULT_PROJECT_CRS))
        self.addParameter(QgsProcessingParameterString(self.COUNTY_CODE, tr("County code (6 digits)"), "", optional=True))
        self.addParameter(QgsProcessingParameterString(self.COUNTY_NAME, tr("County name"), "", optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.SAMPLE, tr("Sample county (generated, with faults)"), False))
        self.addOutput(QgsProcessingOutputString("FAULTS", tr("Fault manifest")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        code = self.parameterAsString(parameters, self.COUNTY_CODE, context).strip()
        name = self.parameterAsString(parameters, self.COUNTY_NAME, context).strip()
        if self.parameterAsBoolean(parameters, self.SAMPLE, context):
            from ...core.output_file import OutputFileError
            from ...core.sample_county import write_sample_county

            try:  # all or nothing: a full disk leaves no half county, and keeps a file already there
                sc = write_sample_county(out)
            except OutputFileError as e:
                raise QgsProcessingException(str(e)) from None
            feedback.pushInfo(tr("Sample county: {0} patches, {1} base-map parcels, {2} labelled faults").format(
                sc.patch_count, sc.basemap_count, len(sc.faults)))
            return {self.OUTPUT: out, "FAULTS": sc.manifest_path}
        if code and not (code.isdigit() and len(code) == 6):
            raise QgsProcessingException(tr("A county code has 6 digits, e.g. 330110"))
        if crs.postgisSrid() not in schema.CGCS2000_EPSG_CODES:
            raise QgsProcessingException(tr("{0} is not a CGCS2000 CRS (EPSG:4490 or a CGCS2000 Gauss-Kruger zone)").format(
                crs.authid()))
        try:
            create_working_copy(out, crs.authid(), overwrite=True, county_code=code, county_name=name)
        except geopackage.WorkingCopyError as e:
            raise QgsProcessingException(str(e)) from e
        return {self.OUTPUT: out, "FAULTS": ""}
