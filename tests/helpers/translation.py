"""The plugin's Chinese translation compiled from the current i18n/*.ts (what `make translations` builds) and
installed in this QGIS for the duration of a test."""

from __future__ import annotations

import contextlib
import os
import subprocess

from tests.helpers import ROOT

TS = os.path.join(ROOT, "i18n", "forestry_plugin_zh_CN.ts")


def compile_zh(out_dir) -> str:
    """lrelease the zh_CN translation into `out_dir`/zh.qm; its path."""
    qm = os.path.join(str(out_dir), "zh.qm")
    subprocess.run(["lrelease", "-silent", TS, "-qm", qm], check=True)
    return qm


@contextlib.contextmanager
def chinese(out_dir):
    """The compiled zh_CN translation installed (the plugin's tr() answers in Chinese): yields the QTranslator."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    translator = QTranslator()
    assert translator.load(compile_zh(out_dir))
    QCoreApplication.installTranslator(translator)
    try:
        yield translator
    finally:
        QCoreApplication.removeTranslator(translator)
