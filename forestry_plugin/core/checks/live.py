"""Live check of one patch while digitizing: reference data and the other patches preloaded into STRtrees once.

A big reference (a city's 2 million base-map parcels: more than WINDOW_ROWS rows of base map, farmland and earlier
years' patches) is not preloaded: ReferenceCells reads it per grid cell of CELL_M around the patch being checked,
through the tables' spatial index, when a patch first needs the cell, keeps the last CELL_CACHE cells and indexes
those it holds whenever that set changes, so memory depends on where one digitizes, not on the city. The
administrative units and the other patches are read whole either way. The findings are those of the whole
reference (tests/core/checks/test_live_window.py).
"""

from __future__ import annotations

import collections
import copy
import math
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import shapely

from ... import schema
from ...schema import plain_value
from .. import geopackage
from . import pg_source
from .checker import Checker, mark_exceptions
from .geometry import repair_all
from .gpkg_io import (
    read_admin,
    read_check_inputs,
    read_check_patches,
    read_reference_window,
    read_table,
    reference_rows,
    rtree_of,
)
from .index import PatchSet, ReferenceData, ReferenceLayer, class_masks, history_labels, land_classes
from .model import CheckInputs, Finding
from .profile import RuleProfile, load_profile
from .projection import AreaModel


class LiveChecker:
    """Runs the per-patch rules on one geometry + attributes in milliseconds (base map etc. indexed once)."""

    def __init__(self, path: str, profile: Optional[RuleProfile] = None, windowed: Optional[bool] = None):
        """windowed: read the reference per cell (ReferenceCells) or whole; None: per cell above WINDOW_ROWS."""
        self.path = path
        self.profile = profile
        self.last_ms = 0.0
        self.last_load_ms = 0.0  # of last_ms, reading and indexing reference cells (0 when it needed no new cell)
        self.last_refresh = ""  # how refresh_patches last learnt of changes: "journal", "stamps" or "full"
        self._want_windowed = windowed
        self.cells: Optional[ReferenceCells] = None  # the windowed reference; None: the reference is whole
        self.refresh()

    def refresh(self, reference: bool = True) -> None:
        """Re-read the working copy (after saved edits); reference=False re-reads only the patches."""
        # the change journal's token and last number, read before the patches: a change saved meanwhile is read
        # again at the next refresh_patches, never missed
        journal = self._journal_now()
        whole_ref = reference or not hasattr(self, "ref")
        cells = None
        if whole_ref:
            source = pg_source.configured(self.path)
            windowed = self._want_windowed
            if windowed is None:
                windowed = _reference_rows(self.path, source) > WINDOW_ROWS
            if windowed:
                data = read_check_patches(self.path)
                cells = ReferenceCells(self.path, source, data["epsg"])
                data.update(cells.admin)
            else:
                data = read_check_inputs(self.path)
        else:
            data = read_check_patches(self.path)
        if self.profile is None or reference:
            self.profile = self.profile or load_profile(self.path)
        self.epsg = data["epsg"]
        if whole_ref:
            if self.cells is not None:
                self.cells.close()
            self.cells = cells
            self.ref = ReferenceData(CheckInputs(
                patch_ids=[], patch_geoms=[], patch_attrs=[], epsg=self.epsg, basemap_geoms=data["basemap_geoms"],
                basemap_ids=data.get("basemap_ids", ()), basemap_classes=data.get("basemap_classes", ()),
                admin_geoms=data["admin_geoms"], admin_codes=data["admin_codes"], admin_levels=data["admin_levels"],
                farmland_geoms=data.get("farmland_geoms", ()), farmland_ids=data.get("farmland_ids", ()),
                history_geoms=data.get("history_geoms", ()), history_ids=data.get("history_ids", ()),
                history_labels=data.get("history_labels", ()))) if cells is None else cells.empty_reference()
            self.area_model = AreaModel(self.epsg)
        self._ids = list(data["patch_ids"])
        self._geoms = list(data["patch_geoms"])
        self._years = [a.get("year") for a in data["patch_attrs"]]
        self._labels = [a.get("tuban_no") for a in data["patch_attrs"]]  # 图斑编号: what messages name them by
        self._fids = [a.get("fid") for a in data["patch_attrs"]]
        # what tells a row changed, by fid (patches without an id, or whose id changed, are rows all the same)
        self._stamps = {a.get("fid"): _stamp(a) for a in data["patch_attrs"]}
        self._journal, self._seq = journal  # (token, number); token None: no usable journal, stamps compared
        self.exceptions = data["exceptions"]
        self._rebuild()

    def close(self) -> None:
        """Let go of the reference database connection a windowed reference keeps (reopened when needed)."""
        if self.cells is not None:
            self.cells.close()

    def _journal_now(self) -> Tuple[Optional[str], int]:
        con = geopackage.open_connection(self.path)
        try:
            epoch = geopackage.change_journal_epoch(con)
            return epoch, (geopackage.change_journal_top(con) if epoch is not None else 0)
        finally:
            con.close()

    def _rebuild(self) -> None:
        self.patches = PatchSet(self._ids, self._geoms, self._years, self._labels)
        self._position: Dict[Any, int] = {}  # fid -> its place in self.patches
        self._fid_of: Dict[str, Any] = {}  # patch id -> fid (the first, for an id used twice)
        for k, (fid, pid) in enumerate(zip(self._fids, self._ids)):
            self._position.setdefault(fid, k)
            self._fid_of.setdefault(pid, fid)
        # fid (or ("new", patch id) for one the caller names only by id) -> (patch id, geometry, year, 图斑编号)
        # of the patches changed since the PatchSet was built; None geometry: gone
        self._changed: Dict[Any, Tuple[str, Any, Any, Any]] = {}
        self.changed = None  # a small PatchSet of them, checked as "other patches" beside self.patches

    def _set(self, key: Any, patch_id: str, geometry: Any, year: Any, tuban_no: Any) -> None:
        """Record a patch's values as they are now (geometry None: gone), its old geometry taken out of
        self.patches (its STRtree stays: an empty geometry overlaps nothing)."""
        k = self._position.get(key)
        if k is not None:
            self.patches.geoms[k] = _EMPTY
        self._changed[key] = (patch_id, geometry, year, tuban_no)

    def _rebuild_changed(self) -> None:
        items = [v for v in self._changed.values() if v[1] is not None]
        self.changed = PatchSet([i[0] for i in items], [i[1] for i in items], [i[2] for i in items],
                                [i[3] for i in items]) if items else None

    def _key(self, patch_id: str) -> Any:
        return self._fid_of.get(patch_id, ("new", patch_id))

    def update_patch(self, patch_id: str, geometry: Any, year: Any = None, tuban_no: Any = None) -> None:
        """Replace (or add) one patch's geometry among the 'other patches' after it was saved (the whole set is not
        rebuilt: the patch goes into a small set of changed ones); year and 图斑编号 None: as they were."""
        key = self._key(patch_id)
        k, old = self._position.get(key), self._changed.get(key)
        if year is None:
            year = old[2] if old is not None else (self._years[k] if k is not None else None)
        if tuban_no is None:
            tuban_no = old[3] if old is not None else (self._labels[k] if k is not None else None)
        self._set(key, patch_id, _to_shapely(geometry), year, tuban_no)
        self._rebuild_changed()

    def remove_patch(self, patch_id: str) -> None:
        """Forget a deleted patch."""
        self._set(self._key(patch_id), patch_id, None, None, None)
        self._rebuild_changed()

    def refresh_patches(self, force: Iterable[str] = ()) -> int:
        """Take in what changed in the working copy's patches since they were read (edits, sync, numbering, anything
        any program wrote) and the rows of the ids in `force`, read by fid; rows gone are forgotten. Much cheaper
        than refresh(reference=False) for a city's 250 000 patches (nothing is re-indexed); more than COMPACT_AT
        changed in all: refresh(reference=False). Returns how many rows changed (every row when a journal it did not
        know made it read them all).

        Which rows changed comes from the change journal (geopackage.CHANGES_TABLE, kept by triggers): the fids
        numbered after the last number seen. Without a usable journal (an old copy that could not be upgraded, its
        triggers dropped) every row's revision, change time and server version are compared instead, which misses
        a geometry changed without a revision bump. A journal that is not the one last seen (installed or put back
        since, or another file's) may lack changes: everything is read again. `last_refresh` says which it was."""
        con = geopackage.open_connection(self.path)
        try:
            epoch = geopackage.change_journal_epoch(con)
            top = geopackage.change_journal_top(con) if epoch is not None else 0
            if epoch is not None and (epoch != self._journal or top < self._seq):
                con.close()
                con = None
                self.refresh(reference=False)
                self.last_refresh = "full"
                return len(self._fids)
            forced = sorted({str(p) for p in force})
            if epoch is not None:  # the journal: the fids written since, and the forced ones by the id index
                wanted_set = {r[0] for r in con.execute(  # more than COMPACT_AT: a full re-read, whatever else
                    f"SELECT DISTINCT fid FROM {geopackage.CHANGES_TABLE} WHERE seq > ? LIMIT ?",
                    (self._seq, COMPACT_AT + 1))}
                for c0 in range(0, len(forced), 500):
                    part = forced[c0:c0 + 500]
                    wanted_set.update(r[0] for r in con.execute(
                        f"SELECT fid FROM {schema.PATCHES} WHERE patch_id IN ({','.join('?' * len(part))})", part))
                wanted, now, gone = sorted(wanted_set), None, []
            else:  # no journal: every row's stamps
                rows = con.execute(f"SELECT fid, patch_id, revision, updated_at, server_version FROM {schema.PATCHES}"
                                   ).fetchall()
                now = {r[0]: (r[2], r[3], r[4]) for r in rows}
                fset = set(forced)
                wanted = sorted({r[0] for r in rows if self._stamps.get(r[0]) != now[r[0]] or str(r[1] or "") in fset})
                gone = [fid for fid in self._stamps if fid not in now]
            if len(wanted) + len(gone) + len(self._changed) > COMPACT_AT:  # many at once: one full re-read
                con.close()
                con = None
                self.refresh(reference=False)
                self.last_refresh = "full"
                return len(wanted) + len(gone)
            got = []
            for c0 in range(0, len(wanted), 500):
                part = wanted[c0:c0 + 500]
                attrs, geoms, _epsg = read_table(self.path, schema.PATCHES, _READ, con,
                                                 where=f"fid IN ({','.join('?' * len(part))})", args=part)
                got += list(zip(attrs, geoms))
            if now is None:  # journalled fids not in the table any more: deleted (those never seen: nothing to do)
                found = {a.get("fid") for a, _g in got}
                gone = [fid for fid in wanted if fid not in found and fid in self._stamps]
            exceptions = con.execute(f"SELECT patch_id, rule, other_id FROM {schema.EXCEPTIONS}").fetchall()
        finally:
            if con is not None:
                con.close()
        for fid in gone:
            self._set(fid, "", None, None, None)
            self._stamps.pop(fid, None)
        for a, g in got:  # the values as read (a year or number cleared is cleared here too)
            self._set(a.get("fid"), str(a.get("patch_id") or ""), g, a.get("year"), a.get("tuban_no"))
            self._stamps[a.get("fid")] = _stamp(a)
        self._journal, self._seq = epoch, top
        self.last_refresh = "journal" if epoch is not None else "stamps"
        self._rebuild_changed()
        self.exceptions = [tuple(e) for e in exceptions]
        return len(got) + len(gone)

    def check_patch(self, geometry: Any, attributes: Dict[str, Any], patch_id: str) -> List[Finding]:
        """Findings of one patch (QgsGeometry or shapely geometry, in the working copy's CRS)."""
        t0 = time.perf_counter()
        g = _to_shapely(geometry)
        self.last_load_ms = 0.0
        if self.cells is not None and g is not None and not g.is_empty:
            t1 = time.perf_counter()
            if self.cells.need(shapely.bounds(g)):
                self.ref = self.cells.reference()
                self.last_load_ms = (time.perf_counter() - t1) * 1000.0
        rep, null, bad, reasons = repair_all([g])
        checker = Checker(self.ref, self.profile, self.area_model, set())
        attrs = {k: plain_value(v) for k, v in dict(attributes).items()}
        out = checker.check(self.patches, np.zeros(0, dtype=int), [attrs],
                            targets=(np.asarray([patch_id], dtype=object), rep, null, bad, reasons),
                            more_patches=self.changed)
        mark_exceptions(out, self.exceptions)
        self.last_ms = (time.perf_counter() - t0) * 1000.0
        return out


