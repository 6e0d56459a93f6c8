"""Upload/download panel: log in through QgsAuthManager, see local changes, download/upload in a QgsTask
with progress and cancel, resolve conflicts (keep mine / take theirs / compare side by side)."""

from __future__ import annotations

import copy
from typing import Callable, Optional

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFeature,
    QgsFeedback,
    QgsFillSymbol,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsTask,
    QgsVectorLayer,
)
from qgis.gui import QgsAuthConfigSelect, QgsDockWidget, QgsFileWidget, QgsMapCanvas
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import schema
from ..core import audit, clock, geopackage, identity
from ..core.queries import admin_units
from ..core.sync.adapter import KINDS, PACKAGE, WFS, Platform
from ..core.sync.auth import CredentialsError, credentials
from ..core.sync.client import AuthError, CanceledError, NetworkError, PlatformClient, PlatformError, redact
from ..core.sync.engine import OtherPlatform, SyncEngine, UnrecordedPlatform, binding_text
from ..core.sync.platforms import checked_kind, kind_label, open_platform
from ..core.sync.wfs import DescriptionError
from ..i18n import tr, ui_language
from ..settings import PluginSettings, WorkingCopyKey
from . import messages
from .common import (
    DockComponent,
    current_working_copy,
    detach_task,
    display_value,
    field_label,
    find_layer,
    translate_buttons,
)

SAME_PLATFORM, OTHER_PLATFORM = "same", "other"  # the answers to "which platform is this address?"


def _clean(engine: SyncEngine, text: str) -> str:
    """The plugin's own text about a platform without any credential in it (an address's tk=, ak=, token=, ...,
    the session's secrets); not cut."""
    return redact(text, engine.client.secrets(), limit=None)


class SyncTask(QgsTask):
    """Runs pull, push or both in a worker thread; cancel aborts the request under way."""

    def __init__(self, engine: SyncEngine, action: str):
        super().__init__(tr("Forestry platform: {0}").format(action), QgsTask.CanCancel)
        self.engine, self.action = engine, action
        self.feedback = QgsFeedback()
        engine.client.feedback = self.feedback
        self.results = []
        self.error: Optional[Exception] = None
        self.batch_size = 200  # patches per upload request

    def cancel(self):
        self.feedback.cancel()
        super().cancel()

    def run(self) -> bool:
        try:
            progress = self.setProgress
            # Who we are and the policy the platform enforces, as the platform says now (cached for offline work).
            self.engine.adopt_session()
            if self.action in ("download", "sync"):
                self.results.append(self.engine.pull(lambda f: progress(f * (50 if self.action == "sync" else 100)),
                                                     self.isCanceled))
            if self.action in ("upload", "sync"):
                base = 50 if self.action == "sync" else 0
                self.results.append(self.engine.push(batch_size=self.batch_size, progress=lambda f: progress(base + f * (100 - base)),
                                                     is_canceled=self.isCanceled))
            return True
        except Exception as e:  # reported on the main thread in finished()
            self.error = e
            return False


class LoginTask(QgsTask):
    """Logs in (or out) in a worker thread: a platform that refuses the connection or never answers takes
    seconds of retries and back-off, which must not freeze QGIS. Login also asks who we are and caches the
    workflow policy in the working copy (SyncEngine.adopt_session). The panel applies the result on the main
    thread when the task has finished.

    The task owns its client: a login gets a new one, a logout a copy of the session's (session_copy), so that
    neither touches the feedback or the tokens of a client a SyncTask may be using."""

    def __init__(self, action: str, client: Platform, username: str = "", password: str = "",
                 path: Optional[str] = None, county: Optional[str] = None):
        super().__init__(tr("Forestry platform: log in") if action == "login" else tr("Forestry platform: log out"),
                         QgsTask.CanCancel)
        self.action, self.client = action, client
        self._username, self._password = username, password
        self.path, self.county = path, county
        self.feedback = QgsFeedback()
        client.feedback = self.feedback
        self.user: dict = {}
        self.identity = None
        self.error: Optional[Exception] = None
        self.warning: Optional[Exception] = None  # logged in, but the session could not be cached

    def cancel(self):
        self.feedback.cancel()
        super().cancel()

    def run(self) -> bool:
        try:
            if self.action == "logout":
                self.client.logout()  # errors are swallowed: the copy's tokens are forgotten all the same
                return True
            self.setProgress(10)
            self.user = self.client.login(self._username, self._password)
            self._password = ""
            if self.client.verifies_identity:
                self.identity = identity.from_platform_user(self.user, self.client.base_url)  # ValueError: unusable
            else:  # a GIS server does not say who the session is: this copy's own identity works on
                self.identity = identity.current_user(self.path) if self.path else identity.local_identity()
            self.setProgress(60)
            if self.path and not self.isCanceled():
                try:  # cache who we are and the platform's policy in the working copy, for offline work
                    SyncEngine(self.path, self.client, self.county).adopt_session()
                except (PlatformError, ValueError, geopackage.WorkingCopyError) as e:
                    self.warning = e
            self.setProgress(100)
            return True
        except Exception as e:  # reported on the main thread
            self.error = e
            return False
        finally:
            self.client.feedback = None


