"""The working-copy GeoPackage: create it from the schema, read and write its tables.

One GeoPackage holds a county's working copy: this year's patches, earlier years'
patches, the base map, admin units, permanent basic farmland, task quotas,
check findings, accepted exceptions, the audit log and plugin settings.
Tables are created with OGR from `schema.LAYERS`; nothing else declares a field.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import struct
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from osgeo import ogr, osr

from .. import schema
from ..i18n import tr
from ..settings import WorkingCopyKey

ogr.UseExceptions()
osr.UseExceptions()

SCHEMA_VERSION = 1
SETTINGS_TABLE = "forestry_settings"

_OGR_TYPES = {
    schema.STRING: (ogr.OFTString, ogr.OFSTNone),
    schema.INTEGER: (ogr.OFTInteger64, ogr.OFSTNone),
    schema.REAL: (ogr.OFTReal, ogr.OFSTNone),
    schema.DATE: (ogr.OFTDate, ogr.OFSTNone),
    schema.DATETIME: (ogr.OFTDateTime, ogr.OFSTNone),
    schema.BOOLEAN: (ogr.OFTInteger, ogr.OFSTBoolean),
}


# How long a statement waits for another program's lock before giving up (seconds). Short: a file another program
# keeps locked is reported at once ("in use by another program") rather than after a long silent wait.
BUSY_TIMEOUT = 5.0  # seconds a statement waits for another writer before "in use by another program"


class WorkingCopyError(Exception):
    """The file is not a usable working copy (missing, wrong schema, locked...)."""


class WorkingCopyLocked(WorkingCopyError, sqlite3.OperationalError):
    """Another program holds a lock on the working copy (still a sqlite3.OperationalError for older callers)."""


class WorkingCopyDamaged(WorkingCopyError):
    """The GeoPackage file is corrupt (SQLite integrity check failed or a page cannot be read)."""


def is_lock_error(e: BaseException) -> bool:
    """True for SQLite's "database is locked" (SQLITE_BUSY): another connection holds a conflicting lock."""
    if isinstance(e, WorkingCopyLocked):
        return True
    if not isinstance(e, sqlite3.OperationalError):
        return False
    code = getattr(e, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == 5) or "database is locked" in str(e).lower()


def locked_error(path: str) -> WorkingCopyLocked:
    """The error for a working copy another program keeps locked."""
    return WorkingCopyLocked(tr("{0} is in use by another program that is writing to it: close it there (or finish "
                                "its edits), then try again").format(path))


def damaged_error(path: str, detail: str) -> WorkingCopyDamaged:
    """The error for a corrupt working copy."""
    return WorkingCopyDamaged(tr("{0} is damaged and cannot be used ({1}): restore it from a backup, or make a new "
                                 "working copy and download the patches from the platform").format(path, detail))


def srs_from_authid(authid: str) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    auth, code = authid.split(":")
    if auth.upper() != "EPSG":
        raise ValueError(f"only EPSG codes are supported, got {authid}")
    srs.ImportFromEPSG(int(code))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _ogr_field(f: schema.Field) -> ogr.FieldDefn:
    ftype, subtype = _OGR_TYPES[f.type]
    fd = ogr.FieldDefn(f.name, ftype)
    fd.SetSubType(subtype)
    if f.type == schema.STRING and f.length:
        fd.SetWidth(f.length)
    fd.SetAlternativeName(f.zh) if hasattr(fd, "SetAlternativeName") else None
    return fd


def create_layer(ds: ogr.DataSource, layer_def: schema.LayerDef, srs: Optional[osr.SpatialReference]) -> ogr.Layer:
    """Create one table of the working copy in an open GeoPackage data source."""
    if layer_def.geometry is None:
        lyr = ds.CreateLayer(layer_def.name, geom_type=ogr.wkbNone, options=["FID=fid"])
    else:
        lyr = ds.CreateLayer(layer_def.name, srs=srs, geom_type=ogr.wkbMultiPolygon,
                             options=["FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES"])
    for f in layer_def.fields:
        lyr.CreateField(_ogr_field(f))
    return lyr


