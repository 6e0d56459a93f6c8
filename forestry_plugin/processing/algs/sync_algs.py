"""forestry:download and forestry:upload: sync a working copy with the provincial platform."""

from __future__ import annotations

import sqlite3

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ...core import audit, geopackage
from ...core.sync.adapter import REST, WFS
from ...core.sync.auth import CredentialsError, credentials
from ...core.sync.client import AuthError, CanceledError, NetworkError, PlatformError, redact
from ...core.sync.engine import SyncEngine
from ...core.sync.platforms import kind_label, open_platform
from ...i18n import tr, ui_language
from ...settings import DEFAULT_PLATFORM_URL


def user_error(e: BaseException) -> QgsProcessingException:
    """A QgsProcessingException with a message telling the user what happened and what to do (never a traceback;
    never a secret: the client's messages hold none, and anything else is passed through `redact`)."""
    if isinstance(e, QgsProcessingException):
        return e
    if isinstance(e, audit.AuditTampered):
        text = tr("The audit log of this working copy was altered outside the plugin ({0}); nothing was synced. "
                  "Ask the platform administrator.").format("; ".join(e.problems))
    elif isinstance(e, AuthError) and e.expired:
        text = tr("Your session has expired: log in again")
    elif isinstance(e, NetworkError):
        text = tr("{0}. Check the address, your network and the proxy settings (Settings > Options > Network); "
                  "TLS certificates are always verified.").format(str(e).rstrip("."))
    elif isinstance(e, CanceledError):
        text = tr("Canceled: nothing is lost; run it again to continue where it stopped.")
    elif isinstance(e, (PlatformError, CredentialsError, geopackage.WorkingCopyError)):
        text = str(e)
    elif isinstance(e, sqlite3.Error):
        text = tr("The working copy could not be read or written ({0}): is it open in another program, or "
                  "damaged?").format(redact(str(e) or type(e).__name__))
    elif isinstance(e, OSError):
        text = tr("A file could not be read or written: {0}").format(redact(str(e) or type(e).__name__))
    elif isinstance(e, ValueError):
        text = redact(str(e) or type(e).__name__)
    elif isinstance(e, RuntimeError):  # GDAL/OGR errors (osgeo with exceptions on)
        text = tr("GDAL/OGR error: {0}").format(redact(str(e) or type(e).__name__))
    else:  # a bug: still one clear line, not a traceback
        text = tr("Unexpected error ({0}: {1}); nothing more was synced. Please report it.").format(
            type(e).__name__, redact(str(e)))
    return QgsProcessingException(text)


class _SyncAlgorithm(QgsProcessingAlgorithm):
    SERVER_URL, AUTHCFG, COUNTY, WORKING_COPY = "SERVER_URL", "AUTHCFG", "COUNTY", "WORKING_COPY"
    KIND, DESCRIPTION = "PLATFORM_KIND", "WFS_DESCRIPTION"
    KINDS = (REST, WFS)  # submission packages: forestry:exportpackage / forestry:importpackage

    def group(self):
        return tr("Provincial platform")

    def groupId(self):  # noqa: N802
        return "platform"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterString(self.SERVER_URL, tr("Platform API URL"),
                                                       DEFAULT_PLATFORM_URL))
        self.addParameter(QgsProcessingParameterEnum(self.KIND, tr("Platform kind"),
                                                     [kind_label(k) for k in self.KINDS], defaultValue=0,
                                                     optional=True))
        self.addParameter(QgsProcessingParameterFile(self.DESCRIPTION, tr("WFS service description (empty: the "
                                                                          "bundled one)"), extension="json",
                                                     optional=True))
        self.addParameter(QgsProcessingParameterAuthConfig(self.AUTHCFG, tr("Authentication (user name / password)")))
        self.addParameter(QgsProcessingParameterString(self.COUNTY, tr("County code (empty: the working copy's)"),
                                                       "", optional=True))
        self.addParameter(QgsProcessingParameterFile(self.WORKING_COPY, tr("Working copy"), extension="gpkg"))
        for name, label in (("PULLED", tr("Pulled")), ("PUSHED", tr("Pushed")), ("ACCEPTED", tr("Accepted")),
                            ("CONFLICTS", tr("Conflicts")), ("REJECTED", tr("Rejected")),
                            ("QUARANTINED", tr("Set aside (unreadable platform records)"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))
        self.addOutput(QgsProcessingOutputString("SUMMARY", tr("Summary")))

    def _engine(self, parameters, context, feedback) -> SyncEngine:
        path = self.parameterAsFile(parameters, self.WORKING_COPY, context)
        geopackage.verify_working_copy(path)
        username, password = credentials(self.parameterAsString(parameters, self.AUTHCFG, context))
        kind = self.KINDS[self.parameterAsEnum(parameters, self.KIND, context) or 0]
        client = open_platform(kind, self.parameterAsString(parameters, self.SERVER_URL, context),
                               self.parameterAsFile(parameters, self.DESCRIPTION, context) or None, feedback=feedback)
        client.login(username, password)
        return SyncEngine(path, client, self.parameterAsString(parameters, self.COUNTY, context) or None)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            engine = self._engine(parameters, context, feedback)
            me = engine.adopt_session()  # the account and the platform's policy, cached for offline work
            feedback.pushInfo(tr("Logged in as {0}").format(me.label(ui_language())))
            summary = self._run(engine, feedback)
        except Exception as e:  # noqa: BLE001 - every failure is one clear message, never a traceback
            raise user_error(e) from None
        return self._outputs(summary, feedback)

    def _run(self, engine: SyncEngine, feedback):
        raise NotImplementedError

    @staticmethod
    def _outputs(summary, feedback):
        feedback.pushInfo(tr("pulled {0}, pushed {1}: accepted {2}, conflicts {3}, rejected {4}").format(
            summary.pulled, summary.pushed, summary.accepted, summary.conflicts, summary.rejected))
        if summary.quarantined:
            feedback.reportError(tr("{0} record(s) from the platform could not be taken and were set aside").format(
                summary.quarantined))
        for e in summary.errors:
            feedback.reportError(e)
        return {"PULLED": summary.pulled, "PUSHED": summary.pushed, "ACCEPTED": summary.accepted,
                "CONFLICTS": summary.conflicts, "REJECTED": summary.rejected,
                "QUARANTINED": summary.quarantined, "SUMMARY": f"{summary.action} {summary.at}"}


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

    def _run(self, engine: SyncEngine, feedback):
        return engine.pull(progress=lambda f: feedback.setProgress(f * 100), is_canceled=feedback.isCanceled)


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

    def _run(self, engine: SyncEngine, feedback):
        return engine.push(progress=lambda f: feedback.setProgress(f * 100), is_canceled=feedback.isCanceled)
