"""Reference data (三调 base map, basic farmland, earlier years' patches, administrative units) in PostgreSQL/PostGIS:
a city's or a province's database instead of the working copy's own tables.

A working copy points at it with the setting `reference_source` (WorkingCopyKey.REFERENCE_SOURCE), a JSON object:

    {"dsn": "host=db.example.cn port=5432 dbname=sandiao",   # libpq; no password here
     "authcfg": "abc1234",                                    # optional: user and password from QgsAuthManager
     "schema": "public",
     "tables": {"basemap": "dltb_2023", "farmland": "jbnt", "history": "zaolin_history", "admin": "xzq"}}

(a pg_service.conf `service=...` in the dsn works too). A check run reads only the window of the patches it checks,
through the tables' GiST index (`geom && envelope`), in the working copy's CRS (`ST_Transform` on the server):
a county's check against a province-wide base map reads the county, not the province. Column names are the
working copy's (BSM, DLBM; jbnt_id; patch_id, tuban_no; code, level); `load_from_geopackage` loads tables so.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ... import schema
from ...i18n import tr

KINDS = {  # role: (working-copy table, columns read, geometry-less columns)
    "basemap": (schema.BASEMAP, ("BSM", schema.LANDCLASS_FIELD)),
    "farmland": (schema.FARMLAND, ("fid", "jbnt_id")),
    "history": (schema.HISTORY, ("fid", "patch_id", "tuban_no")),
    "admin": (schema.ADMIN, ("code", "level")),
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class ReferenceSourceError(ValueError):
    """A `reference_source` setting that cannot be used, or a database that cannot be read; says which and why."""


def parse_source(raw: Any) -> Dict[str, Any]:
    """The setting, checked (it is input: a working copy from elsewhere, edited by hand)."""
    try:
        d = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as e:
        raise ReferenceSourceError(tr("The reference_source setting is not JSON: {0}").format(e)) from None
    if not isinstance(d, dict) or not isinstance(d.get("dsn"), str) or not d["dsn"].strip():
        raise ReferenceSourceError(tr("The reference_source setting needs a \"dsn\" (a PostgreSQL connection string)"))
    if re.search(r"(?i)\bpassword\s*=", d["dsn"]) or re.search(r"^[a-z]+://[^/@\s]*:[^/@\s]*@", d["dsn"].strip()):
        raise ReferenceSourceError(tr("The reference_source setting must not hold a password; use an authentication "
                                      "configuration (\"authcfg\") or a pg_service.conf / .pgpass entry"))
    tables = d.get("tables") or {}
    if not isinstance(tables, dict):
        raise ReferenceSourceError(tr("The reference_source setting cannot be used: {0}").format("tables"))
    problems = [k for k in tables if k not in KINDS] + [
        f"{k}={v}" for k, v in tables.items() if not (isinstance(v, str) and _NAME.match(v))]
    sch = d.get("schema") or "public"
    if not (isinstance(sch, str) and _NAME.match(sch)):
        problems.append(f"schema={sch}")
    authcfg = d.get("authcfg") or ""
    if authcfg and not re.match(r"^[A-Za-z0-9]{7}$", str(authcfg)):
        problems.append("authcfg")
    if problems:
        raise ReferenceSourceError(tr("The reference_source setting cannot be used: {0}").format(", ".join(problems)))
    return {"dsn": d["dsn"].strip(), "authcfg": authcfg, "schema": sch,
            "tables": {k: tables.get(k) or KINDS[k][0] for k in KINDS}}


CONNECT_TIMEOUT_S = 15  # a check run or a report: a database across a slow link still gets its chance
INTERACTIVE_TIMEOUT_S = 3  # a read the person waits for on QGIS's main thread (a fix, the unit lists)


def connect(source: Dict[str, Any], timeout: int = CONNECT_TIMEOUT_S):
    """A psycopg2 connection (psycopg2 ships with QGIS's Python on every platform QGIS supports)."""
    import psycopg2

    kwargs = {}
    if source.get("authcfg"):
        from ..sync.auth import credentials

        kwargs["user"], kwargs["password"] = credentials(source["authcfg"])
    try:
        return psycopg2.connect(source["dsn"], connect_timeout=int(timeout), **kwargs)
    except psycopg2.Error as e:
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if kwargs.get("password"):
            text = text.replace(kwargs["password"], "***")
        raise ReferenceSourceError(tr("The reference database cannot be reached ({0})").format(text)) from None


def need_epsg(epsg: Optional[int]) -> int:
    """The working copy's EPSG code; ReferenceSourceError without one (the database is read in its coordinates)."""
    if not epsg:
        raise ReferenceSourceError(tr("The working copy's patch layer has no EPSG code: the reference database "
                                      "cannot be read in its coordinates"))
    return int(epsg)


def window_condition(gcol: str, srid: int, window: Tuple[float, float, float, float], epsg: int) -> str:
    """SQL selecting the rows of a table (geometry column `gcol` in `srid`) whose bounding box meets `window` (in
    EPSG:`epsg`), through its GiST index. The window's outline is densified before it is transformed: in another CRS
    its edges bend, and a box of its 4 corners alone would cut off the bulge (metres over a 20 km window). The
    values are numbers (float/int), so the text is safe to put in a query or a QGIS layer's subset."""
    x0, y0, x1, y1 = (float(v) for v in window)
    seg = max(x1 - x0, y1 - y0, 1e-9) / 64.0
    return (f'"{gcol}" && ST_Transform(ST_Segmentize(ST_MakeEnvelope({x0!r}, {y0!r}, {x1!r}, {y1!r}, {int(epsg)}), '
            f'{seg!r}), {int(srid)})')


def geometry_column(cur, sch: str, table: str) -> Tuple[str, int]:
    cur.execute("SELECT f_geometry_column, srid FROM geometry_columns WHERE f_table_schema = %s AND "
                "f_table_name = %s", (sch, table))
    row = cur.fetchone()
    if row is None:
        raise ReferenceSourceError(tr("The reference database has no geometry table {0}.{1}").format(sch, table))
    return row[0], int(row[1])


def read_window(source: Dict[str, Any], window: Optional[Tuple[float, float, float, float]], epsg: int,
                basemap_classes: Sequence[str] = (), roles: Sequence[str] = tuple(KINDS),
                timeout: int = CONNECT_TIMEOUT_S, code_prefix: Optional[str] = None, key: bool = False,
                con: Any = None, meta: Optional[Dict[str, Any]] = None
                ) -> Dict[str, Tuple[List[Dict[str, Any]], List[Optional[bytes]]]]:
    """{role: (attribute rows, ISO WKB in the working copy's CRS)} of the reference tables `roles`, only the
    features whose bounding box meets `window` (the working copy's CRS; None: all). Base-map parcels only of
    `basemap_classes` when given (the classes a rule looks at); administrative units only those whose code starts
    with `code_prefix` when given (a county's units of a province's table). key: each row also has KEY, a number
    that tells it from the table's other rows (its "fid", else its ctid: stable while nobody rewrites the row).
    `con`: an open connection to use (and leave open; the live check keeps one), else one of its own; `meta`: a
    dict kept between the reads of one connection, caching each table's geometry column and columns."""
    import psycopg2

    own = con is None
    con = con if con is not None else connect(source, timeout)
    out = {}
    try:
        with con.cursor() as cur:
            for role, (_table, columns) in KINDS.items():
                if role not in roles:
                    continue
                table = source["tables"][role]
                if meta is not None and table in meta:
                    gcol, srid, present = meta[table]
                else:
                    gcol, srid = geometry_column(cur, source["schema"], table)
                    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND "
                                "table_name = %s", (source["schema"], table))
                    present = {r[0] for r in cur.fetchall()}
                    if meta is not None:
                        meta[table] = (gcol, srid, present)
                cols = [c for c in columns if c in present]
                order = "fid" if "fid" in present else cols[0] if cols else gcol
                sel = "".join(f'"{c}", ' for c in cols)
                if key:
                    sel += ('"fid"::bigint' if "fid" in present else
                            "((ctid::text::point)[0]::bigint * 65536 + (ctid::text::point)[1]::bigint)") + \
                        f' AS "{KEY}", '
                sql = ('SELECT {cols} ST_AsBinary(ST_Multi(ST_Transform("{g}", %(epsg)s))) FROM "{s}"."{t}" WHERE '
                       'TRUE').format(cols=sel, g=gcol, s=source["schema"], t=table)
                args: Dict[str, Any] = {"epsg": int(epsg)}
                if window is not None:
                    sql += " AND " + window_condition(gcol, srid, window, epsg)
                if role == "admin" and code_prefix and "code" in present:
                    sql += ' AND left(trim("code"::text), %(plen)s) = %(prefix)s'
                    args.update(plen=len(str(code_prefix)), prefix=str(code_prefix))
                if role == "basemap" and basemap_classes and schema.LANDCLASS_FIELD in present:
                    sql += f' AND trim("{schema.LANDCLASS_FIELD}") = ANY(%(classes)s)'
                    args["classes"] = list(basemap_classes)
                cur.execute(sql + f' ORDER BY "{order}"', args)
                rows = cur.fetchall()
                names = cols + [KEY] if key else cols
                out[role] = ([dict(zip(names, r[:-1])) for r in rows],
                             [bytes(r[-1]) if r[-1] is not None else None for r in rows])
        if not own:
            con.rollback()  # a kept connection: not left inside a transaction between reads
    except psycopg2.Error as e:
        raise ReferenceSourceError(tr("The reference database could not be read ({0})").format(
            str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)) from None
    finally:
        if own:
            con.close()
    return out


