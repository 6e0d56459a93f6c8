"""Working copies and patches built for a test: an empty copy of county 339901, design patches the reference
platform accepts (the sync tests), checked clean patches at any stage (the workflow tests), and the identities a
platform login gives."""

from __future__ import annotations

import uuid
from typing import Iterable, Tuple

import shapely
from osgeo import ogr
from shapely.geometry import box

from forestry_plugin import schema
from forestry_plugin.core import geopackage, identity
from forestry_plugin.core.area import AreaCalculator
from forestry_plugin.core.working_copy import create_working_copy

COUNTY = "339901"
X0, Y0 = 500000.0, 3330000.0  # EPSG:4549, about 30.1N 120E


def new_copy(tmp_path, name: str = "wc.gpkg", features: Iterable[Tuple[dict, bytes]] = (), **options) -> str:
    """A working copy `name` in tmp_path of county 339901 (without stored styles unless `store_styles=True`),
    holding `features`: (attributes, WKB) pairs such as `patch(i)` gives. Other options go to
    create_working_copy."""
    path = str(tmp_path / name)
    options.setdefault("county_code", COUNTY)
    options.setdefault("store_styles", False)
    create_working_copy(path, **options)
    features = list(features)
    if features:
        geopackage.write_features(path, schema.PATCHES, features)
    return path


# -- design patches as a county uploads them ------------------------------------------------------------------


def pid_of(i: int) -> str:
    """The patch id of `patch(i)`."""
    return f"{i:08d}-0000-4000-8000-000000000000"


def patch(i: int, **attrs) -> Tuple[dict, bytes]:
    """Design patch number i, complete as the platform accepts it: (attributes, WKB) of a 100 m square at
    x = X0 + 200 i; `attrs` change or add attributes."""
    a = {"patch_id": pid_of(i), "county_code": COUNTY, "township_code": "339901101",
         "village_code": "339901101201", "year": 2025, "method": "planting", "forest_type": "protection",
         "species": "camphor", "stage": "design", "area_mu": 15.0, "area_ha": 1.0, "revision": 1}
    a.update(attrs)
    return a, shapely.to_wkb(box(X0 + i * 200, Y0, X0 + i * 200 + 100, Y0 + 100))


def edit(path: str, pid: str, **values) -> None:
    """Change a patch's columns in the GeoPackage, as another program would (change tracking records it)."""
    sets = ", ".join(f"{k} = ?" for k in values)
    with geopackage.connect(path) as con:
        con.execute(f"UPDATE {schema.PATCHES} SET {sets} WHERE patch_id = ?", [*values.values(), pid])


def delete(path: str, pid: str) -> None:
    with geopackage.connect(path) as con:
        con.execute(f"DELETE FROM {schema.PATCHES} WHERE patch_id = ?", (pid,))


# -- checked patches at any stage (workflow) ------------------------------------------------------------------

SIDE = 100.0  # 100 m squares: 10 000 m2 ≈ 15 mu, well above every tolerance


def square_wkb(i: int) -> bytes:
    """A 100 m square (MultiPolygon WKB) at x = X0 + 300 i."""
    x, y = X0 + i * 300.0, Y0
    ring = f"{x} {y},{x + SIDE} {y},{x + SIDE} {y + SIDE},{x} {y + SIDE},{x} {y}"
    return bytes(ogr.CreateGeometryFromWkt(f"MULTIPOLYGON((({ring})))").ExportToWkb())


def full_attrs(stage: str, i: int, mu: float) -> dict:
    """Complete attributes of patch i at `stage` (survival rate and acceptance date filled) with area `mu`."""
    return {
        "patch_id": str(uuid.uuid4()), "county_code": COUNTY, "township_code": "339901101",
        "village_code": "339901101001", "tuban_no": f"T{i:03d}", "year": 2025, "method": "planting",
        "forest_type": "protection", "species": "camphor", "area_mu": mu, "area_ha": mu / schema.MU_PER_HA,
        "survival_rate": 92.0, "accept_date": "2025-06-01", "stage": stage, "revision": 1,
    }


def make_patches(path: str, stages, **overrides) -> list:
    """Write one checked, clean, complete patch per stage; return their attribute dicts."""
    from qgis.core import QgsGeometry

    calc = AreaCalculator(schema.DEFAULT_PROJECT_CRS)
    records = []
    for i, stage in enumerate(stages):
        wkb = square_wkb(i)
        g = QgsGeometry()
        g.fromWkb(wkb)
        attrs = full_attrs(stage, i, round(calc.area(g).mu, 4))
        attrs.update(overrides)
        records.append((attrs, wkb))
    geopackage.write_features(path, schema.PATCHES, records)
    with geopackage.connect(path) as con:
        con.executemany(f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings) "
                        "VALUES (?, '2025-06-02T00:00:00Z', 1, 0, 0)", [(a["patch_id"],) for a, _ in records])
    return [a for a, _ in records]


def add_issue(path: str, pid: str, rule: str = "basic_farmland", severity: str = "error", other_id=None) -> None:
    """An open check finding on patch `pid`."""
    geopackage.write_features(path, schema.ISSUES, [(dict(run_id="r1", patch_id=pid, rule=rule, severity=severity,
                                                          message="overlaps farmland", other_id=other_id), None)])


def stage_of(path: str, pid: str):
    """(stage, revision) of patch `pid`."""
    with geopackage.connect(path) as con:
        return con.execute(f"SELECT stage, revision FROM {schema.PATCHES} WHERE patch_id = ?", (pid,)).fetchone()


def audit_rows(path: str):
    """The audit log's rows, oldest first: (patch_id, action, from, to, user, role, reason, comment, version, at)."""
    with geopackage.connect(path) as con:
        return con.execute(f"SELECT patch_id, action, from_stage, to_stage, user_name, role, reason, comment, "
                           f"patch_version, at FROM {schema.AUDIT} ORDER BY fid").fetchall()


# -- who does it ----------------------------------------------------------------------------------------------


def who(role: str, name: str = "", units=(COUNTY,)) -> identity.Identity:
    """A platform identity of `role` (as the login gives it)."""
    return identity.Identity(username=name or f"demo_{role}", role=role, display_name=name or role, county=COUNTY,
                             units=tuple(units), source=identity.PLATFORM, verified_at=identity.utc_text())


def log_in_as(path: str, role: str, name: str = "proc-user") -> None:
    """What the last platform login left in the working copy: the account, cached for offline work."""
    identity.cache_identity(path, identity.Identity(username=name, role=role, county=COUNTY, units=(COUNTY,),
                                                    source=identity.PLATFORM, verified_at=identity.utc_text()))


REFERENCE_TABLES = (schema.BASEMAP, schema.FARMLAND, schema.HISTORY, schema.ADMIN)


def without_reference(source_path: str, tmp_path, source=None, tables=REFERENCE_TABLES,
                      name: str = "pointing.gpkg") -> str:
    """A copy of a working copy whose reference `tables` are emptied, pointing at a PostGIS `source` (the
    reference_source setting, a dict; None: not pointing anywhere yet): the database is then what fills them."""
    import json
    import shutil

    from forestry_plugin.settings import WorkingCopyKey

    other = str(tmp_path / name)
    shutil.copyfile(source_path, other)
    with geopackage.connect(other) as con:
        for table in tables:
            con.execute(f"DELETE FROM {table}")
    if source is not None:
        geopackage.set_setting(other, WorkingCopyKey.REFERENCE_SOURCE, json.dumps(source))
    return other
