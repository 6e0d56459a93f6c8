"""The upload/download panel against platforms other than the REST contract, in a real QGIS: a read-only WFS 2.0.0
server (MapServer 8, tests/helpers/mapserver_serve.py, the fixture and helpers of
tests/core/sync/test_wfs_mapserver.py) tells the user it takes no uploads (the Upload button off and saying why, a
warning instead of a green "pushed 0", "Keep mine" worded for a platform that takes nothing), and a working copy
pointed at another platform than the one it syncs with asks before it is re-bound (nothing downloaded meanwhile)."""

from __future__ import annotations

import pytest
from qgis.core import Qgis

from forestry_plugin.core.sync.adapter import KINDS, WFS
from forestry_plugin.core.sync.engine import SyncEngine
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
        panel.confirm_rebind = lambda title, text: asked.append(text) or False
        assert panel.start("download", wait=True) is None
        (question,) = asked
        assert first in question and panel.client.identity() in question and "Re-bind" in question
        (warned,) = shown(qgis_iface, Qgis.Warning)
        assert "nothing was downloaded" in warned and "new working copy" in warned
        assert verified_only.calls() == [] and local_ids(design_county.path) == mine  # nothing asked, nothing gone
        # the user agrees: re-bound, and the download keeps every patch the verified layer does not hold
        panel.confirm_rebind = lambda title, text: asked.append(text) or True
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
        panel.confirm_rebind = lambda title, text: asked.append(text) or False
        assert panel.start("download", wait=True) is None and len(asked) == 3
        nothing_sent(mapserver)
        nothing_sent(verified_only)
