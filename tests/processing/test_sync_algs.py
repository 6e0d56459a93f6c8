"""forestry:download / forestry:upload with credentials from QgsAuthManager, against the real platform; failures
are one clear message (in processing.run and headless in qgis_process), never a traceback."""

import sqlite3

import pytest
from qgis.core import QgsProcessingException, QgsSettings

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.sync.auth import CredentialsError, credentials
from reference_platform.server import start_server, stop_server
from tests.helpers import qgis_process
from tests.helpers.platform_logins import MASTER, PW, WRONG_PW, free_port
from tests.helpers.working_copies import new_copy


def test_credentials_come_from_the_auth_manager_only(platform_logins):
    authcfg = platform_logins[0]
    assert credentials(authcfg) == ("demo_tech", PW)
    with pytest.raises(CredentialsError):
        credentials("nope123")
    settings = QgsSettings()
    for key in settings.allKeys():
        assert PW not in str(settings.value(key)), key


def test_upload_then_download_algorithms(platform_logins, provider, design_county, tmp_path):
    import processing

    authcfg = platform_logins[0]
    server, url = start_server(str(tmp_path / "platform.sqlite"))
    try:
        up = processing.run("forestry:upload", {"SERVER_URL": url, "AUTHCFG": authcfg, "COUNTY": "",
                                                "WORKING_COPY": design_county.path})
        assert up["ACCEPTED"] == design_county.patch_count and up["CONFLICTS"] == 0
        other = new_copy(tmp_path, "other.gpkg")
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

def _processing_error(alg, params) -> str:
    import processing

    with pytest.raises(QgsProcessingException) as e:
        processing.run(alg, params)
    return str(e.value)


def test_algorithm_errors_are_clear_messages(platform_logins, provider, empty_working_copy, tmp_path, monkeypatch):
    """Platform, audit, working-copy, SQLite and OGR failures all end as one QgsProcessingException with the
    user's message (processing.run in this process)."""
    from forestry_plugin.core import audit
    from forestry_plugin.core.sync.client import PlatformClient

    authcfg = platform_logins[0]
    server, url = start_server(str(tmp_path / "platform.sqlite"))
    try:
        base = {"SERVER_URL": url, "AUTHCFG": authcfg, "COUNTY": "", "WORKING_COPY": empty_working_copy}
        monkeypatch.setattr(PlatformClient, "__init__", _fast_retries(PlatformClient.__init__))
        dead = dict(base, SERVER_URL=f"http://127.0.0.1:{free_port()}/api/v1")
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


@pytest.mark.skipif(not qgis_process.available(), reason="qgis_process.bin not installed")
def test_qgis_process_errors_are_clear_without_tracebacks(platform_logins, empty_working_copy, tmp_path, qgis_app):
    authcfg, bad = platform_logins
    env, _root = qgis_process.private_profile(tmp_path, MASTER)
    server, url = start_server(str(tmp_path / "platform.sqlite"))
    try:
        # the auth configuration works headless (else the failures below would be about it)
        code, out = qgis_process.outcome(env, "forestry:upload", {"SERVER_URL": url, "AUTHCFG": authcfg,
                                                                  "WORKING_COPY": empty_working_copy})
        assert code == 0 and "Traceback" not in out, out[-3000:]
        code, out = qgis_process.outcome(env, "forestry:upload", {"SERVER_URL": url, "AUTHCFG": bad,
                                                                  "WORKING_COPY": empty_working_copy})
        assert code != 0 and "Wrong user name or password" in out and "Traceback" not in out, out[-3000:]
        assert WRONG_PW not in out
        dead = f"http://127.0.0.1:{free_port()}/api/v1"
        code, out = qgis_process.outcome(env, "forestry:upload", {"SERVER_URL": dead, "AUTHCFG": authcfg,
                                                                  "WORKING_COPY": empty_working_copy})
        assert code != 0 and "Cannot reach the platform" in out and "Traceback" not in out, out[-3000:]
        assert PW not in out
        code, out = qgis_process.outcome(env, "forestry:download", {"SERVER_URL": url, "AUTHCFG": "nope123",
                                                                    "WORKING_COPY": empty_working_copy})
        assert code != 0 and "nope123" in out and "Traceback" not in out, out[-3000:]
        garbage = tmp_path / "garbage.gpkg"
        garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
        code, out = qgis_process.outcome(env, "forestry:download", {"SERVER_URL": url, "AUTHCFG": authcfg,
                                                                    "WORKING_COPY": str(garbage)})
        assert code != 0 and "garbage.gpkg" in out and "Traceback" not in out, out[-3000:]
    finally:
        stop_server(server)
