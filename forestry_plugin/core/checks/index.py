"""The features a check run overlays patches with, repaired and indexed once: the reference layers (base map,
admin units, basic farmland, earlier years' patches: ReferenceData) and the patches themselves (PatchSet),
each with an STRtree. The live check keeps both between saves."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ... import schema
from .geometry import repair_all
from .model import CheckInputs, to_int


class ReferenceLayer:
    """A reference layer: repaired geometries (the null ones left out), their ids and columns, and their STRtree."""

    def __init__(self, geoms: Sequence[BaseGeometry], ids: Sequence[Any], **columns: Sequence[Any]):
        rep, null, _bad, _r = repair_all(geoms)
        keep = np.flatnonzero(~null)
        self.geoms = rep[keep]
        self.ids = np.asarray([None if i is None else str(i) for i in ids], dtype=object)[keep] if len(ids) else \
            np.asarray([str(k) for k in keep], dtype=object)
        self.cols = {k: np.asarray(list(v), dtype=object)[keep] for k, v in columns.items()}
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None

    @classmethod
    def of_repaired(klass, geoms: np.ndarray, ids: np.ndarray, **columns: np.ndarray) -> ReferenceLayer:
        """A layer of geometries repair_all already repaired (none null), their ids as ReferenceLayer keeps them
        (str or None) and columns: only the STRtree is built (the live check's windowed reference, whose cells are
        repaired once when read and indexed together whenever the set of cells changes)."""
        self = klass.__new__(klass)
        self.geoms, self.ids, self.cols = geoms, ids, dict(columns)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None
        return self

    def __len__(self) -> int:
        return len(self.geoms)


def land_classes(values: Sequence[Any]) -> List[str]:
    """Base-map land classes as the rules compare them (text, stripped; "" for none)."""
    return [("" if c is None else str(c).strip()) for c in values]


def class_masks(cls: Any) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cropland, built-up or water, existing forest) masks of an array of land classes (land_classes)."""
    return (np.isin(cls, list(schema.CROPLAND_CLASSES)),
            np.isin(cls, list(schema.BUILTUP_CLASSES | schema.WATER_CLASSES)),
            np.isin(cls, list(schema.EXISTING_FOREST_CLASSES)))


def history_labels(ids: Sequence[Any], labels: Sequence[Any]) -> List[str]:
    """What messages call earlier years' patches: each id's 图斑编号 (labels, by position), else its short id."""
    return [schema.patch_label(i, labels[k] if k < len(labels) else None) for k, i in enumerate(ids)]


class ReferenceData:
    """Base map, admin units, basic farmland and earlier years' patches, repaired and indexed once."""

    def __init__(self, inputs: CheckInputs):
        self.base = ReferenceLayer(inputs.basemap_geoms, inputs.basemap_ids,
                                   cls=land_classes(inputs.basemap_classes)
                                   if len(inputs.basemap_classes) else [""] * len(inputs.basemap_geoms))
        self.crop, self.builtup_water, self.forest = class_masks(self.base.cols["cls"])
        levels = list(inputs.admin_levels) if len(inputs.admin_levels) else [None] * len(inputs.admin_geoms)
        codes = ["" if c is None else str(c).strip() for c in inputs.admin_codes]
        levels = [lv if lv in ("county", "township", "village") else {6: "county", 9: "township", 12: "village"}.get(
            len(c), "") for lv, c in zip(levels, codes)]
        self.admin = ReferenceLayer(inputs.admin_geoms, codes, level=levels)
        self.admin_index: Dict[Tuple[str, str], int] = {}
        for k, (c, lv) in enumerate(zip(self.admin.ids, self.admin.cols.get("level", []))):
            self.admin_index.setdefault((lv, c), k)
        self.admin_levels = set(self.admin.cols.get("level", []))
        if len(self.admin):
            shapely.prepare(self.admin.geoms)
        self.farmland = ReferenceLayer(inputs.farmland_geoms, inputs.farmland_ids)
        self.history = ReferenceLayer(inputs.history_geoms, inputs.history_ids,
                                      label=history_labels(inputs.history_ids, inputs.history_labels))


class PatchSet:
    """Patches others are overlapped with: repaired geometries, ids, years and an STRtree."""

    def __init__(self, ids: Sequence[str], geoms: Sequence[Optional[BaseGeometry]], years: Sequence[Any],
                 labels: Optional[Sequence[Any]] = None):
        self.ids = np.asarray([str(i) for i in ids], dtype=object)
        # What messages call each patch: its 图斑编号, else the first 8 characters of its id.
        self.labels = np.asarray([schema.patch_label(i, labels[k] if labels is not None and k < len(labels) else None)
                                  for k, i in enumerate(self.ids)], dtype=object)
        self.raw = np.asarray(geoms, dtype=object) if len(geoms) else np.zeros(0, dtype=object)
        self.geoms, self.null, self.bad, self.reasons = repair_all(self.raw)
        self.years = patch_years(years)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None


def patch_years(values: Sequence[Any]) -> np.ndarray:
    """Years as floats, NaN where missing or not a number."""
    return np.asarray([np.nan if y is None else float(y) if isinstance(y, (int, float)) else
                       (to_int(y) if to_int(y) is not None else np.nan) for y in values], dtype=float)
