"""Benchmark: the forestry check engine vs QGIS's native:calculatevectoroverlaps + qgis:checkvalidity.

Generates (once, cached in bench/data/) a working copy with N_BASE Voronoi base-map parcels (jittered grid, 三调
classes), permanent basic farmland (inset cropland parcels), earlier years' patches and N_PATCHES patches of this
year (random rotated rectangles: some overlap each other, farmland, history; ~0.5 % are bow-ties). Then times,
median of --runs runs:

* ours: `check_working_copy(path, write=False)`: reads everything, all 13 rules (incl. the 400k-parcel base map);
* QGIS: `native:calculatevectoroverlaps` (patches vs farmland and history, ellipsoid EPSG:1024) +
  `qgis:checkvalidity` (GEOS) on the same GeoPackage.

and checks agreement: the same patches flagged invalid, the same patches overlapping farmland/history by > 1 m²,
per-patch overlap areas within 0.01 m². Also times LiveChecker.check_patch on this base map.

    python bench/bench_checks.py            # 50k patches vs 400k parcels (default, < 10 min on 2 cores)
    python bench/bench_checks.py --small    # 5k vs 40k, a quick look
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
import uuid

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from forestry_plugin.core.working_copy import create_working_copy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

X0, Y0 = 500000.0, 3330000.0
_PROVIDERS: list = []


def _multi(g):
    return shapely.to_wkb(g if g.geom_type == "MultiPolygon" else MultiPolygon([g]), output_dimension=2)


def generate(path: str, n_patches: int, n_base: int, seed: int = 7) -> dict:
    """Write the benchmark working copy; return a summary."""
    from forestry_plugin import schema
    from forestry_plugin.core import geopackage
    from forestry_plugin.core.checks.projection import AreaModel

    rng = np.random.default_rng(seed)
    cell = 50.0  # ~2500 m2 parcels
    side = int(math.ceil(math.sqrt(n_base)))
    ext = side * cell
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    pts = np.column_stack([(gx.ravel() + rng.uniform(0.1, 0.9, gx.size)) * cell + X0,
                           (gy.ravel() + rng.uniform(0.1, 0.9, gy.size)) * cell + Y0])[:n_base]
    frame = shapely.box(X0, Y0, X0 + ext, Y0 + ext)
    t = time.perf_counter()
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame)))
    cells = shapely.intersection(cells, frame)
    cells = cells[shapely.area(cells) > 0]
    print(f"  voronoi: {len(cells)} parcels in {time.perf_counter() - t:.1f} s", flush=True)
    classes = np.array(["0404", "0307", "0305", "1206", "0204", "0103", "0101", "0301", "0302", "0702", "1104", "1006"])
    weights = np.array([14, 12, 8, 5, 5, 12, 10, 12, 6, 6, 5, 5], dtype=float)
    dlbm = rng.choice(classes, size=len(cells), p=weights / weights.sum())
    crop = np.flatnonzero(np.isin(dlbm, ["0101", "0103"]))
    farm_idx = crop[rng.uniform(0, 1, len(crop)) < 0.6]
    farmland = shapely.buffer(cells[farm_idx], -0.5)

    def rects(n, smin, smax):
        c = np.column_stack([rng.uniform(X0 + 100, X0 + ext - 100, n), rng.uniform(Y0 + 100, Y0 + ext - 100, n)])
        w, h = rng.uniform(smin, smax, n), rng.uniform(smin, smax, n)
        boxes = shapely.box(c[:, 0] - w / 2, c[:, 1] - h / 2, c[:, 0] + w / 2, c[:, 1] + h / 2)
        ang = rng.uniform(0, math.pi / 2, n)
        out = np.empty(n, dtype=object)
        for k in range(n):  # rotate about the centre
            ca, sa = math.cos(ang[k]), math.sin(ang[k])
            xy = shapely.get_coordinates(boxes[k]) - c[k]
            out[k] = Polygon(np.column_stack([xy[:, 0] * ca - xy[:, 1] * sa, xy[:, 0] * sa + xy[:, 1] * ca]) + c[k])
        return out

    history = rects(max(n_patches // 5, 10), 30, 90)
    patches = rects(n_patches, 25, 80)
    bad = rng.choice(n_patches, size=max(n_patches // 200, 3), replace=False)
    for k in bad:  # bow-ties: swap two vertices
        xy = shapely.get_coordinates(patches[k])
        patches[k] = Polygon([xy[0], xy[2], xy[1], xy[3], xy[0]])
    am = AreaModel(4549)
    areas = am.areas(shapely.make_valid(patches))
    create_working_copy(path, "EPSG:4549", overwrite=True, county_code="339901", county_name="bench",
                                   store_styles=False)
    # Admin: county, 4 townships (quadrants), 16 villages (4x4 grid).
    admin = [({"code": "339901", "name": "county", "level": "county"}, frame)]
    for i in range(4):
        for j in range(4):
            t_code = f"339901{101 + (i // 2) * 2 + j // 2:03d}"
            v = shapely.box(X0 + i * ext / 4, Y0 + j * ext / 4, X0 + (i + 1) * ext / 4, Y0 + (j + 1) * ext / 4)
            admin.append(({"code": f"{t_code}{200 + i * 4 + j:03d}", "name": "v", "level": "village"}, v))
    for q in range(4):
        t_code = f"339901{101 + q:03d}"
        tb = shapely.box(X0 + (q // 2) * ext / 2, Y0 + (q % 2) * ext / 2, X0 + (q // 2 + 1) * ext / 2,
                         Y0 + (q % 2 + 1) * ext / 2)
        admin.append(({"code": t_code, "name": "t", "level": "township"}, tb))
    geopackage.write_features(path, schema.ADMIN, ((a, _multi(g)) for a, g in admin))
    villages = [(a["code"], g) for a, g in admin if a["level"] == "village"]
    vtree = shapely.STRtree([g for _c, g in villages])

    def village_of(g):
        hits = vtree.query(shapely.point_on_surface(g), predicate="intersects")
        return villages[int(hits[0])][0] if len(hits) else "339901101200"

    t = time.perf_counter()
    geopackage.write_features(path, schema.BASEMAP, (
        ({"BSM": f"339901{k + 1:012d}", "DLBM": d}, _multi(g)) for k, (g, d) in enumerate(zip(cells, dlbm))))
    geopackage.write_features(path, schema.FARMLAND, (
        ({"jbnt_id": f"JBNT{k + 1:07d}", "county_code": "339901"}, _multi(g)) for k, g in enumerate(farmland)))
    geopackage.write_features(path, schema.HISTORY, (
        ({"patch_id": str(uuid.UUID(bytes=rng.bytes(16), version=4)), "year": 2020 + k % 5, "stage": "province_verified"},
         _multi(g)) for k, g in enumerate(history)))

    def patch_attrs(k, g):
        v = village_of(shapely.make_valid(g))
        m2 = float(areas[k])
        return {"patch_id": str(uuid.UUID(bytes=rng.bytes(16), version=4)), "county_code": "339901",
                "township_code": v[:9], "village_code": v, "year": 2025, "method": "planting",
                "forest_type": "protection", "species": "camphor", "area_mu": round(schema.m2_to_mu(m2), 2),
                "area_ha": round(schema.m2_to_ha(m2), 4), "stage": "design", "revision": 1}

    geopackage.write_features(path, schema.PATCHES, ((patch_attrs(k, g), _multi(g)) for k, g in enumerate(patches)))
    print(f"  written in {time.perf_counter() - t:.1f} s", flush=True)
    return {"patches": int(n_patches), "basemap": int(len(cells)), "farmland": int(len(farmland)),
            "history": int(len(history)), "invalid": int(len(bad))}


def run_ours(path: str, profile=None):
    from forestry_plugin.core.checks.engine import check_working_copy

    t = time.perf_counter()
    res = check_working_copy(path, write=False, profile=profile)
    return time.perf_counter() - t, res


def run_qgis(path: str):
    """native:calculatevectoroverlaps (base map, farmland, history; ellipsoidal) + qgis:checkvalidity (GEOS)."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsVectorLayer

    patches = QgsVectorLayer(f"{path}|layername=patches", "patches", "ogr")
    farmland = QgsVectorLayer(f"{path}|layername=basic_farmland", "farmland", "ogr")
    basemap = QgsVectorLayer(f"{path}|layername=basemap", "basemap", "ogr")
    history = QgsVectorLayer(f"{path}|layername=history_patches", "history", "ogr")
    ctx = QgsProcessingContext()
    ctx.setEllipsoid("EPSG:1024")
    ctx.setInvalidGeometryCheck(0)  # QgsFeatureRequest.GeometryNoCheck: QGIS would otherwise refuse the bow-ties
    fb = QgsProcessingFeedback()
    t = time.perf_counter()
    ov = processing.run("native:calculatevectoroverlaps", {"INPUT": patches, "LAYERS": [basemap, farmland, history],
                                                          "OUTPUT": "memory:"}, context=ctx, feedback=fb)["OUTPUT"]
    cv = processing.run("qgis:checkvalidity", {"INPUT_LAYER": patches, "METHOD": 2, "IGNORE_RING_SELF_INTERSECTION": False,
                                               "VALID_OUTPUT": "memory:", "INVALID_OUTPUT": "memory:",
                                               "ERROR_OUTPUT": "memory:"}, context=ctx, feedback=fb)
    secs = time.perf_counter() - t
    farm = {f["patch_id"]: f["farmland_area"] or 0.0 for f in ov.getFeatures()}
    hist = {f["patch_id"]: f["history_area"] or 0.0 for f in ov.getFeatures()}
    invalid = {f["patch_id"] for f in cv["INVALID_OUTPUT"].getFeatures()}
    return secs, farm, hist, invalid