# what refresh_patches reads of a changed row: what the checks use and the stamps
_READ = ["fid", "patch_id", "year", "tuban_no", "revision", "updated_at", "server_version"]


def _stamp(attrs: Dict[str, Any]):
    """What tells a patch row changed: its revision, change time and server version."""
    return (attrs.get("revision"), attrs.get("updated_at"), attrs.get("server_version"))


_EMPTY = shapely.Polygon()
COMPACT_AT = 5000  # changed patches kept beside the big set before it is built again


def _to_shapely(geometry: Any):
    if geometry is None:
        return None
    if hasattr(geometry, "asWkb"):  # QgsGeometry
        if geometry.isNull() or geometry.isEmpty():
            return None
        return shapely.from_wkb(bytes(geometry.asWkb()))
    return geometry


# -- the windowed reference --------------------------------------------------------------------------------------

WINDOW_ROWS = 600_000  # base map + farmland + history rows above which the live check reads them per cell
CELL_M = 500.0  # a cell's side, metres (a city's 0.25 km²: some 100 base-map parcels of the classes the rules read)
CELL_CACHE = 100  # cells kept (25 km² at CELL_M 500: the area digitized in a session's stretch)
# Beyond a patch's bounding box. Every rule that looks at the base map, farmland or earlier years (cropland,
# built-up/water, existing forest, basic_farmland, history_overlap) takes the features that *intersect* the patch,
# and an intersecting feature's bounding box meets the patch's: no rule needs more (sliver, min_area, area and
# attributes look at the patch alone; admin units are whole). The metre covers the R-tree's float32 boxes and,
# for PostGIS in another CRS, the bend of a transformed window.
REFERENCE_MARGIN_M = 1.0
_LAYERS = ("basemap", "farmland", "history")
_NONE = np.zeros(0, dtype=object)


