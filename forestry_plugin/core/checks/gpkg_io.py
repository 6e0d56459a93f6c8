"""The working copy's tables in and the findings out, straight through sqlite3 / OGR (no per-feature QGIS work).

In: read_table parses a GeoPackage feature table (geometry blob headers skipped, WKB to shapely in bulk);
read_check_patches reads the patches and accepted exceptions, read_check_inputs everything a check run needs.
Out: write_results replaces a run's rows in check_issues and upserts check_state; append_gpkg_features appends
findings (or any rows with polygonal geometries) to a GeoPackage feature table in bulk, append_findings_to_gpkg
to a findings file of its own (forestry:checkpatches).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ... import schema
from ...i18n import tr
from ...settings import WorkingCopyKey
from .. import geopackage, identity
from . import pg_source
from . import rules as R
from .geometry import geoms_from_wkb, multi_wkb, multi_wkbs_with_polygons
from .model import Finding, reference_inputs, to_int


def read_table(path: str, table: str, columns: Optional[Sequence[str]] = None,
               con: Optional[sqlite3.Connection] = None, keep: Optional[Callable[[Dict[str, Any]], bool]] = None,
               where: str = "", args: Sequence[Any] = (), rowid: bool = False
               ) -> Tuple[List[Dict[str, Any]], np.ndarray, Optional[int]]:
    """(attribute rows, shapely geometries, EPSG code) of a GeoPackage table, read once with sqlite3 (read-only).

    keep(attrs) -> bool drops rows before their geometry is parsed; `where` is an SQL condition, its values `args`;
    rowid: each row's rowid too, as ROWID_KEY (a GeoPackage's key column, whatever its name).
    """
    own = con is None
    con = con or geopackage.open_connection(path)  # clear errors for a missing or locked file
    try:
        row = con.execute("SELECT g.column_name, s.organization_coordsys_id, s.organization FROM gpkg_geometry_columns g "
                          "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE lower(g.table_name) = lower(?)",
                          (table,)).fetchone()
        geom_col, epsg = (row[0], int(row[1]) if row[1] is not None and str(row[2]).upper() == "EPSG" else None) \
            if row else (None, None)
        names = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        cols = [c for c in (columns if columns is not None else names) if c in names and c != geom_col]
        sel = ", ".join(f'"{c}"' for c in cols) or "1"
        if rowid:
            sel, cols = "rowid, " + sel, [ROWID_KEY] + cols
        sql = f'SELECT {sel}, "{geom_col}" FROM "{table}"' if geom_col else f'SELECT {sel}, NULL FROM "{table}"'
        if where:
            sql += " WHERE " + where
        rows = con.execute(sql + " ORDER BY fid" if "fid" in names else sql, tuple(args)).fetchall()
    finally:
        if own:
            con.close()
    attrs = [dict(zip(cols, r[:-1])) for r in rows]
    if keep is not None:
        kept = [k for k, a in enumerate(attrs) if keep(a)]
        attrs = [attrs[k] for k in kept]
        rows = [rows[k] for k in kept]
    hdr = geopackage.HEADER_SIZE
    wkbs = [None if r[-1] is None or len(r[-1]) < 8 or hdr[r[-1][3]] is None else r[-1][hdr[r[-1][3]]:] for r in rows]
    return attrs, geoms_from_wkb(wkbs), epsg


ROWID_KEY = "__rowid"  # read_table(rowid=True): the key under which each row's rowid is


def patches_epsg(path: str) -> Optional[int]:
    """The EPSG code of the working copy's patches layer, as the checks read it (no rows read)."""
    return read_table(path, schema.PATCHES, [], where="0")[2]


