"""The upload/download panel in a real QGIS against the real platform: login through QgsAuthManager, upload,
a conflict from a second working copy resolved both ways, compare view, wrong password, nothing secret stored."""

from qgis.core import QgsApplication, QgsSettings

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.sync.client import PlatformClient
from forestry_plugin.core.sync.engine import SyncEngine
from tests.helpers.platform_logins import PW, client
from tests.helpers.working_copies import new_copy


def test_login_upload_conflict_and_resolution(sync_panel, platform, platform_logins, design_county, tmp_path):
    server, url = platform
    good, bad = platform_logins
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(bad)
    assert not sync_panel.login()
    assert "Wrong user name or password" in sync_panel.user_label.text() or "密码" in sync_panel.user_label.text()
    sync_panel.auth_select.setConfigId(good)
    assert sync_panel.login()
    assert "demo_tech" in sync_panel.user_label.text()
    assert f"{design_county.patch_count}" in sync_panel.changes_label.text()
    sync_panel.start("upload", wait=True)
    assert sync_panel.progress.value() == 100
    assert "0 new, 0 changed, 0 deleted" in sync_panel.changes_label.text() or "0" in sync_panel.changes_label.text()
    assert SyncEngine(design_county.path, sync_panel.client).local_changes()["total"] == 0
    # A colleague elsewhere changes two patches; we change the same two here.
    other = new_copy(tmp_path, "other.gpkg")
    c2 = client(url)
    e2 = SyncEngine(other, c2)
    e2.pull()
    ids = sorted(a["patch_id"] for _f, a, _g in geopackage.read_features(other, schema.PATCHES, ["patch_id"]))[:2]
    with geopackage.connect(other) as con:
        con.executemany("UPDATE patches SET remark = 'platform side' WHERE patch_id = ?", [(i,) for i in ids])
    assert e2.push().accepted == 2
    layer = sync_panel.patch_layer()
    assert layer is not None
    layer.startEditing()
    idx = layer.fields().indexFromName("remark")
    for f in layer.getFeatures(f"patch_id IN ('{ids[0]}', '{ids[1]}')"):
        layer.changeAttributeValue(f.id(), idx, "my side")
    sync_panel.ask = lambda title, text: True  # "save first?" -> yes
    sync_panel.start("download", wait=True)
    assert not layer.isModified()
    assert sync_panel.conflicts_table.rowCount() == 2
    rows = {sync_panel.conflicts_table.item(r, 0).data(0x0100): r for r in range(2)}  # Qt.UserRole: patch id
    here, there = (sync_panel.conflicts_table.item(rows[ids[0]], c).text() for c in (1, 2))
    assert "my side" in here and "platform side" not in here, here
    assert "platform side" in there and "my side" not in there and ("Remark" in there or "备注" in there), there
    dlg = sync_panel.compare(ids[0], show=False)
    assert dlg.table.rowCount() > 10 and len(dlg.layers) == 2
    sync_panel.resolve("mine", ids[0])
    sync_panel.resolve("theirs", ids[1])
    assert sync_panel.conflicts_table.rowCount() == 0
    sync_panel.start("upload", wait=True)
    remarks = {a["patch_id"]: a["remark"] for _f, a, _g in geopackage.read_features(
        design_county.path, schema.PATCHES, ["patch_id", "remark"])}
    assert remarks[ids[0]] == "my side" and remarks[ids[1]] == "platform side"
    e2.pull()
    theirs = {a["patch_id"]: a["remark"] for _f, a, _g in geopackage.read_features(other, schema.PATCHES,
                                                                                      ["patch_id", "remark"])}
    assert theirs[ids[0]] == "my side"
    assert "accepted" in sync_panel.summary_label.text() or "Last" in sync_panel.summary_label.text()
    # Only the URL and the authcfg id are remembered.
    settings = QgsSettings()
    for key in settings.allKeys():
        value = str(settings.value(key))
        assert PW not in value and (sync_panel.client._access or "x" * 40) not in value, key  # noqa: SLF001