KEY = "__key"  # read_window(key=True): the key under which each row's number is


def reference_rows(source: Dict[str, Any], roles: Sequence[str] = ("basemap", "farmland", "history"),
                   upto: int = 10 ** 7, timeout: int = CONNECT_TIMEOUT_S) -> int:
    """About how many rows the reference tables `roles` hold, cheaply: the planner's estimate (pg_class.reltuples,
    kept by ANALYZE / autovacuum); a table without one (never analysed: -1, or 0 before PostgreSQL 14) is counted,
    but only up to `upto` rows."""
    import psycopg2

    con = connect(source, timeout)
    total = 0
    try:
        with con.cursor() as cur:
            for role in roles:
                table = source["tables"][role]
                cur.execute("SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = %s AND c.relname = %s", (source["schema"], table))
                row = cur.fetchone()
                if row is None:
                    continue  # not there: read_window says so
                if row[0] is not None and float(row[0]) > 0:
                    total += int(row[0])
                    continue
                cur.execute(f'SELECT count(*) FROM (SELECT 1 FROM "{source["schema"]}"."{table}" '
                            f'LIMIT {int(upto)}) s')
                total += int(cur.fetchone()[0])
    except psycopg2.Error as e:
        raise ReferenceSourceError(tr("The reference database could not be read ({0})").format(
            str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)) from None
    finally:
        con.close()
    return total


