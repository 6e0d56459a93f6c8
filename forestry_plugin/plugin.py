"""The QGIS plugin object: wires the GUI components and the Processing provider; nothing else."""

from __future__ import annotations

import importlib
import os

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator
from qgis.PyQt.QtGui import QIcon

from .i18n import tr, translation_for
from .paths import i18n_path, icon_path

# GUI components: (module under forestry_plugin.gui, class). Each class takes the plugin
# in its constructor and has init_gui() and unload(); it adds its own actions and docks.
GUI_COMPONENTS = [
    ("project_dock", "ProjectDockComponent"),
    ("workflow_dock", "WorkflowDockComponent"),
    ("sync_panel", "SyncPanelComponent"),
    ("checks_dock", "ChecksDockComponent"),
    ("editing", "EditingComponent"),
]

MENU = "&Forestry"
LOG_TAG = "Forestry"


def qgis_locale() -> str:
    """The locale QGIS's own interface uses (Settings > Options > General)."""
    s = QgsSettings()
    if s.value("locale/overrideFlag", False, type=bool):
        return s.value("locale/userLocale", "en_US") or "en_US"
    return QLocale.system().name()


class ForestryPlugin:
    """classFactory() returns this; QGIS calls initGui()/unload()/initProcessing()."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.toolbar = None
        self.menu = None
        self.components = []
        self.translator = None
        self.missing_dependencies = []
        self._install_translator()

    # -- translations -------------------------------------------------------------------
    def _install_translator(self) -> None:
        name = translation_for(qgis_locale())  # zh-Hans (QGIS's Options dialog), zh_CN, zh-CN, zh ... -> zh_CN
        qm = i18n_path(f"forestry_plugin_{name}.qm") if name else ""
        if qm and os.path.exists(qm):
            self.translator = QTranslator()
            if self.translator.load(qm):
                QCoreApplication.installTranslator(self.translator)
                return
            self.translator = None

    # -- processing ---------------------------------------------------------------------
    def initProcessing(self):  # noqa: N802 (QGIS API name)
        from .processing.provider import ForestryProvider

        if self.provider is None:
            self.provider = ForestryProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    # -- GUI ----------------------------------------------------------------------------
    def initGui(self):  # noqa: N802 (QGIS API name)
        from .dependencies import SHAPELY_REBUILD_HINT, install_hint, missing_requirements, shapely_geos_problem
        from .gui import messages

        self.missing_dependencies = missing_requirements()
        geos = shapely_geos_problem()
        if geos:
            text = tr("The installed shapely cannot run inside QGIS ({0}): it would crash QGIS, so the checks and "
                      "editing tools stay off. Rebuild it against QGIS's GEOS: {1}, then restart QGIS.").format(
                geos, SHAPELY_REBUILD_HINT)
            messages.error(self.iface, text, messages.PLUGIN)
        elif self.missing_dependencies:
            text = tr("Some features need Python packages that QGIS's Python lacks: {0}. Install them with: {1} "
                      "(on Windows in the OSGeo4W Shell), then restart QGIS.").format(
                ", ".join(self.missing_dependencies), install_hint(self.missing_dependencies))
            messages.warning(self.iface, text, messages.PLUGIN)
        self.initProcessing()
        self.toolbar = self.iface.addToolBar(tr("Forestry"))
        self.toolbar.setObjectName("ForestryToolbar")
        self.menu = MENU
        for module_name, class_name in GUI_COMPONENTS:
            try:
                module = importlib.import_module(f"{__package__}.gui.{module_name}")
                component = getattr(module, class_name)(self)
                component.init_gui()
            except Exception as e:  # one broken component must not take the others down
                QgsMessageLog.logMessage(tr("Could not start {0}: {1}").format(class_name, e), LOG_TAG, Qgis.Critical)
                continue
            self.components.append(component)

    def add_action(self, action, menu: bool = True, toolbar: bool = True):
        """Register a QAction in the plugin's menu and toolbar; removed again on unload."""
        if toolbar and self.toolbar is not None:
            self.toolbar.addAction(action)
        if menu:
            self.iface.addPluginToVectorMenu(self.menu, action)
        return action

    def remove_action(self, action):
        self.iface.removePluginVectorMenu(self.menu, action)
        if self.toolbar is not None:
            self.toolbar.removeAction(action)

    @staticmethod
    def icon(name: str) -> QIcon:
        return QIcon(icon_path(name))

    def unload(self):
        for component in reversed(self.components):
            try:
                component.unload()
            except Exception as e:
                QgsMessageLog.logMessage(tr("Could not unload {0}: {1}").format(type(component).__name__, e),
                                         LOG_TAG, Qgis.Warning)
        self.components = []
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
