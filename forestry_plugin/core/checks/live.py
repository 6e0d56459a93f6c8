"""Live check of one patch while digitizing: reference data and the other patches preloaded into STRtrees once."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np
import shapely

from ... import schema
from ...schema import plain_value
from .. import geopackage
from .checker import Checker, mark_exceptions
from .geometry import repair_all
from .gpkg_io import read_check_inputs, read_check_patches, read_table
from .index import PatchSet, ReferenceData
from .model import CheckInputs, Finding
from .profile import RuleProfile, load_profile
from .projection import AreaModel


class LiveChecker:
    """Runs the per-patch rules on one geometry + attributes in milliseconds (base map etc. indexed once)."""

    def __init__(self, path: str, profile: Optional[RuleProfile] = None):
        self.path = path
        self.profile = profile
        self.last_ms = 0.0
        self.last_refresh = ""  # how refresh_patches last learnt of changes: "journal", "stamps" or "full"
        self.refresh()

    def refresh(self, reference: bool = True) -> None:
        """Re-read the working copy (after saved edits); reference=False re-reads only the patches."""
        # the change journal's token and last number, read before the patches: a change saved meanwhile is read
        # again at the next refresh_patches, never missed
        journal = self._journal_now()
        data = read_check_inputs(self.path) if reference or not hasattr(self, "ref") else read_check_patches(self.path)
        if self.profile is None or reference:
            self.profile = self.profile or load_profile(self.path)
        self.epsg = data["epsg"]
        if reference or not hasattr(self, "ref"):
            self.ref = ReferenceData(CheckInputs(
                patch_ids=[], patch_geoms=[], patch_attrs=[], epsg=self.epsg, basemap_geoms=data["basemap_geoms"],
                basemap_ids=data["basemap_ids"], basemap_classes=data["basemap_classes"], admin_geoms=data["admin_geoms"],
                admin_codes=data["admin_codes"], admin_levels=data["admin_levels"],
                farmland_geoms=data["farmland_geoms"], farmland_ids=data["farmland_ids"],
                history_geoms=data["history_geoms"], history_ids=data["history_ids"],
                history_labels=data.get("history_labels", ())))
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
