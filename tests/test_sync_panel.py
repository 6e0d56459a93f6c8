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
from forestry_plugin.core.working_copy import create_working_copy
from forestry_plugin.gui.sync_panel import SyncPanel

MASTER = "forestry-test-master"
PW = "demo-pass-2025"


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
def panel(qgis_iface, qgis_new_project, design_county):
    load_working_copy(design_county.path, QgsProject.instance())
    p = SyncPanel(qgis_iface)
    yield p
    p.disconnect_project()
    p.deleteLater()
    QgsProject.instance().clear()


def test_login_upload_conflict_and_resolution(panel, platform, auth, design_county, tmp_path):
    server, url = platform
    good, bad = auth
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(bad)
    assert not panel.login()
    assert "Wrong user name or password" in panel.user_label.text() or "密码" in panel.user_label.text()
    panel.auth_select.setConfigId(good)
    assert panel.login()
    assert "demo_tech" in panel.user_label.text()
    assert f"{design_county.patch_count}" in panel.changes_label.text()
    panel.start("upload", wait=True)
    assert panel.progress.value() == 100
    assert "0 new, 0 changed, 0 deleted" in panel.changes_label.text() or "0" in panel.changes_label.text()
    assert SyncEngine(design_county.path, panel.client).local_changes()["total"] == 0
    # A colleague elsewhere changes two patches; we change the same two here.
    other = str(tmp_path / "other.gpkg")
    create_working_copy(other, county_code="339901", store_styles=False)
    c2 = PlatformClient(url)
    c2.login("demo_tech", PW)
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
    rows = {panel.conflicts_table.item(r, 0).data(0x0100): r for r in range(2)}  # Qt.UserRole: patch id
    here, there = (panel.conflicts_table.item(rows[ids[0]], c).text() for c in (1, 2))
    assert "my side" in here and "platform side" not in here, here
    assert "platform side" in there and "my side" not in there and ("Remark" in there or "备注" in there), there
    dlg = panel.compare(ids[0], show=False)
    assert dlg.table.rowCount() > 10 and len(dlg.layers) == 2
    panel.resolve("mine", ids[0])
    panel.resolve("theirs", ids[1])
    assert panel.conflicts_table.rowCount() == 0
    panel.start("upload", wait=True)
    remarks = {a["patch_id"]: a["remark"] for _f, a, _g in geopackage.read_features(
        design_county.path, schema.PATCHES, ["patch_id", "remark"])}
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


def _server_ids(url):
    c = PlatformClient(url)
    c.login("demo_tech", PW)
    ids = [f.get("id") or (f.get("properties") or {}).get("patch_id") for f in c.iter_patches("339901")]
    c.logout()
    return ids


def test_cancel_midway_leaves_consistent_copy_and_retry_finishes(panel, platform, auth, design_county, monkeypatch):
    from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer

    from forestry_plugin.gui import sync_panel

    server, url = platform
    logged = []
    QgsApplication.messageLog().messageReceived.connect(lambda msg, tag, level: logged.append(msg))
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(auth[0])
    assert panel.login()
    total = design_county.patch_count
    assert total > 10
    # 1) Canceled in the task manager before it got anywhere: reported as canceled, retry offered. The task is
    # held at its first step until the cancel has been pressed (a hook, not a race against the worker thread).
    import threading

    canceled = threading.Event()
    real_adopt = SyncEngine.adopt_session

    def held(self):
        canceled.wait(20)
        return real_adopt(self)

    monkeypatch.setattr(SyncEngine, "adopt_session", held)
    task = panel.start("upload")
    assert task is not None and panel.cancel_button.isEnabled()
    panel.cancel()
    canceled.set()
    timer = QElapsedTimer()
    timer.start()
    while panel.task is not None and timer.elapsed() < 20000:
        QCoreApplication.processEvents()
    assert panel.task is None, "task did not finish within 20 s"
    assert panel.failed_action == "upload" and panel.retry_button.isEnabled()
    assert _server_ids(url) == []
    monkeypatch.setattr(SyncEngine, "adopt_session", real_adopt)
    # 2) Canceled after the first batch of 5: the server has exactly what was confirmed, the rest is still pending.
    orig = sync_panel.SyncTask.setProgress
    interrupt = [True]

    def cancel_after_first_batch(self, p):
        orig(self, p)
        if interrupt[0] and 0 < p < 100:
            self.cancel()

    monkeypatch.setattr(sync_panel.SyncTask, "setProgress", cancel_after_first_batch)
    orig_init = sync_panel.SyncTask.__init__

    def small_batches(self, *a, **k):
        orig_init(self, *a, **k)
        self.batch_size = 5

    monkeypatch.setattr(sync_panel.SyncTask, "__init__", small_batches)
    panel.start("upload", wait=True)
    on_server = _server_ids(url)
    pending = SyncEngine(design_county.path, panel.client).local_changes()["total"]
    assert len(on_server) == 5 and pending == total - 5, (len(on_server), pending)
    assert panel.failed_action == "upload" and panel.retry_button.isEnabled()
    interrupt[0] = False
    panel.retry(wait=True)
    on_server = _server_ids(url)
    assert len(on_server) == total and len(set(on_server)) == total  # nothing lost, nothing duplicated
    assert SyncEngine(design_county.path, panel.client).local_changes()["total"] == 0
    assert panel.failed_action is None and not panel.retry_button.isEnabled()
    # Neither the password nor the token ever reached the QGIS log.
    token = panel.client._access  # noqa: SLF001
    assert token and all(PW not in m and token not in m for m in logged)


