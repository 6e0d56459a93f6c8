"""The zh_CN translation is complete: every tr() string of the plugin has a finished translation."""

import os

import pytest
from qgis.PyQt.QtCore import QCoreApplication

from tests.helpers import ROOT, script
from tests.helpers.translation import chinese

i18n = script("i18n")


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
    with chinese(tmp_path):
        from forestry_plugin.i18n import tr

        assert tr("Forestry working copy") == "林业工作库"
        assert tr("Sample county: {0} patches, {1} base-map parcels, {2} labelled faults").format(1, 2, 3) == \
            "示例县：1 个图斑，2 个底图图斑，3 个已标注错误"


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


# -- strings assembled at run time ---------------------------------------------------------------------------------
def _tr_calls_the_extractor_misses():
    """Every tr()/translate() call in forestry_plugin whose text the extractor cannot read: (file:line, call)."""
    import ast
    import glob

    out = []
    for path in sorted(glob.glob(os.path.join(i18n.PACKAGE, "**", "*.py"), recursive=True)):
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name == "tr":
                # QObject.tr (self.tr, QWidget.tr) translates in the class's own context, not "forestry"
                qobject_tr = isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and
                                                                  f.value.id == "i18n")
                literal = bool(node.args) and isinstance(node.args[0], ast.Constant) and \
                    isinstance(node.args[0].value, str)
                if qobject_tr or not literal:
                    out.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
            elif name == "translate" and isinstance(f, ast.Attribute) and ast.unparse(f.value) == "QCoreApplication":
                # only forestry_plugin/i18n.py's tr() may call Qt's translate, with the text it was given
                if rel != os.path.join("forestry_plugin", "i18n.py"):
                    out.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return out


def test_no_translation_of_texts_the_extractor_cannot_see():
    """tr(variable), tr(f"..."), tr("a" + b) and self.tr("...") compile but never get a translation: the .ts only
    holds tr("literal") texts of the "forestry" context. Name such texts with literal tr() calls where they are
    defined (e.g. a function returning {code: tr("Label")}) and pass the translated text around."""
    bad = _tr_calls_the_extractor_misses()
    assert bad == [], "\n".join(bad)


def _untranslated(text: str) -> bool:
    """An English word label: Latin words and no Chinese character (e.g. "Repair geometry", "cropland").
    "导出 Excel…" or "1 个检查错误" are translated; numbers and punctuation alone are not labels."""
    import re

    return bool(re.search(r"[A-Za-z]{2,}", text or "")) and not re.search(r"[\u3400-\u9fff]", text or "")


def _chinese(text: str) -> bool:
    import re

    return bool(re.search(r"[\u3400-\u9fff]", text or ""))


def _findings():
    from forestry_plugin.core.checks.model import Finding
    from forestry_plugin.gui.checks_dock import FIXES

    rules = sorted(set(FIXES) | {"attribute", "cropland", "basic_farmland"})
    return [Finding(f"{i:08d}-0000-4000-8000-000000000000", rule, "error" if i % 2 else "warning", "…", 1.0)
            for i, rule in enumerate(rules)]


def _checks_dock_texts(iface):
    """Texts of the checks dock a user reads: the fix menus of every rule, group titles and severity filter."""
    from forestry_plugin.gui.checks_dock import ChecksDock

    dock = ChecksDock(iface)
    try:
        dock.findings = _findings()
        dock.populate()
        texts = {"group": [dock.tree.topLevelItem(i).text(0) for i in range(dock.tree.topLevelItemCount())],
                 "severity filter": [dock.severity_filter.itemText(i) for i in range(dock.severity_filter.count())],
                 "menu": [], "button": [b.text() for b in (dock.run_button, dock.cancel_button, dock.accept_button,
                                                            dock.fix_button, dock.export_button)]}
        for f in dock.findings:
            menu = dock.finding_menu(f)
            texts["menu"] += [a.text() for a in menu.actions() if not a.isSeparator()]
            menu.deleteLater()
        return texts
    finally:
        dock.disconnect_project()
        dock.deleteLater()