def read_check_inputs(path: str) -> Dict[str, Any]:
    """Every input of a check run from a working copy, read once: read_check_patches' patches and exceptions and
    the reference part (model.reference_inputs) from the working copy's tables or its PostGIS reference source."""
    source = pg_source.configured(path)  # the base map etc. in PostGIS (a city's or province's database)?
    con = geopackage.open_connection(path)
    try:
        data = read_check_patches(path, con)
        if source is not None:
            county = geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE)
            data.update(pg_source.reference_data(source, data["patch_geoms"], data["epsg"],
                                                 sorted(R.BASEMAP_CLASSES), county_code=county))
            return data
        data.update(read_admin(con))
        data.update(read_reference_window(path, None, con))
    finally:
        con.close()
    return data


def read_admin(con: sqlite3.Connection) -> Dict[str, Any]:
    """The administrative units of a working copy, whole (CheckInputs keywords admin_*)."""
    a_attrs, a_geoms, _ = read_table("", schema.ADMIN, ["code", "level"], con)
    return dict(admin_geoms=a_geoms, admin_codes=[a.get("code") for a in a_attrs],
                admin_levels=[a.get("level") for a in a_attrs])


WHOLE_TABLE_SHARE = 0.5  # a window over more than this share of a table's extent reads the table without the R-tree


def rtree_of(con: sqlite3.Connection, table: str) -> Optional[str]:
    """The name of a feature table's R-tree (its spatial index); None without one."""
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                      (table,)).fetchone()
    if row is None:
        return None
    rtree = f"rtree_{table}_{row[0]}"
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (rtree,)).fetchone() is None:
        return None
    return rtree


def table_extent(con: sqlite3.Connection, table: str) -> Optional[Tuple[str, Tuple[float, float, float, float]]]:
    """(R-tree table name, extent) of a feature table with a spatial index; None without one. The extent is the
    R-tree's own (gpkg_contents' may be stale or missing)."""
    rtree = rtree_of(con, table)
    if rtree is None:
        return None
    ext = con.execute(f'SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "{rtree}"').fetchone()
    if ext is None or any(v is None for v in ext):
        return rtree, (0.0, 0.0, 0.0, 0.0)  # an empty table
    return rtree, tuple(float(v) for v in ext)


def spatial_filter(con: sqlite3.Connection, table: str, window: Optional[Tuple[float, float, float, float]],
                   extents: Optional[Dict[str, Any]] = None) -> str:
    """An SQL condition selecting the rows of `table` whose bounding box meets `window` through the table's R-tree;
    empty (every row) for no window, a window over most of the table's extent, or a table without an R-tree.
    `extents` caches table_extent between the windows of one run."""
    if window is None:
        return ""
    x0, y0, x1, y1 = (float(v) for v in window)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return ""
    if extents is not None and table in extents:
        known = extents[table]
    else:
        known = table_extent(con, table)
        if extents is not None:
            extents[table] = known
    if known is None:
        return ""
    rtree, (ex0, ey0, ex1, ey1) = known
    table_area = max(ex1 - ex0, 0.0) * max(ey1 - ey0, 0.0)
    shared = max(min(x1, ex1) - max(x0, ex0), 0.0) * max(min(y1, ey1) - max(y0, ey0), 0.0)
    if table_area > 0 and shared > WHOLE_TABLE_SHARE * table_area:
        return ""
    # rowid: a GeoPackage's key column (fid, OBJECTID, ...) is always its alias
    return f'rowid IN (SELECT id FROM "{rtree}" WHERE minx <= {x1!r} AND maxx >= {x0!r} AND miny <= {y1!r} ' \
           f'AND maxy >= {y0!r})'


