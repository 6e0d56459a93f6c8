"""Deterministic sample county: a realistic working copy with labelled faults.

`generate_sample_county(path, seed)` builds a fictional county (示例县, code 339901) in CGCS2000 /
3-degree GK zone 40 (EPSG:4549): a gap-free base map of 三调 land-class polygons (Voronoi cells clipped
to villages, a few thousand to a few hundred thousand m2), townships and villages with GB/T 2260-style
codes, permanent basic farmland, annual quotas, earlier years' patches and this year's patches at every
stage. Some patches carry known faults, one or more per check rule; the fault manifest
{patch_id: [rule codes]} is returned and saved beside the GeoPackage as `<name>.faults.json`.
Everything is generated from the seed: same seed, same county. Nothing is downloaded.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from .. import schema
from . import geopackage
from .checks.geometry import as_multipolygon, polygon_parts
from .output_file import OutputFileError, reason
from .working_copy import create_working_copy

COUNTY_CODE = "339901"
COUNTY_NAME = "示例县"
CENTER = (500000.0, 3330000.0)  # GK zone 40 (CM 120E) at about 30.1N
TOWNSHIPS = [  # GB/T 2260 style: 001-099 street offices, 100-199 towns, 200-399 townships
    ("001", "城关街道"), ("101", "青山镇"), ("102", "白云镇"), ("103", "溪口镇"),
    ("201", "石门乡"), ("202", "松溪乡"), ("203", "竹林乡"),
]
VILLAGE_NAMES = ["东岙", "西坑", "南山", "北岭", "上塘", "下洋", "中村", "枫树湾", "桃源", "梅岭", "石桥", "龙潭",
                 "马家坞", "杨柳岸", "大坪", "小溪", "后山", "前畈", "高坞", "新屋"]
CONTRACTORS = ["示例县林业发展有限公司", "青山绿化工程有限公司", "白云生态建设有限公司", "松溪苗木专业合作社"]
PLANTABLE = ("0404", "0307", "1206", "0305", "0204")  # where new afforestation normally goes
FOREST_SPECIES = {
    "timber": ["cunninghamia", "masson_pine", "slash_pine", "metasequoia", "poplar"],
    "economic": ["bayberry", "tea_oil", "hickory", "torreya"],
    "protection": ["camphor", "schima", "liquidambar", "mixed_broadleaf", "mixed_conifer_broadleaf"],
    "special": ["phoebe", "ginkgo"],
    "energy": ["shrub"],
}
# Every rule whose fault sits on a patch; `crs` is a layer-level fault (a separate file).
PATCH_RULES = ("invalid_geometry", "min_area", "sliver", "patch_overlap", "basic_farmland", "cropland",
               "builtup_water", "existing_forest", "outside_admin", "history_overlap", "area_mismatch", "attribute")


@dataclass
class SampleCounty:
    """What the generator made: paths, the fault manifest and handy id lists."""

    path: str
    faults: Dict[str, List[str]]  # patch_id -> expected rule codes (this year's patches)
    layer_faults: Dict[str, List[str]]  # file path -> expected layer-level rules (crs)
    clean_ids: List[str]
    patch_count: int
    basemap_count: int
    year: int
    crs: str = schema.DEFAULT_PROJECT_CRS
    manifest_path: str = ""
    stats: Dict[str, float] = field(default_factory=dict)


class SampleCountyCanceled(Exception):
    """generate_sample_county was canceled (its is_canceled callback said so); the file may be half written."""


def _stepper(progress: Optional[Callable[[float], None]], is_canceled: Optional[Callable[[], bool]]):
    """step(fraction): report progress (0..1) and raise SampleCountyCanceled when canceled."""

    def step(fraction: float) -> None:
        if is_canceled is not None and is_canceled():
            raise SampleCountyCanceled()
        if progress is not None:
            progress(min(max(float(fraction), 0.0), 1.0))

    return step


def _uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _county_outline(rng: np.random.Generator, radius: float) -> Polygon:
    """A star-shaped, irregular county boundary around CENTER."""
    angles = np.linspace(0, 2 * math.pi, 72, endpoint=False)
    r = np.full_like(angles, radius)
    for k, amp in ((2, 0.12), (3, 0.08), (5, 0.05), (9, 0.025)):
        r *= 1 + amp * np.sin(k * angles + rng.uniform(0, 2 * math.pi))
    xs = CENTER[0] + r * np.cos(angles) * 1.15
    ys = CENTER[1] + r * np.sin(angles) * 0.9
    return Polygon(np.column_stack([xs, ys])).buffer(0)


def _voronoi_cells(points: np.ndarray, clip: Polygon) -> np.ndarray:
    """Voronoi cells of `points` clipped to `clip` (array of polygons, gap-free within clip)."""
    mp = shapely.multipoints(points)
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=clip.envelope.buffer(1000))))
    cells = shapely.intersection(cells, clip)
    return cells[~shapely.is_empty(cells)]


def _random_points_in(poly: Polygon, n: int, rng: np.random.Generator, weight=None) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    out = []
    while sum(len(o) for o in out) < n:
        m = max(n * 2, 64)
        pts = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        inside = shapely.contains_xy(poly, pts[:, 0], pts[:, 1])
        pts = pts[inside]
        if weight is not None and len(pts):
            keep = rng.uniform(0, 1, len(pts)) < weight(pts)
            pts = pts[keep]
        out.append(pts)
    return np.concatenate(out)[:n]


def _terrain(rng: np.random.Generator):
    """A smooth 'elevation' field in [0, 1] driving land classes and cell density."""
    waves = [(rng.uniform(2e-4, 6e-4), rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi), rng.uniform(0.5, 1))
             for _ in range(5)]

    def f(pts: np.ndarray) -> np.ndarray:
        x = pts[:, 0] - CENTER[0]
        y = pts[:, 1] - CENTER[1]
        v = np.zeros(len(pts))
        for k, a, b, w in waves:
            v += w * np.sin(k * (x * math.cos(a) + y * math.sin(a)) + b)
        total = sum(w for *_, w in waves)
        return (v / total + 1) / 2

    return f


def _land_class(elev: float, near_town: bool, u: float) -> str:
    if near_town and u < 0.55:
        return ["0702", "0701", "1006", "0601", "08H2", "1104"][int(u / 0.55 * 6)]
    if elev < 0.33:
        return ["0101", "0101", "0103", "0102", "1104", "0702", "1006", "1107", "0404", "1206"][int(u * 10)]
    if elev < 0.5:
        return ["0103", "0201", "0202", "0404", "0307", "1206", "0702", "0101", "0305", "0204"][int(u * 10)]
    if elev < 0.68:
        return ["0301", "0302", "0307", "0404", "0305", "0202", "1206", "0301", "0204", "0404"][int(u * 10)]
    return ["0301", "0301", "0301", "0302", "0305", "0307", "0404", "1207", "0301", "0302"][int(u * 10)]


def generate_sample_county(path: str, seed: int = 2025, n_cells: int = 3000, n_patches: int = 200,
                           n_history: int = 120, year: int = 2025, radius_m: float = 9000.0,
                           overwrite: bool = True, with_faults: bool = True,
                           progress: Optional[Callable[[float], None]] = None,
                           is_canceled: Optional[Callable[[], bool]] = None) -> SampleCounty:
    """Generate the sample county working copy at `path`; see the module docstring.

    progress(fraction 0..1) is called between the steps; when is_canceled() says so, SampleCountyCanceled is raised
    at the next step (the file may then be half written: a caller generates into a scratch path, as the project
    dock does)."""
    step = _stepper(progress, is_canceled)
    step(0.0)
    rng = np.random.default_rng(seed)
    terrain = _terrain(rng)
    county = _county_outline(rng, radius_m)

    # Administrative units: townships = Voronoi of seeds, villages = Voronoi inside each township.
    t_seeds = _random_points_in(county.buffer(-radius_m * 0.25), len(TOWNSHIPS), rng)
    township_geoms = _voronoi_cells(t_seeds, county)
    # Voronoi output order is not the seed order: pair each cell with the seed it contains.
    township_geoms = [township_geoms[np.argmax(shapely.contains_xy(township_geoms, *s))] for s in t_seeds]
    admin_records = [({"code": COUNTY_CODE, "name": COUNTY_NAME, "level": "county", "parent_code": None}, county)]
    villages: List[Tuple[str, str, Polygon]] = []
    for (tcode, tname), tgeom in zip(TOWNSHIPS, township_geoms):
        tcode = COUNTY_CODE + tcode
        admin_records.append(({"code": tcode, "name": tname, "level": "township", "parent_code": COUNTY_CODE}, tgeom))
        nv = int(rng.integers(4, 7))
        v_seeds = _random_points_in(tgeom, nv, rng)
        vgeoms = _voronoi_cells(v_seeds, tgeom)
        for i, vg in enumerate(vgeoms):
            vcode = f"{tcode}{200 + i:03d}"
            vname = VILLAGE_NAMES[int(rng.integers(0, len(VILLAGE_NAMES)))] + "村"
            villages.append((vcode, vname, vg))
            admin_records.append(({"code": vcode, "name": vname, "level": "village", "parent_code": tcode}, vg))

    step(0.05)
    # Base map: Voronoi cells, denser in the valleys (smaller parcels there), clipped to villages.
    pts = _random_points_in(county, n_cells, rng, weight=lambda p: 0.25 + 0.75 * (1 - terrain(p)))
    cells = _voronoi_cells(pts, county)
    village_geoms = np.array([v[2] for v in villages], dtype=object)
    tree = shapely.STRtree(cells)
    vi, ci = tree.query(village_geoms, predicate="intersects")
    pieces = shapely.intersection(cells[ci], village_geoms[vi])
    base_geoms, base_village = [], []
    for g, v in zip(pieces, vi):
        for p in polygon_parts(g):
            if p.area > 0:
                base_geoms.append(p)
                base_village.append(v)
    base_geoms, base_village = _merge_crumbs(np.array(base_geoms, dtype=object), np.array(base_village), 2000.0)
    centroids = shapely.get_coordinates(shapely.point_on_surface(base_geoms))
    elev = terrain(centroids)
    town_pts = np.array([[g.centroid.x, g.centroid.y] for g in township_geoms[:4]])
    d_town = np.min(np.hypot(centroids[:, None, 0] - town_pts[None, :, 0], centroids[:, None, 1] - town_pts[None, :, 1]), axis=1)
    u = rng.uniform(0, 0.9999, len(base_geoms))
    dlbm = np.array([_land_class(e, d < 900, uu) for e, d, uu in zip(elev, d_town, u)], dtype=object)
    # A river: cells crossed by a meandering line become river surface.
    river = shapely.LineString([(CENTER[0] + x, CENTER[1] + 1500 * math.sin(x / 2500.0))
                                for x in np.linspace(-radius_m * 1.2, radius_m * 1.2, 40)])
    dlbm[shapely.intersects(base_geoms, river) & (shapely.area(base_geoms) < 60000)] = "1101"
    areas = shapely.area(base_geoms)
    step(0.3)
    compact = 4 * math.pi * areas / np.maximum(shapely.length(base_geoms), 1e-9) ** 2

    # Permanent basic farmland: most cropland parcels, slightly inset (separate layer, as in reality).
    is_crop = np.isin(dlbm, list(schema.CROPLAND_CLASSES))
    crop_idx = np.flatnonzero(is_crop)
    farmland_idx = crop_idx[rng.uniform(0, 1, len(crop_idx)) < 0.7]
    farmland_geoms = list(shapely.buffer(base_geoms[farmland_idx], -0.5))

    used = np.zeros(len(base_geoms), dtype=bool)
    used[farmland_idx] = True

    def pick(classes: Sequence[str], min_area=6000.0, max_area=400000.0) -> int:
        cand = np.flatnonzero(np.isin(dlbm, list(classes)) & ~used & (areas > min_area) & (areas < max_area) & (compact > 0.45))
        if not len(cand):
            raise RuntimeError(f"sample county too small: no free parcel of class {classes}")
        i = int(cand[rng.integers(0, len(cand))])
        used[i] = True
        return i

    def patch_in(i: int, frac: float = 0.5, margin: float = 3.0) -> Polygon:
        """A compact patch well inside base parcel i (no contact with neighbours)."""
        cell = base_geoms[i].buffer(-margin)
        c = shapely.point_on_surface(cell)
        side = math.sqrt(cell.area * frac)
        sq = affinity.rotate(box(c.x - side / 2, c.y - side / 2, c.x + side / 2, c.y + side / 2),
                                     float(rng.uniform(0, 90)))
        g = max(polygon_parts(cell.intersection(sq)), key=lambda p: p.area)
        return shapely.set_precision(g, 0.001)

    calc = _area_calculator(schema.DEFAULT_PROJECT_CRS)

    def attrs_for(i: int, geom: BaseGeometry, stage: str, yr: int) -> Dict:
        vcode = villages[base_village[i]][0]
        method = "planting" if rng.uniform() < 0.75 else str(rng.choice(["closure", "aerial_seeding"]))
        ftype = str(rng.choice(list(FOREST_SPECIES), p=[0.3, 0.25, 0.35, 0.05, 0.05]))
        m2 = calc(geom)
        a = {
            "patch_id": _uuid(rng), "county_code": COUNTY_CODE, "township_code": vcode[:9], "village_code": vcode,
            "lin_ban": f"{int(rng.integers(1, 60)):03d}", "xiao_ban": f"{int(rng.integers(1, 99)):03d}",
            "tuban_no": "", "year": yr, "plan_year": yr, "method": method, "restore_method": None,
            "forest_type": ftype, "species": str(rng.choice(FOREST_SPECIES[ftype])), "prev_dlbm": str(dlbm[i]),
            "area_mu": round(schema.m2_to_mu(m2), 2), "area_ha": round(schema.m2_to_ha(m2), 4),
            "density": int(rng.integers(60, 170)), "survival_rate": None, "stage": stage,
            "contractor": str(rng.choice(CONTRACTORS)), "design_date": _dt.date(yr, int(rng.integers(1, 4)), int(rng.integers(1, 28))),
            "accept_date": None, "approval_no": None, "parent_ids": None, "remark": None,
            "created_at": _dt.datetime(yr, 1, 5, 9, 0, 0), "updated_at": _dt.datetime(yr, 1, 5, 9, 0, 0),
            "revision": 1, "server_version": None,
        }
        if schema.STAGE_ORDER[stage] >= schema.STAGE_ORDER["accepted"]:
            a["survival_rate"] = round(float(rng.uniform(86, 98)), 1)
            a["accept_date"] = _dt.date(yr, int(rng.integers(9, 12)), int(rng.integers(1, 28)))
        return a

    # Earlier years' counted patches (重复上报 baseline).
    history = []
    step(0.35)
    for k in range(n_history):
        i = pick(PLANTABLE)
        g = patch_in(i, frac=float(rng.uniform(0.4, 0.8)))
        a = attrs_for(i, g, "province_verified", year - 1 - k % 4)
        a["tuban_no"] = f"{a['year']}-{k + 1:04d}"  # earlier years' patches were numbered when they were counted
        history.append((a, g, i))

    # This year's clean patches at every stage.
    stage_mix = ["design"] * 8 + ["accepted"] * 4 + ["included"] * 2 + ["confirmed"] * 2 + \
                ["county_checked", "city_verified", "province_verified"]
    patches: List[Tuple[Dict, BaseGeometry]] = []
    faults: Dict[str, List[str]] = {}
    n_clean = max(n_patches - (40 if with_faults else 0), 1)
    step(0.4)
    for k in range(n_clean):
        if k % 50 == 49:
            step(0.4 + 0.1 * k / n_clean)
        i = pick(PLANTABLE)
        g = patch_in(i, frac=float(rng.uniform(0.3, 0.7)))
        patches.append((attrs_for(i, g, stage_mix[k % len(stage_mix)], year), g))
        patches[-1][0]["tuban_no"] = f"{year}-{k + 1:04d}"
    # Clean look-alikes of faults: rules must not flag these.
    i = pick(["0103"])
    g = patch_in(i)
    a = attrs_for(i, g, "design", year)
    a["approval_no"] = "示县农转林〔2025〕12号"  # cropland with approval: allowed
    patches.append((a, g))
    i = pick(["0301"])
    g = patch_in(i)
    a = attrs_for(i, g, "design", year)
    a["method"], a["restore_method"] = "restoration", "replanting"  # restoration on existing forest: allowed
    patches.append((a, g))

    step(0.5)
    if with_faults:
        _inject_faults(rng, patches, faults, history, pick, patch_in, attrs_for, calc, base_geoms, dlbm, villages,
                       base_village, farmland_geoms, year, used, areas, compact)

    # Tasks: county and township quotas, so completion lands between ~40 % and ~110 %.
    by_town: Dict[str, float] = {}
    for a, _g in patches:
        by_town[a["township_code"]] = by_town.get(a["township_code"], 0.0) + (a["area_mu"] or 0)
    tasks = []
    for (tcode, _name) in TOWNSHIPS:
        code = COUNTY_CODE + tcode
        planned = by_town.get(code, 0.0)
        tasks.append({"year": year, "unit_code": code, "unit_level": "township",
                      "quota_mu": round(max(planned, 50.0) * float(rng.uniform(0.5, 1.2)) / 10) * 10})
    tasks.append({"year": year, "unit_code": COUNTY_CODE, "unit_level": "county",
                  "quota_mu": float(sum(t["quota_mu"] for t in tasks))})

    # Write everything.
    step(0.55)
    create_working_copy(path, schema.DEFAULT_PROJECT_CRS, overwrite=overwrite,
                                   county_code=COUNTY_CODE, county_name=COUNTY_NAME)
    step(0.7)
    def wkb(g):  # 2D WKB: also right when QGIS's older GEOS is the one loaded (qgis_process)
        return shapely.to_wkb(g, output_dimension=2)

    geopackage.write_features(path, schema.ADMIN, ((a, wkb(as_multipolygon(g))) for a, g in admin_records))
    step(0.72)
    zldw = [villages[v][0] + "0000000" for v in base_village]
    geopackage.write_features(path, schema.BASEMAP, (
        ({"BSM": f"{COUNTY_CODE}{k + 1:012d}", "TBBH": f"{k + 1:05d}", "DLBM": d,
          "DLMC": schema.LAND_CLASSES.label(d, "zh"), "ZLDWDM": z}, wkb(as_multipolygon(g)))
        for k, (g, d, z) in enumerate(zip(base_geoms, dlbm, zldw))))
    step(0.85)
    geopackage.write_features(path, schema.FARMLAND, (
        ({"jbnt_id": f"JBNT{k + 1:06d}", "county_code": COUNTY_CODE}, wkb(as_multipolygon(g)))
        for k, g in enumerate(farmland_geoms)))
    step(0.88)
    geopackage.write_features(path, schema.HISTORY, ((a, wkb(as_multipolygon(g))) for a, g, _i in history))
    step(0.9)
    geopackage.write_features(path, schema.PATCHES, ((a, wkb(as_multipolygon(g)) if g is not None else None)
                                                     for a, g in patches))
    geopackage.write_features(path, schema.TASKS, ((t, None) for t in tasks))
    step(0.95)

    # A layer-level `crs` fault: some patches exported in WGS 84 (not CGCS2000) to a separate file.
    layer_faults: Dict[str, List[str]] = {}
    if with_faults:
        wrong = os.path.splitext(path)[0] + "_wgs84.gpkg"
        _write_wgs84_copy(wrong, [(a, g) for a, g in patches[:20]])
        layer_faults[os.path.basename(wrong)] = ["crs"]

    clean = [a["patch_id"] for a, _g in patches if a["patch_id"] not in faults]
    manifest_path = os.path.splitext(path)[0] + ".faults.json"
    with open(manifest_path, "w", encoding="utf-8") as fh:
        json.dump({"seed": seed, "year": year, "county_code": COUNTY_CODE, "patch_faults": faults,
                   "layer_faults": layer_faults, "clean": clean}, fh, ensure_ascii=False, indent=1)
    if progress is not None:
        progress(1.0)
    return SampleCounty(path=path, faults=faults, layer_faults=layer_faults, clean_ids=clean,
                        patch_count=len(patches), basemap_count=len(base_geoms), year=year,
                        manifest_path=manifest_path,
                        stats={"basemap_min_m2": float(areas.min()), "basemap_max_m2": float(areas.max()),
                               "basemap_median_m2": float(np.median(areas)), "farmland": len(farmland_geoms),
                               "history": len(history), "villages": len(villages)})


def _merge_crumbs(geoms: np.ndarray, village: np.ndarray, min_m2: float) -> Tuple[np.ndarray, np.ndarray]:
    """Merge parcels smaller than `min_m2` (clipping crumbs) into the neighbour of the same village
    sharing the longest boundary, so the coverage stays gap-free."""
    geoms = geoms.copy()
    alive = np.ones(len(geoms), dtype=bool)
    tree = shapely.STRtree(geoms)
    for i in np.argsort(shapely.area(geoms)):
        if geoms[i].area >= min_m2:
            break
        cand = [j for j in tree.query(geoms[i], predicate="intersects") if j != i and alive[j] and village[j] == village[i]]
        if not cand:
            continue
        shared = [shapely.length(shapely.intersection(geoms[i].boundary, geoms[j].boundary)) for j in cand]
        j = cand[int(np.argmax(shared))]
        merged = polygon_parts(shapely.union(geoms[j], geoms[i]))
        if len(merged) != 1:
            continue
        geoms[j] = merged[0]
        alive[i] = False
    return geoms[alive], village[alive]


def _area_calculator(crs: str):
    from qgis.core import QgsGeometry

    from .area import AreaCalculator  # QGIS import only when generating

    calc = AreaCalculator(crs)

    def m2(g: BaseGeometry) -> float:
        qg = QgsGeometry()
        qg.fromWkb(shapely.to_wkb(shapely.make_valid(g), output_dimension=2))
        return calc.area(qg).m2

    return m2


def _areas(calc, g: BaseGeometry) -> Tuple[float, float]:
    m2 = calc(g)
    return round(schema.m2_to_mu(m2), 2), round(schema.m2_to_ha(m2), 4)


def _inject_faults(rng, patches, faults, history, pick, patch_in, attrs_for, calc, base_geoms, dlbm, villages,
                   base_village, farmland_geoms, year, used, areas, compact) -> None:
    """Append patches with known faults; record the rules each must trigger in `faults`."""

    def add(a: Dict, g: Optional[BaseGeometry], rules: List[str], fix_area: bool = True) -> None:
        if fix_area and g is not None:
            a["area_mu"], a["area_ha"] = _areas(calc, g)
        a["tuban_no"] = f"{year}-F{len(faults) + 1:03d}"
        a["remark"] = "sample fault: " + ",".join(rules)
        patches.append((a, g))
        faults[a["patch_id"]] = sorted(set(rules))

    def place(classes: Sequence[str], build, min_area: float = 6000.0):
        """Pick free parcels of `classes` until build(i, centre) gives geometries well inside the parcel."""
        for _ in range(80):
            i = pick(classes, min_area=min_area)
            inner = base_geoms[i].buffer(-2.0)
            geoms = build(i, shapely.point_on_surface(base_geoms[i].buffer(-3.0)))
            if all(inner.contains(shapely.make_valid(g)) for g in geoms):
                return i, geoms
        raise RuntimeError(f"sample county: could not place a fault patch on {classes}")

    def square(c, side: float, dx: float = 0.0, dy: float = 0.0) -> Polygon:
        return box(c.x - side / 2 + dx, c.y - side / 2 + dy, c.x + side / 2 + dx, c.y + side / 2 + dy)

    for _ in range(3):  # invalid geometry: bow-tie (self-intersection)
        def bowtie(i, c):
            x0, y0, x1, y1 = square(c, 60).bounds
            return [Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])]
        i, (g,) = place(PLANTABLE, bowtie)
        add(attrs_for(i, shapely.make_valid(g), "design", year), g, ["invalid_geometry"])

    def invalid_pair(i, c):  # an invalid patch overlapping a valid one (overlap measured after repair)
        valid = square(c, 80, dx=-20)
        x0, y0, x1, y1 = valid.bounds
        inv = Polygon([(x0 + 40, y0), (x1 + 40, y0), (x1 + 40, y1), (x0 + 40, y1), (x0 + 60, y0 - 10), (x0 + 40, y0)])
        return [valid, inv]
    i, (valid, inv) = place(PLANTABLE, invalid_pair, min_area=20000)
    add(attrs_for(i, valid, "design", year), valid, ["patch_overlap"])
    add(attrs_for(i, shapely.make_valid(inv), "design", year), inv, ["invalid_geometry", "patch_overlap"])

    for side in (17.0, 19.0, 22.0, 24.0):  # 289/361 m2 < 400 m2 (error); 484/576 m2 < 1 mu (warning)
        i, (g,) = place(PLANTABLE, lambda i, c, side=side: [square(c, side)])
        add(attrs_for(i, g, "design", year), g, ["min_area"])
    for w, length in ((4.0, 300.0), (3.0, 400.0)):  # slivers: long and a few metres wide (1200 m2)
        def strip(i, c, w=w, length=length):
            return [affinity.rotate(box(c.x - length / 2, c.y - w / 2, c.x + length / 2, c.y + w / 2),
                                    float(rng.uniform(0, 180)))]
        i, (g,) = place(PLANTABLE, strip, min_area=40000)
        add(attrs_for(i, g, "design", year), g, ["sliver"])
    for _ in range(2):  # two of this year's patches overlapping by 900 m2
        i, (a_geom, b_geom) = place(PLANTABLE, lambda i, c: [square(c, 70, dx=-27), square(c, 70, dx=28, dy=10)],
                                    min_area=20000)
        add(attrs_for(i, a_geom, "design", year), a_geom, ["patch_overlap"])
        add(attrs_for(i, b_geom, "accepted", year), b_geom, ["patch_overlap"])
    for _ in range(2):  # on permanent basic farmland that the base map shows as grassland
        i, (g,) = place(PLANTABLE, lambda i, c: [square(c, 60)], min_area=10000)
        farmland_geoms.append(shapely.buffer(g.centroid, 20, quad_segs=4))
        add(attrs_for(i, g, "design", year), g, ["basic_farmland"])
    for cls in ("0103", "0101"):  # on cropland without approval (and not on farmland)
        i, (g,) = place([cls], lambda i, c: [square(c, 50)])
        add(attrs_for(i, g, "design", year), g, ["cropland"])
    for cls in ("0702", "1104"):  # built-up / water
        i, (g,) = place([cls], lambda i, c: [square(c, 35)], min_area=2500)
        add(attrs_for(i, g, "design", year), g, ["builtup_water"])
    for cls in ("0301", "0302"):  # existing forest, method = planting
        i, (g,) = place([cls], lambda i, c: [square(c, 60)])
        a = attrs_for(i, g, "design", year)
        a["method"], a["restore_method"] = "planting", None
        add(a, g, ["existing_forest"])
    for _ in range(2):  # declared village and township elsewhere in the county
        i, (g,) = place(PLANTABLE, lambda i, c: [square(c, 60)])
        a = attrs_for(i, g, "design", year)
        own = villages[base_village[i]][0]
        other = next(v[0] for v in villages if v[0][:9] != own[:9])
        a["village_code"], a["township_code"] = other, other[:9]
        add(a, g, ["outside_admin"])
    # A patch straddling two villages: the declared village holds only part of it.
    plantable_ok = set(PLANTABLE)
    for va in range(len(villages)):
        vb = (va + 1) % len(villages)
        shared = villages[va][2].boundary.intersection(villages[vb][2].boundary)
        if shared.length < 300:
            continue
        c = shared.interpolate(0.5, normalized=True)
        g = box(c.x - 40, c.y - 40, c.x + 40, c.y + 40)
        cells = np.flatnonzero(shapely.intersects(base_geoms, g.buffer(3)))
        if used[cells].any() or not all(dlbm[k] in plantable_ok for k in cells):
            continue
        share = shapely.area(shapely.intersection(g, villages[va][2])) / g.area
        if not 0.2 < share < 0.8:
            continue
        used[cells] = True
        a = attrs_for(int(cells[0]), g, "design", year)
        a["village_code"], a["township_code"] = villages[va][0], villages[va][0][:9]
        add(a, g, ["outside_admin"])
        break
    # Overlapping an earlier year's counted patch (重复上报): two distinct history patches.
    for h in rng.choice(len(history), size=2, replace=False):
        _ha, hg, hi = history[int(h)]
        inner = base_geoms[hi].buffer(-2.0)
        g = affinity.translate(hg, (hg.bounds[2] - hg.bounds[0]) * 0.4, 0).intersection(inner)
        g = max(polygon_parts(g), key=lambda p: p.area)
        add(attrs_for(hi, g, "design", year), g, ["history_overlap"])
    for factor in (1.2, 0.7):  # attribute area disagrees with the mapped area (图、数不一致)
        i = pick(PLANTABLE)
        g = patch_in(i, 0.5)
        a = attrs_for(i, g, "accepted", year)
        mu, ha = _areas(calc, g)
        add(a, g, ["area_mismatch"], fix_area=False)
        a["area_mu"], a["area_ha"] = round(mu * factor, 2), round(ha * factor, 4)
    # Attribute faults: a required field missing, a label instead of a code, a stage-required field missing.
    for key, value, stage in (("species", None, "design"), ("method", "人工造林", "design"),
                              ("survival_rate", None, "accepted")):
        i = pick(PLANTABLE)
        g = patch_in(i, 0.5)
        a = attrs_for(i, g, stage, year)
        a[key] = value
        add(a, g, ["attribute"])


def write_sample_county(path: str, progress: Optional[Callable[[float], None]] = None,
                        is_canceled: Optional[Callable[[], bool]] = None, **options) -> SampleCounty:
    """generate_sample_county at `path`, all of it or nothing: generated into a scratch folder beside `path` and
    moved into place only when complete, so a cancel (SampleCountyCanceled), a full disk or an unwritable folder
    (output_file.OutputFileError, its text for the user) leave no half file at `path` and a working copy already
    there unchanged, with its side files (the fault manifest, the WGS 84 copy, SQLite's -wal/-shm): those are moved
    aside first and put back if any move fails; the GeoPackage is moved last, in one step."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    kept = os.path.exists(path)

    def failed(e: BaseException) -> OutputFileError:
        return OutputFileError(path, reason(e, folder), kept and os.path.exists(path))

    try:
        scratch = tempfile.mkdtemp(prefix=".sample-county-", dir=folder)
    except OSError as e:
        raise failed(e) from None
    try:
        sc = generate_sample_county(os.path.join(scratch, os.path.basename(path)), progress=progress,
                                    is_canceled=is_canceled, **options)
        if is_canceled is not None and is_canceled():
            raise SampleCountyCanceled()
        _move_into_place(scratch, folder, os.path.basename(path))
    except (OSError, sqlite3.Error, RuntimeError, geopackage.WorkingCopyError) as e:  # the system's, SQLite's,
        raise failed(e) from None  # GDAL's, the new copy's: output_file.reason says why in the user's words
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return dataclasses.replace(sc, path=path, manifest_path=os.path.join(folder, os.path.basename(sc.manifest_path)))


def _move_into_place(scratch: str, folder: str, name: str) -> None:
    """Move every file of `scratch` into `folder`, the GeoPackage `name` last, all or none: the files of those
    names there (and the GeoPackage's -wal and -shm, which must not be applied to the new file) are moved aside into
    the scratch folder first and put back when a move fails (the error is raised)."""
    aside = os.path.join(scratch, ".aside")
    os.mkdir(aside)
    new = sorted((n for n in os.listdir(scratch) if n != ".aside"), key=lambda n: n == name)  # the GeoPackage last
    names = [n for n in new if n != name] + [name + "-wal", name + "-shm"]
    moved_aside: List[str] = []
    placed: List[str] = []
    try:
        for n in names:
            if os.path.lexists(os.path.join(folder, n)):
                os.replace(os.path.join(folder, n), os.path.join(aside, n))
                moved_aside.append(n)
        for n in new:
            os.replace(os.path.join(scratch, n), os.path.join(folder, n))  # the GeoPackage: one step, old or new
            placed.append(n)
    except OSError:
        for n in reversed(placed):
            if n != name:  # the GeoPackage is never placed when a move failed: it is the last
                try:
                    os.remove(os.path.join(folder, n))
                except OSError:
                    pass
        for n in moved_aside:
            try:
                os.replace(os.path.join(aside, n), os.path.join(folder, n))
            except OSError:
                pass
        raise


def _write_wgs84_copy(path: str, records: List[Tuple[Dict, BaseGeometry]]) -> None:
    """Write patches reprojected to EPSG:4326 (a CRS that is not CGCS2000) as a separate GeoPackage."""
    from osgeo import ogr, osr

    if os.path.exists(path):
        os.remove(path)
    src = geopackage.srs_from_authid(schema.DEFAULT_PROJECT_CRS)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4326)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = geopackage.create_layer(ds, schema.LAYER[schema.PATCHES], dst)
    for a, g in records:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in a.items():
            geopackage._set_field(f, k, v)  # noqa: SLF001 (same package)
        og = ogr.CreateGeometryFromWkb(shapely.to_wkb(as_multipolygon(g), output_dimension=2))
        og.Transform(ct)
        f.SetGeometry(og)
        lyr.CreateFeature(f)
    ds = None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: python -m forestry_plugin.core.sample_county OUT.gpkg [--seed N] [--cells N] [--patches N]."""
    import argparse

    from qgis.core import QgsApplication

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--cells", type=int, default=3000)
    ap.add_argument("--patches", type=int, default=200)
    args = ap.parse_args(argv)
    app = QgsApplication([], False)
    app.initQgis()
    sc = generate_sample_county(args.out, seed=args.seed, n_cells=args.cells, n_patches=args.patches)
    print(json.dumps({"path": sc.path, "patches": sc.patch_count, "basemap": sc.basemap_count,
                      "faults": len(sc.faults), **sc.stats}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