def create_tables(path: str, crs: str = schema.DEFAULT_PROJECT_CRS, overwrite: bool = False,
                  county_code: str = "", county_name: str = "") -> str:
    """A GeoPackage with every table of the schema and the working copy's settings, nothing more (a whole working
    copy, with styles, audit chain and change tracking: working_copy.create_working_copy)."""
    if os.path.exists(path):
        if not overwrite:
            raise WorkingCopyError(f"{path} already exists")
        os.remove(path)
    srs = srs_from_authid(crs)
    driver = ogr.GetDriverByName("GPKG")
    ds = driver.CreateDataSource(path)
    if ds is None:
        raise WorkingCopyError(f"cannot create GeoPackage {path}")
    for ld in schema.LAYERS:
        create_layer(ds, ld, srs)
    ds = None
    with connect(path) as con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {SETTINGS_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        # GeoPackage "attributes" tables must be registered in gpkg_contents; OGR did that.
        _create_indexes(con)
        set_settings(con, {WorkingCopyKey.SCHEMA_VERSION: SCHEMA_VERSION, WorkingCopyKey.CRS: crs,
                           WorkingCopyKey.COUNTY_CODE: county_code, WorkingCopyKey.COUNTY_NAME: county_name})
    return path


def _create_indexes(con: sqlite3.Connection) -> None:
    con.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{schema.PATCHES}_patch_id ON {schema.PATCHES}(patch_id)")
    con.execute(f"CREATE INDEX IF NOT EXISTS idx_{schema.HISTORY}_patch_id ON {schema.HISTORY}(patch_id)")
    con.execute(f"CREATE INDEX IF NOT EXISTS idx_{schema.AUDIT}_patch_id ON {schema.AUDIT}(patch_id)")
    con.execute(f"CREATE INDEX IF NOT EXISTS idx_{schema.EXCEPTIONS}_patch_id ON {schema.EXCEPTIONS}(patch_id)")
    con.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{schema.CHECK_STATE}_patch_id ON {schema.CHECK_STATE}(patch_id)")
    con.execute(f"CREATE INDEX IF NOT EXISTS idx_{schema.ISSUES}_patch_id ON {schema.ISSUES}(patch_id)")
    con.execute(PATCH_NUMBER_INDEX)


# 图斑编号 in an index of their own: the numberer reads every number in use when editing starts, and without it that
# read goes through every patch's row, geometry included (about 90 ms for a city's 250 000 patches)
PATCH_NUMBER_INDEX = f"CREATE INDEX IF NOT EXISTS idx_{schema.PATCHES}_tuban_no ON {schema.PATCHES}(tuban_no)"


def ensure_patch_number_index(path: str) -> None:
    """Add the 图斑编号 index to a working copy made before it existed (a read when it is there already)."""
    try:
        with connect(path) as con:
            if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                           (f"idx_{schema.PATCHES}_tuban_no",)).fetchone() is None and con.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (schema.PATCHES,)).fetchone():
                con.execute(PATCH_NUMBER_INDEX)
    except (sqlite3.OperationalError, WorkingCopyError):  # locked now (QGIS saving): only a speed-up, next time
        pass


# The change journal of the patches table: SQLite triggers append the fid of every row inserted, updated or deleted,
# whoever writes (QGIS through OGR, this plugin's sqlite3, any other program), under a rising number (`seq`, the
# rowid: appended at the table's end, so a write costs the writer one append and no index upkeep). The live checker
# reads only the fids written after the last number it saw (checks.live.LiveChecker.refresh_patches). The triggers
# are plain SQL that any SQLite parses (no ST_* or other function of ours: QGIS, GDAL and other programs open the
# file without them), and their INSERT cannot conflict with anything, so an outer OR IGNORE / OR ABORT (which SQLite
# makes the conflict policy of the trigger's statements too) can neither skip nor refuse it. The upgrade path keeps
# only the last entry of each fid once PRUNE_AFTER entries were added since it last did (the last entry of all is
# always kept, so numbers never go back). A plain table, not in gpkg_contents: no layer, like forestry_settings and
# the audit and sync bookkeeping tables.
CHANGES_TABLE = "patch_changes"
# Set (a new random token) whenever the journal or its triggers are installed: a journal installed or put back
# after its triggers were missing may lack the changes made meanwhile, and a reader that remembers another token
# must read the patches again in full.
CHANGES_EPOCH_SETTING = "patch_changes_epoch"
CHANGES_PRUNED_SETTING = "patch_changes_pruned"  # the journal's last number when it was last pruned
PRUNE_AFTER = 262144  # entries added since the last prune before the upgrade path prunes again (about 4 MB)

