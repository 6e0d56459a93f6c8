"""forestry:download / forestry:upload with credentials from QgsAuthManager, against the real platform; failures
are one clear message (in processing.run and headless in qgis_process), never a traceback."""

import os
import socket
import sqlite3
import subprocess

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsSettings

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.sync.auth import CredentialsError, credentials, store_basic_config
from forestry_plugin.core.working_copy import create_working_copy
from forestry_plugin.processing.provider import ForestryProvider
from reference_platform.server import start_server, stop_server

MASTER = "forestry-test-master"


@pytest.fixture()
def authcfg(qgis_app):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword(MASTER, True), "cannot set the QGIS master password for the test profile"
    cfg_id = store_basic_config("forestry test", "demo_tech", "demo-pass-2025")
    yield cfg_id
    manager.removeAuthenticationConfig(cfg_id)


@pytest.fixture()
def provider(qgis_processing):
    p = ForestryProvider()
    QgsApplication.processingRegistry().addProvider(p)
    yield p
    QgsApplication.processingRegistry().removeProvider(p)


def test_credentials_come_from_the_auth_manager_only(authcfg):
    assert credentials(authcfg) == ("demo_tech", "demo-pass-2025")
    with pytest.raises(CredentialsError):
        credentials("nope123")
    settings = QgsSettings()
    for key in settings.allKeys():
        assert "demo-pass-2025" not in str(settings.value(key)), key


def test_upload_then_download_algorithms(authcfg, provider, design_county, tmp_path):
    import processing

    server, url = start_server(str(tmp_path / "platform.sqlite"))
    try:
        up = processing.run("forestry:upload", {"SERVER_URL": url, "AUTHCFG": authcfg, "COUNTY": "",
                                                "WORKING_COPY": design_county.path})
        assert up["ACCEPTED"] == design_county.patch_count and up["CONFLICTS"] == 0
        other = str(tmp_path / "other.gpkg")
        create_working_copy(other, county_code="339901", store_styles=False)
        down = processing.run("forestry:download", {"SERVER_URL": url, "AUTHCFG": authcfg, "COUNTY": "339901",
                                                    "WORKING_COPY": other})
        assert down["PULLED"] == design_county.patch_count
        assert len(geopackage.read_features(other, schema.PATCHES, ["patch_id"])) == design_county.patch_count
        with pytest.raises(QgsProcessingException):
            processing.run("forestry:download", {"SERVER_URL": url, "AUTHCFG": "missing", "COUNTY": "",
                                                 "WORKING_COPY": other})
    finally:
        stop_server(server)


# -- errors are clear messages, never tracebacks ---------------------------------------------------------------------

QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processing_error(alg, params) -> str:
    import processing

    with pytest.raises(QgsProcessingException) as e:
        processing.run(alg, params)
    return str(e.value)


def test_algorithm_errors_are_clear_messages(authcfg, provider, empty_working_copy, tmp_path, monkeypatch):
    """Platform, audit, working-copy, SQLite and OGR failures all end as one QgsProcessingException with the
    user's message (processing.run in this process)."""
    from forestry_plugin.core import audit
    from forestry_plugin.core.sync.client import PlatformClient

    server, url = start_server(str(tmp_path / "platform.sqlite"))
    try:
        base = {"SERVER_URL": url, "AUTHCFG": authcfg, "COUNTY": "", "WORKING_COPY": empty_working_copy}
        monkeypatch.setattr(PlatformClient, "__init__", _fast_retries(PlatformClient.__init__))
        dead = dict(base, SERVER_URL=f"http://127.0.0.1:{_free_port()}/api/v1")
        for alg in ("forestry:upload", "forestry:download"):
            text = _processing_error(alg, dead)
            assert "Cannot reach the platform" in text and "proxy settings" in text and "Traceback" not in text
        not_a_copy = tmp_path / "plain.gpkg"
        not_a_copy.write_bytes(b"not a geopackage at all")
        text = _processing_error("forestry:upload", dict(base, WORKING_COPY=str(not_a_copy)))
        assert text and "Traceback" not in text
        failures = [(audit.AuditTampered(["row 3 was changed"]), "altered outside the plugin"),
                    (sqlite3.OperationalError("disk I/O error"), "could not be read or written"),
                    (RuntimeError("OGR: failed to open layer"), "GDAL/OGR error: OGR: failed to open layer"),
                    (ValueError("The working copy has no county code"), "no county code"),
                    (KeyError("patch_id"), "Unexpected error (KeyError")]
        from forestry_plugin.core.sync.engine import SyncEngine

        for exc, words in failures:
            def boom(*_a, exc=exc, **_k):
                raise exc

            monkeypatch.setattr(SyncEngine, "push", boom)
            monkeypatch.setattr(SyncEngine, "pull", boom)
            for alg in ("forestry:upload", "forestry:download"):
                text = _processing_error(alg, base)
                assert words in text and "Traceback" not in text, (alg, text)
    finally:
        stop_server(server)