def read_reference_window(path: str, window: Optional[Tuple[float, float, float, float]],
                          con: Optional[sqlite3.Connection] = None,
                          extents: Optional[Dict[str, Any]] = None, keys: bool = False) -> Dict[str, Any]:
    """The base map (only the parcels of classes some rule looks at: cropland, built-up/water, existing forest),
    basic farmland and earlier years' patches of a working copy whose bounding boxes meet `window` (None: all),
    read through the tables' R-trees (CheckInputs keywords basemap_*, farmland_*, history_*). `extents`: a dict
    kept between the windows of one run (see spatial_filter). keys: also basemap_keys, farmland_keys and
    history_keys, the rows' rowids (int64 arrays): what tells a feature read in two windows (the live check's
    cells) from two features."""
    own = con is None
    con = con or geopackage.open_connection(path)
    try:
        def where(table: str, extra: str = "") -> str:
            parts = [p for p in (extra, spatial_filter(con, table, window, extents)) if p]
            return " AND ".join(f"({p})" for p in parts)

        classes = "trim({}) IN ({})".format(schema.LANDCLASS_FIELD, ",".join(_q(c) for c in sorted(R.BASEMAP_CLASSES)))
        b = read_table(path, schema.BASEMAP, ["BSM", schema.LANDCLASS_FIELD], con, where=where(schema.BASEMAP, classes),
                       rowid=keys)
        f = read_table(path, schema.FARMLAND, ["fid", "jbnt_id"], con, where=where(schema.FARMLAND), rowid=keys)
        h = read_table(path, schema.HISTORY, ["fid", "patch_id", "tuban_no"], con, where=where(schema.HISTORY),
                       rowid=keys)
    finally:
        if own:
            con.close()
    out = reference_inputs(b[:2], None, f[:2], h[:2])
    if keys:
        for name, t in (("basemap", b), ("farmland", f), ("history", h)):
            out[name + "_keys"] = np.asarray([a[ROWID_KEY] for a in t[0]], dtype=np.int64)
    return out


def reference_rows(con: sqlite3.Connection, table: str) -> int:
    """About how many rows a feature table holds, cheaply (no scan): gpkg_ogr_contents' count where OGR keeps
    one, else the largest rowid (an upper bound); 0 for a table that is not there."""
    try:
        row = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE lower(table_name) = lower(?)",
                          (table,)).fetchone()
    except sqlite3.OperationalError:  # no gpkg_ogr_contents
        row = None
    if row is not None and row[0] is not None:
        return int(row[0])
    try:
        top = con.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()
    except sqlite3.OperationalError:  # no such table
        return 0
    return int(top[0] or 0) if top else 0


def read_check_patches(path: str, con: Optional[sqlite3.Connection] = None) -> Dict[str, Any]:
    """The patches and accepted exceptions of a working copy (what changes while editing)."""
    own = con is None
    con = con or geopackage.open_connection(path)
    try:
        p_attrs, p_geoms, epsg = read_table(path, schema.PATCHES, None, con)
        exceptions = con.execute(f"SELECT patch_id, rule, other_id FROM {schema.EXCEPTIONS}").fetchall()
    finally:
        if own:
            con.close()
    return dict(epsg=epsg, patch_attrs=p_attrs, patch_geoms=p_geoms,
                patch_ids=[str(a.get("patch_id") or "") for a in p_attrs], exceptions=[tuple(e) for e in exceptions])


_GPKG_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("env", "<f8", (4,))])


def gpkg_blobs(wkbs: Sequence[Optional[bytes]], geoms: Sequence[Optional[BaseGeometry]], srs_id: int) -> List[Optional[bytes]]:
    """GeoPackage geometry blobs (little-endian header with the xy envelope) of WKBs, built in bulk."""
    n = len(wkbs)
    if not n:
        return []
    hdr = np.zeros(n, dtype=_GPKG_HEADER)
    hdr["magic"], hdr["flags"], hdr["srs"] = b"GP", 0b011, int(srs_id)  # little endian, envelope [minx maxx miny maxy]
    b = shapely.bounds(np.asarray(geoms, dtype=object))
    hdr["env"] = b[:, [0, 2, 1, 3]]
    raw = hdr.tobytes()
    size = _GPKG_HEADER.itemsize
    return [None if w is None else raw[k * size:(k + 1) * size] + w for k, w in enumerate(wkbs)]


