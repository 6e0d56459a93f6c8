"""forestry:download and forestry:upload: sync a working copy with the provincial platform."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ...core import audit, geopackage
from ...core.sync.auth import CredentialsError, credentials
from ...core.sync.client import PlatformClient, PlatformError
from ...core.sync.engine import SyncEngine
from ...i18n import tr, ui_language


class _SyncAlgorithm(QgsProcessingAlgorithm):
    SERVER_URL, AUTHCFG, COUNTY, WORKING_COPY = "SERVER_URL", "AUTHCFG", "COUNTY", "WORKING_COPY"

    def group(self):
        return tr("Provincial platform")

    def groupId(self):  # noqa: N802
        return "platform"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterString(self.SERVER_URL, tr("Platform API URL"),
                                                       "http://127.0.0.1:8765/api/v1"))
        self.addParameter(QgsProcessingParameterAuthConfig(self.AUTHCFG, tr("Authentication (user name / password)")))
        self.addParameter(QgsProcessingParameterString(self.COUNTY, tr("County code (empty: the working copy's)"),
                                                       "", optional=True))
        self.addParameter(QgsProcessingParameterFile(self.WORKING_COPY, tr("Working copy"), extension="gpkg"))
        for name in ("PULLED", "PUSHED", "ACCEPTED", "CONFLICTS", "REJECTED"):
            self.addOutput(QgsProcessingOutputNumber(name, name.title()))
        self.addOutput(QgsProcessingOutputString("SUMMARY", tr("Summary")))

    def _engine(self, parameters, context, feedback) -> SyncEngine:
        path = self.parameterAsFile(parameters, self.WORKING_COPY, context)
        try:
            geopackage.check_working_copy(path)
            username, password = credentials(self.parameterAsString(parameters, self.AUTHCFG, context))
            client = PlatformClient(self.parameterAsString(parameters, self.SERVER_URL, context), feedback=feedback)
            client.login(username, password)
            return SyncEngine(path, client, self.parameterAsString(parameters, self.COUNTY, context) or None)
        except (geopackage.WorkingCopyError, CredentialsError, PlatformError, ValueError) as e:
            raise QgsProcessingException(str(e)) from e

    @staticmethod
    def _outputs(summary, feedback):
        feedback.pushInfo(tr("pulled {0}, pushed {1}: accepted {2}, conflicts {3}, rejected {4}").format(
            summary.pulled, summary.pushed, summary.accepted, summary.conflicts, summary.rejected))
        for e in summary.errors:
            feedback.reportError(e)
        return {"PULLED": summary.pulled, "PUSHED": summary.pushed, "ACCEPTED": summary.accepted,
                "CONFLICTS": summary.conflicts, "REJECTED": summary.rejected,
                "SUMMARY": f"{summary.action} {summary.at}"}


class DownloadAlgorithm(_SyncAlgorithm):
    def name(self):
        return "download"

    def displayName(self):  # noqa: N802
        return tr("Download from platform")

    def shortHelpString(self):  # noqa: N802
        return tr("Pulls the platform's changes since the last download into the working copy. Patches changed on "
                  "both sides become conflicts to resolve in the upload/download panel; nothing is overwritten.")

    def createInstance(self):  # noqa: N802
        return DownloadAlgorithm()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self._engine(parameters, context, feedback)
        try:
            me = engine.adopt_session()  # the account and the platform's policy, cached for offline work
            feedback.pushInfo(tr("Logged in as {0}").format(me.label(ui_language())))
            summary = engine.pull(progress=lambda f: feedback.setProgress(f * 100), is_canceled=feedback.isCanceled)
        except (PlatformError, audit.AuditTampered, ValueError) as e:
            raise QgsProcessingException(str(e)) from e
        return self._outputs(summary, feedback)


class UploadAlgorithm(_SyncAlgorithm):
    def name(self):
        return "upload"

    def displayName(self):  # noqa: N802
        return tr("Upload to platform")

    def shortHelpString(self):  # noqa: N802
        return tr("Pushes local changes (new, changed and deleted patches, and the audit trail) in batches. "
                  "An interrupted upload is resumed safely: nothing is applied twice.")

    def createInstance(self):  # noqa: N802
        return UploadAlgorithm()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self._engine(parameters, context, feedback)
        try:
            me = engine.adopt_session()  # the account and the platform's policy, cached for offline work
            feedback.pushInfo(tr("Logged in as {0}").format(me.label(ui_language())))
            summary = engine.push(progress=lambda f: feedback.setProgress(f * 100), is_canceled=feedback.isCanceled)
        except (PlatformError, audit.AuditTampered, ValueError) as e:
            raise QgsProcessingException(str(e)) from e
        return self._outputs(summary, feedback)