def run_processing(path: str) -> float:
    """forestry:checkpatches through Processing on the same file (reads via QGIS features, all rules)."""
    import processing
    from qgis.core import QgsApplication

    from forestry_plugin.processing.provider import ForestryProvider

    if QgsApplication.processingRegistry().providerById("forestry") is None:
        _PROVIDERS.append(ForestryProvider())  # keep a reference: the registry does not own Python providers
        QgsApplication.processingRegistry().addProvider(_PROVIDERS[-1])
    t = time.perf_counter()
    processing.run("forestry:checkpatches", {
        "PATCHES": f"{path}|layername=patches", "BASEMAP": f"{path}|layername=basemap",
        "ADMIN": f"{path}|layername=admin_units", "FARMLAND": f"{path}|layername=basic_farmland",
        "HISTORY": f"{path}|layername=history_patches", "OUTPUT": "memory:"})
    return time.perf_counter() - t


def agreement(path, farm, hist, invalid) -> dict:
    """Compare with QGIS: a run with overlap tolerances 0 so every overlapping piece is summed like QGIS does."""
    from forestry_plugin.core.checks import rules as R
    from forestry_plugin.core.checks.profile import RuleProfile

    prof = RuleProfile.default()
    prof.set(R.BASIC_FARMLAND, tolerance_m2=0.0)
    prof.set(R.HISTORY_OVERLAP, tolerance_m2=0.0)
    _secs, res = run_ours(path, prof)
    ours_farm, ours_hist, ours_invalid, n_hist = {}, {}, set(), {}
    for f in res.findings:
        if f.rule == R.BASIC_FARMLAND:
            ours_farm[f.patch_id] = ours_farm.get(f.patch_id, 0.0) + f.value
        elif f.rule == R.HISTORY_OVERLAP:
            ours_hist[f.patch_id] = ours_hist.get(f.patch_id, 0.0) + f.value
            n_hist[f.patch_id] = n_hist.get(f.patch_id, 0) + 1
        elif f.rule == R.INVALID_GEOMETRY:
            ours_invalid.add(f.patch_id)
    out = {"invalid_same": ours_invalid == invalid, "invalid_ours": len(ours_invalid), "invalid_qgis": len(invalid)}
    for name, ours, theirs in (("farmland", ours_farm, farm), ("history", ours_hist, hist)):
        # QGIS dissolves the overlay layer per patch; farmland parcels are disjoint, history patches may overlap
        # each other, so only patches overlapping one polygon of the layer compare 1:1 on area.
        # Flagged = more than the default 1 m2 tolerance in total. Invalid patches are compared apart: QGIS's
        # overlay fails on them (GEOS TopologyException) and reports 0 m2; we measure the repaired geometry.
        flagged_q = {p for p, a in theirs.items() if a > 1.0 and p not in invalid}
        flagged_o = {p for p, a in ours.items() if a > 1.0 and p not in invalid}
        out[name + "_invalid_patches"] = {"ours_flagged": sum(1 for p in invalid if ours.get(p, 0) > 1.0),
                                          "qgis_flagged": sum(1 for p in invalid if theirs.get(p, 0) > 1.0)}
        common = flagged_q & flagged_o
        if name == "history":  # QGIS dissolves overlapping history patches: compare single-partner patches
            common = {p for p in common if n_hist.get(p) == 1}
        diffs = [abs(ours[p] - theirs[p]) for p in common]
        out[name] = {"ours": len(flagged_o), "qgis": len(flagged_q), "same_patches": flagged_o == flagged_q,
                     "areas_compared": len(diffs), "max_area_diff_m2": max(diffs) if diffs else 0.0,
                     "over_0.01_m2": int(sum(d > 0.01 for d in diffs))}
    return out