CHANGE_TRIGGERS: Dict[str, str] = {
    f"forestry_{schema.PATCHES}_journal_insert":
        f"AFTER INSERT ON {schema.PATCHES} BEGIN INSERT INTO {CHANGES_TABLE} (fid) VALUES (NEW.fid); END",
    # a fid changed by UPDATE: the old one is gone, the new one written
    f"forestry_{schema.PATCHES}_journal_update":
        f"AFTER UPDATE ON {schema.PATCHES} BEGIN "
        f"INSERT INTO {CHANGES_TABLE} (fid) SELECT OLD.fid WHERE OLD.fid IS NOT NEW.fid; "
        f"INSERT INTO {CHANGES_TABLE} (fid) VALUES (NEW.fid); END",
    f"forestry_{schema.PATCHES}_journal_delete":
        f"AFTER DELETE ON {schema.PATCHES} BEGIN INSERT INTO {CHANGES_TABLE} (fid) VALUES (OLD.fid); END",
}
CHANGE_JOURNAL_SQL = [f"CREATE TABLE IF NOT EXISTS {CHANGES_TABLE} (seq INTEGER PRIMARY KEY, fid INTEGER NOT NULL)"] + [
    f'CREATE TRIGGER IF NOT EXISTS "{name}" {body}' for name, body in CHANGE_TRIGGERS.items()]
# every entry but the last of its fid
PRUNE_SQL = f"DELETE FROM {CHANGES_TABLE} WHERE seq NOT IN (SELECT max(seq) FROM {CHANGES_TABLE} GROUP BY fid)"


def _journal_complete(con: sqlite3.Connection) -> bool:
    """The journal's table and its three triggers on the patches table are there (one look at sqlite_master)."""
    names = [CHANGES_TABLE, *CHANGE_TRIGGERS]
    found = {(t, n, str(tbl).lower()) for t, n, tbl in con.execute(
        f"SELECT type, name, tbl_name FROM sqlite_master WHERE name IN ({','.join('?' * len(names))})", names)}
    return {("table", CHANGES_TABLE, CHANGES_TABLE)} | {("trigger", t, schema.PATCHES) for t in CHANGE_TRIGGERS} <= found


def _setting(con: sqlite3.Connection, key: str) -> Any:
    try:
        row = con.execute(f"SELECT value FROM {SETTINGS_TABLE} WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no settings table: not a working copy of ours
        return None
    return json.loads(row[0]) if row else None


def change_journal_top(con: sqlite3.Connection) -> int:
    """The journal's last number (0 when empty)."""
    return int(con.execute(f"SELECT coalesce(max(seq), 0) FROM {CHANGES_TABLE}").fetchone()[0])


def change_journal_epoch(con: sqlite3.Connection) -> Optional[str]:
    """The journal's token (CHANGES_EPOCH_SETTING; "" when not set) when the change journal can be trusted: its table
    and the three triggers on the patches table are there. None: it cannot (an old copy not upgraded, triggers
    dropped), so changes must be found another way. Reads only sqlite_master and one setting."""
    if not _journal_complete(con):
        return None
    epoch = _setting(con, CHANGES_EPOCH_SETTING)
    return "" if epoch is None else str(epoch)


def prune_change_journal(con: sqlite3.Connection) -> int:
    """Inside the caller's transaction: keep only the last entry of each fid (what any reader still needs: a fid
    written after the number it saw has its last entry after it); returns how many were removed."""
    n = con.execute(PRUNE_SQL).rowcount
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SETTINGS_TABLE,)).fetchone():
        set_settings(con, {CHANGES_PRUNED_SETTING: change_journal_top(con)})
    return n


def _prune_due(con: sqlite3.Connection) -> bool:
    return change_journal_top(con) - int(_setting(con, CHANGES_PRUNED_SETTING) or 0) >= PRUNE_AFTER


