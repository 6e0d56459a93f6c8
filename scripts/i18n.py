#!/usr/bin/env python3
"""Translations: `update` extracts every tr("...") literal into i18n/*.ts (keeping existing translations),
`compile` runs lrelease to make the .qm files the plugin loads, `check` lists missing/unfinished ones.

The plugin has one translation context ("forestry", see forestry_plugin/i18n.py), so the extractor only
needs the literal first argument of tr() calls; it parses the source with `ast` (no pylupdate needed).
"""

from __future__ import annotations

import ast
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "forestry_plugin")
I18N = os.path.join(ROOT, "i18n")
CONTEXT = "forestry"
LANGUAGES = ["zh_CN"]
PLACEHOLDER = r"\{\d*(?::[^{}]*)?\}"


def extract(package_dir: str = PACKAGE) -> Dict[str, List[Tuple[str, int]]]:
    """source text -> [(file relative to repo, line)] for every tr("literal") call."""
    found: Dict[str, List[Tuple[str, int]]] = {}
    for path in sorted(glob.glob(os.path.join(package_dir, "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            arg = node.args[0]
            if name == "tr" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append((os.path.relpath(path, ROOT), node.lineno))
    return found


def read_ts(path: str) -> Dict[str, Tuple[str, bool]]:
    """source -> (translation, finished) from a .ts file."""
    if not os.path.exists(path):
        return {}
    out = {}
    for msg in ET.parse(path).getroot().iter("message"):
        src = msg.findtext("source") or ""
        tr_el = msg.find("translation")
        text = (tr_el.text or "") if tr_el is not None else ""
        finished = tr_el is not None and tr_el.get("type") not in ("unfinished", "vanished", "obsolete") and bool(text)
        out[src] = (text, finished)
    return out


def write_ts(path: str, lang: str, strings: Dict[str, List[Tuple[str, int]]],
             translations: Dict[str, Tuple[str, bool]]) -> None:
    root = ET.Element("TS", version="2.1", language=lang)
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for src in sorted(strings, key=lambda s: strings[s][0]):
        msg = ET.SubElement(ctx, "message")
        for file, line in strings[src][:3]:
            ET.SubElement(msg, "location", filename="../" + file, line=str(line))
        ET.SubElement(msg, "source").text = src
        text, finished = translations.get(src, ("", False))
        t = ET.SubElement(msg, "translation")
        t.text = text
        if not finished:
            t.set("type", "unfinished")
    ET.indent(root) if hasattr(ET, "indent") else None
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        fh.write(ET.tostring(root, encoding="utf-8"))
        fh.write(b"\n")


def ts_path(lang: str) -> str:
    return os.path.join(I18N, f"forestry_plugin_{lang}.ts")


def problems(lang: str) -> List[str]:
    """Every source string without a finished translation, and every translation whose source is gone."""
    strings = extract()
    translations = read_ts(ts_path(lang))
    out = [f"untranslated: {s!r} ({strings[s][0][0]}:{strings[s][0][1]})"
           for s in strings if not translations.get(s, ("", False))[1]]
    out += [f"obsolete: {s!r}" for s in translations if s not in strings]
    # Placeholders must survive translation.
    import re

    for s, (t, fin) in translations.items():
        if fin and sorted(re.findall(PLACEHOLDER, s)) != sorted(re.findall(PLACEHOLDER, t)):
            out.append(f"placeholders differ: {s!r} -> {t!r}")
    return out


def update() -> None:
    strings = extract()
    os.makedirs(I18N, exist_ok=True)
    for lang in LANGUAGES:
        write_ts(ts_path(lang), lang, strings, read_ts(ts_path(lang)))
        missing = [p for p in problems(lang) if p.startswith("untranslated")]
        print(f"{ts_path(lang)}: {len(strings)} strings, {len(missing)} untranslated")


def fill(json_path: str, lang: str = "zh_CN") -> None:
    """Apply {source: translation} from a JSON file to the .ts (only for sources the code still has)."""
    import json

    with open(json_path, encoding="utf-8") as fh:
        new = json.load(fh)
    strings = extract()
    translations = read_ts(ts_path(lang))
    for src, text in new.items():
        if src in strings and text:
            translations[src] = (text, True)
    write_ts(ts_path(lang), lang, strings, translations)
    left = [p for p in problems(lang) if p.startswith("untranslated")]
    print(f"{ts_path(lang)}: {len(strings)} strings, {len(left)} untranslated")


def compile_all() -> None:
    lrelease = next((p for p in ("/usr/bin/lrelease", "/usr/lib/qt5/bin/lrelease") if os.path.exists(p)), "lrelease")
    for ts in sorted(glob.glob(os.path.join(I18N, "*.ts"))):
        qm = ts[:-3] + ".qm"
        if os.path.exists(qm) and os.path.getmtime(qm) >= os.path.getmtime(ts):
            continue
        subprocess.run([lrelease, "-silent", ts, "-qm", qm], check=True)


def main(argv: List[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "compile"
    if cmd == "update":
        update()
    elif cmd == "fill":
        fill(argv[2])
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        bad = [p for lang in LANGUAGES for p in problems(lang)]
        print("\n".join(bad) or "all strings translated")
        return 1 if bad else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
