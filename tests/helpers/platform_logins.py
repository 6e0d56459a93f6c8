"""Logging in to the reference platform as the plugin does: its client with the demo accounts, Basic
authentication configurations in QgsAuthManager, and what the platform's operator does for a county."""

from __future__ import annotations

import contextlib
import socket

PW = "demo-pass-2025"  # the demo accounts' password (reference_platform/server.py's demo users)
WRONG_PW = "not-the-password-4711"
MASTER = "forestry-test-master"  # the QGIS master password of the test profile


def client(url: str, user: str = "demo_tech", password: str = PW, **kw):
    """The plugin's PlatformClient logged in as `user`, without waiting between retries (`kw` for the client)."""
    from forestry_plugin.core.sync.client import PlatformClient

    c = PlatformClient(url, sleep=lambda s: None, **kw)
    c.login(user, password)
    return c


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


def auth_manager():
    """QGIS's authentication manager, its master password set (the test profile's: MASTER)."""
    from qgis.core import QgsApplication

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword(MASTER, True), "cannot set the QGIS master password for the test profile"
    return manager


@contextlib.contextmanager
def basic_logins(*logins):
    """Basic authentication configurations for (name, user, password) each (password None: PW) stored in
    QgsAuthManager: yields their ids, removed afterwards."""
    from forestry_plugin.core.sync.auth import store_basic_config

    manager = auth_manager()
    ids = tuple(store_basic_config(name, user, PW if password is None else password) for name, user, password in logins)
    try:
        yield ids
    finally:
        for cfg in ids:
            manager.removeAuthenticationConfig(cfg)


def onboard(server, path: str) -> None:
    """What the platform operator does once for a county: import its existing patches (any stage)."""
    from reference_platform.server import read_gpkg_patches

    server.db.import_patches("339901", read_gpkg_patches(path))


def reviewer_copy(tmp_path, url: str, name: str, user: str):
    """A reviewer downloads the county, logs in (identity and policy cached), then works offline: (path, engine)."""
    from forestry_plugin import schema
    from forestry_plugin.core import geopackage
    from forestry_plugin.core.sync.engine import SyncEngine
    from tests.helpers.working_copies import new_copy

    path = new_copy(tmp_path, name)
    eng = SyncEngine(path, client(url, user))
    eng.sync()
    with geopackage.connect(path) as con:  # the checks ran on this machine (fresh, clean)
        con.execute(f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings) "
                    "SELECT patch_id, '2025-06-02T00:00:00Z', revision, 0, 0 FROM patches")
    return path, eng
