"""The upload/download panel in a real QGIS against the real platform: login through QgsAuthManager, upload,
a conflict from a second working copy resolved both ways, compare view, wrong password, nothing secret stored."""

import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.project import load_working_copy
from forestry_plugin.core.sync.auth import store_basic_config
from forestry_plugin.core.sync.client import PlatformClient
from forestry_plugin.core.sync.engine import SyncEngine
from forestry_plugin.gui.sync_panel import SyncPanel
from reference_platform.server import start_server, stop_server

MASTER = "forestry-test-master"
PW = "demo-pass-2025"


@pytest.fixture()
def platform(tmp_path):
    server, url = start_server(str(tmp_path / "platform.sqlite"))
    yield server, url
    stop_server(server)


@pytest.fixture()
def auth(qgis_app):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword(MASTER, True)
    good = store_basic_config("platform ok", "demo_tech", PW)
    bad = store_basic_config("platform bad", "demo_tech", "not-the-password")
    yield good, bad
    manager.removeAuthenticationConfig(good)
    manager.removeAuthenticationConfig(bad)


@pytest.fixture()
def panel(qgis_iface, qgis_new_project, sample_county):
    load_working_copy(sample_county.path, QgsProject.instance())
    p = SyncPanel(qgis_iface)
    yield p
    p.disconnect_project()
    p.deleteLater()
    QgsProject.instance().clear()


def test_login_upload_conflict_and_resolution(panel, platform, auth, sample_county, tmp_path):
    server, url = platform
    good, bad = auth
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(bad)
    assert not panel.login()
    assert "Wrong user name or password" in panel.user_label.text() or "密码" in panel.user_label.text()
    panel.auth_select.setConfigId(good)
    assert panel.login()
    assert "demo_tech" in panel.user_label.text()
    assert f"{sample_county.patch_count}" in panel.changes_label.text()
    panel.start("upload", wait=True)
    assert panel.progress.value() == 100
    assert "0 new, 0 changed, 0 deleted" in panel.changes_label.text() or "0" in panel.changes_label.text()
    assert SyncEngine(sample_county.path, panel.client).local_changes()["total"] == 0
    # A reviewer elsewhere changes two patches; we change the same two here.
    other = str(tmp_path / "other.gpkg")
    geopackage.create_working_copy(other, county_code="339901", store_styles=False)
    c2 = PlatformClient(url)
    c2.login("demo_county", PW)
    e2 = SyncEngine(other, c2)
    e2.pull()
    ids = sorted(a["patch_id"] for _f, a, _g in geopackage.read_features(other, schema.PATCHES, ["patch_id"]))[:2]
    with geopackage.connect(other) as con:
        con.executemany("UPDATE patches SET remark = 'platform side' WHERE patch_id = ?", [(i,) for i in ids])
    assert e2.push().accepted == 2
    layer = panel.patch_layer()
    assert layer is not None
    layer.startEditing()
    idx = layer.fields().indexFromName("remark")
    for f in layer.getFeatures(f"patch_id IN ('{ids[0]}', '{ids[1]}')"):
        layer.changeAttributeValue(f.id(), idx, "my side")
    panel.ask = lambda title, text: True  # "save first?" -> yes
    panel.start("download", wait=True)
    assert not layer.isModified()
    assert panel.conflicts_table.rowCount() == 2
    assert "备注" in panel.conflicts_table.item(0, 2).text()
    dlg = panel.compare(ids[0], show=False)
    assert dlg.table.rowCount() > 10 and len(dlg.layers) == 2
    panel.resolve("mine", ids[0])
    panel.resolve("theirs", ids[1])
    assert panel.conflicts_table.rowCount() == 0
    panel.start("upload", wait=True)
    remarks = {a["patch_id"]: a["remark"] for _f, a, _g in geopackage.read_features(
        sample_county.path, schema.PATCHES, ["patch_id", "remark"])}
    assert remarks[ids[0]] == "my side" and remarks[ids[1]] == "platform side"
    e2.pull()
    theirs = {a["patch_id"]: a["remark"] for _f, a, _g in geopackage.read_features(other, schema.PATCHES,
                                                                                      ["patch_id", "remark"])}
    assert theirs[ids[0]] == "my side"
    assert "accepted" in panel.summary_label.text() or "Last" in panel.summary_label.text()
    # Only the URL and the authcfg id are remembered.
    settings = QgsSettings()
    for key in settings.allKeys():
        value = str(settings.value(key))
        assert PW not in value and (panel.client._access or "x" * 40) not in value, key  # noqa: SLF001


def test_refusing_to_save_edits_changes_nothing(panel, platform, auth):
    server, url = platform
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(auth[0])
    assert panel.login()
    layer = panel.patch_layer()
    layer.startEditing()
    f = next(layer.getFeatures())
    layer.changeAttributeValue(f.id(), layer.fields().indexFromName("remark"), "unsaved")
    panel.ask = lambda title, text: False
    assert panel.start("upload", wait=True) is None
    assert layer.isModified() and server.requests_served <= 2  # login only: nothing was uploaded
    layer.rollBack()
