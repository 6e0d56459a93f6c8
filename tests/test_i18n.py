"""The zh_CN translation is complete: every tr() string of the plugin has a finished translation."""

import os
import subprocess
import sys

import pytest
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import i18n  # noqa: E402


def test_every_string_is_translated():
    # Leftover translations of strings the code no longer has are harmless (`update` prunes them).
    problems = [p for p in i18n.problems("zh_CN") if not p.startswith("obsolete")]
    assert problems == [], "\n".join(problems[:50]) + ("\n… run `python scripts/i18n.py update` and translate"
                                                       if problems else "")


def test_extractor_finds_strings_in_every_layer():
    files = {f for locs in i18n.extract().values() for f, _l in locs}
    for part in ("forestry_plugin/core/", "forestry_plugin/gui/", "forestry_plugin/processing/"):
        assert any(f.startswith(part) for f in files), part


def test_compiled_translation_loads_and_translates(tmp_path):
    qm = str(tmp_path / "zh.qm")
    subprocess.run(["lrelease", "-silent", i18n.ts_path("zh_CN"), "-qm", qm], check=True)
    translator = QTranslator()
    assert translator.load(qm)
    QCoreApplication.installTranslator(translator)
    try:
        from forestry_plugin.i18n import tr

        assert tr("Forestry working copy") == "林业工作库"
        assert tr("Sample county: {0} patches, {1} base-map parcels, {2} labelled faults").format(1, 2, 3) == \
            "示例县：1 个图斑，2 个底图图斑，3 个已标注错误"
    finally:
        QCoreApplication.removeTranslator(translator)


@pytest.mark.parametrize("setting,expected", [
    ("zh-Hans", "zh_CN"), ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"), ("zh", "zh_CN"), ("zh_SG", "zh_CN"),
    ("zh-Hans-CN", "zh_CN"), ("zh-Hant", None), ("zh_TW", None), ("zh-HK", None), ("en_US", None), ("", None),
    ("fr_FR", None)])
def test_every_spelling_of_chinese_qgis_may_store(setting, expected):
    from forestry_plugin.i18n import translation_for

    assert translation_for(setting) == expected


def test_chinese_as_qgis_options_sets_it_loads_the_translation(qgis_iface):
    """QGIS's Options dialog writes locale/userLocale=zh-Hans with overrideFlag true: the plugin is Chinese."""
    from qgis.core import QgsSettings
    from qgis.PyQt.QtCore import QCoreApplication

    from forestry_plugin.i18n import tr, ui_language
    from forestry_plugin.plugin import ForestryPlugin

    s = QgsSettings()
    old = (s.value("locale/userLocale"), s.value("locale/overrideFlag"))
    s.setValue("locale/userLocale", "zh-Hans")
    s.setValue("locale/overrideFlag", True)
    plugin = None
    try:
        plugin = ForestryPlugin(qgis_iface)
        assert plugin.translator is not None
        assert ui_language() == "zh" and tr("Log out") == "退出登录"
    finally:
        if plugin is not None and plugin.translator is not None:
            QCoreApplication.removeTranslator(plugin.translator)
        for key, value in zip(("locale/userLocale", "locale/overrideFlag"), old):
            if value is None:
                s.remove(key)
            else:
                s.setValue(key, value)
    assert ui_language() == "en"
