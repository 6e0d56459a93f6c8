"""City-scale live check and editing context: LiveChecker and PatchContext on the 2M-parcel / 250k-patch city.

Data: bench_checks.generate's city working copy bench/data/checks_250000_2000000.gpkg (--quick: the 6250-patch /
50k-parcel county), copied once into a work directory (the original is never written). Two reference sources:

* gpkg: the working copy's own base map, admin units, farmland and history tables;
* postgis: the same tables loaded into a PostgreSQL/PostGIS started for the run (tests/helpers/pg_server.PgServer,
  bench_checks_process.Reference.load: GDAL, GiST indexes, ANALYZE), the copy's `reference_source` setting
  pointing at them (pg_source's JSON); LiveChecker then reads the window of the patches + the county's admin
  units, PatchContext opens QGIS `postgres` layers (attributes.postgis_reference_layers).

Every measurement runs in a fresh child Python process (`--worker`), under `/usr/bin/time -v` for its peak RSS
("Maximum resident set size"; bench_checks_process.timed), so each starts cold as a user's QGIS session would:

(a) live: `LiveChecker(path)` construction, wall time inside the child, and the child's peak RSS (the checker
    holds everything it preloads; the child does nothing else except the checks of (b));
(b) `check_patch(geometry, attrs, patch_id)` per patch, its own `last_ms`: --patches rotated rectangles (fixed
    seed) of 15-250 m sides at random places within the base map's extent (the bigger ones cover many 50 m
    parcels; the number of parcels under each is reported), attributes of an existing patch with the village
    under the new patch's centre; each patch checked twice: the first check where nothing was checked yet ("new
    area": a windowed reference reads and indexes the cells there, `last_load_ms`), then again ("warm": every
    further check while the patch is edited); the very first call separately ("first"), then median and 95th
    percentile of each. --live-mode: the reference per cell (windowed), whole, or as LiveChecker chooses by its
    row threshold (auto, the default: a city's is windowed, live.WINDOW_ROWS);
(c) context: what the plugin does for a patch layer (gui/editing.py `controller()`, run when the layer is added
    to the project and at the latest when the user starts to edit: `PatchContext.from_working_copy(path,
    layer.crs())` + `PatchEditController(layer, ctx)`) plus `layer.startEditing()` (the live checker is then
    built in a background task, not waited for), timed together as "open", cold (the first in the child
    process, after the patch layer was loaded and added to the project, which is not timed as open), and once
    more in the same process ("warm": ellipsoid definitions, OGR/libpq already loaded); then
    `geometry_attributes` (admin codes, 前地类, area) per patch on the same patches (first call separately, then
    median/p95), and `new_patch` (adds the 图斑编号) per patch with the numberer holding one number per existing
    patch (the bench data has none, so synthetic ones of the default scheme are added after the open: 250k at
    city scale; the open itself therefore reads no numbers).

(d) refresh: in the live child, after (b), what the editing component does after every save
    (gui/editing.py `_refresh_checker`): --saves times one patch moved by a metre with a revision bump (as the
    plugin's edits write it; any writer is the same to the journal), then `refresh_patches()` timed; first with
    the change journal (geopackage.CHANGES_TABLE: only the fids written since are read), then, the journal's
    triggers dropped, comparing every row's revision, change time and server version (the fallback, which is
    what every refresh did before the journal); then the triggers put back (ensure_change_journal) and the one
    full re-read the checker then does, timed. The copy gets the journal when the bench copies it (as the upgrade
    path gives it to an older copy when it is opened).

--journal-cost measures what the journal's triggers add to bulk writes on the 50 000-patch county (the sync
engine's downloads, the importer, numbering, workflow moves): a fresh copy per run, one transaction each, with
the journal and with its triggers dropped, median of --runs: every row's revision + 1 in one UPDATE (the cheapest
statement, so the largest share), 50 000 sync-like UPDATEs by patch id (attributes and geometry, sync tracking
suppressed), 50 000 rows inserted. --refresh does only (d) (the live child with 2 patches checked).

Median of --runs runs (each run: one child per source and kind). Anything far over target (check_patch median
> 5 ms, context open > 100 ms, new_patch > 50 ms) is profiled once more with cProfile in a child (--profile) and
the top functions by cumulative and by own time are printed (for the context: the cold open, a warm second open
and new_patch; --profile-only KIND does only that). The output is appended to bench/results/live_scale.txt (not
with --quick). The load average is printed with every measurement.

    python bench/bench_live_scale.py                 # city, gpkg + postgis, 3 runs, 300 patches
    python bench/bench_live_scale.py --quick         # county 6250/50k, 1 run, 60 patches, < 1 min
    python bench/bench_live_scale.py --sources gpkg --runs 1
    python bench/bench_live_scale.py --live-mode whole --sources gpkg   # the whole reference, as before
    python bench/bench_live_scale.py --refresh --sources gpkg          # (d) only, city
    python bench/bench_live_scale.py --refresh --county --sources gpkg # (d) only, the 50 000-patch county
    python bench/bench_live_scale.py --journal-cost                    # the triggers' cost on bulk writes
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

RESULTS = os.path.join(HERE, "results", "live_scale.txt")
TARGET_CHECK_MS, TARGET_OPEN_MS = 5.0, 100.0


def pct(values: List[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else float("nan")


# -- the child's side --------------------------------------------------------------------------------------------
def sample_patches(path: str, n: int, seed: int = 20251202):
    """n rotated rectangles (shapely) at random places within the base map's extent, and per patch the attributes
    of an existing patch with the admin codes of the village under its centre."""
    import sqlite3

    import numpy as np
    import shapely

    from forestry_plugin.core.geopackage import connect

    con = sqlite3.connect(path)
    try:
        ext = con.execute("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_basemap_geom").fetchone()
    finally:
        con.close()
    with connect(path) as con:
        from forestry_plugin.core.checks.gpkg_io import read_table

        attrs, geoms, _ = read_table("", "admin_units", ["code", "level"], con)
        tmpl = con.execute("SELECT method, forest_type, species, year, stage, revision FROM patches LIMIT 1").fetchone()
    villages = [(a["code"], g) for a, g in zip(attrs, geoms) if a.get("level") == "village" and g is not None]
    vtree = shapely.STRtree([g for _c, g in villages])
    rng = np.random.default_rng(seed)
    out = []
    for _k in range(n):
        cx, cy = rng.uniform(ext[0] + 300, ext[2] - 300), rng.uniform(ext[1] + 300, ext[3] - 300)
        # mostly typical patches (15-80 m), a quarter big ones over many parcels (80-250 m)
        lo, hi = (80, 250) if rng.uniform() < 0.25 else (15, 80)
        w, h = rng.uniform(lo, hi), rng.uniform(lo, hi)
        a = rng.uniform(0, math.pi / 2)
        ca, sa = math.cos(a), math.sin(a)
        pts = [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in
               ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2), (-w / 2, -h / 2))]
        g = shapely.Polygon(pts)
        hits = vtree.query(shapely.Point(cx, cy), predicate="intersects")
        v = villages[int(hits[0])][0] if len(hits) else None
        at = {"method": tmpl[0], "forest_type": tmpl[1], "species": tmpl[2], "year": tmpl[3], "stage": tmpl[4],
              "revision": tmpl[5]}
        if v:
            at.update(county_code=v[:6], township_code=v[:9], village_code=v)
        at["area_mu"] = round(g.area / 666.6667, 2)
        at["area_ha"] = round(g.area / 10000.0, 4)
        out.append((g, at))
    return out


def worker_live(path: str, n: int, saves: int = 20) -> Dict[str, Any]:
    import uuid

    from qgis.core import QgsApplication

    app = QgsApplication([], False)  # as in QGIS (the GUI's task builds the checker in a QGIS process)
    app.initQgis()
    items = sample_patches(path, n)
    t = time.perf_counter()
    from forestry_plugin.core.checks.live import LiveChecker

    lc = LiveChecker(path, windowed=LIVE_MODES[LIVE_MODE[0]])
    construct = time.perf_counter() - t
    # every patch twice: first where the person has not digitized yet (a windowed reference reads the cells
    # there: "new area"), then again (warm: what every further check while editing it costs)
    cold, cold_load, loaded, ms, parcels, findings = [], [], 0, [], [], 0
    for g, a in items:
        pid = str(uuid.uuid4())
        findings += len(lc.check_patch(g, dict(a, patch_id=pid), pid))
        cold.append(lc.last_ms)
        cold_load.append(lc.last_load_ms)
        loaded += lc.last_load_ms > 0
        lc.check_patch(g, dict(a, patch_id=pid), pid)
        ms.append(lc.last_ms)
        parcels.append(len(lc.ref.base.tree.query(g, predicate="intersects")) if lc.ref.base.tree is not None else 0)
    cells = lc.cells
    with open("/proc/self/status") as fh:  # the peak so far: the checker built and used, before (d) re-reads all
        hwm = next((int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:")), 0) / 1024 / 1024
    out = {"construct_s": construct, "hwm_checks_gb": hwm, "first_ms": cold[0], "check_ms": ms[1:], "cold_ms": cold[1:],
           "cold_load_ms": cold_load[1:], "loaded": loaded, "parcels": parcels, "findings": findings,
           "basemap": len(lc.ref.base.geoms), "patches": len(lc._ids), "windowed": cells is not None,
           "cells": len(cells.cells) if cells is not None else 0, "held": cells.held() if cells is not None else 0,
           "read_ms": cells.read_ms / max(cells.loads, 1) if cells is not None else 0.0}
    out.update(measure_refresh(path, lc, saves))
    return out


# --live-mode: how the live checker holds the reference (LiveChecker's `windowed`)
LIVE_MODES = {"auto": None, "whole": False, "windowed": True}
LIVE_MODE = ["auto"]


def measure_refresh(path: str, lc, saves: int) -> Dict[str, Any]:
    """(d): refresh_patches() after each of `saves` saves of one patch, with the journal, then without its triggers
    (every row's stamps compared), then the full re-read after they are put back (ms)."""
    import numpy as np
    import shapely

    from forestry_plugin.core import geopackage
    from forestry_plugin.core.checks.gpkg_io import gpkg_blobs

    with geopackage.connect(path) as con:
        fids = [r[0] for r in con.execute("SELECT fid FROM patches WHERE geom IS NOT NULL")]
        srs_id = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'patches'").fetchone()[0]
    rng = np.random.default_rng(7)

    def save(k: int):  # one patch moved 1 m east; put_back() restores it (the next children use the copy too)
        fid = int(fids[int(rng.integers(len(fids)))])
        with geopackage.connect(path) as con:
            blob = con.execute("SELECT geom FROM patches WHERE fid = ?", (fid,)).fetchone()[0]
            g = shapely.affinity.translate(shapely.from_wkb(geopackage.wkb_from_blob(bytes(blob))), 1.0, 0.0)
            moved = gpkg_blobs([shapely.to_wkb(g)], [g], srs_id)[0]
            con.execute("UPDATE patches SET geom = ?, revision = COALESCE(revision, 0) + 1, "
                        "updated_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') WHERE fid = ?", (moved, fid))
        return fid, blob

    def timed_refresh(expect: str) -> float:
        t = time.perf_counter()
        n = lc.refresh_patches()
        ms = (time.perf_counter() - t) * 1000
        assert lc.last_refresh == expect and n >= 1, (lc.last_refresh, n)
        return ms

    def put_back(fid, blob) -> None:
        with geopackage.connect(path) as con:
            con.execute("UPDATE patches SET geom = ?, revision = COALESCE(revision, 0) + 1 WHERE fid = ?", (blob, fid))

    out: Dict[str, Any] = {"refresh_journal_ms": [], "refresh_stamps_ms": []}
    lc.refresh_patches()  # anything written before (none) taken in
    for k in range(saves):
        fid, blob = save(k)
        out["refresh_journal_ms"].append(timed_refresh("journal"))
        put_back(fid, blob)
        lc.refresh_patches()
    with geopackage.connect(path) as con:
        for name in geopackage.CHANGE_TRIGGERS:
            con.execute(f'DROP TRIGGER "{name}"')
    for k in range(saves):
        fid, blob = save(k)
        out["refresh_stamps_ms"].append(timed_refresh("stamps"))
        put_back(fid, blob)
        lc.refresh_patches()
    geopackage.ensure_change_journal(path)
    fid, blob = save(0)
    t = time.perf_counter()
    lc.refresh_patches()
    out["refresh_full_ms"] = (time.perf_counter() - t) * 1000
    assert lc.last_refresh == "full"
    put_back(fid, blob)
    return out


def journal_cost(src: str, work: str, runs: int, log) -> Dict[str, Any]:
    """What the journal's triggers add to bulk writes of every patch of `src` (a fresh copy per run and case, its
    journal holding every fid once, as a copy in use does; written out before timing: os.sync)."""
    import sqlite3

    from forestry_plugin.core import geopackage

    def copy(with_journal: bool) -> str:
        path = os.path.join(work, "journal_cost.gpkg")
        shutil.copy(src, path)
        geopackage.ensure_change_journal(path)
        with geopackage.connect(path) as con:
            if with_journal:
                con.execute(f"INSERT INTO {geopackage.CHANGES_TABLE} (fid) SELECT fid FROM patches")
            else:
                for name in geopackage.CHANGE_TRIGGERS:
                    con.execute(f'DROP TRIGGER "{name}"')
        os.sync()
        return path

    def attribute_update(con):
        return lambda: con.execute("UPDATE patches SET revision = COALESCE(revision, 0) + 1")

    def sync_updates(con):  # as sync.engine._write_server_copy: attributes and geometry by patch id, suppressed
        rows = [((r or "") + "s", g, pid) for pid, r, g in
                con.execute("SELECT patch_id, remark, geom FROM patches WHERE patch_id IS NOT NULL")]

        def run():
            con.execute("UPDATE sync_flags SET value = 1 WHERE name = 'suppress'")
            con.executemany("UPDATE patches SET remark = ?, geom = ?, server_version = COALESCE(server_version, 0) "
                            "+ 1, revision = COALESCE(revision, 0) + 1 WHERE patch_id = ?", rows)
            con.execute("UPDATE sync_flags SET value = 0 WHERE name = 'suppress'")
        return run

    def inserts(con):  # as many new rows as there are (an import, a first download)
        cols = [r[1] for r in con.execute("PRAGMA table_info(patches)") if r[1] not in ("fid", "patch_id")]
        sel = ", ".join(f'"{c}"' for c in cols)
        return lambda: con.execute(f"INSERT INTO patches (patch_id, {sel}) SELECT patch_id || '-copy', {sel} "
                                   "FROM patches")

    con = sqlite3.connect(src)
    n = con.execute("SELECT COUNT(*) FROM patches").fetchone()[0]
    con.close()
    out: Dict[str, Any] = {"rows": n}
    for name, fn in (("attribute UPDATE", attribute_update), ("sync-like UPDATEs", sync_updates),
                     ("INSERT", inserts)):
        times: Dict[bool, List[float]] = {False: [], True: []}
        cpu: Dict[bool, List[float]] = {False: [], True: []}
        for _r in range(runs):
            for with_journal in (False, True):
                path = copy(with_journal)
                con = geopackage.open_connection(path)
                try:
                    run = fn(con)  # what it writes read beforehand, not timed
                    t, c = time.perf_counter(), time.process_time()
                    run()
                    cpu[with_journal].append(time.process_time() - c)
                    con.commit()
                    times[with_journal].append(time.perf_counter() - t)
                    if with_journal:
                        assert con.execute(f"SELECT COUNT(*) FROM {geopackage.CHANGES_TABLE}").fetchone()[0] >= 2 * n
                finally:
                    con.close()
        before, after = statistics.median(times[False]), statistics.median(times[True])
        cb, ca = statistics.median(cpu[False]), statistics.median(cpu[True])
        out[name] = (before, after, cb, ca)
        log(f"  {name:18s} of {n} rows, one transaction: {before * 1000:6.0f} ms without the journal, "
            f"{after * 1000:6.0f} ms with it ({(after / before - 1) * 100:+.0f} %; CPU before the commit {cb * 1000:.0f} / "
            f"{ca * 1000:.0f} ms, {(ca / cb - 1) * 100:+.0f} %; runs {', '.join(f'{x * 1000:.0f}' for x in times[False])}"
            f" / {', '.join(f'{x * 1000:.0f}' for x in times[True])}; load {os.getloadavg()[0]:.2f})")
    # what the upgrade path's prune costs: this copy's journal after the inserts, and one of a city's size
    for label, fids, extra in (("county", n, n), ("city-size", 250000, geopackage.PRUNE_AFTER)):
        path = os.path.join(work, "journal_cost.gpkg")
        con = geopackage.open_connection(path)
        try:
            con.execute(f"DELETE FROM {geopackage.CHANGES_TABLE}")
            con.execute(f"WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {fids + extra}) "
                        f"INSERT INTO {geopackage.CHANGES_TABLE} (fid) SELECT CASE WHEN i <= {fids} THEN i "
                        f"ELSE abs(random()) % {fids} + 1 END FROM k")
            con.commit()
            t = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            removed = geopackage.prune_change_journal(con)
            con.commit()
            ms = (time.perf_counter() - t) * 1000
        finally:
            con.close()
        out[f"prune_{label}_ms"] = ms
        log(f"  prune ({label}): {fids + extra} entries for {fids} fids, {removed} removed: {ms:.0f} ms "
            f"(the upgrade path, once per {geopackage.PRUNE_AFTER} entries)")
    return out


def worker_context(path: str, n: int) -> Dict[str, Any]:
    from qgis.core import QgsApplication, QgsGeometry, QgsProject, QgsVectorLayer

    app = QgsApplication([], False)
    app.initQgis()
    import shapely

    items = [(QgsGeometry.fromWkt(shapely.to_wkt(g)), a) for g, a in sample_patches(path, n)]
    from forestry_plugin.core.attributes import PatchContext
    from forestry_plugin.core.geopackage import layer_uri
    from forestry_plugin.gui.edit_controller import PatchEditController

    t = time.perf_counter()
    layer = QgsVectorLayer(layer_uri(path, "patches"), "patches", "ogr")  # the project opening: not timed as open
    QgsProject.instance().addMapLayer(layer)
    layer_s = time.perf_counter() - t
    t0 = time.perf_counter()
    ctx = PatchContext.from_working_copy(path, layer.crs())
    t1 = time.perf_counter()
    ctrl = PatchEditController(layer, ctx)
    t2 = time.perf_counter()
    layer.startEditing()
    t3 = time.perf_counter()
    # the same again in the same process (caches warm: ellipsoid definitions, GDAL/OGR or libpq opened), as a
    # second working copy or a re-added layer sees it
    t4 = time.perf_counter()
    ctx2 = PatchContext.from_working_copy(path, layer.crs())
    ctrl2 = PatchEditController(layer, ctx2)
    warm_ms = (time.perf_counter() - t4) * 1000
    ctrl2.detach()
    fill = []
    for g, _a in items:
        t = time.perf_counter()
        ctx.geometry_attributes(g)
        fill.append((time.perf_counter() - t) * 1000)
    existing = layer.featureCount()
    synthetic = 0
    if len(ctx.numbers.taken) < existing:  # the bench data has no 图斑编号: one per patch, the default scheme
        for k in range(existing - len(ctx.numbers.taken)):
            ctx.numbers.observe(f"2025339901{101 + k % 4:03d}{k // 4 + 1:04d}")
            synthetic += 1
    new = []
    for g, a in items:
        t = time.perf_counter()
        ctx.new_patch(g, {k: v for k, v in a.items() if k in ("method", "forest_type", "species")})
        new.append((time.perf_counter() - t) * 1000)
    layer.rollBack()
    ctrl.detach()
    return {"layer_ms": layer_s * 1000, "from_working_copy_ms": (t1 - t0) * 1000, "controller_ms": (t2 - t1) * 1000,
            "start_editing_ms": (t3 - t2) * 1000, "open_ms": (t3 - t0) * 1000, "open_warm_ms": warm_ms, "fill_first_ms": fill[0],
            "fill_ms": fill[1:], "new_patch_first_ms": new[0], "new_patch_ms": new[1:], "numbers": len(ctx.numbers.taken),
            "synthetic_numbers": synthetic, "warning": ctx.warning}


def worker_profile(kind: str, path: str, n: int) -> Dict[str, Any]:
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    extra: Dict[str, Any] = {}
    if kind == "live":
        import uuid

        items = sample_patches(path, n)
        from forestry_plugin.core.checks.live import LiveChecker

        lc = LiveChecker(path, windowed=LIVE_MODES[LIVE_MODE[0]])
        prof.enable()
        for g, a in items:
            pid = str(uuid.uuid4())
            lc.check_patch(g, dict(a, patch_id=pid), pid)
        prof.disable()
    else:
        from qgis.core import QgsApplication, QgsVectorLayer

        app = QgsApplication([], False)
        app.initQgis()
        import shapely
        from qgis.core import QgsGeometry, QgsProject

        from forestry_plugin.core.attributes import PatchContext
        from forestry_plugin.core.geopackage import layer_uri
        from forestry_plugin.gui.edit_controller import PatchEditController

        items = [(QgsGeometry.fromWkt(shapely.to_wkt(g)), a) for g, a in sample_patches(path, n)]
        layer = QgsVectorLayer(layer_uri(path, "patches"), "patches", "ogr")
        QgsProject.instance().addMapLayer(layer)
        prof.enable()
        ctx = PatchContext.from_working_copy(path, layer.crs())
        ctrl = PatchEditController(layer, ctx)
        layer.startEditing()
        prof.disable()
        extra["warm"] = prof2 = cProfile.Profile()  # a second open in the same process
        prof2.enable()
        ctx2 = PatchContext.from_working_copy(path, layer.crs())
        PatchEditController(layer, ctx2).detach()
        prof2.disable()
        existing = layer.featureCount()
        for k in range(max(0, existing - len(ctx.numbers.taken))):  # as worker_context: one number per patch
            ctx.numbers.observe(f"2025339901{101 + k % 4:03d}{k // 4 + 1:04d}")
        extra["new_patch"] = prof3 = cProfile.Profile()
        prof3.enable()
        for g, a in items:
            ctx.new_patch(g, {k: v for k, v in a.items() if k in ("method", "forest_type", "species")})
        prof3.disable()
        layer.rollBack()
        ctrl.detach()
    out = {}
    for name, p in [("", prof)] + [(k + "_", v) for k, v in extra.items()]:
        for key in ("cumulative", "tottime"):
            s = io.StringIO()
            pstats.Stats(p, stream=s).sort_stats(key).print_stats(18)
            out[name + key] = s.getvalue()
    return out


# -- the parent's side -------------------------------------------------------------------------------------------
def child(kind: str, path: str, n: int, env: Dict[str, str], profile: bool = False, saves: int = 20):
    import bench_checks_process as bcp

    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--path", path, "--patches", str(n),
           "--saves", str(saves), "--live-mode", LIVE_MODE[0]]
    if profile:
        cmd.append("--profile")
    la = os.getloadavg()[0]
    secs, gb, out = bcp.timed(cmd, env)
    line = [ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):]), secs, gb, la