def test_refusing_to_save_edits_changes_nothing(sync_panel, platform, platform_logins):
    server, url = platform
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(platform_logins[0])
    assert sync_panel.login()
    layer = sync_panel.patch_layer()
    layer.startEditing()
    f = next(layer.getFeatures())
    layer.changeAttributeValue(f.id(), layer.fields().indexFromName("remark"), "unsaved")
    sync_panel.ask = lambda title, text: False
    assert sync_panel.start("upload", wait=True) is None
    assert layer.isModified() and server.requests_served <= 2  # login only: nothing was uploaded
    layer.rollBack()


def _server_ids(url):
    c = client(url)
    ids = [f.get("id") or (f.get("properties") or {}).get("patch_id") for f in c.iter_patches("339901")]
    c.logout()
    return ids


def test_cancel_midway_leaves_consistent_copy_and_retry_finishes(sync_panel, platform, platform_logins, design_county,
                                                                 monkeypatch):
    from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer

    from forestry_plugin.gui import sync_panel as panel_module

    server, url = platform
    logged = []
    QgsApplication.messageLog().messageReceived.connect(lambda msg, tag, level: logged.append(msg))
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(platform_logins[0])
    assert sync_panel.login()
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
    task = sync_panel.start("upload")
    assert task is not None and sync_panel.cancel_button.isEnabled()
    sync_panel.cancel()
    canceled.set()
    timer = QElapsedTimer()
    timer.start()
    while sync_panel.task is not None and timer.elapsed() < 20000:
        QCoreApplication.processEvents()
    assert sync_panel.task is None, "task did not finish within 20 s"
    assert sync_panel.failed_action == "upload" and sync_panel.retry_button.isEnabled()
    assert _server_ids(url) == []
    monkeypatch.setattr(SyncEngine, "adopt_session", real_adopt)
    # 2) Canceled after the first batch of 5: the server has exactly what was confirmed, the rest is still pending.
    orig = panel_module.SyncTask.setProgress
    interrupt = [True]

    def cancel_after_first_batch(self, p):
        orig(self, p)
        if interrupt[0] and 0 < p < 100:
            self.cancel()

    monkeypatch.setattr(panel_module.SyncTask, "setProgress", cancel_after_first_batch)
    orig_init = panel_module.SyncTask.__init__

    def small_batches(self, *a, **k):
        orig_init(self, *a, **k)
        self.batch_size = 5

    monkeypatch.setattr(panel_module.SyncTask, "__init__", small_batches)
    sync_panel.start("upload", wait=True)
    on_server = _server_ids(url)
    pending = SyncEngine(design_county.path, sync_panel.client).local_changes()["total"]
    assert len(on_server) == 5 and pending == total - 5, (len(on_server), pending)
    assert sync_panel.failed_action == "upload" and sync_panel.retry_button.isEnabled()
    interrupt[0] = False
    sync_panel.retry(wait=True)
    on_server = _server_ids(url)
    assert len(on_server) == total and len(set(on_server)) == total  # nothing lost, nothing duplicated
    assert SyncEngine(design_county.path, sync_panel.client).local_changes()["total"] == 0
    assert sync_panel.failed_action is None and not sync_panel.retry_button.isEnabled()
    # Neither the password nor the token ever reached the QGIS log.
    token = sync_panel.client._access  # noqa: SLF001
    assert token and all(PW not in m and token not in m for m in logged)


def test_counts_refresh_when_edits_are_saved(sync_panel, platform, platform_logins, design_county):
    server, url = platform
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(platform_logins[0])
    assert sync_panel.login()
    sync_panel.start("upload", wait=True)
    assert SyncEngine(design_county.path, sync_panel.client).local_changes()["total"] == 0
    before = sync_panel.changes_label.text()
    layer = sync_panel.patch_layer()
    layer.startEditing()
    f = next(layer.getFeatures())
    layer.changeAttributeValue(f.id(), layer.fields().indexFromName("remark"), "edited")
    assert layer.commitChanges()
    # No explicit refresh: the panel follows the layer's committed edits.
    assert sync_panel.changes_label.text() != before
    assert SyncEngine(design_county.path, sync_panel.client).local_changes()["updated"] == 1