def ensure_change_journal(path: str, timeout: float = BUSY_TIMEOUT) -> bool:
    """Install the change journal (table, triggers) in a working copy, or put back what is missing of it, or prune
    it when PRUNE_AFTER entries were added since it last was; True when something was written. Only reads when
    none of that is needed; skipped (False) when the file is locked (another program writing: next time) or has no
    patches table. Installing sets a new journal token (CHANGES_EPOCH_SETTING), in the same transaction."""
    try:
        con = open_connection(path, timeout=timeout)
    except WorkingCopyError:
        return False
    try:
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (schema.PATCHES,)).fetchone() is None:
            return False
        if _journal_complete(con) and not _prune_due(con):
            return False
        con.execute("BEGIN IMMEDIATE")
        try:
            if not _journal_complete(con):
                cols = [r[1] for r in con.execute(f"PRAGMA table_info({CHANGES_TABLE})")]
                if cols and cols != ["seq", "fid"]:  # a table of that name that is not the journal: triggers
                    con.rollback()  # writing into it would make every write to the patches fail
                    return False
                for sql in CHANGE_JOURNAL_SQL:
                    con.execute(sql)
                if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (SETTINGS_TABLE,)).fetchone() is not None:
                    set_settings(con, {CHANGES_EPOCH_SETTING: uuid.uuid4().hex})
            elif _prune_due(con):
                prune_change_journal(con)
            else:  # another program did it since the look above
                con.rollback()
                return False
            con.commit()
        except BaseException:
            con.rollback()
            raise
        return True
    except (sqlite3.OperationalError, WorkingCopyError):  # locked now (QGIS saving): the stamps do, until next time
        return False
    finally:
        con.close()


