#!/usr/bin/env python3
"""Build the installable plugin zip, validate it as the QGIS plugin repository does, deploy it into a profile.

    package.py --out dist/forestry_plugin-0.1.0.zip        build + validate
    package.py --validate ZIP                               validate only
    package.py --deploy ZIP --profile-dir DIR               unzip into DIR/python/plugins and enable it
"""

from __future__ import annotations

import argparse
import configparser
import glob
import io
import os
import re
import shutil
import sys
import zipfile
from typing import List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "forestry_plugin"
MAX_BYTES = 25 * 1024 * 1024  # plugins.qgis.org upload limit
REQUIRED_METADATA = ("name", "description", "about", "version", "qgisMinimumVersion", "author", "email", "repository")
FORBIDDEN = re.compile(r"(__pycache__|\.pyc$|\.pyo$|(^|/)\.[^/]+|\.so$|\.dll$|\.dylib$|\.exe$|\.gpkg$|\.sqlite$|\.ts$)")


def plugin_files() -> List[tuple]:
    """(source path, path inside the zip) of everything the installed plugin needs, and nothing else."""
    files = []
    for src in sorted(glob.glob(os.path.join(ROOT, NAME, "**", "*"), recursive=True)):
        rel = os.path.relpath(src, ROOT)
        if os.path.isfile(src) and not FORBIDDEN.search(rel):
            files.append((src, rel))
    for extra in ("metadata.txt", "LICENSE", "README.md", "CHANGELOG.md"):
        if os.path.exists(os.path.join(ROOT, extra)):
            files.append((os.path.join(ROOT, extra), f"{NAME}/{extra}"))
    for src in sorted(glob.glob(os.path.join(ROOT, "resources", "**", "*"), recursive=True)):
        if os.path.isfile(src) and not FORBIDDEN.search(os.path.relpath(src, ROOT)):
            files.append((src, f"{NAME}/{os.path.relpath(src, ROOT)}"))
    for qm in sorted(glob.glob(os.path.join(ROOT, "i18n", "*.qm"))):
        files.append((qm, f"{NAME}/i18n/{os.path.basename(qm)}"))
    return files


def build(out: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if not glob.glob(os.path.join(ROOT, "i18n", "*.qm")):
        raise SystemExit("no compiled translations in i18n/: run `make translations` first")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for src, arc in plugin_files():
            zf.write(src, arc)
    return out


def validate(path: str) -> List[str]:
    """The checks plugins.qgis.org makes on upload (plus ours); an empty list means valid."""
    errors = []
    if os.path.getsize(path) > MAX_BYTES:
        errors.append(f"zip is larger than {MAX_BYTES} bytes")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if zf.testzip() is not None:
            errors.append("zip is corrupt")
        tops = {n.split("/")[0] for n in names}
        if tops != {NAME}:
            errors.append(f"zip must hold exactly one top folder {NAME}/, found {sorted(tops)}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", NAME):
            errors.append("package folder is not a valid Python identifier")
        for n in names:
            if FORBIDDEN.search(n[len(NAME) + 1:]):
                errors.append(f"forbidden file in zip: {n}")
        for needed in ("__init__.py", "metadata.txt", "LICENSE"):
            if f"{NAME}/{needed}" not in names:
                errors.append(f"missing {NAME}/{needed}")
        if f"{NAME}/__init__.py" in names and b"def classFactory" not in zf.read(f"{NAME}/__init__.py"):
            errors.append("__init__.py has no classFactory")
        if f"{NAME}/metadata.txt" in names:
            cp = configparser.ConfigParser()
            cp.read_file(io.StringIO(zf.read(f"{NAME}/metadata.txt").decode("utf-8")))
            meta = cp["general"] if cp.has_section("general") else {}
            for key in REQUIRED_METADATA:
                if not meta.get(key):
                    errors.append(f"metadata.txt lacks {key}")
            if meta.get("version") and not re.fullmatch(r"\d+\.\d+(\.\d+)?", meta["version"]):
                errors.append("version must look like 1.2.3")
            icon = meta.get("icon")
            if icon and f"{NAME}/{icon}" not in names:
                errors.append(f"icon {icon} not in zip")
            if meta.get("hasProcessingProvider") not in ("yes", "True", "true"):
                errors.append("hasProcessingProvider should be yes")
        if not any(n.endswith(".qm") for n in names):
            errors.append("no compiled translation (.qm) in zip")
    return errors


def deploy(path: str, profile_dir: str) -> str:
    plugins = os.path.join(profile_dir, "python", "plugins")
    target = os.path.join(plugins, NAME)
    os.makedirs(plugins, exist_ok=True)
    if os.path.exists(target):
        shutil.rmtree(target)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(plugins)
    ini = os.path.join(profile_dir, "QGIS", "QGIS3.ini")
    os.makedirs(os.path.dirname(ini), exist_ok=True)
    cp = configparser.RawConfigParser()
    cp.optionxform = str
    if os.path.exists(ini):
        cp.read(ini, encoding="utf-8")
    if not cp.has_section("PythonPlugins"):
        cp.add_section("PythonPlugins")
    cp.set("PythonPlugins", NAME, "true")
    with open(ini, "w", encoding="utf-8") as fh:
        cp.write(fh, space_around_delimiters=False)
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out")
    ap.add_argument("--validate")
    ap.add_argument("--deploy")
    ap.add_argument("--profile-dir")
    a = ap.parse_args(argv)
    if a.out:
        zip_path = build(a.out)
        errors = validate(zip_path)
        if errors:
            print("\n".join(errors), file=sys.stderr)
            return 1
        print(f"{zip_path}: {os.path.getsize(zip_path)} bytes, valid")
    if a.validate:
        errors = validate(a.validate)
        print("\n".join(errors) or f"{a.validate}: valid")
        return 1 if errors else 0
    if a.deploy:
        if not a.profile_dir:
            ap.error("--deploy needs --profile-dir")
        print(f"installed into {deploy(a.deploy, a.profile_dir)} and enabled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