def append_gpkg_features(con: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                         geoms: Sequence[Optional[BaseGeometry]]) -> int:
    """Append rows (attribute tuples in `columns` order) with their polygonal geometries (as MultiPolygons) to a
    GeoPackage feature table in bulk (an executemany per 50 000 rows), inside the caller's transaction; return the count.

    The table's triggers (rtree upkeep, feature counts) are dropped for the insert and put back afterwards; the
    rtree gets the new rows' envelopes in bulk, gpkg_contents its extent and gpkg_ogr_contents its count, so the
    file is what OGR would have written feature by feature."""
    row = con.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                      (table,)).fetchone()
    if row is None:
        raise geopackage.WorkingCopyError(f"{table} is not a GeoPackage feature table")
    geom_col, srs_id = row
    info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    pk = next((r[1] for r in info if r[5]), "fid")
    start = con.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"').fetchone()[0]
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND lower(tbl_name) = lower(?)",
                           (table,)).fetchall()
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    cols = ", ".join(f'"{c}"' for c in (pk, *columns, geom_col))
    marks = ", ".join("?" * (len(columns) + 2))
    rtree = f"rtree_{table}_{geom_col}"
    has_rtree = con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone() is not None
    ext = [math.inf, math.inf, -math.inf, -math.inf]
    step = 50000  # blobs of one chunk at a time: memory stays near that of the findings themselves
    for c0 in range(0, len(rows), step):
        wkbs, polys = multi_wkbs_with_polygons(geoms[c0:c0 + step])
        kept = ~shapely.is_missing(polys)
        blobs = gpkg_blobs(wkbs, polys, srs_id)
        fids = range(start + 1 + c0, start + 1 + c0 + len(wkbs))
        con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                        [(fid, *r, blob) for fid, r, blob in zip(fids, rows[c0:c0 + step], blobs)])
        b = shapely.bounds(polys)
        if has_rtree:
            con.executemany(f'INSERT OR REPLACE INTO "{rtree}" VALUES (?, ?, ?, ?, ?)',
                            [(fid, x0, x1, y0, y1) for fid, (x0, y0, x1, y1), k in zip(fids, b.tolist(), kept.tolist())
                             if k])
        if kept.any():
            ext = [min(ext[0], np.nanmin(b[kept, 0])), min(ext[1], np.nanmin(b[kept, 1])),
                   max(ext[2], np.nanmax(b[kept, 2])), max(ext[3], np.nanmax(b[kept, 3]))]
    for _name, sql in triggers:
        con.execute(sql)
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
        con.execute(f'UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM "{table}") '
                    "WHERE lower(table_name) = lower(?)", (table,))
    if math.isfinite(ext[0]):
        x0, y0, x1, y1 = (float(v) for v in ext)
        con.execute("UPDATE gpkg_contents SET min_x = min(COALESCE(min_x, ?), ?), min_y = min(COALESCE(min_y, ?), ?), "
                    "max_x = max(COALESCE(max_x, ?), ?), max_y = max(COALESCE(max_y, ?), ?), "
                    "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE lower(table_name) = lower(?)",
                    (x0, x0, y0, y0, x1, x1, y1, y1, table))
    return len(rows)


