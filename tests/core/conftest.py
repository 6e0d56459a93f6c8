"""Fixtures of the core tests: the editing working copy ready for an import (`pg`, the PostgreSQL/PostGIS server, is
in tests/conftest.py)."""

from __future__ import annotations

import pytest

from forestry_plugin import schema
from tests.helpers.editing_copy import editing_project, make_working_copy


@pytest.fixture()
def import_wc(tmp_path, qgis_iface, qgis_new_project):
    """The two-village working copy in a project, its patch layer in editing, and the editing component whose
    import (the toolbar's) the tests call: (tmp_path, patches, component, [(ok, text) shown])."""
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    with editing_project(path, qgis_iface) as (layers, comp):
        shown = []
        comp.show_report = lambda title, text, ok: shown.append((ok, text))
        comp.notify = lambda message, level=0: shown.append((None, message))
        patches = layers[schema.PATCHES]
        patches.startEditing()
        yield tmp_path, patches, comp, shown
