"""Live check of one patch while digitizing: reference data and the other patches preloaded into STRtrees once."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import numpy as np
import shapely

from ...schema import plain_value
from .checker import Checker, mark_exceptions
from .geometry import repair_all
from .gpkg_io import read_check_inputs, read_check_patches
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
        self.exceptions = data["exceptions"]
        self._rebuild()

    def _rebuild(self) -> None:
        self.patches = PatchSet(self._ids, self._geoms, self._years, self._labels)

    def update_patch(self, patch_id: str, geometry: Any, year: Any = None, tuban_no: Any = None) -> None:
        """Replace (or add) one patch's geometry among the 'other patches' after it was saved."""
        g = _to_shapely(geometry)
        if patch_id in self._ids:
            k = self._ids.index(patch_id)
            self._geoms[k] = g
            if year is not None:
                self._years[k] = year
            if tuban_no is not None:
                self._labels[k] = tuban_no
        else:
            self._ids.append(patch_id)
            self._geoms.append(g)
            self._years.append(year)
            self._labels.append(tuban_no)
        self._rebuild()

    def remove_patch(self, patch_id: str) -> None:
        """Forget a deleted patch."""
        if patch_id in self._ids:
            k = self._ids.index(patch_id)
            del self._ids[k], self._geoms[k], self._years[k], self._labels[k]
            self._rebuild()

    def check_patch(self, geometry: Any, attributes: Dict[str, Any], patch_id: str) -> List[Finding]:
        """Findings of one patch (QgsGeometry or shapely geometry, in the working copy's CRS)."""
        t0 = time.perf_counter()
        g = _to_shapely(geometry)
        rep, null, bad, reasons = repair_all([g])
        checker = Checker(self.ref, self.profile, self.area_model, set())
        attrs = {k: plain_value(v) for k, v in dict(attributes).items()}
        out = checker.check(self.patches, np.zeros(0, dtype=int), [attrs],
                            targets=(np.asarray([patch_id], dtype=object), rep, null, bad, reasons))
        mark_exceptions(out, self.exceptions)
        self.last_ms = (time.perf_counter() - t0) * 1000.0
        return out


def _to_shapely(geometry: Any):
    if geometry is None:
        return None
    if hasattr(geometry, "asWkb"):  # QgsGeometry
        if geometry.isNull() or geometry.isEmpty():
            return None
        return shapely.from_wkb(bytes(geometry.asWkb()))
    return geometry