def _fast_retries(init):
    def fast(self, *a, **k):
        init(self, *a, **k)
        self.retries, self.sleep = 1, lambda s: None

    return fast


def _private_profile(tmp_path, qgis_app):
    """A QGIS profile with the plugin enabled and a copy of this process's auth database (its master password in
    a file, as a headless run gets it): (environment, profiles root)."""
    import shapely
    from test_checks_processing import install_plugin  # noqa: E402  (same folder)

    root = str(tmp_path / "qgisconfig")
    install_plugin(root)
    auth_db = os.path.join(root, "profiles", "default", "qgis-auth.db")
    src = sqlite3.connect(QgsApplication.qgisAuthDatabaseFilePath())
    dst = sqlite3.connect(auth_db)
    src.backup(dst)
    src.close()
    dst.close()
    master = tmp_path / "master.txt"
    master.write_text(MASTER, encoding="utf-8")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=root, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path),
               QGIS_AUTH_PASSWORD_FILE=str(master),
               QGIS_AUTH_DB_DIR_PATH=os.path.join(root, "profiles", "default", ""),
               PYTHONPATH=os.path.dirname(os.path.dirname(shapely.__file__)))
    return env, root


def _qgis_process(env, alg, params):
    cmd = [QGIS_PROCESS, "run", alg, "--"] + [f"{k}={v}" for k, v in params.items()]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.skipif(not os.path.exists(QGIS_PROCESS), reason="qgis_process.bin not installed")
def test_qgis_process_errors_are_clear_without_tracebacks(authcfg, empty_working_copy, tmp_path, qgis_app):
    bad = store_basic_config("forestry test bad", "demo_tech", "not-the-password")
    env, _root = _private_profile(tmp_path, qgis_app)
    server, url = start_server(str(tmp_path / "platform.sqlite"))
    try:
        # the auth configuration works headless (else the failures below would be about it)
        code, out = _qgis_process(env, "forestry:upload", {"SERVER_URL": url, "AUTHCFG": authcfg,
                                                           "WORKING_COPY": empty_working_copy})
        assert code == 0 and "Traceback" not in out, out[-3000:]
        code, out = _qgis_process(env, "forestry:upload", {"SERVER_URL": url, "AUTHCFG": bad,
                                                           "WORKING_COPY": empty_working_copy})
        assert code != 0 and "Wrong user name or password" in out and "Traceback" not in out, out[-3000:]
        assert "not-the-password" not in out
        dead = f"http://127.0.0.1:{_free_port()}/api/v1"
        code, out = _qgis_process(env, "forestry:upload", {"SERVER_URL": dead, "AUTHCFG": authcfg,
                                                           "WORKING_COPY": empty_working_copy})
        assert code != 0 and "Cannot reach the platform" in out and "Traceback" not in out, out[-3000:]
        assert "demo-pass-2025" not in out
        code, out = _qgis_process(env, "forestry:download", {"SERVER_URL": url, "AUTHCFG": "nope123",
                                                             "WORKING_COPY": empty_working_copy})
        assert code != 0 and "nope123" in out and "Traceback" not in out, out[-3000:]
        garbage = tmp_path / "garbage.gpkg"
        garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
        code, out = _qgis_process(env, "forestry:download", {"SERVER_URL": url, "AUTHCFG": authcfg,
                                                             "WORKING_COPY": str(garbage)})
        assert code != 0 and "garbage.gpkg" in out and "Traceback" not in out, out[-3000:]
    finally:
        stop_server(server)
        QgsApplication.authManager().removeAuthenticationConfig(bad)
