"""The upload/download panel against platforms other than the REST contract, in a real QGIS: a read-only WFS 2.0.0
server (MapServer 8, tests/helpers/mapserver_serve.py, the fixture and helpers of
tests/core/sync/test_wfs_mapserver.py) tells the user it takes no uploads (the Upload button off and saying why, a
warning instead of a green "pushed 0", "Keep mine" worded for a platform that takes nothing), and a working copy
pointed at another platform than the one it syncs with asks before it is re-bound (nothing downloaded meanwhile)."""

from __future__ import annotations

import pytest
from qgis.core import Qgis

from forestry_plugin.core import geopackage
from forestry_plugin.core.sync.adapter import KINDS, WFS
from forestry_plugin.core.sync.client import PlatformClient
from forestry_plugin.core.sync.engine import BINDING, SyncEngine
from forestry_plugin.gui.sync_panel import OTHER_PLATFORM, SAME_PLATFORM
from tests.core.sync import test_wfs_mapserver as ms
from tests.core.sync.test_wfs_mapserver import EXAMPLE, NO_UPLOADS, PASSWORD, USER, nothing_sent, patch, pid_of, stamp
from tests.helpers import mapserver_serve
from tests.helpers.mapserver_serve import MapServer
from tests.helpers.platform_logins import basic_logins
from tests.helpers.working_copies import edit

mapserver = ms.mapserver  # the read-only MapServer of the WFS 2.0.0 tests: patches 0-4 of the county
pytestmark = pytest.mark.skipif(not mapserver_serve.available(), reason="MapServer's CGI program /usr/bin/mapserv "
                                "is not installed (Debian package cgi-mapserver; `make setup` installs it)")


def log_in(panel, url: str, authcfg: str) -> None:
    panel.kind_combo.setCurrentIndex(KINDS.index(WFS))
    panel.url_edit.setText(url)
    panel.description_widget.setFilePath(EXAMPLE)
    panel.auth_select.setConfigId(authcfg)
    assert panel.login(), panel.user_label.text()


def shown(iface, level):
    return iface.messageBar().get_messages(level)


def local_ids(path: str):
    return set(ms.local(path))


def test_a_read_only_platform_says_it_takes_no_uploads(sync_panel, mapserver, design_county, qgis_iface,
                                                       clean_settings):
    panel = sync_panel
    with basic_logins(("mapserver", USER, PASSWORD)) as (cfg,):
        log_in(panel, mapserver.url, cfg)
        assert not panel.client.accepts_uploads
        # Upload is off and says why; downloading (and Download + upload, which then only downloads) stays on
        assert not panel.upload_button.isEnabled()
        assert NO_UPLOADS in panel.upload_button.toolTip() and "submission package" in panel.upload_button.toolTip()
        assert panel.download_button.isEnabled() and panel.sync_button.isEnabled()
        assert NO_UPLOADS in panel.sync_button.toolTip()
        queued = SyncEngine(design_county.path, panel.client).local_changes()["total"]
        assert queued == design_county.patch_count  # the county's own patches, never uploaded
        for action in ("sync", "upload"):  # Download + upload; Upload as a script (or Retry) still runs it
            qgis_iface.messageBar().clear_messages()
            panel.start(action, wait=True)
            assert panel.failed_action is None
            assert not any("pushed" in m for m in shown(qgis_iface, Qgis.Success)), shown(qgis_iface, Qgis.Success)
            (told,) = [m for m in shown(qgis_iface, Qgis.Warning) if "pushed 0" in m]
            assert NO_UPLOADS in told and str(queued) in told, told  # the reason itself, not only in the summary
            assert not panel.upload_button.isEnabled()
        assert {pid_of(i) for i in range(5)} <= local_ids(design_county.path)
        # a download with nothing to say is still a success
        qgis_iface.messageBar().clear_messages()
        panel.start("download", wait=True)
        assert any("pulled" in m for m in shown(qgis_iface, Qgis.Success)) and not shown(qgis_iface, Qgis.Warning)
        # the province changes a patch edited here: a conflict; "Keep mine" says where the patch goes from here
        edit(design_county.path, pid_of(0), remark="本地修改")
        mapserver.write("UPDATE patches SET remark = '省里改了', version = 2, changed_at = ? WHERE patch_id = ?",
                        (mapserver_serve.utc_text(), pid_of(0)))
        panel.start("download", wait=True)
        assert panel.conflicts_table.rowCount() == 1
        qgis_iface.messageBar().clear_messages()
        panel.resolve("mine", pid_of(0))
        (said,) = shown(qgis_iface, Qgis.Info)
        assert "Kept your version here" in said and NO_UPLOADS in said and "submission package" in said, said
        assert "sent with the next upload" not in said
        assert panel.conflicts_table.rowCount() == 0 and ms.local(design_county.path)[pid_of(0)]["remark"] == "本地修改"
        nothing_sent(mapserver)
        panel.logout()
        assert panel.upload_button.toolTip() == "Send local changes and the audit trail to the platform"
        assert panel.sync_button.toolTip() == ""


