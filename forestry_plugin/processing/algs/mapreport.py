"""forestry:mapreport: the county map (patches by stage over the base map) as PDF."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ... import schema
from ...core.output_file import OutputFileError
from ...core.reports.mapreport import export_map_pdf
from ...i18n import tr
from .checkpatches import working_copy_layer


class MapReportAlgorithm(QgsProcessingAlgorithm):
    PATCHES, BASEMAP, ADMIN, TITLE, OUTPUT = "PATCHES", "BASEMAP", "ADMIN", "TITLE", "OUTPUT"

    def name(self):
        return "mapreport"

    def displayName(self):  # noqa: N802
        return tr("County map (PDF)")

    def group(self):
        return tr("Reports")

    def groupId(self):  # noqa: N802
        return "reports"

    def shortHelpString(self):  # noqa: N802
        return tr("Exports an A3 map through a QGIS print layout: patches coloured by stage over the base map coloured "
                  "by land class, administrative boundaries, legend, scale bar, north arrow, title, date and CRS.")

    def createInstance(self):  # noqa: N802
        return MapReportAlgorithm()

    def flags(self):
        # Layout rendering uses the layers' renderers: run in the main thread.
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None):  # noqa: N802
        poly = [QgsProcessing.TypeVectorPolygon]
        self.addParameter(QgsProcessingParameterVectorLayer(self.PATCHES, tr("Patch layer"), poly,
                                                            defaultValue=working_copy_layer(schema.PATCHES)))
        self.addParameter(QgsProcessingParameterVectorLayer(self.BASEMAP, tr("Base map"), poly,
                                                            defaultValue=working_copy_layer(schema.BASEMAP)))
        self.addParameter(QgsProcessingParameterVectorLayer(self.ADMIN, tr("Administrative units"), poly, optional=True))
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title"), tr("Afforestation patches map")))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Map PDF"), tr("PDF (*.pdf)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layers = {schema.PATCHES: self.parameterAsVectorLayer(parameters, self.PATCHES, context),
                  schema.BASEMAP: self.parameterAsVectorLayer(parameters, self.BASEMAP, context)}
        admin = self.parameterAsVectorLayer(parameters, self.ADMIN, context)
        if admin is not None:
            layers[schema.ADMIN] = admin
        if layers[schema.PATCHES] is None or layers[schema.BASEMAP] is None:
            raise QgsProcessingException(tr("PATCHES and BASEMAP are required"))
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            export_map_pdf(layers, out, self.parameterAsString(parameters, self.TITLE, context))
        except OutputFileError as e:  # a full disk, an unwritable folder, a PDF cut short: its own message
            raise QgsProcessingException(str(e)) from None
        except (RuntimeError, ValueError) as e:
            raise QgsProcessingException(str(e)) from e
        return {self.OUTPUT: out}