def load_from_geopackage(gpkg: str, pg_dsn: str, sch: str = "public", tables: Optional[Dict[str, str]] = None,
                         overwrite: bool = True) -> Dict[str, int]:
    """Load a working copy's (or a 三调 GeoPackage's) reference tables into PostGIS with GDAL: geometry column
    `geom` (MultiPolygon) with a GiST index, the same column names. Returns the features loaded per table.
    The same as `ogr2ogr -f PostgreSQL PG:"<dsn>" county.gpkg basemap -nln <table> -lco GEOMETRY_NAME=geom
    -nlt PROMOTE_TO_MULTI` per table (docs/checks.md)."""
    from osgeo import gdal

    tables = tables or {}
    counts = {}
    for role, (src_table, _cols) in KINDS.items():
        dest = tables.get(role) or src_table
        ds = gdal.VectorTranslate(
            "PG:" + pg_dsn, gpkg, format="PostgreSQL", layers=[src_table], layerName=dest,
            accessMode="overwrite" if overwrite else None, geometryType="PROMOTE_TO_MULTI",
            layerCreationOptions=["GEOMETRY_NAME=geom", "SPATIAL_INDEX=GIST", f"SCHEMA={sch}", "FID=fid",
                                  "LAUNDER=NO"])
        if ds is None:
            raise ReferenceSourceError(tr("{0} could not be loaded into the reference database").format(src_table))
        lyr = ds.GetLayerByName(f"{sch}.{dest}" if sch != "public" else dest)
        counts[dest] = lyr.GetFeatureCount() if lyr is not None else 0
        ds = None
    return counts


def configured(path: str) -> Optional[Dict[str, Any]]:
    """The working copy's reference source, checked; None when its own tables are the reference."""
    from ...settings import WorkingCopyKey
    from .. import geopackage

    raw = geopackage.get_setting(path, WorkingCopyKey.REFERENCE_SOURCE)
    return parse_source(raw) if raw not in (None, "") else None


WINDOW_MARGIN_M = 100.0  # beyond the patches' extent (neighbouring parcels for the overlay rules)


def reference_data(source: Dict[str, Any], patch_geoms: Any, epsg: Optional[int],
                   basemap_classes: Sequence[str] = (), county_code: Optional[str] = None) -> Dict[str, Any]:
    """The reference part of gpkg_io.read_check_inputs' result from PostGIS: the administrative units whole, the
    rest in the window of the patches and of the county's own units (`county_code`: a patch drawn where there is
    none yet, as the live check sees it, still has its base map), plus WINDOW_MARGIN_M."""
    import numpy as np
    import shapely

    epsg = need_epsg(epsg)
    admin = read_admin(source, epsg)
    geoms = np.asarray(patch_geoms, dtype=object)
    present = list(geoms[[g is not None for g in geoms]]) if len(geoms) else []
    if county_code:
        present += [g for g, c in zip(admin["admin_geoms"], admin["admin_codes"])
                    if g is not None and str(c or "").startswith(str(county_code))]
    window = None
    if present:
        from .projection import metres_in

        b = shapely.total_bounds(np.asarray(present, dtype=object))
        m = metres_in(epsg, WINDOW_MARGIN_M)  # in the copy's units
        if np.all(np.isfinite(b)):
            window = (b[0] - m, b[1] - m, b[2] + m, b[3] + m)
    if window is None:  # no patches and no county: nothing to check against
        window = (0.0, 0.0, 0.0, 0.0)
    out = read_reference_window(source, window, int(epsg), basemap_classes)
    out.update(admin)
    return out