def _check_and_save_texts():
    """Texts of the check-and-save dialog (FindingsDialog): buttons, the severity and rule columns."""
    from qgis.PyQt.QtWidgets import QTableWidget

    from forestry_plugin.gui.edit_live import FindingsDialog

    dlg = FindingsDialog("9e41011c-0000-4000-8000-000000000000", _findings())
    try:
        table = dlg.findChild(QTableWidget)
        return {"button": [b.text() for b in dlg.buttons.buttons()],
                "severity": [table.item(r, 0).text() for r in range(table.rowCount())],
                "rule": [table.item(r, 1).text() for r in range(table.rowCount())]}
    finally:
        dlg.deleteLater()


def _details_dialog_texts():
    """The plugin's report dialog (import report): its buttons before and after showing the details."""
    from qgis.PyQt.QtWidgets import QMessageBox

    from forestry_plugin.gui.common import DetailsDialog, translate_buttons

    dlg = DetailsDialog("title", "summary", "line 1\nline 2")
    try:
        texts = [b.text() for b in dlg.buttons.buttons()]
        dlg.toggle_details()
        texts += [dlg.details_button.text()]
        dlg.toggle_details()
        texts += [dlg.details_button.text()]
    finally:
        dlg.deleteLater()
    box = QMessageBox(QMessageBox.Question, "t", "q", QMessageBox.Yes | QMessageBox.No | QMessageBox.Ok |
                      QMessageBox.Cancel | QMessageBox.Close)
    translate_buttons(box)
    texts += [b.text() for b in box.buttons()]
    box.deleteLater()
    return {"button": texts}


def test_chinese_ui_has_no_english_labels_assembled_at_run_time(qgis_iface, zh):
    from forestry_plugin.i18n import ui_language

    assert ui_language() == "zh"
    texts = {**{f"checks dock {k}": v for k, v in _checks_dock_texts(qgis_iface).items()},
             **{f"check and save {k}": v for k, v in _check_and_save_texts().items()},
             **{f"details dialog {k}": v for k, v in _details_dialog_texts().items()}}
    assert texts["checks dock menu"] and texts["check and save rule"]
    english = {k: [t for t in v if _untranslated(t)] for k, v in texts.items()}
    assert not any(english.values()), {k: v for k, v in english.items() if v}


def test_english_ui_shows_no_chinese_severities_or_rules(qgis_iface):
    from forestry_plugin.i18n import ui_language

    assert ui_language() == "en"
    texts = {**{f"checks dock {k}": v for k, v in _checks_dock_texts(qgis_iface).items()},
             **{f"check and save {k}": v for k, v in _check_and_save_texts().items()}}
    chinese = {k: [t for t in v if _chinese(t)] for k, v in texts.items()}
    assert not any(chinese.values()), {k: v for k, v in chinese.items() if v}
    assert "Error" in " ".join(texts["check and save severity"])
    assert "On cropland without approval" in texts["check and save rule"]


def test_processing_layer_parameters_are_not_named_like_counts():
    """One source text has one translation: "Patches" is the count (图斑数) in reports and the project dock, so a
    Processing layer parameter says "Patch layer" (图斑图层) instead of showing 图斑数 above a layer chooser."""
    import importlib

    from forestry_plugin.processing.provider import ALGORITHMS

    counts = {"Patches"}
    bad = []
    for module_name, class_name in ALGORITHMS:
        module = importlib.import_module(f"forestry_plugin.processing.algs.{module_name}")
        alg = getattr(module, class_name)()
        alg.initAlgorithm()
        for p in alg.parameterDefinitions():
            if p.description() in counts:
                bad.append(f"{class_name}.{p.name()}: {p.description()!r}")
    assert bad == [], bad
