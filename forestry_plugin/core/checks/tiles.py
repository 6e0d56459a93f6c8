"""Checks in tiles: memory bounded by the tile, not by the city or province.

The patches (the smaller set: a city's 225 000) are read whole; the reference data (a city's 2 million base-map
parcels, farmland, earlier years' patches) is read one tile window at a time through the table's spatial index
(GeoPackage R-tree, PostGIS GiST, or any QGIS provider's own through QgsFeatureRequest.setFilterRect). A tile is a
set of patches split from the others by their bounding-box centres (a k-d split, so dense and sparse parts give
tiles of the same size); its window is the union of its patches' bounding boxes, so every reference feature that
can touch one of its patches is read. Every patch is checked in exactly one tile; the patches of the neighbouring
tiles that reach into the window take part as the other side of patch overlaps (each side of a pair reported once,
as in an untiled run). Administrative units are read whole, once (a unit declared by a patch far from it must
still be found). Layer-level findings (crs, missing fields) come from the first tile only. The findings are the
same as an untiled run's; only their order differs (tests/core/checks/test_tiles.py).
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely

from ...i18n import tr
from .checker import Stepper, run_checks
from .model import CanceledFn, CheckCanceled, CheckInputs, Finding, ProgressFn
from .profile import RuleProfile
from .projection import gk_epsg_of, is_geographic, transform_geoms

TILE_PATCHES = 20000  # patches per tile: a dense tile's reference (8 parcels a patch) stays near 0.3 GB
TILE_WORKERS = 1  # tiles checked at once (the findings keep the tiles' order); two measured no faster on 2 CPUs

Window = Tuple[float, float, float, float]
# window -> CheckInputs keywords of the windowed reference layers (basemap_*, farmland_*, history_*)
WindowReader = Callable[[Window], Dict[str, Any]]


def plan_tiles(bounds: np.ndarray, index: np.ndarray, size: int = TILE_PATCHES) -> List[np.ndarray]:
    """`index` (positions into `bounds`, one row (minx, miny, maxx, maxy) per patch, NaN for no geometry) split
    into tiles of at most `size` patches by a k-d split of the box centres along the longer side. Patches without
    a geometry go with the first tile (they need no window)."""
    index = np.asarray(index, dtype=int)
    if len(index) <= size:
        return [index]
    b = bounds[index]
    have = np.all(np.isfinite(b), axis=1)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    tiles: List[np.ndarray] = []

    def split(pos: np.ndarray) -> None:
        if len(pos) <= size:
            tiles.append(index[pos])
            return
        x, y = cx[pos], cy[pos]
        along = x if (x.max() - x.min()) >= (y.max() - y.min()) else y
        order = np.argsort(along, kind="stable")
        half = len(pos) // 2
        split(pos[order[:half]])
        split(pos[order[half:]])

    split(np.flatnonzero(have))
    rest = index[~have]
    if len(rest):
        tiles[0] = np.concatenate([tiles[0], rest]) if tiles else rest
    return tiles


def window_of(bounds: np.ndarray) -> Optional[Window]:
    """The union of bounding boxes (rows with NaN skipped); None when there is none."""
    ok = bounds[np.all(np.isfinite(bounds), axis=1)]
    if not len(ok):
        return None
    return (float(ok[:, 0].min()), float(ok[:, 1].min()), float(ok[:, 2].max()), float(ok[:, 3].max()))


def _meets(bounds: np.ndarray, w: Window) -> np.ndarray:
    ok = np.all(np.isfinite(bounds), axis=1)
    return ok & ~((bounds[:, 0] > w[2]) | (bounds[:, 2] < w[0]) | (bounds[:, 1] > w[3]) | (bounds[:, 3] < w[1]))


def patch_bounds(geoms: Sequence[Any]) -> np.ndarray:
    """(n, 4) bounding boxes, NaN rows for patches without a geometry."""
    arr = np.asarray(list(geoms), dtype=object) if not isinstance(geoms, np.ndarray) else geoms
    if not len(arr):
        return np.zeros((0, 4))
    return shapely.bounds(arr)


REFERENCE_KEYS = ("basemap_geoms", "basemap_ids", "basemap_classes", "farmland_geoms", "farmland_ids",
                  "history_geoms", "history_ids", "history_labels")


def run_tiled(inputs: CheckInputs, read_window: WindowReader, profile: Optional[RuleProfile] = None,
              progress: ProgressFn = None, is_canceled: CanceledFn = None, tile_size: int = TILE_PATCHES,
              check_index: Optional[Sequence[int]] = None, stats: Optional[Dict[str, Any]] = None,
              each_tile: Optional[Callable[[List[Finding]], List[Any]]] = None,
              workers: int = TILE_WORKERS) -> List[Any]:
    """Findings of `inputs`' patches (all, or the positions `check_index`) with the windowed reference layers
    read per tile by `read_window` (in the inputs' CRS); `inputs` carries the patches and the administrative
    units (whole). `stats` gets the tile count and the largest tile's reference feature count. `each_tile`
    turns a tile's findings into what is kept (e.g. aggregate.aggregate: a patch's pairs are all in its tile)."""
    step = Stepper(progress, is_canceled)
    n = len(inputs.patch_ids)
    geoms = np.asarray(list(inputs.patch_geoms), dtype=object) if n else np.zeros(0, dtype=object)
    bounds = patch_bounds(geoms)
    chosen = np.arange(n) if check_index is None else np.asarray(sorted(set(int(i) for i in check_index)), dtype=int)
    tiles = plan_tiles(bounds, chosen, tile_size)
    # Geographic input (EPSG:4490): one GK zone for the whole run (from every patch, as an untiled run picks it),
    # the reference of each tile reprojected into it; windows stay in the inputs' own CRS (the readers').
    src_epsg, dst = inputs.epsg, None
    if src_epsg is not None and is_geographic(src_epsg):
        dst = gk_epsg_of(geoms)
        inputs = dataclasses.replace(inputs, epsg=dst, layer_epsg=inputs.layer_epsg or src_epsg,
                                     patch_geoms=transform_geoms(geoms, src_epsg, dst),
                                     admin_geoms=transform_geoms(inputs.admin_geoms, src_epsg, dst))
    all_geoms = inputs_geoms(inputs)
    attrs = list(inputs.patch_attrs)
    admin_geoms = np.asarray(list(inputs.admin_geoms), dtype=object)
    inputs = dataclasses.replace(inputs, exceptions=list(inputs.exceptions))  # read by every tile
    biggest = [0]
    read_lock = threading.Lock()  # one read at a time: a QGIS feature source is not read from two threads at once
    frac = [0.0] * len(tiles)  # each tile's own progress, summed into the run's
    progress_lock = threading.Lock()

    def tile_progress(t: int) -> Callable[[float], None]:
        def report(f: float) -> None:
            with progress_lock:
                frac[t] = min(max(f, 0.0), 1.0)
                total = sum(frac) / len(tiles)
                step(total)  # in order (raises CheckCanceled when the run is canceled)
        return report

    def one(t: int, tile: np.ndarray) -> List[Any]:
        if is_canceled is not None and is_canceled():
            raise CheckCanceled(tr("The check was canceled"))
        w = window_of(bounds[tile])
        with read_lock:
            ref = read_window(w) if w is not None else {}
        biggest[0] = max(biggest[0], len(ref.get("basemap_geoms", ())))
        if dst is not None:
            ref = dict(ref, **{k: transform_geoms(ref[k], src_epsg, dst) for k in ("basemap_geoms", "farmland_geoms",
                                                                                  "history_geoms") if k in ref})
        context = np.flatnonzero(_meets(bounds, w)) if w is not None else np.zeros(0, dtype=int)
        context = np.union1d(context, tile)  # the tile's own patches, with or without a geometry
        position = {int(i): k for k, i in enumerate(context)}
        # GEOS prepared geometries are not thread-safe (the admin units are prepared in ReferenceData): with
        # tiles run at once, each tile gets its own copy of them.
        own_admin = {"admin_geoms": shapely.from_wkb(shapely.to_wkb(admin_geoms))} if workers > 1 and \
            len(admin_geoms) else {}
        tile_inputs = dataclasses.replace(
            inputs, **own_admin, patch_ids=[inputs.patch_ids[i] for i in context], patch_geoms=all_geoms[context],
            patch_attrs=[attrs[i] for i in context], check_ids=None,
            check_index=[position[int(i)] for i in tile], layer_findings=(t == 0),
            **{k: ref.get(k, ()) for k in REFERENCE_KEYS})
        found = run_checks(tile_inputs, profile, tile_progress(t), is_canceled)
        return each_tile(found) if each_tile is not None else found

    results: List[List[Any]] = [[] for _ in tiles]
    if len(tiles) == 1 or workers < 2:
        for t, tile in enumerate(tiles):
            results[t] = one(t, tile)
    else:
        # Two tiles at a time: one tile's Python-bound steps run while the other's GEOS work (which releases the
        # GIL) does; at most `workers` tiles' reference data in memory.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as ex:
            futures = [ex.submit(one, t, tile) for t, tile in enumerate(tiles)]
            try:
                for t, fut in enumerate(futures):
                    results[t] = fut.result()
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    if stats is not None:
        stats.update(tiles=len(tiles), largest_tile_basemap=biggest[0])
    return [f for part in results for f in part]


def inputs_geoms(inputs: CheckInputs) -> np.ndarray:
    """The inputs' patch geometries as an object array."""
    g = inputs.patch_geoms
    return g if isinstance(g, np.ndarray) else np.asarray(list(g), dtype=object)
