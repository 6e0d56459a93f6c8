"""Whole-process benchmark: `qgis_process.bin run forestry:checkpatches` vs QGIS doing the same overlay work natively.

Both sides run as a user runs them, one fresh `/usr/bin/qgis_process.bin` process each (startup, Processing,
reading, every rule, writing the output GeoPackage), timed by wall clock with peak memory from
`/usr/bin/time -v` ("Maximum resident set size"), median of --runs runs, ours and QGIS's interleaved so that the
load of the machine hits both alike:

* ours: `forestry:checkpatches` on patches, base map, admin units, farmland and history (every rule), findings
  written to a GeoPackage;
* QGIS: one model (one process) of `native:calculatevectoroverlaps` (patches against the three base-map class
  groups the rules look at: cropland, built-up land + water, existing forest; ellipsoid EPSG:1024) and
  `qgis:checkvalidity` (GEOS), outputs written to GeoPackages.

The data are bench_checks.generate's working copies (cached in bench/data/), patches = parcels / 8. Ours writes
one finding per patch and rule (the default, as users run it). With
--baseline-plugin DIR, a copy of the plugin as it was (e.g. before a change) is timed too, and its findings must be
identical to the current plugin's (both then write the pairs, AGGREGATE=false): per-rule counts and a hash of the
(patch_id, rule, other_id, value rounded to 0.01) set; the script exits non-zero otherwise.

    python bench/bench_checks_process.py --parcels 50000 400000
    python bench/bench_checks_process.py --parcels 400000 --baseline-plugin /tmp/old_plugin
    python bench/bench_checks_process.py --parcels 50000 400000 2000000 --postgis   # the growth table

With --postgis a PostgreSQL/PostGIS server is started for the run (tests/helpers/pg_server.py: initdb in /tmp, a private
socket), each size's reference tables are loaded into it, and both sides run again reading the base map, admin
units, farmland and history from PostGIS (`postgres://` layers); our findings must be identical to the GeoPackage
run's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

QGIS_PROCESS = "/usr/bin/qgis_process.bin"
TIME = "/usr/bin/time"


def install_plugin(profiles_root: str, plugin_dir: str) -> None:
    """The plugin folder (package + metadata.txt + resources/) in a private QGIS profile, enabled (as
    tests/helpers/qgis_process.install_plugin does)."""
    prof = os.path.join(profiles_root, "profiles", "default")
    dst = os.path.join(prof, "python", "plugins", "forestry_plugin")
    shutil.copytree(plugin_dir, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(os.path.join(ROOT, "metadata.txt"), dst)
    if not os.path.exists(os.path.join(dst, "resources")):
        shutil.copytree(os.path.join(ROOT, "resources"), os.path.join(dst, "resources"))
    os.makedirs(os.path.join(prof, "QGIS"), exist_ok=True)
    with open(os.path.join(prof, "QGIS", "QGIS3.ini"), "w", encoding="utf-8") as fh:
        # Invalid geometries are checked, not skipped: QGIS's side must see the bow-ties too (checkvalidity).
        fh.write("[PythonPlugins]\nforestry_plugin=true\n\n[Processing]\nConfiguration\\FILTER_INVALID_GEOMETRIES=0\n")


def environment(profiles_root: str, runtime_dir: str) -> Dict[str, str]:
    import shapely

    return dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=profiles_root, QT_QPA_PLATFORM="offscreen",
                XDG_RUNTIME_DIR=runtime_dir, PYTHONPATH=os.path.dirname(os.path.dirname(shapely.__file__)))


def timed(cmd: List[str], env: Dict[str, str]) -> Tuple[float, float, str]:
    """(wall seconds, peak RSS in GB, output) of one child process; raises with its output if it fails."""
    t = time.perf_counter()
    proc = subprocess.run([TIME, "-v"] + cmd, env=env, capture_output=True, text=True, timeout=3600)
    secs = time.perf_counter() - t
    rss_kb = 0
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss_kb = int(line.rsplit(":", 1)[1])
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return secs, rss_kb / 1024 / 1024, proc.stdout + proc.stderr


def uri(path: str, layer: str, subset: str = "") -> str:
    return f"{path}|layername={layer}" + (f"|subset={subset}" if subset else "")


class Reference:
    """Where the reference layers (base map, admin units, farmland, history) are read from: the working copy's
    own tables, or PostGIS tables `<prefix>_<table>` (qgis_process's `postgres://` layer syntax)."""

    def __init__(self, path: str, pg=None, prefix: str = ""):
        self.path, self.pg, self.prefix = path, pg, prefix

    def __call__(self, layer: str, subset: str = "") -> str:
        if self.pg is None:
            return uri(self.path, layer, subset)
        sql = f" sql={subset}" if subset else ""
        return (f"postgres://dbname='{self.pg.dbname}' host={self.pg.sock} port=5432 user='{self.pg.user}' "
                f"key='fid' table=\"public\".\"{self.prefix}_{layer}\" (geom){sql}")

    def load(self, log) -> None:
        """The working copy's reference tables into PostGIS (once per size; GDAL, with GiST indexes)."""
        from forestry_plugin.core.checks import pg_source

        t = time.perf_counter()
        tables = {role: f"{self.prefix}_{table}" for role, (table, _cols) in pg_source.KINDS.items()}
        counts = pg_source.load_from_geopackage(self.path, self.pg.dsn, tables=tables)
        self.pg.sql("ANALYZE")
        log(f"  loaded into PostGIS in {time.perf_counter() - t:.1f} s: {counts}")


def class_groups() -> Dict[str, str]:
    """The base-map class groups the rules look at, as OGR subset strings."""
    from forestry_plugin import schema

    def q(classes):
        return f'"{schema.LANDCLASS_FIELD}" IN ({",".join(repr(c) for c in sorted(classes))})'

    return {"cropland": q(schema.CROPLAND_CLASSES), "builtup_water": q(schema.BUILTUP_CLASSES | schema.WATER_CLASSES),
            "forest": q(schema.EXISTING_FOREST_CLASSES)}


PAIRS = [False]  # --baseline-plugin: write the pairs, as a plugin from before aggregation does


def ours_cmd(path: str, out: str, ref: Optional[Reference] = None) -> List[str]:
    ref = ref or Reference(path)
    cmd = [QGIS_PROCESS, "run", "forestry:checkpatches", "--", f"PATCHES={uri(path, 'patches')}",
           f"BASEMAP={ref('basemap')}", f"ADMIN={ref('admin_units')}",
           f"FARMLAND={ref('basic_farmland')}", f"HISTORY={ref('history_patches')}", f"OUTPUT={out}"]
    if PAIRS[0]:
        # the pairs, as the engine wrote them before findings were aggregated per patch and rule (the default):
        # the same rows as a baseline plugin writes, so both are compared finding by finding
        cmd.append("AGGREGATE=false")
    return cmd


def write_native_model(path: str, model_path: str, ref: Optional[Reference] = None) -> None:
    """One model, so QGIS's side is one process too: calculatevectoroverlaps (three class groups) + checkvalidity."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
    )

    static = QgsProcessingModelChildParameterSource.fromStaticValue
    m = QgsProcessingModelAlgorithm("same_work", "bench")
    ov = QgsProcessingModelChildAlgorithm("native:calculatevectoroverlaps")
    ov.setChildId("ov")
    ov.addParameterSources("INPUT", [static(uri(path, "patches"))])
    ref = ref or Reference(path)
    ov.addParameterSources("LAYERS", [static([ref("basemap", s) for s in class_groups().values()])])
    o1 = QgsProcessingModelOutput("overlaps")
    o1.setChildId("ov")
    o1.setChildOutputName("OUTPUT")
    ov.setModelOutputs({"overlaps": o1})
    m.addChildAlgorithm(ov)
    cv = QgsProcessingModelChildAlgorithm("qgis:checkvalidity")
    cv.setChildId("cv")
    cv.addParameterSources("INPUT_LAYER", [static(uri(path, "patches"))])
    cv.addParameterSources("METHOD", [static(2)])  # GEOS
    cv.addParameterSources("IGNORE_RING_SELF_INTERSECTION", [static(False)])
    outs = {}
    for name, child in (("valid", "VALID_OUTPUT"), ("invalid", "INVALID_OUTPUT"), ("errors", "ERROR_OUTPUT")):
        o = QgsProcessingModelOutput(name)
        o.setChildId("cv")
        o.setChildOutputName(child)
        outs[name] = o
    cv.setModelOutputs(outs)
    m.addChildAlgorithm(cv)
    m.updateDestinationParameters()
    if not m.toFile(model_path):
        raise RuntimeError(f"cannot write {model_path}")


def native_cmd(model: str, outdir: str) -> List[str]:
    return [QGIS_PROCESS, "run", model, "--ELLIPSOID=EPSG:1024", "--", f"ov:overlaps={outdir}/overlaps.gpkg",
            f"cv:valid={outdir}/valid.gpkg", f"cv:invalid={outdir}/invalid.gpkg", f"cv:errors={outdir}/errors.gpkg"]


def findings_summary(out: str) -> Tuple[Dict[str, int], str, int]:
    """(findings per rule, sha256 of the sorted (patch_id, rule, other ids, value rounded to 0.01) set, count).
    Aggregated findings are keyed by their other ids sorted (the order of a patch's pairs follows the order the
    reference layer was read in, which a PostGIS provider does not promise)."""
    con = sqlite3.connect(out)
    try:
        table = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
        names = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        others = "other_ids" if "other_ids" in names else "other_id"
        rows = con.execute(f'SELECT patch_id, rule, {others}, value FROM "{table}"').fetchall()
    finally:
        con.close()
    keys = sorted({(p or "", r or "", ", ".join(sorted((o or "").split(", "))), "" if v is None else f"{v:.2f}")
                   for p, r, o, v in rows})
    h = hashlib.sha256("\n".join("\t".join(k) for k in keys).encode()).hexdigest()[:16]
    return dict(sorted(Counter(r for _p, r, _o, _v in rows).items())), h, len(rows)


def data_path(parcels: int, regenerate: bool = False) -> str:
    import bench_checks

    patches = parcels // 8
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"checks_{patches}_{parcels}.gpkg")
    if regenerate or not os.path.exists(path):
        print(f"generating {path} ...", flush=True)
        print("  ", bench_checks.generate(path, patches, parcels), flush=True)
    return path


def bench_size(parcels: int, runs: int, sides: Dict[str, Optional[Dict[str, str]]], work: str,
               regenerate: bool, log, pg=None) -> Dict[str, object]:
    """Every side on one size, `runs` times, interleaved; with `pg`, ours and QGIS's again with the reference
    layers in PostGIS (sides `ours_pg`, `qgis_pg`)."""
    path = data_path(parcels, regenerate)
    refs = {"": Reference(path)}
    if pg is not None:
        refs["_pg"] = Reference(path, pg, f"c{parcels}")
        refs["_pg"].load(log)
    models = {}
    for suffix, ref in refs.items():
        models[suffix] = os.path.join(work, f"same_work{suffix}.model3")
        write_native_model(path, models[suffix], ref)
    runs_of = [(name + suffix, name, suffix) for suffix in refs for name in sides
               if not (suffix and name == "baseline")]
    times: Dict[str, List[float]] = {k: [] for k, _n, _s in runs_of}
    mem: Dict[str, List[float]] = {k: [] for k, _n, _s in runs_of}
    summaries: Dict[str, Tuple[Dict[str, int], str, int]] = {}
    for r in range(runs):
        for key, name, suffix in runs_of:
            env = sides[name]
            outdir = tempfile.mkdtemp(dir=work)
            if name == "qgis":
                secs, gb, _o = timed(native_cmd(models[suffix], outdir), env)
            else:
                out = os.path.join(outdir, "findings.gpkg")
                secs, gb, _o = timed(ours_cmd(path, out, refs[suffix]), env)
                if r == 0:
                    summaries[key] = findings_summary(out)
            times[key].append(secs)
            mem[key].append(gb)
            shutil.rmtree(outdir, ignore_errors=True)
            log(f"  {parcels} parcels, run {r + 1}: {key:9s} {secs:6.2f} s  {gb:.2f} GB peak"
                f"  (load {os.getloadavg()[0]:.2f})")
    res: Dict[str, object] = {"parcels": parcels, "patches": parcels // 8}
    for key in times:
        res[key] = (statistics.median(times[key]), max(mem[key]))
    res["findings"] = summaries
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, nargs="+", default=[50000, 400000], help="base-map sizes (patches = /8)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-plugin", help="a copy of forestry_plugin/ to time too and to compare findings with")
    ap.add_argument("--postgis", action="store_true",
                    help="also with the reference layers in PostGIS (a server started for the run, tests/helpers/pg_server.py)")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--out", help="also write the printed output to this file")
    args = ap.parse_args(argv)
    lines: List[str] = []

    def log(s: str) -> None:
        print(s, flush=True)
        lines.append(s)

    from qgis.core import QgsApplication

    app = QgsApplication.instance() or QgsApplication([], False)
    app.initQgis()
    work = tempfile.mkdtemp(prefix="bench_checks_process_")
    runtime = os.path.join(work, "xdg")
    os.makedirs(runtime, mode=0o700)
    sides: Dict[str, Optional[Dict[str, str]]] = {}
    install_plugin(os.path.join(work, "cur"), os.path.join(ROOT, "forestry_plugin"))
    sides["ours"] = environment(os.path.join(work, "cur"), runtime)
    if args.baseline_plugin:
        PAIRS[0] = True
        install_plugin(os.path.join(work, "base"), args.baseline_plugin)
        sides["baseline"] = environment(os.path.join(work, "base"), runtime)
    sides["qgis"] = sides["ours"]
    pg = None
    if args.postgis:
        sys.path.insert(0, os.path.join(ROOT, "tests", "helpers"))
        from pg_server import PgServer

        why = PgServer.available()
        if why:
            raise SystemExit(f"--postgis: {why}")
        pg = PgServer()
    log(f"whole-process forestry:checkpatches vs QGIS same work (calculatevectoroverlaps x3 class groups + "
        f"checkvalidity), median of {args.runs}; {os.cpu_count()} CPUs, load at start {os.getloadavg()[0]:.2f}")
    results = []
    ok = True
    try:
        for n in args.parcels:
            res = bench_size(n, args.runs, sides, work, args.regenerate, log, pg)
            results.append(res)
            f = res["findings"]
            log(f"  findings (ours): {f['ours'][2]} {f['ours'][0]} hash {f['ours'][1]}")
            for other in ("baseline", "ours_pg"):
                if other in f:
                    same = f[other][:2] == f["ours"][:2]
                    ok &= same
                    log(f"  findings ({other}): {f[other][2]} hash {f[other][1]} -> "
                        f"{'IDENTICAL' if same else 'DIFFERENT: ' + str(f[other][0])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if pg is not None:
            pg.stop()
    log("")
    cols = [("ours", "ours"), ("baseline", "before"), ("qgis", "QGIS"), ("ours_pg", "ours PG"), ("qgis_pg", "QGIS PG")]
    cols = [(k, label) for k, label in cols if k in results[0]]
    head = f"{'parcels':>8} {'patches':>8}" + "".join(f" {label + ' s':>10} {label + ' GB':>10}" for _k, label in cols)
    ratios = [("ours", "qgis", "ours/QGIS"), ("baseline", "qgis", "before/QGIS"), ("ours_pg", "qgis_pg", "PG ratio")]
    ratios = [r for r in ratios if r[0] in results[0]]
    head += "".join(f" {label:>11}" for _a, _b, label in ratios)
    log(head)
    for res in results:
        row = f"{res['parcels']:>8} {res['patches']:>8}"
        row += "".join(f" {res[k][0]:>10.2f} {res[k][1]:>10.2f}" for k, _label in cols)
        row += "".join(f" {res[a][0] / res[b][0]:>11.2f}" for a, b, _label in ratios)
        log(row)
    if len(results) > 1:
        a, b = results[0], results[-1]
        log(f"growth {a['parcels']} -> {b['parcels']} parcels (x{b['parcels'] / a['parcels']:.0f}): "
            + ", ".join(f"{label} x{b[k][0] / a[k][0]:.1f} time, x{b[k][1] / a[k][1]:.1f} memory"
                        for k, label in cols))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