def _gpkg_envelope(blob: Optional[bytes]) -> Optional[Tuple[float, float, float, float]]:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry blob: from its header, else from the WKB."""
    if blob is None or len(blob) < 8:
        return None
    flags = blob[3]
    env = (flags >> 1) & 0x07
    if env:
        return struct.unpack(("<" if flags & 1 else ">") + "4d", blob[8:40])
    wkb = wkb_from_blob(blob)
    g = ogr.CreateGeometryFromWkb(wkb) if wkb else None
    return g.GetEnvelope() if g is not None else None


# A GeoPackage geometry blob's header size by its flags byte: 8 bytes and the envelope (none, xy, xyz, xym, xyzm);
# None for an empty geometry or an envelope code the standard does not define. The one place the header is read
# (wkb_from_blob here, checks.gpkg_io.read_table in bulk).
HEADER_SIZE = {f: (8 + (0, 32, 48, 48, 64)[(f >> 1) & 7] if ((f >> 1) & 7) < 5 and not f & 0x10 else None)
               for f in range(256)}


def wkb_from_blob(blob: Optional[bytes]) -> Optional[bytes]:
    """The WKB inside a GeoPackage geometry blob (None for NULL or empty geometries)."""
    if blob is None or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return None
    size = HEADER_SIZE[blob[3]]
    return None if size is None else bytes(blob[size:])


def blob_from_wkb(wkb: bytes, srs_id: int, env: Tuple[float, float, float, float]) -> bytes:
    """A GeoPackage geometry blob (little endian, xy envelope minx, maxx, miny, maxy) around ISO WKB."""
    return b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", srs_id) + struct.pack("<4d", *env) + wkb


def _st_coordinate(index: int):
    def f(blob):
        env = _gpkg_envelope(blob)
        return None if env is None else env[index]
    return f


def _st_is_empty(blob: Optional[bytes]) -> Optional[int]:
    if blob is None or len(blob) < 8:
        return None
    return 1 if blob[3] & 0x10 else 0


def register_gpkg_functions(con: sqlite3.Connection) -> None:
    """Give a plain sqlite3 connection the ST_* functions the GeoPackage rtree triggers call.

    SQLite compiles every trigger of a table when a statement touches it, so even an attribute-only
    UPDATE of `patches` (or an INSERT into `check_issues`) fails with "no such function: ST_IsEmpty"
    without them. Real implementations (GeoPackage blob header / OGR), so the rtree stays correct.
    """
    con.create_function("ST_IsEmpty", 1, _st_is_empty)
    for name, i in (("ST_MinX", 0), ("ST_MaxX", 1), ("ST_MinY", 2), ("ST_MaxY", 3)):
        con.create_function(name, 1, _st_coordinate(i))


class _Connection(sqlite3.Connection):
    """A sqlite3 connection whose lock errors say which file is in use (WorkingCopyLocked)."""

    path = ""

    def _locked(self, e: sqlite3.OperationalError) -> BaseException:
        return locked_error(self.path) if is_lock_error(e) else e

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.OperationalError as e:
            err = self._locked(e)
            if err is e:
                raise
            raise err from e

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.OperationalError as e:
            err = self._locked(e)
            if err is e:
                raise
            raise err from e

    def executescript(self, *args, **kwargs):
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.OperationalError as e:
            err = self._locked(e)
            if err is e:
                raise
            raise err from e

    def commit(self):
        try:
            return super().commit()
        except sqlite3.OperationalError as e:
            err = self._locked(e)
            if err is e:
                raise
            raise err from e


def open_connection(path: str, timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """A sqlite3 connection to a working copy that can write its tables (see register_gpkg_functions).

    A statement waits at most `timeout` seconds for another program's lock, then raises WorkingCopyLocked (a
    sqlite3.OperationalError) saying the file is in use.
    """
    if not os.path.exists(path):
        raise WorkingCopyError(tr("Working copy not found: {0}").format(path))
    con = sqlite3.connect(path, timeout=timeout, factory=_Connection)
    con.path = path
    register_gpkg_functions(con)
    return con


@contextlib.contextmanager
def connect(path: str) -> Iterator[sqlite3.Connection]:
    """A sqlite3 connection to the GeoPackage, committed on success, rolled back on error."""
    con = open_connection(path)
    try:
        yield con
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()


def get_settings(con: sqlite3.Connection) -> Dict[str, Any]:
    rows = con.execute(f"SELECT key, value FROM {SETTINGS_TABLE}").fetchall()
    return {k: json.loads(v) for k, v in rows}


def get_setting(path: str, key: str, default: Any = None) -> Any:
    with connect(path) as con:
        row = con.execute(f"SELECT value FROM {SETTINGS_TABLE} WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def set_settings(con: sqlite3.Connection, values: Dict[str, Any]) -> None:
    con.executemany(f"INSERT OR REPLACE INTO {SETTINGS_TABLE}(key, value) VALUES (?, ?)",
                    [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()])


def set_setting(path: str, key: str, value: Any) -> None:
    with connect(path) as con:
        set_settings(con, {key: value})


# (path, size, mtime) of files that passed the integrity check in this session: unchanged files are not re-read.
_INTEGRITY_OK: set = set()


def _file_key(path: str) -> Tuple[str, int, int]:
    st = os.stat(path)
    return (os.path.realpath(path), st.st_size, st.st_mtime_ns)


def quick_check(con: sqlite3.Connection, max_errors: int = 3) -> List[str]:
    """SQLite's PRAGMA quick_check (page structure, record format, NOT NULL...; not index contents): [] when ok."""
    rows = [str(r[0]) for r in con.execute(f"PRAGMA quick_check({int(max_errors)})")]
    return [] if rows == ["ok"] else rows


def verify_working_copy(path: str, integrity: bool = True) -> Dict[str, Any]:
    """Raise WorkingCopyError unless `path` is a working copy this version can use; return its settings.

    integrity=True also runs SQLite's quick_check once per file version (size and modification time) and refuses
    a damaged file (WorkingCopyDamaged); a file another program keeps locked gives WorkingCopyLocked.
    """
    try:
        with connect(path) as con:
            tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
            if SETTINGS_TABLE not in {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}:
                raise WorkingCopyError(tr("{0} is not a forestry working copy (no {1} table)").format(path, SETTINGS_TABLE))
            settings = get_settings(con)
            key = _file_key(path) if integrity else None
            if integrity and key not in _INTEGRITY_OK:
                problems = quick_check(con)
                if problems:
                    raise damaged_error(path, "; ".join(problems))
                _INTEGRITY_OK.add(key)
    except WorkingCopyError:
        raise
    except sqlite3.DatabaseError as e:
        if is_lock_error(e):
            raise locked_error(path) from e
        text = str(e).lower()
        if "malformed" in text or "corrupt" in text:
            raise damaged_error(path, str(e)) from e
        raise WorkingCopyError(tr("{0} is not a GeoPackage: {1}").format(path, e)) from e
    missing = [ld.name for ld in schema.LAYERS if ld.name not in tables]
    if missing:
        raise WorkingCopyError(tr("{0} lacks tables: {1}").format(path, ", ".join(missing)))
    if int(settings.get("schema_version", 0)) > SCHEMA_VERSION:
        raise WorkingCopyError(tr("{0} was written by a newer plugin version (schema {1})").format(
            path, settings["schema_version"]))
    return settings


