"""forestry:download / forestry:upload with credentials from QgsAuthManager, against the real platform."""

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsSettings

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.sync.auth import CredentialsError, credentials, store_basic_config
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
        geopackage.create_working_copy(other, county_code="339901", store_styles=False)
        down = processing.run("forestry:download", {"SERVER_URL": url, "AUTHCFG": authcfg, "COUNTY": "339901",
                                                    "WORKING_COPY": other})
        assert down["PULLED"] == design_county.patch_count
        assert len(geopackage.read_features(other, schema.PATCHES, ["patch_id"])) == design_county.patch_count
        with pytest.raises(QgsProcessingException):
            processing.run("forestry:download", {"SERVER_URL": url, "AUTHCFG": "missing", "COUNTY": "",
                                                 "WORKING_COPY": other})
    finally:
        stop_server(server)
