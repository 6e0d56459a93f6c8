"""The live check's windowed reference (checks.live.ReferenceCells): the base map, farmland and earlier years'
patches read per grid cell around the patch being checked give the findings of the whole reference, for patches
anywhere (the copy's own, new ones where nothing was read yet, on cell edges and corners, big ones over many
cells), with few cells kept, from the working copy's R-trees and from PostGIS; the row-count threshold keeps a
county's copy whole."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from forestry_plugin.core.checks import live, pg_source
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.gpkg_io import read_check_patches
from forestry_plugin.core.checks.live import LiveChecker
from tests.helpers.working_copies import without_reference

CELL = 300.0  # metres: the sample county's parcels (some 300 m across) mostly lie in several cells


def key(findings):
    """What a finding says: rule, severity, other feature and value (rounded), order aside."""
    return sorted((f.rule, f.severity, f.other_id or "", None if f.value is None else round(float(f.value), 3),
                   f.accepted) for f in findings)


def probes(path, n_random=150, seed=11):
    """(geometry, attributes, patch id) to check: the copy's own patches; rotated rectangles of 10 m to 1.5 km at
    random places (new geometries, mostly where no cell was read yet), with the attributes of an existing patch;
    small squares centred on cell corners and straddling cell edges; a thin strip along a cell edge."""
    d = read_check_patches(path)
    own = [(g, dict(a), pid) for a, g, pid in zip(d["patch_attrs"], d["patch_geoms"], d["patch_ids"])
           if g is not None]
    b = shapely.total_bounds(np.asarray([g for g, _a, _p in own], dtype=object))
    rng = np.random.default_rng(seed)
    out = list(own)
    for k in range(n_random):
        a = dict(own[int(rng.integers(len(own)))][1])
        cx, cy = rng.uniform(b[0], b[2]), rng.uniform(b[1], b[3])
        lo, hi = ((400, 1500) if k % 5 == 0 else (10, 300))
        w, h, t = rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(0, math.pi)
        g = shapely.affinity.rotate(shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), t, use_radians=True)
        out.append((g, a, f"new-{k}"))
    for k in range(40):  # on the grid's lines and corners
        a = dict(own[int(rng.integers(len(own)))][1])
        i, j = math.floor(rng.uniform(b[0], b[2]) / CELL), math.floor(rng.uniform(b[1], b[3]) / CELL)
        x, y = i * CELL, j * CELL
        s = rng.uniform(5, 120)
        g = shapely.box(x - s, y - s, x + s, y + s) if k % 2 else shapely.box(x - s, y + 10, x + s, y + 10 + 2 * s)
        out.append((g, a, f"edge-{k}"))
        out.append((shapely.box(x - 0.2, y + 1, x + 0.2, y + CELL * 2.5), a, f"strip-{k}"))  # a sliver on the line
    return out


def compare(whole, windowed, items):
    """The keys of both checkers' findings for every item, and the items where they differ."""
    diff, total, rules = [], 0, set()
    for g, a, pid in items:
        f1, f2 = whole.check_patch(g, a, pid), windowed.check_patch(g, a, pid)
        held = windowed.cells.cells.values()
        # what is indexed is what the cells hold, each feature once (re-indexed whenever the cells changed)
        assert len(windowed.ref.base) == len(np.unique(np.concatenate(
            [np.zeros(0, dtype=np.int64)] + [c.layers["basemap"][0] for c in held]))), pid
        total += len(f1)
        rules |= {f.rule for f in f1}
        if key(f1) != key(f2):
            diff.append((pid, key(f1), key(f2)))
    return diff, total, rules


@pytest.fixture()
def small_cells(monkeypatch):
    monkeypatch.setattr(live, "CELL_M", CELL)
    monkeypatch.setattr(live, "WINDOW_ROWS", 100)  # the sample county's 4000 rows are "big"


def test_the_sample_county_stays_whole_below_the_threshold(sample_county):
    lc = LiveChecker(sample_county.path)
    assert lc.cells is None and len(lc.ref.base) > 1000  # the county's copy: whole, as before