def layer_uri(path: str, layer_name: str) -> str:
    """QGIS data source URI of one table of the working copy."""
    return f"{path}|layername={layer_name}"


def _set_field(feat: ogr.Feature, name: str, value: Any) -> None:
    if value is None:
        feat.SetFieldNull(name)
    elif hasattr(value, "isoformat") and not isinstance(value, str):
        feat.SetField(name, value.isoformat().replace("T", " ") if hasattr(value, "hour") else value.isoformat())
    elif isinstance(value, bool):
        feat.SetField(name, int(value))
    else:
        feat.SetField(name, value)


def write_features(path: str, layer_name: str, records: Iterable[Tuple[Dict[str, Any], Optional[bytes]]],
                   append: bool = True) -> int:
    """Write (attributes, WKB geometry or None) records into a table in one transaction; return the count."""
    ds = ogr.Open(path, update=1)
    if ds is None:
        raise WorkingCopyError(f"cannot open {path} for writing")
    lyr = ds.GetLayerByName(layer_name)
    if lyr is None:
        raise WorkingCopyError(f"{path} has no table {layer_name}")
    defn = lyr.GetLayerDefn()
    names = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
    n = 0
    ds.StartTransaction()
    try:
        if not append:
            ds.ExecuteSQL(f"DELETE FROM {layer_name}")
        for attrs, wkb in records:
            feat = ogr.Feature(defn)
            for k, v in attrs.items():
                if k in names:
                    _set_field(feat, k, v)
            if wkb is not None:
                g = ogr.CreateGeometryFromWkb(bytes(wkb))
                if g.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D):
                    g = ogr.ForceToMultiPolygon(g)
                feat.SetGeometryDirectly(g)
            lyr.CreateFeature(feat)
            n += 1
        ds.CommitTransaction()
    except BaseException:
        ds.RollbackTransaction()
        raise
    finally:
        ds = None
    return n


def _read_field(feat: ogr.Feature, name: str, kind: int) -> Any:
    """A field value with dates as ISO 8601 strings ("2025-03-01", "2025-03-01T08:00:00")."""
    if feat.IsFieldNull(name):
        return None
    if kind == ogr.OFTDate:
        y, m, d = feat.GetFieldAsDateTime(name)[:3]
        return f"{y:04d}-{m:02d}-{d:02d}"
    if kind == ogr.OFTDateTime:
        y, m, d, hh, mm, ss = feat.GetFieldAsDateTime(name)[:6]
        return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{int(ss):02d}"
    return feat.GetField(name)


def read_features(path: str, layer_name: str, fields: Optional[Sequence[str]] = None,
                  where: Optional[str] = None) -> List[Tuple[int, Dict[str, Any], Optional[bytes]]]:
    """Read (fid, attributes, WKB) of every feature of a table, optionally filtered by an OGR SQL `where`."""
    ds = ogr.Open(path)
    if ds is None:
        raise WorkingCopyError(f"cannot open {path}")
    lyr = ds.GetLayerByName(layer_name)
    if lyr is None:
        raise WorkingCopyError(f"{path} has no table {layer_name}")
    if where:
        lyr.SetAttributeFilter(where)
    defn = lyr.GetLayerDefn()
    all_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    names = [n for n in all_names if fields is None or n in fields]
    kinds = {n: defn.GetFieldDefn(defn.GetFieldIndex(n)).GetType() for n in names}
    out = []
    for feat in lyr:
        attrs = {n: _read_field(feat, n, kinds[n]) for n in names}
        g = feat.GetGeometryRef()
        out.append((feat.GetFID(), attrs, bytes(g.ExportToWkb()) if g is not None else None))
    ds = None
    return out
