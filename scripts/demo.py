#!/usr/bin/env python3
"""`make demo`: the main job end to end on the generated sample county and the local reference platform.

Headless: writes everything into --out (default demo-output/) and prints what it did:
sample county working copy + QGIS project, a rendered map PNG, then the check, workflow, sync and
report steps, each on the same working copy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from qgis.core import QgsApplication  # noqa: E402


def step(title: str):
    print(f"\n== {title}", flush=True)
    return time.perf_counter()


def done(t0: float, text: str) -> None:
    print(f"   {text} ({time.perf_counter() - t0:.2f} s)", flush=True)


def render_project_png(qgz: str, png: str) -> None:
    """Render the project's visible layers to a PNG (what QGIS would show on opening it)."""
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings, QgsProject
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    project = QgsProject.instance()
    if not project.read(qgz):
        raise RuntimeError(f"cannot read {qgz}: {project.error()}")
    layers = [n.layer() for n in project.layerTreeRoot().findLayers() if n.layer().isSpatial() and n.isVisible()]
    ms = QgsMapSettings()
    ms.setLayers(layers)
    ms.setDestinationCrs(project.crs())
    ms.setOutputSize(QSize(1400, 1000))
    ms.setExtent(project.viewSettings().defaultViewExtent())
    ms.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png)
    project.clear()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="demo-output")
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    app = QgsApplication([], False)
    app.initQgis()
    from forestry_plugin.core.project import write_project
    from forestry_plugin.core.sample_county import generate_sample_county

    summary = {}
    t = step("Sample county (示例县 339901), generated from the seed")
    wc = os.path.join(out, "sample_county.gpkg")
    sc = generate_sample_county(wc, seed=args.seed)
    summary["working_copy"] = wc
    done(t, f"{sc.patch_count} patches ({len(sc.faults)} with labelled faults), {sc.basemap_count} base-map parcels, "
            f"{sc.stats['history']} earlier-year patches -> {wc}")

    t = step("QGIS project with styles and attribute forms")
    qgz = write_project(wc, os.path.join(out, "sample_county.qgz"))
    png = os.path.join(out, "sample_county.png")
    render_project_png(qgz, png)
    summary["project"], summary["map_png"] = qgz, png
    done(t, f"{qgz} (open it in QGIS); rendered {png}")

    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=1)
    print(f"\nDemo finished; everything is in {out}")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