def test_windowed_findings_are_the_whole_reference_findings(sample_county, small_cells):
    whole = LiveChecker(sample_county.path, windowed=False)
    win = LiveChecker(sample_county.path)  # windowed by the (lowered) threshold
    assert win.cells is not None and len(win.ref.base) == 0  # nothing read before a patch needs it
    items = probes(sample_county.path)
    diff, total, rules = compare(whole, win, items)
    assert not diff, diff[:3]
    # the comparison proves something: the reference rules fire, on many patches
    assert {R.CROPLAND, R.BASIC_FARMLAND, R.HISTORY_OVERLAP, R.EXISTING_FOREST, R.BUILTUP_WATER} <= rules
    assert total > 300
    held = win.cells
    assert held.loads > 50 and len(held.cells) <= live.CELL_CACHE
    assert len(win.ref.base) < len(whole.ref.base)  # never the whole county at once


def test_few_cells_kept_still_give_the_whole_findings(sample_county, small_cells, monkeypatch):
    """With 4 cells kept the cells go and come back all the time; a big patch needs more than 4: all of its own are
    kept while it is checked."""
    monkeypatch.setattr(live, "CELL_CACHE", 4)
    whole = LiveChecker(sample_county.path, windowed=False)
    win = LiveChecker(sample_county.path)
    items = probes(sample_county.path, n_random=80, seed=5)
    items = items + items[::-1]  # back over places read before, evicted since
    most = 0
    for g, a, pid in items:
        f1, f2 = whole.check_patch(g, a, pid), win.check_patch(g, a, pid)
        assert key(f1) == key(f2), pid
        need = len(win.cells.cells_of(shapely.bounds(g)))
        assert len(win.cells.cells) == max(4, need) or len(win.cells.cells) < 4
        most = max(most, need)
    assert most > 4  # some patch needed more cells than are kept


def test_a_new_area_reads_its_cells_once_and_a_warm_check_reads_nothing(sample_county, small_cells):
    win = LiveChecker(sample_county.path)
    g, a, pid = probes(sample_county.path, n_random=0)[0]
    win.check_patch(g, a, pid)
    assert win.last_load_ms > 0 and win.cells.loads == 1  # the missing cells in one window read
    n = len(win.cells.cells)
    assert n == len(win.cells.cells_of(shapely.bounds(g)))
    ref = win.ref
    win.check_patch(shapely.affinity.translate(g, 1.0, 0.0), a, pid)  # the same cells (nudged by a metre)
    if len(win.cells.cells_of(shapely.bounds(shapely.affinity.translate(g, 1.0, 0.0)))) == n:
        assert win.ref is ref and win.last_load_ms == 0.0 and win.cells.loads == 1


def test_edits_and_refresh_work_in_windowed_mode(sample_county, small_cells):
    """The other patches stay whole: a patch moved onto another is an overlap, before and after refresh_patches."""
    import sqlite3

    from forestry_plugin.core import geopackage as gp
    from forestry_plugin.core.checks.gpkg_io import gpkg_blobs

    win = LiveChecker(sample_county.path)
    own = [(g, a, p) for g, a, p in probes(sample_county.path, n_random=0)]
    (g0, a0, p0), (g1, a1, p1) = own[0], own[1]
    a1 = dict(a1, year=a0.get("year"))
    moved = shapely.affinity.translate(g1, g0.centroid.x - g1.centroid.x, g0.centroid.y - g1.centroid.y)
    with gp.connect(sample_county.path) as con:
        srs = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'patches'").fetchone()[0]
        multi = moved if moved.geom_type == "MultiPolygon" else shapely.MultiPolygon([moved])
        con.execute("UPDATE patches SET geom = ?, year = ?, revision = revision + 1 WHERE patch_id = ?",
                    (sqlite3.Binary(gpkg_blobs([shapely.to_wkb(multi)], [multi], srs)[0]), a0.get("year"), p1))
    assert win.refresh_patches() >= 1 and win.last_refresh == "journal"
    found = win.check_patch(g0, a0, p0)
    assert any(f.rule == R.PATCH_OVERLAP and f.other_id == p1 for f in found)
    whole = LiveChecker(sample_county.path, windowed=False)
    assert key(found) == key(whole.check_patch(g0, a0, p0))
    win.refresh()  # the reference again: the cells read before are dropped
    assert len(win.cells.cells) == 0 and len(win.ref.base) == 0
    assert key(win.check_patch(g0, a0, p0)) == key(found)