def _reference_rows(path: str, source: Optional[Dict[str, Any]]) -> int:
    """How many reference rows (base map, farmland, history) the working copy's reference has, about (cheap)."""
    if source is not None:
        return pg_source.reference_rows(source, upto=WINDOW_ROWS + 1)
    con = geopackage.open_connection(path)
    try:
        return sum(reference_rows(con, t) for t in (schema.BASEMAP, schema.FARMLAND, schema.HISTORY))
    finally:
        con.close()


class _Cell:
    """One cell's features per layer: keys (int64), repaired geometries (none null), ids, their column (class,
    label) and the base map's class bits (1 cropland, 2 built-up/water, 4 existing forest)."""
    __slots__ = ("layers", "size")

    def __init__(self, layers: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]):
        self.layers = layers
        self.size = sum(len(v[0]) for v in layers.values())


class ReferenceCells:
    """The base map, farmland and earlier years' patches of a working copy (or its PostGIS reference) per square
    cell of CELL_M, read through the tables' spatial index when a patch first needs them.

    need(bounds) makes sure the cells the box plus REFERENCE_MARGIN_M touches are held (reading the missing ones
    with one window query, each feature going to every missing cell its bounding box meets) and says whether the
    set held changed; reference() is then the ReferenceData over the cells held, a feature read in several cells
    once (by its rowid / fid), in key order as a whole read has them. At most CELL_CACHE cells are held (the least
    recently needed go first; never one the current patch needs). The administrative units are read whole, once."""

    def __init__(self, path: str, source: Optional[Dict[str, Any]], epsg: Optional[int],
                 cell_m: Optional[float] = None, capacity: Optional[int] = None):
        from .projection import metres_in

        self.path, self.source, self.epsg = path, source, epsg
        self.cell = metres_in(epsg, float(cell_m if cell_m is not None else CELL_M))
        self.margin = metres_in(epsg, REFERENCE_MARGIN_M)
        self.capacity = int(capacity if capacity is not None else CELL_CACHE)
        self.cells: collections.OrderedDict[Tuple[int, int], _Cell] = collections.OrderedDict()
        self.loads = 0  # window reads so far
        self.read_ms = 0.0  # time spent reading (the rest of a load is indexing)
        self._extents: Dict[str, Any] = {}  # the tables' R-tree extents (spatial_filter's), found here, once
        self._con = None  # the PostGIS connection, kept between reads
        self._meta: Dict[str, Any] = {}  # its tables' geometry columns and columns (read_window's `meta`)
        if source is not None:
            self.epsg = pg_source.need_epsg(epsg)
            self.admin = pg_source.read_admin(source, self.epsg)
        else:
            con = geopackage.open_connection(path)
            try:
                self.admin = read_admin(con)
                for table in (schema.BASEMAP, schema.FARMLAND, schema.HISTORY):
                    # a cell is always read through the R-tree (spatial_filter, told of an unbounded extent, never
                    # reads a table whole), and the table's real extent, a scan of its R-tree, is not needed
                    rtree = rtree_of(con, table)
                    self._extents[table] = None if rtree is None else (rtree, (-math.inf, -math.inf, math.inf,
                                                                                math.inf))
            finally:
                con.close()
        self._admin_ref = ReferenceData(CheckInputs(
            patch_ids=[], patch_geoms=[], patch_attrs=[], epsg=epsg, basemap_geoms=[], basemap_ids=[],
            basemap_classes=[], admin_geoms=self.admin["admin_geoms"], admin_codes=self.admin["admin_codes"],
            admin_levels=self.admin["admin_levels"], farmland_geoms=[], farmland_ids=[], history_geoms=[],
            history_ids=[]))

    def empty_reference(self) -> ReferenceData:
        return self._admin_ref

    def close(self) -> None:
        if self._con is not None:
            try:
                self._con.close()
            except Exception:  # noqa: BLE001 - a connection already gone
                pass
            self._con = None
        self._meta = {}

    def clear(self) -> None:
        self.cells.clear()

    def cells_of(self, bounds: Sequence[float]) -> List[Tuple[int, int]]:
        x0, y0, x1, y1 = (float(v) for v in bounds)
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            return []
        m, c = self.margin, self.cell
        i0, i1 = math.floor((x0 - m) / c), math.floor((x1 + m) / c)
        j0, j1 = math.floor((y0 - m) / c), math.floor((y1 + m) / c)
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def need(self, bounds: Sequence[float]) -> bool:
        """Hold the cells of `bounds` (minx, miny, maxx, maxy); True when the set held changed."""
        wanted = self.cells_of(bounds)
        missing = [k for k in wanted if k not in self.cells]
        for k in wanted:
            if k in self.cells:
                self.cells.move_to_end(k)
        changed = False
        if missing:
            self._load(missing)
            changed = True
        keep = set(wanted)
        while len(self.cells) > max(self.capacity, len(keep)):
            old = next(k for k in self.cells if k not in keep)
            del self.cells[old]
            changed = True
        return changed

    def _box(self, k: Tuple[int, int]) -> Tuple[float, float, float, float]:
        c = self.cell
        return (k[0] * c, k[1] * c, (k[0] + 1) * c, (k[1] + 1) * c)

    def _read(self, window: Tuple[float, float, float, float]) -> Dict[str, Any]:
        if self.source is None:
            con = geopackage.open_connection(self.path)
            try:
                return read_reference_window(self.path, window, con, self._extents, keys=True)
            finally:
                con.close()
        while True:  # a kept connection the server dropped meanwhile: once more with a new one (only then)
            fresh = self._con is None
            if fresh:  # the person waits: INTERACTIVE_TIMEOUT_S, and an unreachable server is said at once
                self._con = pg_source.connect(self.source, pg_source.INTERACTIVE_TIMEOUT_S)
            try:
                return pg_source.read_reference_window(self.source, window, self.epsg, keys=True, con=self._con,
                                                       meta=self._meta)
            except pg_source.ReferenceSourceError:
                self.close()
                if fresh:
                    raise

    def _load(self, missing: List[Tuple[int, int]]) -> None:
        boxes = np.asarray([self._box(k) for k in missing], dtype=float)
        m = self.margin
        window = (float(boxes[:, 0].min()) - m, float(boxes[:, 1].min()) - m, float(boxes[:, 2].max()) + m,
                  float(boxes[:, 3].max()) + m)
        t = time.perf_counter()
        data = self._read(window)
        self.read_ms += (time.perf_counter() - t) * 1000.0
        self.loads += 1
        per_cell: List[Dict[str, Any]] = [{} for _k in missing]
        for name in _LAYERS:
            keys = np.asarray(data[name + "_keys"], dtype=np.int64)
            raw = np.asarray(data[name + "_geoms"], dtype=object) if len(keys) else _NONE
            rep, null, _bad, _r = repair_all(raw)
            ok = np.flatnonzero(~null)
            b = shapely.bounds(raw[ok]) if len(ok) else np.zeros((0, 4))
            ids = np.asarray([None if i is None else str(i) for i in data[name + "_ids"]], dtype=object)
            if name == "basemap":
                col = np.asarray(land_classes(data["basemap_classes"]), dtype=object)
            elif name == "history":
                col = np.asarray(history_labels(data["history_ids"], data.get("history_labels", ())), dtype=object)
            else:
                col = np.zeros(len(keys), dtype=object)
            keys, rep, ids, col = keys[ok], rep[ok], ids[ok], col[ok]
            # the base map's class masks (ReferenceData's crop, builtup_water, forest) as bits, once per read
            if name == "basemap":
                crop, builtup_water, forest = class_masks(col)
                flags = (crop * 1 + builtup_water * 2 + forest * 4).astype(np.int8)
            else:
                flags = np.zeros(len(keys), dtype=np.int8)
            for c, (x0, y0, x1, y1) in enumerate(boxes.tolist()):
                sel = np.flatnonzero((b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0))
                per_cell[c][name] = (keys[sel], rep[sel], ids[sel], col[sel], flags[sel])
        for k, layers in zip(missing, per_cell):
            self.cells[k] = _Cell(layers)

    def reference(self) -> ReferenceData:
        """ReferenceData over the cells held (admin units whole), each feature once."""
        ref = copy.copy(self._admin_ref)
        merged = {}
        for name in _LAYERS:
            parts = [c.layers[name] for c in self.cells.values()]
            keys = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
            if len(keys):
                keys, first = np.unique(keys, return_index=True)  # sorted by key: as a whole read orders them
                merged[name] = tuple(np.concatenate([p[i] for p in parts])[first] for i in (1, 2, 3, 4))
            else:
                merged[name] = (_NONE, _NONE, _NONE, np.zeros(0, dtype=np.int8))
        g, ids, cls, flags = merged["basemap"]
        ref.base = ReferenceLayer.of_repaired(g, ids, cls=cls)
        ref.crop, ref.builtup_water, ref.forest = (flags & 1) > 0, (flags & 2) > 0, (flags & 4) > 0
        g, ids, _c, _f = merged["farmland"]
        ref.farmland = ReferenceLayer.of_repaired(g, ids)
        g, ids, labels, _f = merged["history"]
        ref.history = ReferenceLayer.of_repaired(g, ids, label=labels)
        return ref

    def held(self) -> int:
        """Features held (a feature in several cells counted in each)."""
        return sum(c.size for c in self.cells.values())
