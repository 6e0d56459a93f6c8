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

The data are bench_checks.generate's working copies (cached in bench/data/), patches = parcels / 8. With
--baseline-plugin DIR, a copy of the plugin as it was (e.g. before a change) is timed too, and its findings must be
identical to the current plugin's: per-rule counts and a hash of the (patch_id, rule, other_id, value rounded to
0.01) set; the script exits non-zero otherwise.

    python bench/bench_checks_process.py --parcels 50000 400000
    python bench/bench_checks_process.py --parcels 400000 --baseline-plugin /tmp/old_plugin
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
    tests/test_checks_processing.install_plugin does)."""
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


def class_groups() -> Dict[str, str]:
    """The base-map class groups the rules look at, as OGR subset strings."""
    from forestry_plugin import schema

    def q(classes):
        return f'"{schema.LANDCLASS_FIELD}" IN ({",".join(repr(c) for c in sorted(classes))})'

    return {"cropland": q(schema.CROPLAND_CLASSES), "builtup_water": q(schema.BUILTUP_CLASSES | schema.WATER_CLASSES),
            "forest": q(schema.EXISTING_FOREST_CLASSES)}


def ours_cmd(path: str, out: str) -> List[str]:
    return [QGIS_PROCESS, "run", "forestry:checkpatches", "--", f"PATCHES={uri(path, 'patches')}",
            f"BASEMAP={uri(path, 'basemap')}", f"ADMIN={uri(path, 'admin_units')}",
            f"FARMLAND={uri(path, 'basic_farmland')}", f"HISTORY={uri(path, 'history_patches')}", f"OUTPUT={out}",
            # the pairs, as the engine wrote them before findings were aggregated per patch and rule (the default):
            # the same rows as a baseline plugin writes, so both are compared finding by finding
            "AGGREGATE=false"]


def write_native_model(path: str, model_path: str) -> None:
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
    ov.addParameterSources("LAYERS", [static([uri(path, "basemap", s) for s in class_groups().values()])])
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
    """(findings per rule, sha256 of the sorted (patch_id, rule, other_id, value rounded to 0.01) set, count)."""
    con = sqlite3.connect(out)
    try:
        table = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
        rows = con.execute(f'SELECT patch_id, rule, other_id, value FROM "{table}"').fetchall()
    finally:
        con.close()
    keys = sorted({(p or "", r or "", o or "", "" if v is None else f"{v:.2f}") for p, r, o, v in rows})
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
               regenerate: bool, log) -> Dict[str, object]:
    path = data_path(parcels, regenerate)
    model = os.path.join(work, "same_work.model3")
    write_native_model(path, model)
    times: Dict[str, List[float]] = {k: [] for k in sides}
    mem: Dict[str, List[float]] = {k: [] for k in sides}
    summaries: Dict[str, Tuple[Dict[str, int], str, int]] = {}
    for r in range(runs):
        for name, env in sides.items():
            outdir = tempfile.mkdtemp(dir=work)
            if name == "qgis":
                secs, gb, _o = timed(native_cmd(model, outdir), env)
            else:
                out = os.path.join(outdir, "findings.gpkg")
                secs, gb, _o = timed(ours_cmd(path, out), env)
                if r == 0:
                    summaries[name] = findings_summary(out)
            times[name].append(secs)
            mem[name].append(gb)
            shutil.rmtree(outdir, ignore_errors=True)
            log(f"  {parcels} parcels, run {r + 1}: {name:8s} {secs:6.2f} s  {gb:.2f} GB peak"
                f"  (load {os.getloadavg()[0]:.2f})")
    res: Dict[str, object] = {"parcels": parcels, "patches": parcels // 8}
    for name in sides:
        res[name] = (statistics.median(times[name]), max(mem[name]))
    res["findings"] = summaries
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, nargs="+", default=[50000, 400000], help="base-map sizes (patches = /8)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-plugin", help="a copy of forestry_plugin/ to time too and to compare findings with")
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
        install_plugin(os.path.join(work, "base"), args.baseline_plugin)
        sides["baseline"] = environment(os.path.join(work, "base"), runtime)
    sides["qgis"] = sides["ours"]
    log(f"whole-process forestry:checkpatches vs QGIS same work (calculatevectoroverlaps x3 class groups + "
        f"checkvalidity), median of {args.runs}; {os.cpu_count()} CPUs, load at start {os.getloadavg()[0]:.2f}")
    results = []
    ok = True
    try:
        for n in args.parcels:
            res = bench_size(n, args.runs, sides, work, args.regenerate, log)
            results.append(res)
            f = res["findings"]
            log(f"  findings (ours): {f['ours'][2]} {f['ours'][0]} hash {f['ours'][1]}")
            if "baseline" in f:
                same = f["baseline"][:2] == f["ours"][:2]
                ok &= same
                log(f"  findings (baseline): {f['baseline'][2]} hash {f['baseline'][1]} -> "
                    f"{'IDENTICAL' if same else 'DIFFERENT: ' + str(f['baseline'][0])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log("")
    head = f"{'parcels':>8} {'patches':>8} {'ours s':>8} {'ours GB':>8}"
    if args.baseline_plugin:
        head += f" {'before s':>9} {'before GB':>9}"
    head += f" {'QGIS s':>8} {'QGIS GB':>8} {'ours/QGIS':>9}"
    if args.baseline_plugin:
        head += f" {'before/QGIS':>11}"
    log(head)
    for res in results:
        o, q = res["ours"], res["qgis"]
        row = f"{res['parcels']:>8} {res['patches']:>8} {o[0]:>8.2f} {o[1]:>8.2f}"
        if args.baseline_plugin:
            b = res["baseline"]
            row += f" {b[0]:>9.2f} {b[1]:>9.2f}"
        row += f" {q[0]:>8.2f} {q[1]:>8.2f} {o[0] / q[0]:>9.2f}"
        if args.baseline_plugin:
            row += f" {res['baseline'][0] / q[0]:>11.2f}"
        log(row)
    if len(results) > 1:
        a, b = results[0], results[-1]
        log(f"growth {a['parcels']} -> {b['parcels']} parcels (x{b['parcels'] / a['parcels']:.0f}): ours "
            f"x{b['ours'][0] / a['ours'][0]:.1f}, QGIS x{b['qgis'][0] / a['qgis'][0]:.1f}")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