def test_counts_refresh_when_edits_are_saved(panel, platform, auth, design_county):
    server, url = platform
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(auth[0])
    assert panel.login()
    panel.start("upload", wait=True)
    assert SyncEngine(design_county.path, panel.client).local_changes()["total"] == 0
    before = panel.changes_label.text()
    layer = panel.patch_layer()
    layer.startEditing()
    f = next(layer.getFeatures())
    layer.changeAttributeValue(f.id(), layer.fields().indexFromName("remark"), "edited")
    assert layer.commitChanges()
    # No explicit refresh: the panel follows the layer's committed edits.
    assert panel.changes_label.text() != before
    assert SyncEngine(design_county.path, panel.client).local_changes()["updated"] == 1


def test_unreachable_server_message(panel, auth):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    panel.url_edit.setText(f"http://127.0.0.1:{port}/api/v1")
    panel.auth_select.setConfigId(auth[0])
    assert not panel.login()
    text = panel.user_label.text()
    assert "proxy" in text.lower() or "代理" in text
    assert panel.client is None and not panel.download_button.isEnabled()


def test_expired_session_asks_to_log_in_again(panel, platform, auth, design_county):
    server, url = platform
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(auth[0])
    server.faults["access_ttl"] = -1  # every access token is born expired
    assert panel.login()
    panel.client._refresh = "revoked"  # noqa: SLF001  (the refresh token is no good either)
    panel.start("upload", wait=True)
    text = panel.user_label.text()
    assert "expired" in text or "过期" in text
    assert "Wrong" not in text and not panel.client.logged_in
    assert not panel.upload_button.isEnabled() and panel.failed_action == "upload"
    assert SyncEngine(design_county.path, PlatformClient(url)).local_changes()["total"] == design_county.patch_count
    server.faults.pop("access_ttl")
    assert panel.login() and panel.retry_button.isEnabled()
    panel.retry(wait=True)
    assert SyncEngine(design_county.path, panel.client).local_changes()["total"] == 0


def test_county_from_working_copy_and_other_county_refused(panel, platform, auth, design_county):
    server, url = platform
    assert panel.county() == "339901"
    assert panel.county_combo.findData("339901") >= 0 and "339901" in panel.county_combo.currentText()
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(auth[0])
    assert panel.login()
    served = server.requests_served
    panel.county_combo.setEditText("330102")
    assert panel.county() == "330102"
    assert panel.start("download", wait=True) is None
    assert server.requests_served == served  # refused before any request
    panel.county_combo.setCurrentIndex(panel.county_combo.findData("339901"))
    panel.start("download", wait=True)
    assert panel.failed_action is None and panel.progress.value() == 100


def test_compare_dialog_labels_follow_the_interface_language(qgis_app):
    from shapely.geometry import box as _box

    from forestry_plugin.gui.sync_panel import CompareDialog
    from forestry_plugin.i18n import ui_language

    assert ui_language() == "en"  # no translation loaded in the test session
    g1, g2 = _box(500000, 3330000, 500100, 3330100).wkb, _box(500010, 3330000, 500110, 3330100).wkb
    dlg = CompareDialog({"patch_id": "p-1", "differences": ["species"], "crs": "EPSG:4549",
                         "mine": {"species": "camphor", "year": 2025}, "theirs": {"species": "poplar", "year": 2025},
                         "mine_geometry": g1, "theirs_geometry": g2})
    labels = [dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())]
    assert labels == ["Tree species", "Afforestation year"]  # English interface in the tests: English labels
    # code values by their labels (the code in the tooltip)
    assert (dlg.table.item(0, 1).text(), dlg.table.item(0, 2).text()) == ("Camphor tree", "Poplar")
    assert "camphor" in dlg.table.item(0, 1).toolTip()
    assert len(dlg.layers) == 2


def test_no_login_or_logout_while_a_sync_runs(panel, platform, auth, monkeypatch):
    """A sync uses the session: logging out (or in) meanwhile would swap its client's feedback (Cancel would no
    longer abort its request) and forget its tokens from another thread. The task is held at its first step by a
    hook until the checks are done (no race against the worker thread)."""
    import threading

    from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer

    server, url = platform
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(auth[0])
    assert panel.login()
    client = panel.client
    release = threading.Event()
    real_adopt = SyncEngine.adopt_session

    def held(self):
        release.wait(20)
        return real_adopt(self)

    monkeypatch.setattr(SyncEngine, "adopt_session", held)
    task = panel.start("download")
    try:
        assert task is not None and panel.task is task
        assert not panel.logout_button.isEnabled() and not panel.login_button.isEnabled()
        assert panel.cancel_button.isEnabled()
        # asked anyway (a script, a stale click): refused, the session and the sync's feedback untouched
        panel.logout(wait=False)
        assert panel.login(wait=False) is None
        assert panel.client is client and client.logged_in and client.feedback is task.feedback
        assert not panel._logout_tasks  # noqa: SLF001
    finally:
        release.set()
    timer = QElapsedTimer()
    timer.start()
    while panel.task is not None and timer.elapsed() < 20000:
        QCoreApplication.processEvents()
    assert panel.task is None and panel.failed_action is None
    assert client.feedback is None  # the finished sync's feedback is not left on the session
    assert panel.logout_button.isEnabled() and panel.login_button.isEnabled()
    # afterwards logging out works, through a copy: the session's own client is only told to forget its tokens
    panel.logout(wait=False)
    assert panel.client is None and not client.logged_in
    timer.restart()
    while panel._logout_tasks and timer.elapsed() < 20000:  # noqa: SLF001
        QCoreApplication.processEvents()
    assert not panel._logout_tasks and client.feedback is None  # noqa: SLF001