def session_copy(client: Platform) -> Platform:
    """A copy of `client` holding the same tokens and settings but its own feedback: ending the session through
    it leaves the original (and anything still using it) untouched."""
    twin = copy.copy(client)
    twin.feedback = None
    twin.user = dict(client.user or {})
    return twin


def describe_error(e: Exception) -> str:
    """A message telling the user what to do."""
    if isinstance(e, AuthError):
        return str(e) if not e.expired else tr("Your session has expired: log in again")
    if isinstance(e, NetworkError):
        return tr("{0}. Check the address, your network and the proxy settings (Settings > Options > Network); "
                  "TLS certificates are always verified.").format(str(e).rstrip("."))
    if isinstance(e, CanceledError):
        return tr("Canceled: nothing is lost; run it again to continue where it stopped.")
    if isinstance(e, audit.AuditTampered):
        return tr("The audit log of this working copy was altered outside the plugin ({0}); nothing was synced. "
                  "Ask the platform administrator.").format("; ".join(e.problems))
    return str(e)


class CompareDialog(QDialog):
    """Both versions of a conflicted patch: attributes side by side (differences highlighted, code values by their
    labels) and both geometries over the working copy's base map; "Keep mine" / "Take theirs" set `choice`."""

    def __init__(self, comparison: dict, parent=None, basemap: Optional[QgsVectorLayer] = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Compare versions of {0}").format(comparison["patch_id"]))
        self.resize(900, 560)
        self.setSizeGripEnabled(True)
        self.choice: Optional[str] = None  # "mine" / "theirs" when one of the buttons closed the dialog
        lang = ui_language()
        layout = QHBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("Field"), tr("Mine (this computer)"), tr("Theirs (platform)")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        diff = set(comparison["differences"])
        for name, mine in comparison["mine"].items():
            r = self.table.rowCount()
            self.table.insertRow(r)
            label = QTableWidgetItem(field_label(name, lang))
            label.setToolTip(name)
            self.table.setItem(r, 0, label)
            for c, value in ((1, mine), (2, comparison["theirs"].get(name))):
                text, tip = display_value(name, value, lang)
                item = QTableWidgetItem(text)
                if tip:
                    item.setToolTip(tip)
                if name in diff:
                    item.setBackground(QBrush(QColor("#ffe08a")))
                self.table.setItem(r, c, item)
        layout.addWidget(self.table, 3)
        self.canvas = QgsMapCanvas()
        self.canvas.setCanvasColor(QColor("white"))
        self.layers = []  # the two versions' geometries (memory layers)
        self.basemap = basemap  # the working copy's base map under them, if it is in the project
        for label, wkb, colour, style in ((tr("Mine"), comparison["mine_geometry"], "#1f78b4", "solid"),
                                          (tr("Theirs"), comparison["theirs_geometry"], "#e31a1c", "dash")):
            if not wkb:
                continue
            lyr = QgsVectorLayer(f"MultiPolygon?crs={comparison['crs']}", label, "memory")
            g = QgsGeometry()
            g.fromWkb(wkb)
            f = QgsFeature()
            f.setGeometry(g)
            lyr.dataProvider().addFeatures([f])
            lyr.updateExtents()
            lyr.renderer().setSymbol(QgsFillSymbol.createSimple({
                "color": "0,0,0,0", "style": "no", "outline_color": colour, "outline_width": "0.8",
                "outline_style": style}))
            self.layers.append(lyr)
        if self.layers:
            self.canvas.setDestinationCrs(self.layers[0].crs())
            self.canvas.setLayers(self.layers + ([basemap] if basemap is not None else []))  # top first
            ext = QgsRectangle(self.layers[0].extent())
            for lyr in self.layers[1:]:
                ext.combineExtentWith(lyr.extent())
            ext.scale(1.3)
            self.canvas.setExtent(ext)
        right = QVBoxLayout()
        right.addWidget(QLabel(tr("Blue: mine; red dashed: theirs")))
        right.addWidget(self.canvas, 1)
        buttons = QDialogButtonBox()
        self.mine_button = buttons.addButton(tr("Keep mine"), QDialogButtonBox.AcceptRole)
        self.theirs_button = buttons.addButton(tr("Take theirs"), QDialogButtonBox.AcceptRole)
        self.close_button = buttons.addButton(QDialogButtonBox.Close)
        translate_buttons(buttons)
        self.mine_button.clicked.connect(lambda: self._choose("mine"))
        self.theirs_button.clicked.connect(lambda: self._choose("theirs"))
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        right.addWidget(buttons)
        layout.addLayout(right, 2)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class SyncPanel(QgsDockWidget):
    """The upload/download dock."""

    status_changed = pyqtSignal()

    def __init__(self, iface, parent=None):
        super().__init__(tr("Forestry platform sync"), parent)
        self.setObjectName("ForestrySyncPanel")
        self.iface = iface
        self.client: Optional[Platform] = None
        self.task: Optional[SyncTask] = None
        self.login_task: Optional[LoginTask] = None  # a login under way
        self._logout_tasks: list = []  # logouts under way (kept referenced until they finish)
        self.failed_action: Optional[str] = None  # what the retry button runs again
        self._watched_layer: Optional[QgsVectorLayer] = None
        self.ask: Callable[[str, str], bool] = self._ask_user  # replaced in tests
        # which platform another address is (the same one moved, or another: re-bind), Cancel the default button;
        # (title, question, [(choice, button text, what it does)]) -> SAME_PLATFORM, OTHER_PLATFORM or None;
        # replaced in tests
        self.choose_binding: Callable[[str, str, list], Optional[str]] = self._ask_binding
        body = QWidget()
        layout = QVBoxLayout(body)
        form = QFormLayout()
        settings = PluginSettings()  # the kind, URL, description and authcfg id are remembered; never secrets
        self.kind_combo = QComboBox()
        for kind in KINDS:
            self.kind_combo.addItem(kind_label(kind), kind)
        self.kind_combo.setCurrentIndex(KINDS.index(settings.sync_kind))
        self.kind_combo.setToolTip(tr("How this server exchanges patches: the provincial platform's REST contract, "
                                      "a GIS server's WFS-T, or submission packages uploaded as files"))
        self.url_edit = QLineEdit(settings.sync_url)
        self.description_widget = QgsFileWidget()
        self.description_widget.setFilter(tr("Service description (*.json)"))
        self.description_widget.setFilePath(settings.wfs_description)
        self.description_widget.lineEdit().setPlaceholderText(tr("bundled: a QGIS Server patch layer"))
        self.description_widget.setToolTip(tr("The JSON file naming the server's feature type and fields "
                                              "(docs/sync.md); empty: the bundled one"))
        # Editable: the working copy's county is preselected; its admin units and the user's county are offered.
        self.county_combo = QComboBox()
        self.county_combo.setEditable(True)
        self.county_combo.lineEdit().setPlaceholderText(tr("from the working copy"))
        self._counties_of: Optional[str] = None  # the working copy the county list was read from
        self.auth_select = QgsAuthConfigSelect(body)
        self.auth_select.setConfigId(settings.sync_authcfg)
        form.addRow(tr("Kind:"), self.kind_combo)
        form.addRow(tr("Platform:"), self.url_edit)
        self.description_label = QLabel(tr("Service description:"))
        form.addRow(self.description_label, self.description_widget)
        form.addRow(tr("County:"), self.county_combo)
        self.login_label = QLabel(tr("Login:"))
        form.addRow(self.login_label, self.auth_select)
        layout.addLayout(form)
        self.package_row = QWidget()
        prow = QHBoxLayout(self.package_row)
        prow.setContentsMargins(0, 0, 0, 0)
        self.export_package_button = QPushButton(tr("Export package…"))
        self.export_package_button.setToolTip(tr("Write the patches as the province's submission package (zip)"))
        self.import_package_button = QPushButton(tr("Import package…"))
        self.import_package_button.setToolTip(tr("Take back a package the platform returned (one undoable step)"))
        prow.addWidget(self.export_package_button)
        prow.addWidget(self.import_package_button)
        layout.addWidget(self.package_row)
        row = QHBoxLayout()
        self.login_button = QPushButton(tr("Log in"))
        self.logout_button = QPushButton(tr("Log out"))
        self.logout_button.setToolTip(tr("End the session on the platform; your moves made offline stay pending"))
        self.logout_button.setEnabled(False)
        self.user_label = QLabel(tr("Not logged in"))
        row.addWidget(self.login_button)
        row.addWidget(self.logout_button)
        row.addWidget(self.user_label, 1)
        layout.addLayout(row)
        self.changes_label = QLabel()
        self.changes_label.setWordWrap(True)
        layout.addWidget(self.changes_label)
        row = QHBoxLayout()
        self.download_button = QPushButton(tr("Download"))
        self.download_button.setToolTip(tr("Bring the platform's changes into the working copy"))
        self.upload_button = QPushButton(tr("Upload"))
        self.upload_button.setToolTip(self._upload_tip())
        self.sync_button = QPushButton(tr("Download + upload"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.retry_button = QPushButton(tr("Retry"))
        self.retry_button.setEnabled(False)
        for b in (self.download_button, self.upload_button, self.sync_button, self.cancel_button, self.retry_button):
            row.addWidget(b)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        layout.addWidget(QLabel(tr("Conflicts (changed here and on the platform):")))
        self.conflicts_table = QTableWidget(0, 3)
        self.conflicts_table.setHorizontalHeaderLabels([tr("Patch no."), tr("Here"), tr("On the platform")])
        self.conflicts_table.verticalHeader().hide()
        header = self.conflicts_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.conflicts_table.setSelectionBehavior(QTableWidget.SelectRows)
        self.conflicts_table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout.addWidget(self.conflicts_table, 1)
        row = QHBoxLayout()
        self.mine_button = QPushButton(tr("Keep mine"))
        self.theirs_button = QPushButton(tr("Take theirs"))
        self.compare_button = QPushButton(tr("Compare…"))
        for b in (self.mine_button, self.theirs_button, self.compare_button):
            row.addWidget(b)
        layout.addLayout(row)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.setWidget(body)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.url_edit.editingFinished.connect(self._server_chosen)
        self.export_package_button.clicked.connect(lambda: self._package_dialog("forestry:exportpackage"))
        self.import_package_button.clicked.connect(lambda: self._package_dialog("forestry:importpackage"))
        self._kind_changed()
        self.login_button.clicked.connect(lambda: self.login(wait=False))
        self.logout_button.clicked.connect(lambda: self.logout(wait=False))
        self.download_button.clicked.connect(lambda: self.start("download"))
        self.upload_button.clicked.connect(lambda: self.start("upload"))
        self.sync_button.clicked.connect(lambda: self.start("sync"))
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.retry)
        self.mine_button.clicked.connect(lambda: self.resolve("mine"))
        self.theirs_button.clicked.connect(lambda: self.resolve("theirs"))
        self.compare_button.clicked.connect(self.compare)
        QgsProject.instance().layersAdded.connect(self.refresh)
        self.refresh()

    # -- platform kinds -------------------------------------------------------------------
    def kind(self) -> str:
        return checked_kind(self.kind_combo.currentData())

    def _server_chosen(self) -> None:
        """A server typed or pasted: the kind and description used with it last time come back."""
        settings = PluginSettings()
        kind = settings.server_kind(self.url_edit.text())
        if kind and not (self.client is not None and self.client.logged_in):
            self.kind_combo.setCurrentIndex(KINDS.index(kind))
            self.description_widget.setFilePath(settings.server_description(self.url_edit.text()))

    def _kind_changed(self, *_args) -> None:
        """Show what the chosen kind needs: a service description for WFS-T, files instead of a login for
        packages."""
        kind = self.kind()
        PluginSettings().sync_kind = kind
        sync = kind != PACKAGE
        for w in (self.url_edit, self.login_label, self.auth_select, self.login_button, self.logout_button,
                  self.user_label, self.download_button, self.upload_button, self.sync_button, self.retry_button,
                  self.cancel_button):
            w.setVisible(sync)
        for w in (self.description_label, self.description_widget):
            w.setVisible(kind == WFS)
        self.package_row.setVisible(not sync)
        self.refresh()

    def _package_dialog(self, algorithm: str):
        """Export or import a submission package through its Processing dialog (run as a task, with progress)."""
        path = self.working_copy()
        if not path:
            messages.warning(self.iface, tr("Open a working copy first"), messages.PLATFORM)
            return None
        import processing

        return processing.execAlgorithmDialog(algorithm, {"WORKING_COPY": path})

    # -- helpers ------------------------------------------------------------------------
    def disconnect_project(self):
        """The plugin is unloaded: stop what runs and make sure no task reports to this (soon deleted) dock."""
        for task in (self.login_task, self.task):
            detach_task(task)
        self.login_task = self.task = None
        try:
            QgsProject.instance().layersAdded.disconnect(self.refresh)
        except TypeError:
            pass
        self._watch_layer(None)

    def _watch_layer(self, layer: Optional[QgsVectorLayer]) -> None:
        """Refresh the change counts whenever edits of the patch layer are saved."""
        if layer is self._watched_layer:
            return
        if self._watched_layer is not None:
            try:
                self._watched_layer.afterCommitChanges.disconnect(self.refresh)
            except (TypeError, RuntimeError):  # already disconnected, or the layer was deleted
                pass
        self._watched_layer = layer
        if layer is not None:
            layer.afterCommitChanges.connect(self.refresh)

    def _ask_user(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text, QMessageBox.Yes | QMessageBox.No) == QMessageBox.Yes

    @staticmethod
    def _upload_tip(read_only: bool = False) -> str:
        if read_only:
            return tr("This platform takes no uploads (it only publishes the layer): local changes stay queued in the "
                      "working copy; hand them in with a submission package or a platform that takes uploads")
        return tr("Send local changes and the audit trail to the platform")

    def _takes_uploads(self) -> bool:
        """False when the logged-in platform only publishes the layer (a read-only WFS description)."""
        return self.client is None or bool(getattr(self.client, "accepts_uploads", True))

    def working_copy(self) -> Optional[str]:
        return current_working_copy()

    def patch_layer(self) -> Optional[QgsVectorLayer]:
        return find_layer(self.working_copy(), schema.PATCHES)

    def engine(self) -> SyncEngine:
        path = self.working_copy()
        if not path:
            raise PlatformError(tr("Open a working copy first"))
        if self.client is None or not self.client.logged_in:
            raise AuthError(tr("Log in first"), expired=True)
        county = self.county()
        own = geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or ""
        if own and county and county != own:
            # A working copy holds one county: mixing another one in would upload its patches under the wrong code.
            raise PlatformError(tr("This working copy belongs to county {0}, not {1}").format(own, county))
        return SyncEngine(path, self.client, county or None)

    def county(self) -> str:
        """The chosen county code (the list shows "code name")."""
        data = self.county_combo.currentData()
        text = self.county_combo.currentText().strip()
        return data if data and self.county_combo.itemText(self.county_combo.currentIndex()) == text else (
            text.split(" ")[0] if text else "")

    def _add_county(self, code: str, name: str = "") -> int:
        index = self.county_combo.findData(code)
        if index < 0 and code:
            self.county_combo.addItem(f"{code} {name}".strip(), code)
            index = self.county_combo.count() - 1
        return index

    def _load_counties(self, path: Optional[str]) -> None:
        """Fill the county list from the working copy (its county first) when another working copy is opened."""
        if path == self._counties_of:
            return
        self._counties_of = path
        self.county_combo.clear()
        if not path:
            return
        try:
            own = geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or ""
        except Exception:  # noqa: BLE001 - not a working copy: the typed code still works
            own = ""
        try:
            rows = admin_units(path, "county")
        except Exception:  # noqa: BLE001 - no admin units, or a reference database out of reach: its own county
            rows = []
        names = {r[0]: r[1] for r in rows}
        self._add_county(own, names.get(own, ""))
        for code, name in rows:
            self._add_county(code, name)
        self.county_combo.setCurrentIndex(max(0, self.county_combo.findData(own)))

    # -- actions ------------------------------------------------------------------------
    def login(self, wait: bool = True):
        """Log in with the chosen authentication configuration.

        The button runs it as a QgsTask (wait=False: returns the task; the result is applied when it finishes,
        the login button disabled meanwhile). Scripts and tests wait (returns True when logged in); the same task
        code then runs in the calling thread.
        """
        if self.login_task is not None:
            return None if not wait else False
        if self.task is not None:  # a sync uses the current session: log in again when it has finished
            messages.warning(self.iface, tr("Wait until the download/upload has finished (or cancel it) before "
                                            "logging in again"), messages.PLATFORM)
            return None if not wait else False
        url, authcfg = self.url_edit.text().strip(), self.auth_select.configId()
        try:
            username, password = credentials(authcfg)  # QgsAuthManager: on the main thread
        except CredentialsError as e:
            self.user_label.setText(describe_error(e))
            messages.warning(self.iface, describe_error(e), messages.PLATFORM)
            return None if not wait else False
        try:
            client = open_platform(self.kind(), url, self.description_widget.filePath().strip() or None)
        except (DescriptionError, ValueError) as e:
            self.user_label.setText(str(e))
            messages.warning(self.iface, str(e), messages.PLATFORM)
            return None if not wait else False
        task = LoginTask("login", client, username, password, self.working_copy(), self.county() or None)
        task.url, task.authcfg = url, authcfg
        self.login_task = task
        task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        task.taskCompleted.connect(lambda: self._login_finished(task))
        task.taskTerminated.connect(lambda: self._login_finished(task))
        self.user_label.setText(tr("Logging in…"))
        self.progress.setValue(0)
        self.refresh()
        if wait:
            task.run()
            return self._login_finished(task)
        QgsApplication.taskManager().addTask(task)
        return task

    def _login_finished(self, task: LoginTask) -> bool:
        """Apply a finished login on the main thread; True when logged in."""
        if self.login_task is not task:
            return False  # already applied (the task manager reports once, a waited run reports here)
        self.login_task = None
        ok = task.error is None and task.identity is not None
        if not ok:
            err = task.error
            if err is None:
                err = CanceledError(tr("Canceled"))
            if isinstance(err, ValueError):
                task.client.forget()
                self.user_label.setText(tr("Not logged in"))
                messages.error(self.iface, tr("The platform sent an unusable account: {0}").format(err),
                               messages.PLATFORM)
            else:
                self.user_label.setText(describe_error(err))
                messages.warning(self.iface, describe_error(err), messages.PLATFORM)
            self.refresh()
            return False
        settings = PluginSettings()
        settings.sync_authcfg = task.authcfg
        settings.remember_server(task.url, task.client.kind, self.description_widget.filePath())
        self.client = task.client
        if task.client.verifies_identity:
            identity.set_session(task.identity)
        if task.warning is not None:
            messages.warning(self.iface, describe_error(task.warning), messages.PLATFORM)
        for notice in getattr(task.client, "notices", ()) or ():  # what the adapter found about the server
            messages.warning(self.iface, notice, messages.PLATFORM)
        if task.client.verifies_identity:
            self.user_label.setText(tr("Logged in as {0}").format(task.identity.label(ui_language())))
        else:
            self.user_label.setText(tr("Connected as {0}; working as {1} (a GIS server checks no roles)").format(
                task.user.get("username") or "-", task.identity.label(ui_language())))
        self.progress.setValue(100)
        index = self._add_county(task.user.get("county") or "")
        if not self.county() and index >= 0:
            self.county_combo.setCurrentIndex(index)
        self.refresh()
        return True

    def logout(self, wait: bool = True) -> None:
        """End the platform session; the review dock falls back to the cached identity (offline) or local work.

        Logged out here at once; telling the platform runs in a QgsTask (wait=False, the button) or in this
        thread (scripts and tests). Refused while a download/upload runs: it uses the session."""
        if self.task is not None:
            messages.warning(self.iface, tr("Wait until the download/upload has finished (or cancel it) before "
                                            "logging out"), messages.PLATFORM)
            return
        client, self.client = self.client, None
        identity.set_session(None)
        self.user_label.setText(tr("Not logged in"))
        self.refresh()
        if client is None:
            return
        # The platform is told through a copy with its own feedback; the tokens here are forgotten at once.
        twin = session_copy(client)
        client.forget()
        task = LoginTask("logout", twin)
        if wait:
            task.run()
            return
        self._logout_tasks.append(task)
        done = lambda: self._logout_tasks.remove(task) if task in self._logout_tasks else None  # noqa: E731
        task.taskCompleted.connect(done)
        task.taskTerminated.connect(done)
        QgsApplication.taskManager().addTask(task)

    def refresh(self, *_args) -> None:
        path = self.working_copy()
        busy = self.task is not None
        logging_in = self.login_task is not None
        ready = bool(path) and self.client is not None and self.client.logged_in and not busy and not logging_in
        for b in (self.download_button, self.upload_button, self.sync_button):
            b.setEnabled(ready)
        # a platform that only publishes the layer takes no upload: the button says why it is off
        uploads = self._takes_uploads()
        self.upload_button.setEnabled(ready and uploads)
        self.upload_button.setToolTip(self._upload_tip(not uploads))
        self.sync_button.setToolTip("" if uploads else tr("Downloads only: this platform takes no uploads, local "
                                                          "changes stay queued in the working copy"))
        self.retry_button.setEnabled(ready and self.failed_action is not None)
        self.cancel_button.setEnabled(busy or logging_in)
        self.login_button.setEnabled(not logging_in and not busy)
        self.kind_combo.setEnabled(not logging_in and not busy and not (self.client is not None and
                                                                        self.client.logged_in))
        self.logout_button.setEnabled(not logging_in and not busy and self.client is not None and self.client.logged_in)
        self._watch_layer(self.patch_layer())
        self._load_counties(path)
        self.conflicts_table.setRowCount(0)
        if not path:
            self.changes_label.setText(tr("No working copy open"))
            return
        try:
            from ..core.sync.changes import backfill_message, ensure_change_tracking

            backfilled = ensure_change_tracking(path)
            if backfilled:  # a copy from before change tracking: its patches were never sent
                messages.warning(self.iface, backfill_message(backfilled), messages.PLATFORM)
            engine = SyncEngine(path, self.client or PlatformClient(self.url_edit.text()))
            ch = engine.local_changes()
            conflicts = engine.conflicts()
            last = engine.last_sync_summary()
        except (geopackage.WorkingCopyError, ValueError) as e:
            self.changes_label.setText(str(e))
            return
        self.changes_label.setText(tr("Local changes: {0} new, {1} changed, {2} deleted; {3} conflicts, {4} rejected")
                                   .format(ch["inserted"], ch["updated"], ch["deleted"], ch["conflicts"], ch["rejected"]))
        for c in conflicts:
            r = self.conflicts_table.rowCount()
            self.conflicts_table.insertRow(r)
            props = (c["server"] or {}).get("properties") or {}
            item = QTableWidgetItem(props.get("tuban_no") or c["patch_id"][:8])
            item.setData(Qt.UserRole, c["patch_id"])
            self.conflicts_table.setItem(r, 0, item)
            try:
                cmp = engine.compare(c["patch_id"])
            except (KeyError, ValueError):
                cmp = {"differences": [], "mine": {}, "theirs": {}, "server_deleted": c["server"] is None}
            diff = cmp["differences"]
            # Each side's values of the fields that differ, so the list tells who holds what at a glance.
            here = self._side_text(cmp["mine"], diff) if (cmp["mine"] or {}).get("patch_id") else tr("deleted")
            there = tr("deleted") if cmp.get("server_deleted") else self._side_text(cmp["theirs"], diff)
            for column, text in ((1, here), (2, "{0} (v{1})".format(there, c["server_version"]))):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text.replace("; ", "\n"))
                self.conflicts_table.setItem(r, column, cell)
        if last:
            self.summary_label.setText(tr("Last {0} at {1}: pulled {2}, pushed {3} (accepted {4}, conflicts {5}, "
                                          "rejected {6}){7}").format(
                tr("download") if last["action"] == "pull" else tr("upload"), clock.local_text(last["at"]), last["pulled"], last["pushed"], last["accepted"],
                last["conflicts"], last["rejected"], ("; " + "; ".join(last["errors"][:3])) if last["errors"] else ""))
            if last.get("transitions_accepted") or last.get("transitions_refused"):  # review moves sent with it
                self.summary_label.setText(self.summary_label.text() + "; " + tr(
                    "stage moves: {0} accepted, {1} refused").format(last.get("transitions_accepted") or 0,
                                                                     last.get("transitions_refused") or 0))
            if last.get("quarantined"):
                self.summary_label.setText(self.summary_label.text() + "\n" + tr(
                    "{0} record(s) from the platform could not be taken and were set aside").format(last["quarantined"]))
        self.status_changed.emit()

    @staticmethod
    def _side_text(values: dict, fields: list) -> str:
        """ "Label: value; ..." of one side's differing fields, code values shown by their labels."""
        lang, parts = ui_language(), []
        for name in fields:
            field = schema.PATCH_FIELD.get(name)
            value = (values or {}).get(name)
            if field is not None and field.code_list and value not in (None, ""):
                value = schema.CODE_LISTS[field.code_list].label(str(value), lang)
            label = field.label(lang) if field is not None else name
            parts.append("{0}: {1}".format(label, "" if value is None else value))
        return "; ".join(parts)

    def start(self, action: str, wait: bool = False) -> Optional[SyncTask]:
        layer = self.patch_layer()
        if layer is not None and layer.isModified():
            if not self.ask(tr("Unsaved edits"), tr("The patches layer has unsaved edits. Save them first?")):
                return None
            if not layer.commitChanges(False):
                messages.error(self.iface, tr("Could not save the edits: {0}").format("; ".join(layer.commitErrors())),
                               messages.PLATFORM)
                return None
        try:
            engine = self.engine()
            if not self._bound_to(engine):
                return None
        except PlatformError as e:
            messages.warning(self.iface, describe_error(e), messages.PLATFORM)
            return None
        self.task = SyncTask(engine, action)
        self.task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        self.task.taskCompleted.connect(self._finished)
        # Terminated = failed or canceled, possibly before run() started (then no error was recorded).
        self.task.taskTerminated.connect(lambda: self._finished(False))
        self.progress.setValue(0)
        self.refresh()
        if wait:  # tests and scripts: run in this thread, then report as the task manager would
            ok = self.task.run()
            self._finished(ok)
            return None
        QgsApplication.taskManager().addTask(self.task)
        return self.task

    def _bound_to(self, engine: SyncEngine) -> bool:
        """True when the working copy syncs with the engine's platform, or the user said which it is (asked first;
        Cancel leaves everything as it is, and nothing is downloaded or sent): the same platform at a new address
        (bind_same_platform: everything kept) or another platform (rebind: its versions forgotten, nothing
        deleted)."""
        try:
            engine.check_binding()
            return True
        except OtherPlatform as e:
            choice = self.choose_binding(tr("Another platform"), self._binding_question(engine, e),
                                         self._binding_choices(engine, e))
            if choice not in (SAME_PLATFORM, OTHER_PLATFORM):
                messages.warning(self.iface, str(e), messages.PLATFORM)
                return False
        try:
            if choice == SAME_PLATFORM:
                engine.bind_same_platform()
            else:
                engine.rebind()
        except (geopackage.WorkingCopyError, ValueError) as err:  # a locked working copy, ...
            messages.error(self.iface, tr("The working copy is not re-bound: {0}").format(
                _clean(engine, describe_error(err))), messages.PLATFORM)
            return False
        messages.info(self.iface, _clean(engine, tr("This working copy now syncs with {0}").format(
            binding_text(engine.platform_binding()))), messages.PLATFORM)
        return True

    @staticmethod
    def _binding_question(engine: SyncEngine, e: OtherPlatform) -> str:
        """What the user reads before choosing (never a credential: the addresses are redacted)."""
        asked = binding_text(e.asked)
        if isinstance(e, UnrecordedPlatform):
            text = tr("{0}\n\nIs {1} the platform this working copy synced with?").format(str(e), asked)
        else:
            text = tr("{0}\n\nWhich platform is {1}?").format(str(e), asked)
        return _clean(engine, text)

    @staticmethod
    def _binding_choices(engine: SyncEngine, e: OtherPlatform):
        """(choice, button text, what it does) for the question; Cancel is always offered and is the default."""
        asked = _clean(engine, binding_text(e.asked))
        out = []
        if isinstance(e, UnrecordedPlatform):
            out.append((SAME_PLATFORM, tr("Yes, the platform it synced with"), tr(
                "Record {0} as the platform of this working copy and sync as before: every version, the download "
                "position, unsent batches, conflicts and local changes are kept").format(asked)))
        elif engine.same_platform_possible():
            out.append((SAME_PLATFORM, tr("The same platform at a new address"), tr(
                "{0} is the platform this working copy syncs with, moved to a new address: only the recorded address "
                "changes; every version, the download position, unsent batches, the upload in flight, conflicts and "
                "local changes are kept").format(asked)))
        out.append((OTHER_PLATFORM, tr("Another platform"), tr(
            "Re-bind this working copy to {0}: every local patch, change and review move is kept and nothing is "
            "deleted; what it knew of the old platform is forgotten (its versions, unsent batches, conflicts with its "
            "copies), and the next download takes everything {0} holds. Patches {0} does not hold stay here and are "
            "not sent to it unless they are edited (a local change already waiting is sent with the next upload)"
            ).format(asked)))
        return out

    def _ask_binding(self, title: str, text: str, choices) -> Optional[str]:
        """A warning with one button per choice and Cancel (the default and Escape); the choice taken or None."""
        box = QMessageBox(QMessageBox.Warning, title, text + "\n\n" + "\n\n".join(
            f"{label}: {what}" for _choice, label, what in choices), QMessageBox.NoButton, self)
        buttons = {box.addButton(label, QMessageBox.AcceptRole): choice for choice, label, _what in choices}
        cancel = box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec_()
        return buttons.get(box.clickedButton())

    def retry(self, wait: bool = False) -> Optional[SyncTask]:
        """Run the download/upload that failed or was canceled again; the engine resumes where it stopped."""
        if self.failed_action is None:
            return None
        return self.start(self.failed_action, wait=wait)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.login_task is not None:
            self.login_task.cancel()

    def _finished(self, ok: Optional[bool] = None) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        if task.engine.client.feedback is task.feedback:
            task.engine.client.feedback = None  # a canceled feedback would cancel the session's next request
        layer = self.patch_layer()
        if layer is not None:
            layer.dataProvider().reloadData()
            layer.triggerRepaint()
        if task.error is not None or (ok is False and task.error is None):
            err = task.error or CanceledError(tr("Canceled"))
            self.failed_action = task.action
            if isinstance(err, AuthError) and err.expired and self.client is not None:
                # The tokens are no good any more: forget them and say so where the login is.
                self.client.forget()
                identity.set_session(None)
                self.logout_button.setEnabled(False)
                self.user_label.setText(describe_error(err))
            messages.show(self.iface, describe_error(err),
                          Qgis.Warning if isinstance(err, CanceledError) else Qgis.Critical, messages.PLATFORM)
        else:
            self.failed_action = None
            self.progress.setValue(100)
            parts = [tr("pulled {0} (conflicts {1})").format(r.pulled, r.conflicts) if r.action == "pull" else
                     tr("pushed {0}: accepted {1}, conflicts {2}, rejected {3}").format(r.pushed, r.accepted,
                                                                                        r.conflicts, r.rejected)
                     for r in task.results]
            # the review moves sent with an upload (the patch counts above do not include them)
            parts += [tr("stage moves: {0} accepted, {1} refused").format(r.transitions_accepted,
                                                                          r.transitions_refused)
                      for r in task.results if r.action == "push" and (r.transitions_accepted or
                                                                        r.transitions_refused)]
            # anything the sync had to say (a platform that takes no uploads, refused or set-aside patches) makes it
            # a warning: a green "pushed 0" would read as done
            # (an upload's first: it says why nothing went; a notice both halves of a sync repeat, once)
            said = list(dict.fromkeys(e for r in sorted(task.results, key=lambda r: r.action != "push")
                                      for e in r.errors))
            if said:
                shown = said[:3] + ([tr("… and {0} more (see the summary in the panel)").format(len(said) - 3)]
                                    if len(said) > 3 else [])
                messages.warning(self.iface, "; ".join(parts) + "\n" + "\n".join(shown), messages.PLATFORM)
            else:
                messages.success(self.iface, "; ".join(parts), messages.PLATFORM)
        self.refresh()
        # The platform's answers changed stages and the moves' states in the working copy: the docks that follow
        # the session (the review dock's queue, pending marks and history) read them again.
        identity.notify()

    def _selected_patch(self) -> Optional[str]:
        rows = self.conflicts_table.selectionModel().selectedRows()
        if not rows:
            messages.warning(self.iface, tr("Select a conflict first"), messages.PLATFORM)
            return None
        return self.conflicts_table.item(rows[0].row(), 0).data(Qt.UserRole)

    def resolve(self, choice: str, patch_id: Optional[str] = None) -> None:
        patch_id = patch_id or self._selected_patch()
        if not patch_id:
            return
        try:
            self.engine().resolve(patch_id, choice)
        except (PlatformError, KeyError) as e:
            messages.error(self.iface, str(e), messages.PLATFORM)
            return
        layer = self.patch_layer()
        if layer is not None:
            layer.dataProvider().reloadData()
        if choice == "mine" and not self._takes_uploads():
            text = tr("Kept your version here; this platform takes no uploads: hand it in with a submission package "
                      "or a platform that takes uploads")
        elif choice == "mine":
            text = tr("Kept your version; it is sent with the next upload")
        else:
            text = tr("Took the platform's version")
        messages.info(self.iface, text, messages.PLATFORM)
        self.refresh()

    def compare(self, patch_id: Optional[str] = None, show: bool = True) -> Optional[CompareDialog]:
        patch_id = patch_id or self._selected_patch()
        if not patch_id:
            return None
        dlg = CompareDialog(self.engine().compare(patch_id), self, self.basemap_layer())
        if show and dlg.exec_() and dlg.choice:
            self.resolve(dlg.choice, patch_id)
        return dlg

    def basemap_layer(self) -> Optional[QgsVectorLayer]:
        """The working copy's base-map layer in the project (else one named like it), or None."""
        layer = find_layer(self.working_copy(), schema.BASEMAP)
        if layer is not None:
            return layer
        names = {schema.LAYER[schema.BASEMAP].label(lang) for lang in ("zh", "en")}
        return next((lyr for lyr in QgsProject.instance().mapLayers().values()
                     if isinstance(lyr, QgsVectorLayer) and lyr.name() in names), None)


class SyncPanelComponent(DockComponent):
    dock_class = SyncPanel
    icon = "sync"

    def labels(self):
        return tr("Platform sync"), tr("Upload to and download from the provincial platform")