@pytest.fixture()
def verified_only(tmp_path, qgis_app):
    """A second MapServer: the province's layer of verified patches, 0 and 1 of the five."""
    d = tmp_path / "verified"
    d.mkdir()
    server = MapServer(str(d), ms.raw(EXAMPLE), user=USER, password=PASSWORD)
    server.publish([patch(0, stage="province_verified"), patch(1, stage="province_verified")], changed_at=stamp)
    yield server
    server.stop()


def answering(asked, choice):
    """A stand-in for the panel's question: records (question, choices) and answers `choice` (None: Cancel)."""
    return lambda title, text, choices: asked.append((text, choices)) or choice


def test_another_platform_is_refused_until_the_user_re_binds(sync_panel, mapserver, verified_only, design_county,
                                                             qgis_iface, clean_settings):
    panel = sync_panel
    asked = []
    with basic_logins(("mapserver", USER, PASSWORD)) as (cfg,):
        log_in(panel, mapserver.url, cfg)
        panel.start("download", wait=True)
        mine = local_ids(design_county.path)
        assert {pid_of(i) for i in range(5)} <= mine
        first = SyncEngine(design_county.path, panel.client).bound_platform()["platform"]
        assert first == panel.client.identity()
        panel.logout()
        log_in(panel, verified_only.url, cfg)  # another server: the verified layer (a subset)
        verified_only.requests.clear()
        qgis_iface.messageBar().clear_messages()
        panel.choose_binding = answering(asked, None)  # Cancel
        assert panel.start("download", wait=True) is None
        ((question, choices),) = asked
        assert first in question and panel.client.identity() in question
        assert [c for c, _label, _what in choices] == [SAME_PLATFORM, OTHER_PLATFORM]
        labels = {c: (label, what) for c, label, what in choices}
        assert labels[SAME_PLATFORM][0] == "The same platform at a new address"
        assert "kept" in labels[SAME_PLATFORM][1] and "version" in labels[SAME_PLATFORM][1]
        assert labels[OTHER_PLATFORM][0] == "Another platform"
        assert "stay here and are not sent to it unless they are edited" in labels[OTHER_PLATFORM][1]
        assert "nothing is deleted" in labels[OTHER_PLATFORM][1] and "forgotten" in labels[OTHER_PLATFORM][1]
        (warned,) = shown(qgis_iface, Qgis.Warning)
        assert "nothing was downloaded" in warned and "new working copy" in warned
        assert verified_only.calls() == [] and local_ids(design_county.path) == mine  # nothing asked, nothing gone
        # the user says it is another platform: re-bound, and the download keeps every patch the verified layer
        # does not hold
        panel.choose_binding = answering(asked, OTHER_PLATFORM)
        panel.start("download", wait=True)
        assert len(asked) == 2 and panel.failed_action is None
        assert any("now syncs with" in m for m in shown(qgis_iface, Qgis.Info))
        assert local_ids(design_county.path) == mine
        rows = ms.local(design_county.path)
        assert [rows[pid_of(i)]["stage"] for i in (0, 1)] == ["province_verified"] * 2
        assert SyncEngine(design_county.path, panel.client).bound_platform()["platform"] == panel.client.identity()
        # the first server is the other platform now
        panel.logout()
        log_in(panel, mapserver.url, cfg)
        panel.choose_binding = answering(asked, None)
        assert panel.start("download", wait=True) is None and len(asked) == 3
        nothing_sent(mapserver)
        nothing_sent(verified_only)


def versions(path: str):
    return {pid: row["server_version"] for pid, row in ms.local(path).items()}


