"""Fixtures of the GUI tests: the editing working copy in a project with the plugin's editing component."""

from __future__ import annotations

import pytest

from tests.helpers.editing_copy import editing_project, make_working_copy


@pytest.fixture()
def editing_wc(tmp_path, qgis_iface, qgis_new_project):
    """The two-village working copy (tests/helpers/editing_copy.py) in the project and an editing component that
    opens no forms: (path, {table: layer}, component)."""
    path = make_working_copy(str(tmp_path / "wc.gpkg"))
    with editing_project(path, qgis_iface) as (layers, comp):
        yield path, layers, comp
