"""The layering the README promises: core (schema, rules, checks, workflow, sync, reports) has no GUI imports, at
module level or inside functions; Processing does not import the GUI; nothing imports plugin.py."""

from __future__ import annotations

import ast
import glob
import os

from tests.helpers import ROOT

PKG = os.path.join(ROOT, "forestry_plugin")
# widgets, the QGIS GUI and iface (QtGui's colours, fonts and icons are fine: map styles and print layouts need them)
GUI = ("qgis.gui", "qgis.utils", "qgis.PyQt.QtWidgets", "PyQt5.QtWidgets")


def _imports(path: str):
    """(line, imported module) of every import in a file, relative imports resolved against the package."""
    rel = os.path.relpath(path, os.path.dirname(PKG))[:-3].replace(os.sep, ".").split(".")
    package = rel[:-1] if not path.endswith("__init__.py") else rel[:-1]
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield node.lineno, mod
            for a in node.names:  # "from .. import gui" imports forestry_plugin.gui
                yield node.lineno, f"{mod}.{a.name}"


def _offences(files, forbidden):
    out = []
    for path in files:
        for line, mod in _imports(path):
            if any(mod == f or mod.startswith(f + ".") for f in forbidden):
                out.append(f"{os.path.relpath(path, PKG)}:{line} imports {mod}")
    return out


def _files(*parts):
    return sorted(glob.glob(os.path.join(PKG, *parts, "**", "*.py"), recursive=True)) if parts else []


def test_core_has_no_gui_imports():
    files = _files("core") + [os.path.join(PKG, "schema.py"), os.path.join(PKG, "i18n.py")]
    assert _offences(files, GUI + ("forestry_plugin.gui", "forestry_plugin.plugin")) == []


def test_processing_does_not_import_the_gui():
    assert _offences(_files("processing"), GUI + ("forestry_plugin.gui", "forestry_plugin.plugin")) == []


def test_nothing_imports_plugin_py():
    files = [p for p in glob.glob(os.path.join(PKG, "**", "*.py"), recursive=True)
             if os.path.basename(p) not in ("plugin.py", "__init__.py") or os.path.dirname(p) != PKG]
    assert _offences(files, ("forestry_plugin.plugin",)) == []


def test_the_scan_sees_relative_and_lazy_imports(tmp_path):
    """The checker itself: a lazy relative GUI import inside a function is found."""
    global PKG
    pkg = tmp_path / "forestry_plugin" / "core"
    pkg.mkdir(parents=True)
    bad = pkg / "bad.py"
    bad.write_text("def f():\n    from ..gui import checks_dock\n    from qgis.PyQt.QtWidgets import QLabel\n")
    old, PKG = PKG, str(tmp_path / "forestry_plugin")
    try:
        found = _offences([str(bad)], GUI + ("forestry_plugin.gui",))
    finally:
        PKG = old
    assert len(found) == 4, found  # the modules and the names imported from them


def _module_of(path: str) -> str:
    rel = os.path.relpath(path, os.path.dirname(PKG))[:-3].replace(os.sep, ".")
    return rel[: -len(".__init__")] if rel.endswith(".__init__") else rel


def _top_level_imports(path: str):
    """The plugin modules a file imports when it is imported (module level, not inside functions)."""
    mod = _module_of(path)
    package = mod.split(".") if path.endswith("__init__.py") else mod.split(".")[:-1]
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    todo, out = list(tree.body), set()
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.If, ast.Try)):
            todo += node.body + node.orelse + getattr(node, "finalbody", []) + [
                n for h in getattr(node, "handlers", []) for n in h.body]
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in out if m.startswith("forestry_plugin")}


def test_no_import_cycles():
    """geopackage, project, workflow and the sync tables once imported each other (creating a working copy lived in
    geopackage.py): plain module-level imports only, and no cycle among them."""
    files = glob.glob(os.path.join(PKG, "**", "*.py"), recursive=True)
    modules = {_module_of(p): p for p in files}
    graph = {m: {d for d in _top_level_imports(p) if d in modules and d != m} for m, p in modules.items()}
    cycles, state = [], {}

    def visit(m, stack):
        state[m] = "open"
        for d in sorted(graph[m]):
            if state.get(d) == "open":
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d, stack + [d])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    # a package importing its own submodules (forestry_plugin/__init__ -> plugin) is not a cycle of concern
    cycles = [c for c in cycles if not c.startswith("forestry_plugin -> ")]
    assert cycles == [], cycles
