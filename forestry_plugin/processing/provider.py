"""The `forestry` Processing provider (Toolbox, Model Designer, qgis_process)."""

from __future__ import annotations

import importlib

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..paths import icon_path

# (module under forestry_plugin.processing.algs, algorithm class)
ALGORITHMS = [
    ("create_working_copy", "CreateWorkingCopyAlgorithm"),
    ("transition", "TransitionAlgorithm"),
    ("progressreport", "ProgressReportAlgorithm"),
    ("mapreport", "MapReportAlgorithm"),
    ("sync_algs", "DownloadAlgorithm"),
    ("sync_algs", "UploadAlgorithm"),
    ("checkpatches", "CheckPatchesAlgorithm"),
    ("exchange_algs", "ExportPackageAlgorithm"),
    ("exchange_algs", "ImportPackageAlgorithm"),
    ("reference_algs", "LoadReferenceAlgorithm"),
    ("reference_algs", "SetReferenceSourceAlgorithm"),
]


class ForestryProvider(QgsProcessingProvider):
    def id(self):
        return "forestry"

    def name(self):
        return tr("Forestry afforestation mapping")

    def longName(self):  # noqa: N802
        return self.name()

    def icon(self):
        return QIcon(icon_path("forestry"))

    def loadAlgorithms(self):  # noqa: N802
        for module_name, class_name in ALGORITHMS:
            try:
                module = importlib.import_module(f"{__package__}.algs.{module_name}")
                self.addAlgorithm(getattr(module, class_name)())
            except Exception as e:  # report and keep the other algorithms available
                QgsMessageLog.logMessage(tr("Could not load algorithm {0}: {1}").format(class_name, e),
                                         "Forestry", Qgis.Critical)
