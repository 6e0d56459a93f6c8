"""Read-only questions the panels ask of a working copy, so that no SQL is written in the GUI. Values go in as
parameters; only table names (the schema's constants) are put into the SQL text."""

from __future__ import annotations

from typing import Dict, List, Tuple

from .. import schema
from ..settings import WorkingCopyKey
from . import geopackage
from .checks import pg_source


def patches_changed_since_check(path: str) -> List[str]:
    """Ids of the patches never checked, or edited since their last check (their revision differs from the one the
    check state records)."""
    with geopackage.connect(path) as con:
        rows = con.execute(f"SELECT p.patch_id FROM {schema.PATCHES} p LEFT JOIN {schema.CHECK_STATE} s "
                           "ON s.patch_id = p.patch_id WHERE s.patch_id IS NULL "
                           "OR COALESCE(s.patch_revision, -1) != COALESCE(p.revision, -1)").fetchall()
    return [r[0] for r in rows]


def admin_units(path: str, level: str) -> List[Tuple[str, str]]:
    """(code, name) of the working copy's administrative units of one level ("county", "township", "village"), by
    code: from its own table, or from the PostGIS table its reference_source setting names (the county's units;
    the level from the table's column, else from the code's length). Raises what sqlite3/geopackage raise for a
    file without the admin table, pg_source.ReferenceSourceError for a database that cannot be read."""
    source = pg_source.configured(path)
    if source is not None:
        county = geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or None
        return [(code, name) for code, name, lv in pg_source.read_admin_units(source, county,
                                                                              pg_source.INTERACTIVE_TIMEOUT_S)
                if lv == level]
    with geopackage.connect(path) as con:
        return [(code, name) for code, name in con.execute(
            f"SELECT code, name FROM {schema.ADMIN} WHERE level = ? ORDER BY code", (level,))]


def admin_names(path: str) -> Dict[str, str]:
    """{code: name} of the working copy's administrative units, every level: what reports and queues name units
    by. From its own table, or from the PostGIS table its reference_source setting names (the county's units).
    Raises pg_source.ReferenceSourceError (a ValueError) for a database that cannot be read, WorkingCopyError for
    a file without the admin table."""
    source = pg_source.configured(path)
    if source is not None:
        county = geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or None
        return pg_source.read_admin_names(source, county, pg_source.INTERACTIVE_TIMEOUT_S)
    return {a["code"]: a["name"] for _f, a, _g in geopackage.read_features(path, schema.ADMIN, ["code", "name"])}