def read_admin(source: Dict[str, Any], epsg: int, code_prefix: Optional[str] = None) -> Dict[str, Any]:
    """The administrative units, whole (CheckInputs keywords admin_*): a unit a patch declares far from where it
    lies must still be found, so they are never windowed (`code_prefix`: only a county's, for its map)."""
    from .geometry import geoms_from_wkb

    rows, wkbs = read_window(source, None, int(epsg), roles=("admin",), code_prefix=code_prefix)["admin"]
    return dict(admin_geoms=geoms_from_wkb(wkbs), admin_codes=[a.get("code") for a in rows],
                admin_levels=[a.get("level") for a in rows])


def read_admin_names(source: Dict[str, Any], code_prefix: Optional[str] = None,
                     timeout: int = CONNECT_TIMEOUT_S) -> Dict[str, str]:
    """{code: name} of the administrative units (those whose code starts with `code_prefix`: a county's in a
    province's table), without their geometries; {} for a table without a "name" column."""
    return {code: name for code, name, _level in read_admin_units(source, code_prefix, timeout)}


LEVEL_OF_CODE_LENGTH = {6: "county", 9: "township", 12: "village"}  # 行政区划代码: 6, 9 and 12 digits


def read_admin_units(source: Dict[str, Any], code_prefix: Optional[str] = None, timeout: int = CONNECT_TIMEOUT_S
                     ) -> List[Tuple[str, Optional[str], str]]:
    """(code, name, level) of the administrative units whose code starts with `code_prefix` (all without), by code,
    without their geometries; the level from the table's "level" column, else from the code's length; [] for a
    table without "code" and "name" columns."""
    import psycopg2

    con = connect(source, timeout)
    table = source["tables"]["admin"]
    try:
        with con.cursor() as cur:
            geometry_column(cur, source["schema"], table)  # says so when the table is not there
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND "
                        "table_name = %s", (source["schema"], table))
            present = {r[0] for r in cur.fetchall()}
            if not {"code", "name"} <= present:
                return []
            level = '"level"::text' if "level" in present else "NULL"
            sql = (f'SELECT trim("code"::text), "name"::text, {level} FROM "{source["schema"]}"."{table}" '
                   'WHERE "code" IS NOT NULL')
            args: Tuple[Any, ...] = ()
            if code_prefix:
                sql += ' AND left(trim("code"::text), %s) = %s'
                args = (len(str(code_prefix)), str(code_prefix))
            cur.execute(sql + " ORDER BY 1", args)
            return [(code, name, (lv or "").strip() or LEVEL_OF_CODE_LENGTH.get(len(code), ""))
                    for code, name, lv in cur.fetchall()]
    except psycopg2.Error as e:
        raise ReferenceSourceError(tr("The reference database could not be read ({0})").format(
            str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)) from None
    finally:
        con.close()


def read_reference_window(source: Dict[str, Any], window: Optional[Tuple[float, float, float, float]],
                          epsg: int, basemap_classes: Sequence[str] = (), keys: bool = False, con: Any = None,
                          timeout: int = CONNECT_TIMEOUT_S, meta: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The base map (the classes a rule looks at), farmland and earlier years' patches whose bounding boxes meet
    `window` (the working copy's CRS), through the tables' GiST indexes (CheckInputs keywords). keys: also
    basemap_keys, farmland_keys, history_keys (int64 arrays, read_window's KEY); `con`, `meta`: see read_window."""
    import numpy as np

    from .geometry import geoms_from_wkb
    from .model import reference_inputs
    from .rules import BASEMAP_CLASSES

    got = read_window(source, window, int(epsg), sorted(basemap_classes or BASEMAP_CLASSES),
                      roles=("basemap", "farmland", "history"), key=keys, con=con, timeout=timeout, meta=meta)
    part = {role: (rows, geoms_from_wkb(wkbs)) for role, (rows, wkbs) in got.items()}
    out = reference_inputs(part["basemap"], None, part["farmland"], part["history"])
    if keys:
        for role, (rows, _w) in got.items():
            out[role + "_keys"] = np.asarray([r[KEY] for r in rows], dtype=np.int64)
    return out
