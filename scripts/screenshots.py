#!/usr/bin/env python3
"""Screenshots of the plugin in a real QGIS window under Xvfb, for review and for the README.

    screenshots.py --out docs/screenshots [--locale zh_CN] [--docks ForestryProjectDock,...] [--name main]

Installs the packaged plugin into a throw-away profile (so what you see is what users install), opens the
sample county and grabs the main window.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import package  # noqa: E402

INI = """[migration]
fileVersion=2
settings_migrated=true
[qgis]
checkVersion=false
showTips322=false
[locale]
overrideFlag={override}
userLocale={locale}
globalLocale={locale}
"""


def make_profile(root: str, locale: str) -> str:
    zip_path = os.path.join(root, "forestry_plugin.zip")
    package.build(zip_path)
    profile = os.path.join(root, "profiles", "default")
    os.makedirs(os.path.join(profile, "QGIS"))
    with open(os.path.join(profile, "QGIS", "QGIS3.ini"), "w") as fh:
        fh.write(INI.format(override="true" if locale else "false", locale=locale or "en_US"))
    package.deploy(zip_path, profile)
    return root


def shoot(out_png: str, working_copy: str | None, docks: str, locale: str | None, delay_ms: int = 3000,
          extra_env: dict | None = None) -> dict:
    """Run QGIS once and return the status the in-QGIS script wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_profile(tmp, locale)
        status = os.path.join(tmp, "status.json")
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "PYTHONPATH")}
        # QGIS's own Python plus the packages the plugin needs (what a user installs with pip), not the checkout.
        env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
        env.update({"FORESTRY_SHOT_OUT": os.path.abspath(out_png), "FORESTRY_SHOT_STATUS": status,
                    "FORESTRY_SHOT_DOCKS": docks, "FORESTRY_SHOT_DELAY_MS": str(delay_ms),
                    "XDG_RUNTIME_DIR": os.path.join(tmp, "xdg"), "LANG": "C.UTF-8"})
        if working_copy:
            env["FORESTRY_SHOT_WC"] = os.path.abspath(working_copy)
        env.update(extra_env or {})
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "/usr/bin/qgis.bin", "--noversioncheck", "--nologo",
               "--profiles-path", root, "--code", os.path.join(ROOT, "scripts", "qgis_screenshot.py")]
        proc = subprocess.run(cmd, env=env, timeout=300, capture_output=True, text=True)
        if not os.path.exists(status):
            raise RuntimeError(f"QGIS did not finish the screenshot script:\n{proc.stderr[-2000:]}")
        with open(status, encoding="utf-8") as fh:
            return json.load(fh)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="test-artifacts")
    ap.add_argument("--name", default="main")
    ap.add_argument("--locale", default="zh_CN")
    ap.add_argument("--docks", default="ForestryProjectDock")
    ap.add_argument("--working-copy")
    ap.add_argument("--setup", help="Python file run inside QGIS after the docks are shown")
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    wc = a.working_copy
    if not wc:
        from qgis.core import QgsApplication

        app = QgsApplication([], False)
        app.initQgis()
        from forestry_plugin.core.sample_county import generate_sample_county

        wc = os.path.join(tempfile.mkdtemp(), "sample_county.gpkg")
        generate_sample_county(wc)
    png = os.path.join(a.out, f"{a.name}.png")
    status = shoot(png, wc, a.docks, a.locale,
                   extra_env={"FORESTRY_SHOT_SETUP": os.path.abspath(a.setup)} if a.setup else None)
    print(json.dumps(status, ensure_ascii=False))
    if wc != a.working_copy:
        shutil.rmtree(os.path.dirname(wc), ignore_errors=True)
    return 1 if status.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
