"""The small working copy of the editing tests: two villages side by side (x 0..1000 and 1000..2000 m from X0, Y0
in EPSG:4549), base-map cells of 500 x 500 m and one design patch (PARENT), put in the current project with the
plugin's editing component."""

from __future__ import annotations

import contextlib
import time

from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.working_copy import create_working_copy

X0, Y0 = 500000.0, 3330000.0  # EPSG:4549, about 30.1N 120E
COUNTY = "339901"
TOWNSHIP = "339901101"
V_WEST, V_EAST = "339901101001", "339901101002"
PARENT = "11111111-1111-4111-8111-111111111111"  # the one patch, x 100..300 / y 100..300 in the west village
DESIGN = {"method": "planting", "forest_type": "protection", "species": "camphor"}  # what a new patch's form asks
DESIGN_2025 = {**DESIGN, "year": 2025}


def make_working_copy(path: str) -> str:
    """Two villages side by side (x 0..1000 and 1000..2000 m), base map cells 500 x 500 m, one patch."""
    create_working_copy(path, county_code=COUNTY, county_name="示例县")
    admin = [
        ({"code": COUNTY, "name": "示例县", "level": "county", "parent_code": None}, box(X0, Y0, X0 + 2000, Y0 + 1000)),
        ({"code": TOWNSHIP, "name": "青山镇", "level": "township", "parent_code": COUNTY},
         box(X0, Y0, X0 + 2000, Y0 + 1000)),
        ({"code": V_WEST, "name": "东岙", "level": "village", "parent_code": TOWNSHIP}, box(X0, Y0, X0 + 1000, Y0 + 1000)),
        ({"code": V_EAST, "name": "西坑", "level": "village", "parent_code": TOWNSHIP},
         box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
    ]
    geopackage.write_features(path, "admin_units", [(a, g.wkb) for a, g in admin])
    cells = []
    classes = ["0404", "0307", "1206", "0103"]
    n = 0
    for i in range(4):
        for j in range(2):
            cls = classes[(i + j) % 4]
            cells.append(({"BSM": f"B{n:04d}", "DLBM": cls, "DLMC": cls},
                          box(X0 + i * 500, Y0 + j * 500, X0 + (i + 1) * 500, Y0 + (j + 1) * 500).wkb))
            n += 1
    geopackage.write_features(path, "basemap", cells)
    patch = {"patch_id": PARENT, "county_code": COUNTY, "township_code": TOWNSHIP,
             "village_code": V_WEST, "year": 2025, "method": "planting", "forest_type": "protection",
             "species": "camphor", "prev_dlbm": "0404", "area_mu": 60.0, "area_ha": 4.0, "stage": "design",
             "revision": 3, "created_at": "2025-01-01T08:00:00", "updated_at": "2025-01-01T08:00:00"}
    geopackage.write_features(path, "patches", [(patch, box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300).wkb)])
    return path


def project_with_working_copy(path: str):
    """Patches, admin units and base map of `path` added to the current project: {table: layer}."""
    from qgis.core import QgsProject, QgsVectorLayer

    layers = {t: QgsVectorLayer(geopackage.layer_uri(path, t), t, "ogr")
              for t in (schema.PATCHES, schema.ADMIN, schema.BASEMAP)}
    QgsProject.instance().addMapLayers(list(layers.values()))
    return layers


class FakePlugin:
    """What the editing component needs of the plugin: the interface and the plugin's icons."""

    def __init__(self, iface):
        self.iface = iface

    def icon(self, name):
        from forestry_plugin.plugin import ForestryPlugin

        return ForestryPlugin.icon(name)


def bare_component(iface):
    """An EditingComponent without toolbar (init_gui not called): its controllers, checks and import only."""
    from forestry_plugin.gui import editing

    return editing.EditingComponent(type("P", (), {"iface": iface, "icon": staticmethod(lambda n: None)})())


@contextlib.contextmanager
def editing_project(path: str, iface):
    """`path`'s layers in the current project and a bare editing component that opens no forms: yields
    (layers, component). Afterwards its controllers are detached, edits rolled back and the layers removed."""
    from qgis.core import QgsProject

    layers = project_with_working_copy(path)
    comp = bare_component(iface)
    comp.show_form = False
    try:
        yield layers, comp
    finally:
        # the live check's background read of this file ends here, not in the next test (whose own reads and
        # edits it would run beside)
        for task in list(comp._checker_tasks.values()):
            try:
                task.waitForFinished(60000)
            except RuntimeError:  # finished and deleted already
                pass
        settle()
        for ctrl in comp.controllers.values():
            ctrl.detach()
        for lyr in layers.values():
            if lyr.isEditable():
                lyr.rollBack()
        QgsProject.instance().removeAllMapLayers()


def new_features(layer):
    """The features added in the edit buffer and not saved yet."""
    return [f for f in layer.getFeatures() if f.id() < 0]


def settle(n: int = 5) -> None:
    """Let queued work run (the undo pairing and merge checks are deferred with zero-delay timers)."""
    from qgis.PyQt.QtCore import QCoreApplication

    for _ in range(n):
        QCoreApplication.processEvents()
        time.sleep(0.005)