def write_results(path: str, run_id: str, checked_at: str, checked: Sequence[str], findings: Sequence[Finding],
                  revisions: Dict[str, Any], full: bool = False) -> None:
    """Replace check_issues rows of `checked` patches with `findings` and upsert their check_state (one transaction each)."""
    from osgeo import ogr

    checked_set = set(checked)
    ds = ogr.Open(path, update=1)
    if ds is None:
        raise geopackage.WorkingCopyError(f"cannot open {path} for writing")
    lyr = ds.GetLayerByName(schema.ISSUES)
    defn = lyr.GetLayerDefn()
    ds.StartTransaction()
    try:
        if full:
            ds.ExecuteSQL(f"DELETE FROM {schema.ISSUES}")
        else:
            ids = list(checked_set)
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                ds.ExecuteSQL(f"DELETE FROM {schema.ISSUES} WHERE patch_id IN ({','.join(_q(x) for x in chunk)})")
        for f in findings:
            if f.patch_id not in checked_set:
                continue  # layer-level findings are returned, not stored per patch
            feat = ogr.Feature(defn)
            for k, v in (("run_id", run_id), ("patch_id", f.patch_id), ("rule", f.rule), ("severity", f.severity),
                         ("message", f.message[:254]), ("value", f.value), ("other_id", f.other_id),
                         ("checked_at", checked_at.replace("T", " "))):
                if v is None:
                    feat.SetFieldNull(k)
                else:
                    feat.SetField(k, v)
            wkb = multi_wkb(f.geometry)
            if wkb is not None:
                feat.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
            lyr.CreateFeature(feat)
        ds.CommitTransaction()
    except BaseException:
        ds.RollbackTransaction()
        raise
    finally:
        ds = None
    counts: Dict[str, List[int]] = {p: [0, 0] for p in checked}
    for f in findings:
        if f.patch_id in counts and not f.accepted:
            if f.severity == R.ERROR:
                counts[f.patch_id][0] += 1
            elif f.severity == R.WARNING:
                counts[f.patch_id][1] += 1
    who = identity.current_user(path).username  # the person who ran the check, as the audit would name them
    with geopackage.connect(path) as con:
        if "checked_by" not in {r[1] for r in con.execute(f"PRAGMA table_info({schema.CHECK_STATE})")}:
            con.execute(f'ALTER TABLE {schema.CHECK_STATE} ADD COLUMN "checked_by" TEXT')  # a copy made before it
        con.executemany(
            f"INSERT INTO {schema.CHECK_STATE}(patch_id, checked_at, patch_revision, errors, warnings, checked_by) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT(patch_id) DO UPDATE SET checked_at=excluded.checked_at, "
            "patch_revision=excluded.patch_revision, errors=excluded.errors, warnings=excluded.warnings, "
            "checked_by=excluded.checked_by",
            [(p, checked_at, to_int(revisions.get(p)), e, w, who) for p, (e, w) in counts.items()])


def _q(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


# The columns of a findings layer (forestry:checkpatches' output): (name, kind, length); kind "string", "double" or
# "int". A finding's row is finding_row(f).
FINDING_COLUMNS = (("patch_id", "string", 60), ("rule", "string", 30), ("severity", "string", 10),
                   ("message", "string", 254), ("value", "double", 0), ("other_id", "string", 60),
                   ("pairs", "int", 0), ("other_ids", "string", 254))


def finding_row(f: Any) -> Tuple[Any, ...]:
    """A finding (aggregate.AggregatedFinding: pairs and other_ids) as a row of FINDING_COLUMNS."""
    return (f.patch_id, f.rule, f.severity, f.message[:254], f.value, f.other_id, f.pairs, f.other_ids_text[:254])


def append_findings_to_gpkg(path: str, findings: Sequence[Any]) -> int:
    """Append findings (finding_row) to the one feature table of a GeoPackage made for them (FINDING_COLUMNS), in
    one transaction; return the count. Raises WorkingCopyError if the file has not exactly one feature table."""
    rows = [finding_row(f) for f in findings]
    geoms = [f.geometry for f in findings]
    con = sqlite3.connect(path, isolation_level=None)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
        if len(tables) != 1:
            raise geopackage.WorkingCopyError(tr("Cannot write the findings to {0}").format(path))
        con.execute("BEGIN IMMEDIATE")
        try:
            n = append_gpkg_features(con, tables[0], [c[0] for c in FINDING_COLUMNS], rows, geoms)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:  # SQLite has rolled back itself when COMMIT met a full disk (SQLITE_FULL)
                con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return n