def test_unreachable_server_message(sync_panel, platform_logins):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    sync_panel.url_edit.setText(f"http://127.0.0.1:{port}/api/v1")
    sync_panel.auth_select.setConfigId(platform_logins[0])
    assert not sync_panel.login()
    text = sync_panel.user_label.text()
    assert "proxy" in text.lower() or "代理" in text
    assert sync_panel.client is None and not sync_panel.download_button.isEnabled()


def test_expired_session_asks_to_log_in_again(sync_panel, platform, platform_logins, design_county):
    server, url = platform
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(platform_logins[0])
    server.faults["access_ttl"] = -1  # every access token is born expired
    assert sync_panel.login()
    sync_panel.client._refresh = "revoked"  # noqa: SLF001  (the refresh token is no good either)
    sync_panel.start("upload", wait=True)
    text = sync_panel.user_label.text()
    assert "expired" in text or "过期" in text
    assert "Wrong" not in text and not sync_panel.client.logged_in
    assert not sync_panel.upload_button.isEnabled() and sync_panel.failed_action == "upload"
    assert SyncEngine(design_county.path, PlatformClient(url)).local_changes()["total"] == design_county.patch_count
    server.faults.pop("access_ttl")
    assert sync_panel.login() and sync_panel.retry_button.isEnabled()
    sync_panel.retry(wait=True)
    assert SyncEngine(design_county.path, sync_panel.client).local_changes()["total"] == 0


def test_county_from_working_copy_and_other_county_refused(sync_panel, platform, platform_logins, design_county):
    server, url = platform
    assert sync_panel.county() == "339901"
    assert sync_panel.county_combo.findData("339901") >= 0 and "339901" in sync_panel.county_combo.currentText()
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(platform_logins[0])
    assert sync_panel.login()
    served = server.requests_served
    sync_panel.county_combo.setEditText("330102")
    assert sync_panel.county() == "330102"
    assert sync_panel.start("download", wait=True) is None
    assert server.requests_served == served  # refused before any request
    sync_panel.county_combo.setCurrentIndex(sync_panel.county_combo.findData("339901"))
    sync_panel.start("download", wait=True)
    assert sync_panel.failed_action is None and sync_panel.progress.value() == 100


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


def test_no_login_or_logout_while_a_sync_runs(sync_panel, platform, platform_logins, monkeypatch):
    """A sync uses the session: logging out (or in) meanwhile would swap its client's feedback (Cancel would no
    longer abort its request) and forget its tokens from another thread. The task is held at its first step by a
    hook until the checks are done (no race against the worker thread)."""
    import threading

    from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer

    server, url = platform
    sync_panel.url_edit.setText(url)
    sync_panel.auth_select.setConfigId(platform_logins[0])
    assert sync_panel.login()
    client = sync_panel.client
    release = threading.Event()
    real_adopt = SyncEngine.adopt_session

    def held(self):
        release.wait(20)
        return real_adopt(self)

    monkeypatch.setattr(SyncEngine, "adopt_session", held)
    task = sync_panel.start("download")
    try:
        assert task is not None and sync_panel.task is task
        assert not sync_panel.logout_button.isEnabled() and not sync_panel.login_button.isEnabled()
        assert sync_panel.cancel_button.isEnabled()
        # asked anyway (a script, a stale click): refused, the session and the sync's feedback untouched
        sync_panel.logout(wait=False)
        assert sync_panel.login(wait=False) is None
        assert sync_panel.client is client and client.logged_in and client.feedback is task.feedback
        assert not sync_panel._logout_tasks  # noqa: SLF001
    finally:
        release.set()
    timer = QElapsedTimer()
    timer.start()
    while sync_panel.task is not None and timer.elapsed() < 20000:
        QCoreApplication.processEvents()
    assert sync_panel.task is None and sync_panel.failed_action is None
    assert client.feedback is None  # the finished sync's feedback is not left on the session
    assert sync_panel.logout_button.isEnabled() and sync_panel.login_button.isEnabled()
    # afterwards logging out works, through a copy: the session's own client is only told to forget its tokens
    sync_panel.logout(wait=False)
    assert sync_panel.client is None and not client.logged_in
    timer.restart()
    while sync_panel._logout_tasks and timer.elapsed() < 20000:  # noqa: SLF001
        QCoreApplication.processEvents()
    assert not sync_panel._logout_tasks and client.feedback is None  # noqa: SLF001
