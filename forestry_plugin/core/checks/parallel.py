"""Big bulk shapely operations split over a few threads (shapely 2 releases the GIL in its vectorized functions):
element-wise functions, STRtree queries and pairwise intersections."""

from __future__ import annotations

import os
from typing import Callable, Tuple

import numpy as np
import shapely

THREADS = max(1, min(4, os.cpu_count() or 1))
PAR_MIN = 5000  # below this many elements one thread is faster (measured: tiles of 10 000 patches)


def parallel(fn: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """fn(*arrays) computed in THREADS chunks (element-wise functions only)."""
    n = len(arrays[0])
    if THREADS < 2 or n < PAR_MIN:
        return fn(*arrays)
    from concurrent.futures import ThreadPoolExecutor

    bounds = np.linspace(0, n, THREADS + 1).astype(int)
    with ThreadPoolExecutor(THREADS) as ex:
        parts = list(ex.map(lambda ab: fn(*(x[ab[0]:ab[1]] for x in arrays)), zip(bounds[:-1], bounds[1:])))
    return np.concatenate(parts)


def query_intersecting(tree: shapely.STRtree, geoms: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """tree.query(geoms, predicate='intersects') split over THREADS chunks of the query geometries."""
    n = len(geoms)
    if THREADS < 2 or n < PAR_MIN // 4:
        return tree.query(geoms, predicate="intersects")
    from concurrent.futures import ThreadPoolExecutor

    bounds = np.linspace(0, n, THREADS + 1).astype(int)
    with ThreadPoolExecutor(THREADS) as ex:
        parts = list(ex.map(lambda ab: tree.query(geoms[ab[0]:ab[1]], predicate="intersects"),
                            zip(bounds[:-1], bounds[1:])))
    qi = np.concatenate([p[0] + b for p, b in zip(parts, bounds[:-1])])
    ti = np.concatenate([p[1] for p in parts])
    return qi, ti


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # empty results are expected (touching neighbours)
        return shapely.intersection(a, b)


def safe_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bulk pairwise intersection; falls back to element-wise with a 1 mm grid where GEOS raises a topology error."""
    try:
        return parallel(_intersection, a, b)
    except shapely.errors.GEOSException:
        out = np.empty(len(a), dtype=object)
        for k in range(len(a)):
            try:
                out[k] = shapely.intersection(a[k], b[k])
            except shapely.errors.GEOSException:
                out[k] = shapely.intersection(a[k], b[k], grid_size=0.001)
        return out
