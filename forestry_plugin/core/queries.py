"""Read-only questions the panels ask of a working copy, so that no SQL is written in the GUI. Values go in as
parameters; only table names (the schema's constants) are put into the SQL text."""

from __future__ import annotations

from typing import List, Tuple

from .. import schema
from . import geopackage


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
    code. Raises what sqlite3/geopackage raise for a file without the admin table."""
    with geopackage.connect(path) as con:
        return [(code, name) for code, name in con.execute(
            f"SELECT code, name FROM {schema.ADMIN} WHERE level = ? ORDER BY code", (level,))]
