"""The plugin's settings in one module: what the panels remember in the QGIS profile is read back checked (a stored
value is input: another plugin version or a hand-edited QGIS3.ini), per server, and never holds a secret."""

from qgis.core import QgsSettings

from forestry_plugin.core.working_copy import create_working_copy
from forestry_plugin.settings import DEFAULT_PLATFORM_URL, PluginSettings, WorkingCopyKey


def test_stored_values_are_checked(clean_settings):
    raw = clean_settings
    s = PluginSettings(raw)
    for key, value in (("forestry/sync/kind", "ftp"), ("forestry/sync/url", "javascript:alert(1)"),
                       ("forestry/sync/authcfg", "../../etc"), ("forestry/import_dir", 12)):
        raw.setValue(key, value)
    assert s.sync_kind == "rest"
    assert s.sync_url == DEFAULT_PLATFORM_URL
    assert s.sync_authcfg == ""
    assert s.import_dir in ("", "12")  # QSettings may hand a number back as text
    s.sync_authcfg = "abc1234"
    assert s.sync_authcfg == "abc1234"
    s.sync_authcfg = "not an id"
    assert s.sync_authcfg == ""
    for key in ("forestry/sync/kind", "forestry/sync/url", "forestry/sync/authcfg", "forestry/import_dir"):
        raw.remove(key)


def test_kind_remembered_per_server_without_user_info(clean_settings):
    s = PluginSettings()
    s.remember_server("https://someone:pw123456@gis.example.cn/wfs", "wfs", "/data/city.json")  # typed with a login
    assert s.sync_url == "https://gis.example.cn/wfs"
    s.remember_server("https://platform.example.cn/api/v1", "rest")
    assert s.server_kind("https://gis.example.cn/wfs") == "wfs"
    assert s.server_kind("https://someone:pw123456@gis.example.cn/wfs") == "wfs"  # the same server
    assert s.server_description("https://gis.example.cn/wfs") == "/data/city.json"
    assert s.server_kind("https://platform.example.cn/api/v1") == "rest"
    assert s.server_kind("https://unknown.example.cn/") == ""
    assert (s.sync_url, s.sync_kind) == ("https://platform.example.cn/api/v1", "rest")
    stored = " ".join(str(QgsSettings().value(k)) for k in QgsSettings().allKeys() if k.startswith("forestry/"))
    assert "pw123456" not in stored and "someone" not in stored


def test_working_copy_keys_are_the_ones_the_copy_holds(tmp_path, qgis_app):
    from forestry_plugin.core import geopackage

    path = str(tmp_path / "wc.gpkg")
    create_working_copy(path, county_code="339901", county_name="示例县", store_styles=False)
    assert geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) == "339901"
    assert geopackage.get_setting(path, WorkingCopyKey.COUNTY_NAME) == "示例县"
    assert str(geopackage.get_setting(path, WorkingCopyKey.CRS)).startswith("EPSG:")
