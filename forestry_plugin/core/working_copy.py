"""Creating a county's working copy: the schema's tables and settings (geopackage), the default styles (project) and
everything a working copy of this version holds beyond them: the patches' change journal (geopackage), the audit
chain, change tracking and the exception policy's columns (workflow). It sits above those modules, so geopackage.py
imports no module of the plugin above it."""

from __future__ import annotations

from .. import schema
from . import geopackage
from .project import store_default_styles
from .workflow import upgrade_working_copy


def create_working_copy(path: str, crs: str = schema.DEFAULT_PROJECT_CRS, overwrite: bool = False,
                        county_code: str = "", county_name: str = "", store_styles: bool = True) -> str:
    """Create an empty working-copy GeoPackage with every table of the schema (and default styles)."""
    geopackage.create_tables(path, crs, overwrite=overwrite, county_code=county_code, county_name=county_name)
    geopackage.ensure_change_journal(path)  # before any patch is written: every row of the copy is in it
    if store_styles:
        store_default_styles(path)
    upgrade_working_copy(path)
    return path
