"""Checking a working copy: read its inputs once, run every enabled rule, store the findings.

The checks are split by job, each in its module of core/checks:

- model.py: what a run takes and gives (CheckInputs, Finding, CheckRunResult, CheckCanceled);
- rules.py, profile.py: the rules' codes, severities and thresholds, and a working copy's settings of them;
- projection.py: ellipsoidal areas (AreaModel) and geographic inputs reprojected to a CGCS2000 GK zone;
- geometry.py: polygonal parts, repair with GEOS's reasons, WKB in and out;
- parallel.py: bulk shapely operations over a few threads;
- index.py: the reference layers and the patches repaired and indexed (ReferenceData, PatchSet);
- checker.py: the rules themselves (Checker, one method per rule) and run_checks;
- tiles.py: a run in tiles of patches, the reference read per tile window (memory bounded by the tile);
- gpkg_io.py: the working copy's tables in (read_check_inputs), findings out (write_results);
- layers.py: any QGIS layer in and findings into a QGIS sink (forestry:checkpatches);
- pg_source.py: reference data in PostGIS; live.py: one patch while digitizing; aggregate.py, report.py, store.py:
  findings per patch and rule, the Excel report, accepted exceptions.

Geometries are read once, invalid ones detected (with the GEOS reason) and repaired with make_valid (polygonal
parts kept) *before* any overlay; STRtree bulk queries and bulk intersection/area give per-pair overlaps. Areas are
ellipsoidal (CGCS2000): planar Gauss-Kruger area divided by the projection's areal scale factor at the piece's
centroid (see docs/checks.md and projection.AreaModel).
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict, Iterable, Optional, Tuple

import numpy as np
import shapely

from ... import schema
from .. import clock, geopackage
from . import pg_source
from .checker import Stepper
from .gpkg_io import read_admin, read_check_patches, read_reference_window, write_results
from .model import CanceledFn, CheckInputs, CheckRunResult, ProgressFn
from .profile import RuleProfile, load_profile
from .tiles import TILE_PATCHES, run_tiled


def _extent_tuple(extent: Any) -> Optional[Tuple[float, float, float, float]]:
    if extent is None:
        return None
    if hasattr(extent, "xMinimum"):
        return (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    return tuple(float(v) for v in extent)  # type: ignore[return-value]


def check_working_copy(path: str, patch_ids: Optional[Iterable[str]] = None, extent: Any = None,
                       profile: Optional[RuleProfile] = None, progress: ProgressFn = None,
                       is_canceled: CanceledFn = None, write: bool = True,
                       tile_size: int = TILE_PATCHES) -> CheckRunResult:
    """Check patches of a working copy (all, `patch_ids`, and/or those intersecting `extent` (layer CRS)).

    The patches are read whole, the reference data (the working copy's tables or the PostGIS database its
    reference_source names) per tile of `tile_size` patches in the tile's window (tiles.py): a city's check needs
    the memory of a tile, and checking a few patches reads only the parcels around them.
    With write=True, the checked patches' rows in check_issues are replaced by the new findings (accepted ones
    included, they are recorded) and check_state is upserted (open error/warning counts, patch revision).
    """
    t0 = time.perf_counter()
    step = Stepper(progress, is_canceled)
    timings: Dict[str, float] = {}
    source = pg_source.configured(path)  # the base map etc. in PostGIS (a city's or province's database)?
    con = geopackage.open_connection(path)
    try:
        data = read_check_patches(path, con)
        epsg = data["epsg"]
        if source is not None:
            admin = pg_source.read_admin(source, pg_source.need_epsg(epsg))
        else:
            admin = read_admin(con)
    finally:
        con.close()
    if source is not None:
        def read_window(w):
            return pg_source.read_reference_window(source, w, epsg)
    else:
        extents: Dict[str, Any] = {}

        def read_window(w):
            return read_reference_window(path, w, extents=extents)
    timings["read"] = time.perf_counter() - t0
    profile = profile or load_profile(path)
    ids = data["patch_ids"]
    chosen = set(ids) if patch_ids is None else set(patch_ids) & set(ids)
    ext = _extent_tuple(extent)
    if ext is not None:
        b = shapely.bounds(data["patch_geoms"])
        hit = ~((b[:, 0] > ext[2]) | (b[:, 2] < ext[0]) | (b[:, 1] > ext[3]) | (b[:, 3] < ext[1]))
        hit &= np.all(np.isfinite(b), axis=1)  # a patch without geometry lies in no extent
        chosen &= {p for p, h in zip(ids, hit) if h}
    step(0.05)
    inputs = CheckInputs(patch_ids=ids, patch_geoms=data["patch_geoms"], patch_attrs=data["patch_attrs"],
                         epsg=epsg, exceptions=data["exceptions"], layer_name=schema.PATCHES, **admin)
    t1 = time.perf_counter()
    stats: Dict[str, Any] = {}
    findings = run_tiled(inputs, read_window, profile, step.sub(0.05, 0.9), is_canceled, tile_size,
                         check_index=[i for i, p in enumerate(ids) if p in chosen], stats=stats)
    timings["check"] = time.perf_counter() - t1
    timings["tiles"] = stats.get("tiles", 1)
    run_id = str(uuid.uuid4())
    checked_at = clock.now_utc_iso()  # stored UTC, shown local (core/clock.py)
    checked = [p for p in ids if p in chosen]
    if write:
        t2 = time.perf_counter()
        revisions = {str(a.get("patch_id")): a.get("revision") for a in data["patch_attrs"]}
        write_results(path, run_id, checked_at, checked, findings, revisions, full=(len(chosen) == len(set(ids))))
        timings["write"] = time.perf_counter() - t2
    step(1.0)
    return CheckRunResult(run_id, findings, checked, checked_at, time.perf_counter() - t0, timings)