def run_live(path: str, n: int = 200) -> dict:
    from qgis.core import QgsGeometry

    from forestry_plugin.core.checks.gpkg_io import read_table
    from forestry_plugin.core.checks.live import LiveChecker

    t = time.perf_counter()
    live = LiveChecker(path)
    init = time.perf_counter() - t
    attrs, geoms, _ = read_table(path, "patches")
    times = []
    for a, g in list(zip(attrs, geoms))[:n]:
        q = QgsGeometry()
        q.fromWkb(shapely.to_wkb(g, output_dimension=2))
        live.check_patch(q, a, a["patch_id"])
        times.append(live.last_ms)
    return {"init_s": init, "median_ms": statistics.median(times), "p95_ms": float(np.percentile(times, 95)),
            "max_ms": max(times)}


def main(argv=None) -> int:
    """Generate (cached), time ours vs QGIS, print both, the ratio and the agreement."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="5k patches vs 40k parcels")
    ap.add_argument("--patches", type=int)
    ap.add_argument("--basemap", type=int)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--no-qgis", action="store_true", help="time only the engine")
    args = ap.parse_args(argv)
    n_p = args.patches or (5000 if args.small else 50000)
    n_b = args.basemap or (40000 if args.small else 400000)

    from qgis.core import QgsApplication

    app = QgsApplication.instance()
    own_app = app is None
    if own_app:
        app = QgsApplication([], False)
        app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")  # the Processing plugin (Debian path; QGIS adds it itself)
    from processing.core.Processing import Processing

    Processing.initialize()

    data = os.path.join(HERE, "data")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, f"checks_{n_p}_{n_b}.gpkg")
    if args.regenerate or not os.path.exists(path):
        print(f"generating {path} ...", flush=True)
        print("  ", generate(path, n_p, n_b), flush=True)
    ours_t, qgis_t = [], []
    res = farm = hist = invalid = None
    for r in range(args.runs):
        secs, res = run_ours(path)
        ours_t.append(secs)
        print(f"run {r + 1}: ours {secs:.2f} s ({len(res.findings)} findings; {json.dumps({k: round(v, 2) for k, v in res.timings.items()})})",
              flush=True)
        if not args.no_qgis:
            secs, farm, hist, invalid = run_qgis(path)
            qgis_t.append(secs)
            print(f"run {r + 1}: QGIS calculatevectoroverlaps + checkvalidity {secs:.2f} s", flush=True)
    summary = {"patches": n_p, "basemap": n_b, "ours_median_s": statistics.median(ours_t)}
    if qgis_t:
        summary["qgis_median_s"] = statistics.median(qgis_t)
        summary["ratio_qgis_over_ours"] = summary["qgis_median_s"] / summary["ours_median_s"]
        summary["agreement"] = agreement(path, farm, hist, invalid)
        summary["forestry_checkpatches_processing_s"] = run_processing(path)
    summary["live"] = run_live(path)
    from collections import Counter

    summary["findings_by_rule"] = dict(Counter(f.rule for f in res.findings))
    print(json.dumps(summary, indent=1))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"checks_{n_p}_{n_b}.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1)
    ag = summary.get("agreement")
    ok = ag is None or (ag["invalid_same"] and all(ag[k]["same_patches"] and not ag[k]["over_0.01_m2"]
                                                  for k in ("farmland", "history")))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