def test_windowed_from_postgis_gives_the_whole_findings(pg, sample_county, tmp_path, small_cells):
    """A working copy pointing at the county's reference in PostGIS (its own tables emptied): windowed by the
    threshold (pg_class estimates after ANALYZE, a count without), each cell through the GiST index on one kept
    connection; the findings are those of the whole reference in the working copy itself."""
    pg_source.load_from_geopackage(sample_county.path, pg.dsn)
    other = without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn})
    source = pg_source.configured(other)
    assert pg_source.reference_rows(source) > 3000  # never analysed: counted
    whole = LiveChecker(sample_county.path, windowed=False)
    win = LiveChecker(other)
    assert win.cells is not None and win.cells.source is not None
    items = probes(sample_county.path, n_random=100, seed=7)
    diff, total, rules = compare(whole, win, items)
    assert not diff, diff[:3]
    assert {R.CROPLAND, R.BASIC_FARMLAND, R.HISTORY_OVERLAP} <= rules and total > 200
    kept = win.cells._con
    assert kept is not None
    kept.close()  # the server or the network drops it: the next read opens another
    far = shapely.box(*(shapely.total_bounds(np.asarray([g for g, _a, _p in items], dtype=object))[:2] - 5000),
                      *(shapely.total_bounds(np.asarray([g for g, _a, _p in items], dtype=object))[:2] - 4900))
    win.check_patch(far, items[0][1], "far")
    assert win.cells._con is not None and win.cells._con is not kept
    win.close()


def test_each_cell_holds_every_feature_whose_box_meets_it(sample_county):
    """The invariant the equality rests on: a cell holds exactly the features (of the classes read) whose bounding
    box meets the cell, however it was read (alone, or with its missing neighbours in one window); and a box's
    cells cover it plus the margin."""
    from forestry_plugin.core.checks.geometry import repair_all
    from forestry_plugin.core.checks.gpkg_io import patches_epsg, read_reference_window

    path = sample_county.path
    cells = live.ReferenceCells(path, None, patches_epsg(path), cell_m=CELL, capacity=10 ** 6)
    whole = read_reference_window(path, None, keys=True)
    b = shapely.total_bounds(np.asarray([g for g in whole["basemap_geoms"] if g is not None], dtype=object))
    rng = np.random.default_rng(2)
    for k in range(160):  # one cell at a time (its own window), then blocks of several
        x, y = rng.uniform(b[0], b[2]), rng.uniform(b[1], b[3])
        s = 1.0 if k < 120 else rng.uniform(200, 900)
        box = (x, y, x + s, y + s)
        got = cells.cells_of(box)
        m = cells.margin
        assert min(i for i, _j in got) * CELL <= box[0] - m and (max(i for i, _j in got) + 1) * CELL >= box[2] + m
        assert min(j for _i, j in got) * CELL <= box[1] - m and (max(j for _i, j in got) + 1) * CELL >= box[3] + m
        cells.need(box)
    checked = 0
    for name in ("basemap", "farmland", "history"):
        raw = np.asarray(whole[name + "_geoms"], dtype=object)
        ok = ~repair_all(raw)[1]
        keys, fb = whole[name + "_keys"][ok], shapely.bounds(raw[ok])
        for (i, j), cell in cells.cells.items():
            x0, y0, x1, y1 = i * CELL, j * CELL, (i + 1) * CELL, (j + 1) * CELL
            want = keys[(fb[:, 0] <= x1) & (fb[:, 2] >= x0) & (fb[:, 1] <= y1) & (fb[:, 3] >= y0)]
            held = cell.layers[name][0]
            assert sorted(held.tolist()) == sorted(want.tolist()), ((i, j), name)
            checked += len(want)
    assert checked > 500


def test_a_postgis_base_map_without_fid_is_told_apart_by_ctid(pg, sample_county, tmp_path, small_cells):
    """A city's own base-map table need not have a "fid": features read in two cells are then told apart by their
    ctid; the findings stay the whole reference's (duplicates would be counted twice)."""
    pg_source.load_from_geopackage(sample_county.path, pg.dsn)
    pg.sql("ALTER TABLE basemap DROP COLUMN fid")
    other = without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn})
    whole = LiveChecker(sample_county.path, windowed=False)
    win = LiveChecker(other, windowed=True)
    items = [it for it in probes(sample_county.path, n_random=60, seed=3) if it[2].startswith(("new-", "edge-"))]
    diff, total, rules = compare(whole, win, items)
    assert not diff, diff[:3]
    assert R.CROPLAND in rules and total > 50
    keys = np.concatenate([c.layers["basemap"][0] for c in win.cells.cells.values()])
    assert len(keys) > len(np.unique(keys))  # parcels were read in several cells: the dedupe was needed
    win.close()
