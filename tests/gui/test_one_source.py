"""One source of truth (issue 16) in the GUI: one way to tell the user (gui/messages.py: message bar + log, never a
secret), one answer to "which working copy is behind this layer" (core.project.geopackage_table), no SQL in the
GUI, and a sync panel whose refresh changes nothing in the working copy."""

from __future__ import annotations

import ast
import glob
import os
import sqlite3

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject, QgsVectorLayer

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.project import geopackage_table, load_working_copy
from forestry_plugin.core.queries import admin_units
from forestry_plugin.gui import messages
from tests.helpers import ROOT
from tests.helpers.translation import chinese

GUI = os.path.join(ROOT, "forestry_plugin", "gui")


@pytest.fixture()
def logged():
    """Texts written to the QGIS message log under the plugin's tag while the test runs."""
    out = []

    def keep(text, tag, level):
        if tag == messages.LOG_TAG:
            out.append((text, level))

    log = QgsApplication.messageLog()
    log.messageReceived.connect(keep)
    yield out
    log.messageReceived.disconnect(keep)


class Bar:
    """A message bar that keeps what it was given, durations included."""

    def __init__(self):
        self.pushed = []

    def pushMessage(self, title, text, level, duration):  # noqa: N802 (QGIS API name)
        self.pushed.append((title, text, level, duration))


# -- messages --------------------------------------------------------------------------------------------------------

def test_message_goes_to_the_bar_and_the_log(qgis_iface, logged):
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    messages.warning(qgis_iface, "No patches selected", messages.CHECKS)
    messages.success(bar, "Patch edits saved.", messages.EDITING)  # a message bar itself will do as well
    assert bar.messages[Qgis.Warning] == ["Forestry checks:No patches selected"]
    assert bar.messages[Qgis.Success] == ["Forestry:Patch edits saved."]
    assert ("No patches selected", Qgis.Warning) in logged and ("Patch edits saved.", Qgis.Success) in logged
    bar.clear_messages()


def test_levels_titles_and_durations():
    bar = Bar()
    messages.info(bar, "a", messages.CHECKS, duration=5)
    messages.error(bar, "b", messages.PLATFORM)
    messages.warning(bar, "c", messages.PLUGIN)
    messages.show(bar, "d", Qgis.Success, messages.REVIEW, duration=3)
    messages.info(bar, "e")
    assert bar.pushed == [("Forestry checks", "a", Qgis.Info, 5), ("Forestry platform", "b", Qgis.Critical, 8),
                          ("Forestry", "c", Qgis.Warning, 0), ("Forestry review", "d", Qgis.Success, 3),
                          ("Forestry", "e", Qgis.Info, 6)]


def test_no_secret_is_shown_or_logged(logged):
    bar = Bar()
    token, password = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0", "hunter2-forest"
    shown = messages.error(bar, f"Upload failed: 'Authorization': 'Bearer {token}'; password={password}",
                           messages.PLATFORM)
    for text in (shown, bar.pushed[0][1], logged[-1][0]):
        assert token not in text and password not in text and "Bearer " not in text, text
    assert shown.startswith("Upload failed:") and "***" in shown


def test_long_messages_are_kept_whole():
    """redact() cuts a platform's words short; the plugin's own long messages (an install command) stay whole."""
    bar = Bar()
    text = ", ".join(f"patch T{i:04d}" for i in range(60)) + "; run: python3 -m pip install --user 'shapely>=2,<3'"
    assert len(text) > 600
    assert messages.warning(bar, text) == text and bar.pushed[0][1] == text
    long_secret = "x" * 500 + " token=abcdefgh1234"  # a piece too long to keep: cut, never leaking
    assert "abcdefgh1234" not in messages.safe_text(long_secret)


def test_titles_are_translated(tmp_path):
    with chinese(tmp_path):
        bar = Bar()
        messages.info(bar, "x", messages.CHECKS)
        messages.info(bar, "y", messages.PLATFORM)
    titles = [p[0] for p in bar.pushed]
    assert all(t and "Forestry" not in t for t in titles), titles


def _calls(path):
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node.lineno, node.func.attr, ast.unparse(node.func.value)


def test_the_gui_speaks_and_reads_in_one_place():
    """Only gui/messages.py pushes to the message bar; the GUI runs no SQL and splits no layer source itself."""
    files = sorted(glob.glob(os.path.join(GUI, "*.py"))) + [os.path.join(ROOT, "forestry_plugin", "plugin.py")]
    bad = []
    for path in files:
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if "import sqlite3" in text:
            bad.append(f"{rel}: imports sqlite3")
        for line, attr, owner in _calls(path):
            if attr == "pushMessage" and not path.endswith("messages.py"):
                bad.append(f"{rel}:{line}: pushMessage")
            if attr in ("execute", "executemany", "executescript", "connect") and owner in ("con", "geopackage"):
                bad.append(f"{rel}:{line}: {owner}.{attr}")
            if attr == "split" and "source()" in owner:
                bad.append(f"{rel}:{line}: {owner}.split")
    assert bad == [], "\n".join(bad)


# -- which working copy is behind a layer ------------------------------------------------------------------------------

def test_geopackage_table_of_layers(empty_working_copy, tmp_path):
    path = empty_working_copy
    patches = QgsVectorLayer(geopackage.layer_uri(path, schema.PATCHES), "p", "ogr")
    filtered = QgsVectorLayer(f"{path}|layername={schema.ADMIN}|subset=\"level\" = 'county'", "a", "ogr")
    assert geopackage_table(patches) == (path, schema.PATCHES)
    assert geopackage_table(filtered) == (path, schema.ADMIN)
    memory = QgsVectorLayer("Polygon?crs=EPSG:4549", "m", "memory")
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2\n")
    for other in (None, "not a layer", memory, QgsVectorLayer(str(csv), "csv", "ogr"),
                  QgsVectorLayer(str(tmp_path / "gone.gpkg") + "|layername=patches", "gone", "ogr")):
        assert geopackage_table(other) is None, other


def test_admin_units_query(empty_working_copy):
    path = empty_working_copy
    geopackage.write_features(path, schema.ADMIN, [
        ({"code": "339901", "name": "示例县", "level": "county"}, None),
        ({"code": "339901101", "name": "某镇", "level": "township"}, None),
        ({"code": "339900", "name": "O'Brien 县", "level": "county"}, None)])
    assert admin_units(path, "county") == [("339900", "O'Brien 县"), ("339901", "示例县")]
    assert admin_units(path, "township") == [("339901101", "某镇")]
    assert admin_units(path, "county' OR '1'='1") == []  # a value, never SQL


# -- the sync panel's refresh --------------------------------------------------------------------------------------

def _schema_and_data(path):
    con = sqlite3.connect(path)
    try:
        return (con.execute("PRAGMA schema_version").fetchone()[0],
                con.execute("SELECT key, value FROM sync_state ORDER BY key").fetchall(), os.path.getmtime(path))
    finally:
        con.close()


def test_sync_panel_refresh_writes_nothing(qgis_iface, qgis_new_project, empty_working_copy):
    from forestry_plugin.gui.sync_panel import SyncPanel

    path = empty_working_copy
    load_working_copy(path, QgsProject.instance())
    panel = SyncPanel(qgis_iface)  # its first refresh may complete the sync tables of a new copy (SyncEngine)
    try:
        before = _schema_and_data(path)
        for _ in range(3):
            panel.refresh()
        assert _schema_and_data(path) == before
    finally:
        panel.disconnect_project()
        panel.deleteLater()
        QgsProject.instance().clear()