def test_the_same_platform_at_a_new_address_keeps_its_versions(sync_panel, mapserver, design_county, qgis_iface,
                                                               clean_settings):
    panel = sync_panel
    asked = []
    with basic_logins(("mapserver", USER, PASSWORD)) as (cfg,):
        log_in(panel, mapserver.url, cfg)
        panel.start("download", wait=True)
        before = versions(design_county.path)
        assert before[pid_of(0)] is not None
        panel.logout()
        moved = mapserver.url.replace("127.0.0.1", "localhost")  # the same server, at another address
        log_in(panel, moved, cfg)
        assert panel.client.identity() != SyncEngine(design_county.path, panel.client).bound_platform()["platform"]
        panel.choose_binding = answering(asked, SAME_PLATFORM)
        panel.start("download", wait=True)
        assert len(asked) == 1 and panel.failed_action is None
        assert versions(design_county.path) == before  # nothing forgotten
        assert SyncEngine(design_county.path, panel.client).bound_platform()["platform"] == panel.client.identity()
        nothing_sent(mapserver)


def test_a_copy_synced_before_bindings_asks_which_platform(sync_panel, mapserver, design_county, qgis_iface,
                                                           clean_settings):
    panel = sync_panel
    asked = []
    with basic_logins(("mapserver", USER, PASSWORD)) as (cfg,):
        log_in(panel, mapserver.url, cfg)
        panel.start("download", wait=True)
        before = versions(design_county.path)
        with geopackage.connect(design_county.path) as con:  # as an older plugin left it
            con.execute("DELETE FROM sync_state WHERE key = ?", (BINDING,))
        mapserver.requests.clear()
        qgis_iface.messageBar().clear_messages()
        panel.choose_binding = answering(asked, None)
        assert panel.start("download", wait=True) is None
        ((question, choices),) = asked
        assert "synced before the plugin recorded its platform" in question
        assert [(c, label) for c, label, _what in choices] == [(SAME_PLATFORM, "Yes, the platform it synced with"),
                                                               (OTHER_PLATFORM, "Another platform")]
        assert mapserver.calls() == [] and versions(design_county.path) == before
        panel.choose_binding = answering(asked, SAME_PLATFORM)
        panel.start("download", wait=True)
        assert panel.failed_action is None and versions(design_county.path) == before
        assert SyncEngine(design_county.path, panel.client).bound_platform()["platform"] == panel.client.identity()


def test_the_question_never_shows_a_credential_and_a_locked_copy_is_told(sync_panel, design_county, qgis_iface,
                                                                         clean_settings, monkeypatch):
    panel = sync_panel
    asked = []
    SyncEngine(design_county.path, PlatformClient("http://old.example.cn/api/v1?tk=SECRET&ak=SECRET2")).rebind()
    engine = SyncEngine(design_county.path, PlatformClient("http://new.example.cn/api/v1?tk=SECRET&ak=SECRET2"))
    panel.choose_binding = answering(asked, OTHER_PLATFORM)

    def locked():
        raise geopackage.WorkingCopyLocked("database is locked: another program holds the working copy")

    monkeypatch.setattr(engine, "rebind", locked)
    qgis_iface.messageBar().clear_messages()
    assert panel._bound_to(engine) is False  # told in the message bar, not QGIS's Python error dialog
    ((question, choices),) = asked
    everything = question + " ".join(label + what for _c, label, what in choices) + " ".join(
        m for level in (Qgis.Info, Qgis.Warning, Qgis.Critical) for m in shown(qgis_iface, level))
    assert "old.example.cn" in question and "new.example.cn" in question
    assert "SECRET" not in everything, everything
    (error,) = shown(qgis_iface, Qgis.Critical)
    assert "not re-bound" in error and "locked" in error
    with geopackage.connect(design_county.path) as con:
        assert "SECRET" not in con.execute("SELECT value FROM sync_state WHERE key = ?", (BINDING,)).fetchone()[0]


def test_cancel_is_the_questions_default(sync_panel, qgis_app):
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication

    seen = {}

    def look():
        box = QApplication.activeModalWidget()
        if box is None:  # no question asked (the assertions below say so)
            return
        seen["default"] = box.defaultButton().text()
        seen["buttons"] = sorted(b.text() for b in box.buttons())
        box.defaultButton().click()

    QTimer.singleShot(0, look)
    choice = sync_panel._ask_binding("Another platform", "?", [(SAME_PLATFORM, "The same platform at a new address",
                                                                "keeps"), (OTHER_PLATFORM, "Another platform", "x")])
    assert choice is None and "Cancel" in seen.get("default", "")
    assert seen["buttons"] == sorted(["The same platform at a new address", "Another platform", seen["default"]])
