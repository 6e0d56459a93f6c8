"""Live check of one patch while digitizing: reference data and the other patches preloaded into STRtrees once."""

from __future__ import annotations

import time
from typing import Any, Dict, Iterable, List, Optional

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
        self.refresh()

    def refresh(self, reference: bool = True) -> None:
        """Re-read the working copy (after saved edits); reference=False re-reads only the patches."""
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
        self._stamps = {str(a.get("patch_id") or ""): _stamp(a) for a in data["patch_attrs"]}
        self.exceptions = data["exceptions"]
        self._rebuild()

    def _rebuild(self) -> None:
        self.patches = PatchSet(self._ids, self._geoms, self._years, self._labels)
        self._position = {}  # patch id -> its place in self.patches (the first, for an id used twice)
        for k, pid in enumerate(self._ids):
            self._position.setdefault(pid, k)
        self._changed: Dict[str, Any] = {}  # patch id -> (geometry, year, 图斑编号) since the PatchSet was built
        self.changed = None  # a small PatchSet of them, checked as "other patches" beside self.patches

    def _mask(self, patch_id: str) -> None:
        """Take a patch's old geometry out of self.patches (its STRtree stays: an empty geometry overlaps nothing)."""
        k = self._position.get(patch_id)
        if k is not None:
            self.patches.geoms[k] = _EMPTY

    def _rebuild_changed(self) -> None:
        items = [(pid, g, y, n) for pid, (g, y, n) in self._changed.items() if g is not None]
        self.changed = PatchSet([i[0] for i in items], [i[1] for i in items], [i[2] for i in items],
                                [i[3] for i in items]) if items else None

    def update_patch(self, patch_id: str, geometry: Any, year: Any = None, tuban_no: Any = None) -> None:
        """Replace (or add) one patch's geometry among the 'other patches' after it was saved (the whole set is not
        rebuilt: the patch goes into a small set of changed ones)."""
        k = self._position.get(patch_id)
        old = self._changed.get(patch_id)
        if year is None:
            year = old[1] if old is not None else (self._years[k] if k is not None else None)
        if tuban_no is None:
            tuban_no = old[2] if old is not None else (self._labels[k] if k is not None else None)
        self._mask(patch_id)
        self._changed[patch_id] = (_to_shapely(geometry), year, tuban_no)
        self._rebuild_changed()

    def remove_patch(self, patch_id: str) -> None:
        """Forget a deleted patch."""
        self._mask(patch_id)
        self._changed[patch_id] = (None, None, None)
        self._rebuild_changed()

    def refresh_patches(self, force: Iterable[str] = ()) -> int:
        """Take in what changed in the working copy's patches since they were read: those whose revision, change
        time or server version differ (edits, sync, numbering) and the ids in `force` (a commit's patches), read by
        id; patches gone are forgotten. Much cheaper than refresh(reference=False) for a city's 250 000 patches;
        returns how many were taken in."""
        con = geopackage.open_connection(self.path)
        try:
            rows = con.execute(f"SELECT patch_id, revision, updated_at, server_version FROM {schema.PATCHES}"
                               ).fetchall()
            now = {str(r[0] or ""): (r[1], r[2], r[3]) for r in rows}
            wanted = {pid for pid, st in now.items() if self._stamps.get(pid) != st} | \
                {str(p) for p in force if str(p) in now}
            gone = [pid for pid in self._stamps if pid not in now]
            got: Dict[str, Any] = {}
            ids = sorted(wanted)
            for c0 in range(0, len(ids), 500):
                marks = ",".join("?" * len(ids[c0:c0 + 500]))
                attrs, geoms, _epsg = read_table(self.path, schema.PATCHES, ["patch_id", "year", "tuban_no"], con,
                                                 where=f"patch_id IN ({marks})", args=ids[c0:c0 + 500])
                for a, g in zip(attrs, geoms):
                    got[str(a.get("patch_id") or "")] = (a, g)
            exceptions = con.execute(f"SELECT patch_id, rule, other_id FROM {schema.EXCEPTIONS}").fetchall()
        finally:
            con.close()
        for pid in gone:
            self.remove_patch(pid)
            self._stamps.pop(pid, None)
        for pid, (a, g) in got.items():
            self.update_patch(pid, g, a.get("year"), a.get("tuban_no"))
            self._stamps[pid] = now[pid]
        self.exceptions = [tuple(e) for e in exceptions]
        if len(self._changed) > COMPACT_AT:  # a long session's saves: one full re-read, the small set emptied
            self.refresh(reference=False)
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