def log_profiles(log, source: str, kind: str, n: int, res: Dict[str, str], la: float) -> None:
    for key in [k for k in res if k.endswith("cumulative")]:
        part = key[:-len("cumulative")].rstrip("_") or ("open (cold)" if kind == "context" else f"check_patch x{n}")
        if kind == "context" and part == "new_patch":
            part = f"new_patch x{n}"
        log(f"  -- profile ({source}, {kind}: {part}; load {la:.2f}), by cumulative time:")
        log(res[key])
        log(f"  -- profile ({source}, {kind}: {part}), by own time:")
        log(res[key[:-len("cumulative")] + "tottime"])


def start_postgis(path: str, log):
    sys.path.insert(0, os.path.join(ROOT, "tests", "helpers"))
    import bench_checks_process as bcp
    from pg_server import PgServer

    why = PgServer.available()
    if why:
        log(f"postgis: not measured ({why})")
        return None, None
    pg = PgServer()
    ref = bcp.Reference(path, pg, "city")
    ref.load(log)
    from forestry_plugin.core.checks import pg_source

    source = {"dsn": pg.dsn, "tables": {role: f"city_{table}" for role, (table, _c) in pg_source.KINDS.items()}}
    return pg, json.dumps(source)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="6250 patches / 50k parcels, 1 run, 60 patches")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--patches", type=int, default=300, help="patches checked / filled per run")
    ap.add_argument("--sources", nargs="+", default=["gpkg", "postgis"], choices=["gpkg", "postgis"])
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--profile-only", choices=["live", "context"],
                    help="only the cProfile child of this kind per source (no timed runs, no table)")
    ap.add_argument("--saves", type=int, default=20, help="saves after which the refresh is timed, per way")
    ap.add_argument("--refresh", action="store_true", help="only the refresh after a save (d)")
    ap.add_argument("--county", action="store_true", help="the 50 000-patch county instead of the city")
    ap.add_argument("--journal-cost", action="store_true",
                    help="only what the journal's triggers add to bulk writes (50 000-patch county)")
    ap.add_argument("--live-mode", choices=sorted(LIVE_MODES), default="auto",
                    help="the live checker's reference: per cell (windowed), whole, or by the row threshold (auto)")
    ap.add_argument("--worker", choices=["live", "context"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    LIVE_MODE[0] = args.live_mode
    if args.worker:
        res = (worker_profile(args.worker, args.path, args.patches) if args.profile else
               worker_live(args.path, args.patches, args.saves) if args.worker == "live" else
               worker_context(args.path, args.patches))
        print("RESULT " + json.dumps(res), flush=True)
        return 0
    if args.quick:
        args.runs, args.patches = 1, min(args.patches, 60)
    if args.refresh:
        args.patches = 2
    parcels = 50000 if args.quick else 400000 if args.county or args.journal_cost else 2000000
    src = os.path.join(HERE, "data", f"checks_{parcels // 8}_{parcels}.gpkg")
    if not os.path.exists(src):
        import bench_checks_process as bcp

        src = bcp.data_path(parcels)
    lines: List[str] = []

    def log(s: str) -> None:
        print(s, flush=True)
        lines.append(s)

    if args.journal_cost:
        work = tempfile.mkdtemp(prefix="bench_journal_cost_", dir="/tmp")
        log(f"== bench_live_scale --journal-cost {time.strftime('%Y-%m-%d %H:%M')} on {os.path.basename(src)}, "
            f"median of {args.runs}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        try:
            journal_cost(src, work, args.runs, log)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if not args.quick:
            with open(RESULTS, "a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n\n")
        return 0

    from forestry_plugin.core import geopackage
    from forestry_plugin.settings import WorkingCopyKey

    work = tempfile.mkdtemp(prefix="bench_live_scale_", dir="/tmp")
    path = os.path.join(work, os.path.basename(src))
    log(f"== bench_live_scale{' --refresh' if args.refresh else ''} {time.strftime('%Y-%m-%d %H:%M')} on "
        f"{os.path.basename(src)}, {args.patches} patches, {args.saves} saves, median of {args.runs}; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    shutil.copy(src, path)
    geopackage.ensure_change_journal(path)  # what the upgrade path gives a copy made before the journal
    runtime = os.path.join(work, "xdg")
    os.makedirs(runtime, mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=runtime,
               PYTHONPATH=os.pathsep.join([ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    pg = None
    table: Dict[str, Dict[str, Any]] = {}
    try:
        for source in args.sources:
            if source == "postgis":
                pg, raw = start_postgis(path, log)
                if pg is None:
                    continue
                geopackage.set_setting(path, WorkingCopyKey.REFERENCE_SOURCE, raw)
            else:
                geopackage.set_setting(path, WorkingCopyKey.REFERENCE_SOURCE, "")
            if args.profile_only:
                log_profiles(log, source, args.profile_only, args.patches, *child(
                    args.profile_only, path, args.patches, env, profile=True)[::3])
                continue
            runs: Dict[str, List[Any]] = {"live": [], "context": []}
            for r in range(args.runs):
                for kind in ("live",) if args.refresh else ("live", "context"):
                    res, secs, gb, la = child(kind, path, args.patches, env, saves=args.saves)
                    res["_secs"], res["_gb"], res["_load"] = secs, gb, la
                    runs[kind].append(res)
                    if kind == "live":
                        log(f"  {source:7s} run {r + 1}: LiveChecker {res['construct_s']:.2f} s, peak {gb:.2f} GB; "
                            f"check_patch first {res['first_ms']:.1f} ms, warm median "
                            f"{statistics.median(res['check_ms']):.2f} ms, p95 {pct(res['check_ms'], 0.95):.2f} ms; "
                            f"in a new area median {statistics.median(res['cold_ms']):.1f} ms, p95 "
                            f"{pct(res['cold_ms'], 0.95):.1f}, max {max(res['cold_ms']):.1f} (of which cells read and "
                            f"indexed median {statistics.median(res['cold_load_ms']):.1f}, p95 "
                            f"{pct(res['cold_load_ms'], 0.95):.1f}; {res['loaded']} of {args.patches} read cells, "
                            f"{res['read_ms']:.1f} ms a read) ("
                            + (f"windowed: {res['cells']} cells held, {res['held']} features, {res['basemap']} "
                               "parcels indexed at the end" if res["windowed"] else f"whole: {res['basemap']} parcels")
                            + f", {res['patches']} patches; peak {res['hwm_checks_gb']:.2f} GB before the "
                            f"refreshes of (d); load {la:.2f})")
                        log(f"  {source:7s} run {r + 1}: refresh after a save: journal median "
                            f"{statistics.median(res['refresh_journal_ms']):.2f} ms (max "
                            f"{max(res['refresh_journal_ms']):.2f}), every row's revision compared (before the "
                            f"journal; now its fallback) median {statistics.median(res['refresh_stamps_ms']):.1f} ms "
                            f"(max {max(res['refresh_stamps_ms']):.1f}); once after the journal is put back (full "
                            f"re-read) {res['refresh_full_ms']:.0f} ms")
                    else:
                        log(f"  {source:7s} run {r + 1}: context open {res['open_ms']:.1f} ms (from_working_copy "
                            f"{res['from_working_copy_ms']:.1f}, controller {res['controller_ms']:.1f}, startEditing "
                            f"{res['start_editing_ms']:.1f}; warm again {res['open_warm_ms']:.1f}; layer {res['layer_ms']:.1f}), fill first "
                            f"{res['fill_first_ms']:.1f} ms, median {statistics.median(res['fill_ms']):.2f} ms, "
                            f"new_patch median {statistics.median(res['new_patch_ms']):.2f} ms "
                            f"({res['numbers']} numbers), peak {gb:.2f} GB (load {la:.2f})"
                            + (f" WARNING {res['warning']}" if res.get("warning") else ""))
            live, ctx = runs["live"], runs["context"]
            med = statistics.median
            log(f"  {source}: refresh after a save, median of {args.runs} runs' medians: journal "
                f"{med([med(x['refresh_journal_ms']) for x in live]):.2f} ms, revisions compared "
                f"{med([med(x['refresh_stamps_ms']) for x in live]):.1f} ms, full re-read "
                f"{med([x['refresh_full_ms'] for x in live]):.0f} ms ({live[0]['patches']} patches)")
            if args.refresh:
                continue
            row = {
                "construct_s": med([x["construct_s"] for x in live]),
                "live_gb": max(x["_gb"] for x in live),
                "check_first_ms": med([x["first_ms"] for x in live]),
                "check_med_ms": med([med(x["check_ms"]) for x in live]),
                "check_p95_ms": med([pct(x["check_ms"], 0.95) for x in live]),
                "check_max_ms": max(max(x["check_ms"]) for x in live),
                "cold_med_ms": med([med(x["cold_ms"]) for x in live]),
                "cold_p95_ms": med([pct(x["cold_ms"], 0.95) for x in live]),
                "cold_max_ms": max(max(x["cold_ms"]) for x in live),
                "windowed": live[0]["windowed"],
                "open_ms": med([x["open_ms"] for x in ctx]),
                "fwc_ms": med([x["from_working_copy_ms"] for x in ctx]),
                "open_warm_ms": med([x["open_warm_ms"] for x in ctx]),
                "fill_first_ms": med([x["fill_first_ms"] for x in ctx]),
                "fill_med_ms": med([med(x["fill_ms"]) for x in ctx]),
                "fill_p95_ms": med([pct(x["fill_ms"], 0.95) for x in ctx]),
                "new_med_ms": med([med(x["new_patch_ms"]) for x in ctx]),
                "new_p95_ms": med([pct(x["new_patch_ms"], 0.95) for x in ctx]),
                "ctx_gb": max(x["_gb"] for x in ctx),
                "numbers": ctx[0]["numbers"],
                "parcels": live[0]["parcels"], "basemap": live[0]["basemap"], "patches": live[0]["patches"],
                "loads": [x["_load"] for x in live + ctx],
            }
            table[source] = row
            p = sorted(row["parcels"])
            log(f"  {source}: parcels under the sample patches: median {med(p)}, p95 {pct(p, 0.95)}, max {p[-1]}")
            if not args.no_profile:
                for kind, over in (("live", row["check_med_ms"] > TARGET_CHECK_MS),
                                   ("context", row["open_ms"] > TARGET_OPEN_MS
                                    or row["new_med_ms"] > TARGET_CHECK_MS * 10)):
                    if over:
                        log_profiles(log, source, kind, args.patches, *child(
                            kind, path, args.patches, env, profile=True)[::3])
            if pg is not None:
                pg.stop()
                pg = None
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    if not table:
        if not args.quick:
            with open(RESULTS, "a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n\n")
        return 0
    log("")
    log(f"{'source':8s} {'reference':9s} {'LiveChecker s':>13} {'peak GB':>8} {'check first':>11} {'check med':>9} "
        f"{'check p95':>9} {'check max':>9} {'area med':>8} {'area p95':>8} {'area max':>8} {'ctx open':>8} {'warm':>6} {'fill 1st':>8} {'fill med':>8} {'fill p95':>8} {'new med':>8} "
        f"{'new p95':>8} {'ctx GB':>6}  (ms unless said; load)")
    for source, r in table.items():
        log(f"{source:8s} {'windowed' if r['windowed'] else 'whole':9s} {r['construct_s']:>13.2f} {r['live_gb']:>8.2f} "
            f"{r['check_first_ms']:>11.1f} {r['check_med_ms']:>9.2f} {r['check_p95_ms']:>9.2f} {r['check_max_ms']:>9.1f} "
            f"{r['cold_med_ms']:>8.1f} {r['cold_p95_ms']:>8.1f} {r['cold_max_ms']:>8.1f} {r['open_ms']:>8.1f} {r['open_warm_ms']:>6.1f} "
            f"{r['fill_first_ms']:>8.1f} {r['fill_med_ms']:>8.2f} {r['fill_p95_ms']:>8.2f} {r['new_med_ms']:>8.2f} "
            f"{r['new_p95_ms']:>8.2f} {r['ctx_gb']:>6.2f}  ({min(r['loads']):.2f}-{max(r['loads']):.2f})")
    if table:
        r0 = next(iter(table.values()))
        log(f"({r0['basemap']} base-map parcels, {r0['patches']} patches in the checker; numberer with {r0['numbers']} "
            f"numbers; targets: check < {TARGET_CHECK_MS} ms per patch, context open < {TARGET_OPEN_MS} ms)")
    if not args.quick:  # a smoke check's numbers are not results
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
