"""The plugin loads, unloads and loads again cleanly in a real QGIS; its project file opens the working copy."""

import configparser
import os

import pytest
from qgis.core import QgsApplication, QgsFieldConstraints, QgsProject
from qgis.PyQt.QtWidgets import QDockWidget

import forestry_plugin
from forestry_plugin import schema
from forestry_plugin.core.project import write_project
from forestry_plugin.processing.provider import ALGORITHMS
from tests.helpers import ROOT


def _our_docks(iface):
    return [d for d in iface.mainWindow().findChildren(QDockWidget) if d.objectName().startswith("Forestry")]


def test_load_unload_load_again(qgis_iface):
    registry = QgsApplication.processingRegistry()
    for _round in range(2):
        plugin = forestry_plugin.classFactory(qgis_iface)
        plugin.initGui()
        assert plugin.toolbar is not None and plugin.toolbar.objectName() == "ForestryToolbar"
        assert registry.providerById("forestry") is not None
        # Every registered algorithm loaded (a broken one is only logged at run time, so test it here).
        assert len(registry.providerById("forestry").algorithms()) == len(ALGORITHMS)
        assert len(plugin.components) >= 1
        assert _our_docks(qgis_iface), "the plugin's docks are added"
        plugin.unload()
        QgsApplication.processEvents()
        assert registry.providerById("forestry") is None
        assert plugin.components == [] and plugin.toolbar is None
        assert not [d for d in _our_docks(qgis_iface) if d.isVisible()]


def test_every_algorithm_module_loads(provider):
    ids = {a.id() for a in provider.algorithms()}
    assert len(ids) == len(ALGORITHMS)
    assert "forestry:createworkingcopy" in ids


def test_create_working_copy_algorithm(provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    out = str(tmp_path / "wc.gpkg")
    res = processing.run("forestry:createworkingcopy", {"OUTPUT": out, "CRS": "EPSG:4549", "COUNTY_CODE": "330110"})
    assert res["OUTPUT"] == out and os.path.exists(out)
    with pytest.raises(QgsProcessingException):
        processing.run("forestry:createworkingcopy", {"OUTPUT": str(tmp_path / "x.gpkg"), "CRS": "EPSG:4326"})


def test_project_file_opens_working_copy(sample_county, tmp_path):
    qgz = write_project(sample_county.path, str(tmp_path / "county.qgz"))
    project = QgsProject()
    assert project.read(qgz)
    assert project.crs().authid() == "EPSG:4549"
    layers = {lyr.source().split("layername=")[1]: lyr for lyr in project.mapLayers().values()}
    for ld in schema.LAYERS:
        assert ld.name in layers and layers[ld.name].isValid(), ld.name
    patches = layers[schema.PATCHES]
    assert patches.featureCount() == sample_county.patch_count
    assert patches.renderer().classAttribute() == "stage"
    idx = patches.fields().indexFromName("stage")
    assert patches.attributeAlias(idx) == "阶段"
    setup = patches.editorWidgetSetup(idx)
    assert setup.type() == "ValueMap"
    # a required code-list field: value map, hard not-null, and an expression that only lets codes through
    method = patches.fields().indexFromName("method")
    assert patches.editorWidgetSetup(method).type() == "ValueMap"
    cons = patches.fields().at(method).constraints()
    assert cons.constraintStrength(QgsFieldConstraints.ConstraintNotNull) == QgsFieldConstraints.ConstraintStrengthHard
    assert "'planting'" in patches.constraintExpression(method)
    survival = patches.fields().indexFromName("survival_rate")
    assert "<= 100" in patches.constraintExpression(survival)
    assert layers[schema.AUDIT].readOnly()
    base = layers[schema.BASEMAP]
    assert base.editorWidgetSetup(base.fields().indexFromName("DLBM")).type() == "ValueMap"
    assert not project.viewSettings().defaultViewExtent().isEmpty()


def test_metadata_is_valid_for_the_plugin_repository():
    cp = configparser.ConfigParser()
    cp.read(os.path.join(ROOT, "metadata.txt"), encoding="utf-8")
    g = cp["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email", "repository",
                "tracker", "hasProcessingProvider", "tags", "icon"):
        assert g.get(key), key
    assert g["qgisMinimumVersion"] == "3.22" and g["hasProcessingProvider"] == "yes"
    assert os.path.exists(os.path.join(ROOT, g["icon"]))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in g["about"]) and "afforestation" in g["about"]
