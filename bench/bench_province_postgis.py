"""Province-scale PostGIS reference: one county's check against a ~30-million-parcel base map, bounded memory.

What is built (PostgreSQL 15 + PostGIS started for the run by a subclass of tests/helpers/pg_server.PgServer, its
data directory in /tmp, reusable with --data-dir/--keep; every step is recorded in a table `bench_steps` so a rerun
skips what is done and prints the time it took then):

* `cty_*`: the county's own reference tables (base map, admin units, farmland, history) from its working copy
  (bench_checks.generate's checks_<patches>_<parcels>.gpkg; 50k patches / 400k parcels by default), loaded with
  pg_source.load_from_geopackage (GDAL, GiST) — the county-sized database;
* `prov_*`: a province around it, in SQL only (generate_series, in chunks of grid columns): a square grid of
  ~--cells cells (~100 m; the size is chosen so that a whole number of county-sized squares spans the grid) in
  the county's CRS (EPSG:4549, CGCS2000 / 3-degree GK CM 120E), BSM/DLBM columns, DLBM drawn with the bench
  generator's class weights; the county's own 400k parcels in place of the grid cells over its extent (so the
  county's findings must come out identical); basic farmland = 60 % of the cropland cells (0101/0103) inset
  0.5 m, as the generator does; earlier years' patches = one 30-90 m rectangle per 40 cells (the generator's
  parcels/40); admin units = the county's own 21 plus, for every other county-sized square, a county, 4
  townships and 64 villages (~20k units for 30M cells, as a real province has); primary keys, GiST indexes,
  ANALYZE. Each step's wall time is printed.

What is timed: `qgis_process.bin run forestry:checkpatches` as a whole process (bench_checks_process.ours_cmd:
patches from the working copy, base map, admin units, farmland and history as `postgres://` layers, findings to a
GeoPackage, every rule), wall clock and peak RSS from `/usr/bin/time -v`, once against `cty_*` and once against
`prov_*` per run, interleaved, median of --runs. The working copy (a copy in the work directory) also gets its
`reference_source` setting pointed at `prov_*` (pg_source's JSON), which is what LiveChecker, check_working_copy
and the editing context read; checkpatches itself reads the layers it is given. The findings (per-rule counts
and hash, bench_checks_process.findings_summary) of both must be identical. The load average is printed with
every measurement. Output appended to bench/results/province_postgis.txt (not with --quick).

    python bench/bench_province_postgis.py                       # 30M cells, 50k-patch county, 3 runs
    python bench/bench_province_postgis.py --data-dir /tmp/pgprov --keep --build-only
    python bench/bench_province_postgis.py --data-dir /tmp/pgprov --runs 3   # reuse the built database
    python bench/bench_province_postgis.py --quick               # 200k cells, 6250-patch county, < 1 min
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
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "helpers"))

import bench_checks_process as bcp  # noqa: E402
from pg_server import PgServer  # noqa: E402

X0, Y0 = 500000.0, 3330000.0  # bench_checks.generate's origin (EPSG:4549)
EPSG = 4549
COUNTY_CELL = 50.0  # bench_checks.generate's parcel spacing
CLASSES = ["0404", "0307", "0305", "1206", "0204", "0103", "0101", "0301", "0302", "0702", "1104", "1006"]
WEIGHTS = [14, 12, 8, 5, 5, 12, 10, 12, 6, 6, 5, 5]
GRID_FID0 = 100_000_000  # grid cells' fids above the county's
RESULTS = os.path.join(HERE, "results", "province_postgis.txt")


class KeptPgServer(PgServer):
    """PgServer in a given directory, reused when it already holds a cluster; settings for a bulk build."""

    def __init__(self, base: str, dbname: str = "forestry", user: str = "forestry"):
        super().__init__(dbname, user, base=base, start_timeout=600, options=(
            "-c full_page_writes=off -c shared_buffers=512MB -c maintenance_work_mem=1GB -c max_wal_size=16GB "
            "-c checkpoint_timeout=30min -c wal_level=minimal -c max_wal_senders=0"))


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


class Builder:
    """The steps of the build, each recorded in bench_steps (skipped when already there)."""

    def __init__(self, pg: PgServer, county: str, cells: int, log):
        self.pg, self.county, self.log = pg, county, log
        self.pg.sql("CREATE TABLE IF NOT EXISTS bench_steps (step text PRIMARY KEY, secs double precision, "
                    "detail text)")
        n_parcels = int(os.path.basename(county).split("_")[2].split(".")[0])
        self.S = math.ceil(math.sqrt(n_parcels)) * COUNTY_CELL  # the county's frame side (bench_checks.generate)
        side = math.ceil(math.sqrt(cells))
        self.kc = max(3, round(side * 100.0 / self.S)) | 1  # county squares per side, odd: the county in the middle
        self.cs = self.kc * self.S / side  # grid cell side (~100 m)
        self.n = side
        self.px0, self.py0 = X0 - (self.kc // 2) * self.S, Y0 - (self.kc // 2) * self.S
        log(f"province: {side} x {side} cells of {self.cs:.1f} m ({self.kc} x {self.kc} county squares of "
            f"{self.S / 1000:.2f} km), origin ({self.px0:.0f}, {self.py0:.0f}) EPSG:{EPSG}; county {county}")

    def step(self, name: str, fn) -> None:
        row = self.pg.sql("SELECT secs, detail FROM bench_steps WHERE step = %s", (name,))
        if row:
            self.log(f"  {name:28s} {row[0][0]:8.1f} s  (done before, reused)  {row[0][1]}")
            return
        t = time.perf_counter()
        detail = fn() or ""
        secs = time.perf_counter() - t
        self.pg.sql("INSERT INTO bench_steps VALUES (%s, %s, %s)", (name, secs, str(detail)))
        self.log(f"  {name:28s} {secs:8.1f} s  ({load()})  {detail}")

    def exec(self, *statements: str):
        con = self.pg.connect()
        try:
            with con.cursor() as cur:
                out = None
                for s in statements:
                    cur.execute(s)
                    out = cur.fetchall() if cur.description else out
                return out
        finally:
            con.close()

    def build(self) -> None:
        self.step("county tables (GDAL)", self.county_tables)
        self.step("province tables", self.create_tables)
        chunks = 20 if self.n > 2000 else 2
        width = math.ceil(self.n / chunks)
        for c in range(chunks):
            self.step(f"grid columns chunk {c + 1:02d}/{chunks}", lambda c=c: self.grid_chunk(
                c * width, min(self.n, (c + 1) * width), c))
        self.step("province admin units", self.admin)
        self.step("primary keys", lambda: self.exec(*[f"ALTER TABLE prov_{t} ADD PRIMARY KEY (fid)" for t in
                                                       ("basemap", "basic_farmland", "history_patches",
                                                        "admin_units")]))
        for t in ("basemap", "basic_farmland", "history_patches", "admin_units"):
            self.step(f"GiST index prov_{t}", lambda t=t: self.exec(
                f"CREATE INDEX prov_{t}_geom_idx ON prov_{t} USING gist (geom)"))
        self.step("ANALYZE", lambda: self.exec("ANALYZE"))
        self.step("sizes", self.sizes)

    def county_tables(self):
        from forestry_plugin.core.checks import pg_source

        tables = {role: f"cty_{table}" for role, (table, _cols) in pg_source.KINDS.items()}
        counts = pg_source.load_from_geopackage(self.county, self.pg.dsn, tables=tables)
        self.exec("ANALYZE")
        return counts

    def create_tables(self):
        stmts = []
        for t in ("basemap", "basic_farmland", "history_patches", "admin_units"):
            stmts += [f"CREATE UNLOGGED TABLE prov_{t} AS SELECT * FROM cty_{t} WITH NO DATA",
                      f"INSERT INTO prov_{t} SELECT * FROM cty_{t}"]
        self.exec(*stmts)
        return "the county's own rows copied"

    def _class_case(self) -> str:
        total, acc, parts = float(sum(WEIGHTS)), 0.0, []
        for c, w in zip(CLASSES[:-1], WEIGHTS[:-1]):
            acc += w / total
            parts.append(f"WHEN r < {acc:.6f} THEN '{c}'")
        return "CASE " + " ".join(parts) + f" ELSE '{CLASSES[-1]}' END"

    def grid_chunk(self, ia: int, ib: int, c: int):
        cs, px0, py0, S = self.cs, self.px0, self.py0, self.S
        x = f"({px0!r} + i * {cs!r})"
        y = f"({py0!r} + j * {cs!r})"
        env = "ST_Multi(ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, " + str(EPSG) + "))"
        out = self.exec(
            f"SELECT setseed({(c + 1) / 1000.0})",
            "DROP TABLE IF EXISTS chunk",
            f"""CREATE TEMP TABLE chunk AS SELECT i, j, {GRID_FID0} + i::bigint * {self.n} + j AS fid,
                   {self._class_case()} AS dlbm, f, h, hw, hh FROM (
                 SELECT i, j, random() AS r, random() AS f, random() AS h, random() AS hw, random() AS hh
                 FROM generate_series({ia}, {ib - 1}) i, generate_series(0, {self.n - 1}) j
                 WHERE NOT ({x} + {cs!r} > {X0!r} AND {x} < {X0 + S!r}
                            AND {y} + {cs!r} > {Y0!r} AND {y} < {Y0 + S!r})) s""",
            f"""INSERT INTO prov_basemap (fid, "BSM", "DLBM", geom)
                SELECT fid, lpad(fid::text, 18, '0'), dlbm,
                       {env.format(x0=x, y0=y, x1=f'{x} + {cs!r}', y1=f'{y} + {cs!r}')} FROM chunk""",
            f"""INSERT INTO prov_basic_farmland (fid, jbnt_id, geom)
                SELECT fid, 'JBNTP' || fid::text,
                       {env.format(x0=f'{x} + 0.5', y0=f'{y} + 0.5', x1=f'{x} + {cs - 0.5!r}',
                                   y1=f'{y} + {cs - 0.5!r}')} FROM chunk
                WHERE dlbm IN ('0101', '0103') AND f < 0.6""",
            f"""INSERT INTO prov_history_patches (fid, patch_id, year, geom)
                SELECT fid, md5(fid::text)::uuid::text, 2020 + (fid % 5)::int,
                       {env.format(x0=f'{x} + {cs / 2!r} - (15 + 30 * hw)', y0=f'{y} + {cs / 2!r} - (15 + 30 * hh)',
                                   x1=f'{x} + {cs / 2!r} + (15 + 30 * hw)', y1=f'{y} + {cs / 2!r} + (15 + 30 * hh)')}
                FROM chunk WHERE h < 0.025""",
            "SELECT count(*) FROM chunk",
            "DROP TABLE chunk")
        return f"columns {ia}..{ib - 1}: {out[0][0]} cells"

    def admin(self):
        rows = []
        k = 0
        v_side = 8
        for a in range(self.kc):
            for b in range(self.kc):
                if a == self.kc // 2 and b == self.kc // 2:
                    continue  # the bench county's own units are there
                k += 1
                code = f"31{k:04d}"
                x0, y0 = self.px0 + a * self.S, self.py0 + b * self.S
                rows.append((code, "county", "county", x0, y0, x0 + self.S, y0 + self.S))
                for q in range(4):
                    tx, ty = x0 + (q // 2) * self.S / 2, y0 + (q % 2) * self.S / 2
                    rows.append((f"{code}{101 + q:03d}", "t", "township", tx, ty, tx + self.S / 2, ty + self.S / 2))
                for i in range(v_side):
                    for j in range(v_side):
                        q = (i * 2 // v_side) * 2 + j * 2 // v_side
                        vx, vy = x0 + i * self.S / v_side, y0 + j * self.S / v_side
                        rows.append((f"{code}{101 + q:03d}{200 + i * v_side + j:03d}", "v", "village", vx, vy,
                                     vx + self.S / v_side, vy + self.S / v_side))
        con = self.pg.connect()
        try:
            with con.cursor() as cur:
                cur.execute("SELECT coalesce(max(fid), 0) FROM prov_admin_units")
                f0 = cur.fetchone()[0]
                from psycopg2.extras import execute_values

                execute_values(cur, "INSERT INTO prov_admin_units (fid, code, name, level, geom) SELECT v.fid, "
                               f"v.code, v.name, v.level, ST_Multi(ST_MakeEnvelope(v.x0, v.y0, v.x1, v.y1, {EPSG})) "
                               "FROM (VALUES %s) AS v(fid, code, name, level, x0, y0, x1, y1)",
                               [(f0 + n + 1,) + r for n, r in enumerate(rows)], page_size=5000)
        finally:
            con.close()
        return f"{len(rows)} units added ({k} counties)"

    def sizes(self):
        out = {}
        for t in ("basemap", "basic_farmland", "history_patches", "admin_units"):
            for p in ("cty", "prov"):
                n = self.exec(f"SELECT count(*), pg_total_relation_size('{p}_{t}') FROM {p}_{t}")[0]
                out[f"{p}_{t}"] = f"{n[0]} rows {n[1] / 2 ** 30:.2f} GB"
        return json.dumps(out)


def county_path(quick: bool) -> str:
    parcels = 50000 if quick else 400000
    path = os.path.join(HERE, "data", f"checks_{parcels // 8}_{parcels}.gpkg")
    if not os.path.exists(path):
        path = bcp.data_path(parcels)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=30_000_000, help="province grid cells (default 30M)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="200k cells around the 6250-patch county, 1 run")
    ap.add_argument("--data-dir", help="the server's directory (reused when it holds a built database)")
    ap.add_argument("--keep", action="store_true", help="leave the server's directory (with --data-dir)")
    ap.add_argument("--build-only", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.cells, args.runs = min(args.cells, 200_000), 1
    lines: List[str] = []

    def log(s: str) -> None:
        print(s, flush=True)
        lines.append(s)

    why = PgServer.available()
    if why:
        raise SystemExit(why)
    from qgis.core import QgsApplication

    app = QgsApplication.instance() or QgsApplication([], False)
    app.initQgis()
    county = county_path(args.quick)
    base = args.data_dir or tempfile.mkdtemp(prefix="pgprov", dir="/tmp")
    os.makedirs(base, exist_ok=True)
    log(f"== bench_province_postgis {time.strftime('%Y-%m-%d %H:%M')} cells={args.cells} runs={args.runs} "
        f"server dir {base}; {os.cpu_count()} CPUs, {load()}")
    t_all = time.perf_counter()
    pg = KeptPgServer(base)
    work = tempfile.mkdtemp(prefix="bench_province_")
    ok = True
    try:
        b = Builder(pg, county, args.cells, log)
        b.build()
        log(f"build (this invocation) {time.perf_counter() - t_all:.1f} s")
        if args.build_only:
            return 0
        # the working copy: a copy of the county, its reference_source pointed at the province tables
        from forestry_plugin.core import geopackage
        from forestry_plugin.settings import WorkingCopyKey

        wc = os.path.join(work, "county.gpkg")
        shutil.copy(county, wc)
        geopackage.set_setting(wc, WorkingCopyKey.REFERENCE_SOURCE, json.dumps({"dsn": pg.dsn, "tables": {
            "basemap": "prov_basemap", "farmland": "prov_basic_farmland", "history": "prov_history_patches",
            "admin": "prov_admin_units"}}))
        runtime = os.path.join(work, "xdg")
        os.makedirs(runtime, mode=0o700)
        bcp.install_plugin(os.path.join(work, "cur"), os.path.join(ROOT, "forestry_plugin"))
        env = bcp.environment(os.path.join(work, "cur"), runtime)
        refs = {"county table": bcp.Reference(wc, pg, "cty"), "province table": bcp.Reference(wc, pg, "prov")}
        times: Dict[str, List[float]] = {k: [] for k in refs}
        mem: Dict[str, List[float]] = {k: [] for k in refs}
        summaries = {}
        for r in range(args.runs):
            for key, ref in refs.items():
                out = os.path.join(work, f"findings_{r}_{key[0]}.gpkg")
                la = os.getloadavg()[0]
                secs, gb, _o = bcp.timed(bcp.ours_cmd(wc, out, ref), env)
                times[key].append(secs)
                mem[key].append(gb)
                if r == 0:
                    summaries[key] = bcp.findings_summary(out)
                os.remove(out)
                log(f"  run {r + 1}: {key:15s} {secs:7.2f} s  {gb:.2f} GB peak  (load {la:.2f} before, "
                    f"{os.getloadavg()[0]:.2f} after)")
        s_c, s_p = summaries["county table"], summaries["province table"]
        same = s_c[:2] == s_p[:2]
        ok &= same
        log(f"  findings: county {s_c[2]} hash {s_c[1]}, province {s_p[2]} hash {s_p[1]} -> "
            f"{'IDENTICAL' if same else 'DIFFERENT: ' + str(s_c[0]) + ' vs ' + str(s_p[0])}")
        rows = {p: pg.sql(f"SELECT count(*) FROM {p}_basemap")[0][0] for p in ("cty", "prov")}
        log("")
        log(f"{'reference (PostGIS)':22s} {'base-map rows':>14} {'patches':>8} {'check s':>8} {'peak GB':>8}"
            f" {'runs':>5}")
        for key, p in (("county table", "cty"), ("province table", "prov")):
            log(f"{key:22s} {rows[p]:>14} {int(os.path.basename(county).split('_')[1]):>8}"
                f" {statistics.median(times[key]):>8.2f} {max(mem[key]):>8.2f} {len(times[key]):>5}")
        tc, tp = statistics.median(times["county table"]), statistics.median(times["province table"])
        log(f"province/county: x{rows['prov'] / rows['cty']:.1f} rows -> x{tp / tc:.2f} time, "
            f"x{max(mem['province table']) / max(mem['county table']):.2f} peak memory")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        pg.stop(remove=not (args.keep and args.data_dir))
        if args.keep and args.data_dir:
            log(f"server stopped; its directory is kept: {base}")
        if not args.quick:  # a smoke check's numbers are not results
            os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
            with open(RESULTS, "a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
