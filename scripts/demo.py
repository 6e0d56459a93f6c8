#!/usr/bin/env python3
"""`make demo`: the main job end to end on the generated sample county and the local reference platform.

Headless: writes everything into --out (default demo-output/) and prints what it did:
sample county working copy + QGIS project, a rendered map PNG, then the check, workflow, import, sync and
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

from forestry_plugin.core.working_copy import create_working_copy  # noqa: E402


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


def import_contractor_file(wc: str, out: str) -> dict:
    """What a contractor's delivery goes through: a GeoJSON in WGS84 with Chinese columns is imported into the
    patch layer (attributes filled from the location), live-checked and saved."""
    from osgeo import ogr, osr
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsFeatureRequest,
        QgsGeometry,
        QgsProject,
        QgsRectangle,
        QgsVectorLayer,
    )

    from forestry_plugin import schema
    from forestry_plugin.core import geopackage, importer
    from forestry_plugin.core.attributes import PatchContext
    from forestry_plugin.core.checks.live import LiveChecker
    from forestry_plugin.gui.edit_controller import PatchEditController

    layer = QgsVectorLayer(geopackage.layer_uri(wc, schema.PATCHES), "patches", "ogr")
    base = QgsVectorLayer(geopackage.layer_uri(wc, schema.BASEMAP), "basemap", "ogr")
    # three grassland/shrub parcels with no patch on them yet: the contractor planted their middles
    squares = []
    for cell in base.getFeatures(QgsFeatureRequest().setFilterExpression("\"DLBM\" IN ('0404', '0305')")):
        box = cell.geometry().boundingBox()
        if box.width() < 150 or box.height() < 150:
            continue
        sq = QgsGeometry.fromRect(QgsRectangle(box.center().x() - 40, box.center().y() - 40,
                                               box.center().x() + 40, box.center().y() + 40))
        if not sq.within(cell.geometry()) or any(True for _ in layer.getFeatures(
                QgsFeatureRequest().setFilterRect(sq.boundingBox()).setLimit(1))):
            continue
        squares.append(sq)
        if len(squares) == 3:
            break
    xf = QgsCoordinateTransform(layer.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    fn = os.path.join(out, "contractor_delivery.geojson")
    if os.path.exists(fn):
        os.remove(fn)
    ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(fn)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = ds.CreateLayer("patches", srs, ogr.wkbPolygon)
    for name in ("图斑编号", "造林方式", "林种", "树种", "施工单位"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    for k, sq in enumerate(squares):
        g = QgsGeometry(sq)
        g.transform(xf)
        f = ogr.Feature(lyr.GetLayerDefn())
        for name, value in (("图斑编号", f"SG-{k + 1:03d}"), ("造林方式", schema.CODE_LISTS["method"].label("planting")),
                            ("林种", schema.CODE_LISTS["forest_type"].label("protection")),
                            ("树种", schema.CODE_LISTS["species"].label("camphor")), ("施工单位", "青山绿化公司")):
            f.SetField(name, value)
        f.SetGeometry(ogr.CreateGeometryFromWkb(bytes(g.asWkb())))
        lyr.CreateFeature(f)
    ds = None

    layer.startEditing()
    ctrl = PatchEditController(layer, PatchContext.from_working_copy(wc, layer.crs()))
    report = importer.read_source_patches(fn, layer.crs(), None, layer)
    if not report.ok:
        raise RuntimeError(report.summary())
    fids = ctrl.add_patches([(p.geometry, p.attrs) for p in report.patches])
    checker = LiveChecker(wc)
    errors = 0
    added = [layer.getFeature(fid) for fid in fids]
    for f in added:
        attrs = {n: f[n] for n in f.fields().names()}
        errors += sum(1 for x in checker.check_patch(f.geometry(), attrs, f["patch_id"]) if x.severity == "error")
    villages = sorted({str(f["village_code"]) for f in added})
    if errors or not layer.commitChanges():
        layer.rollBack()
        raise RuntimeError(f"import not saved: {errors} check errors; {layer.commitErrors()}")
    ctrl.detach()
    return {"file": fn, "added": len(fids), "columns": report.mapped, "villages": villages, "errors": errors}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="demo-output")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--lang", default="zh_CN", help="report language: zh_CN (default) or en")
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    app = QgsApplication([], False)
    app.initQgis()
    translator = None
    if args.lang != "en":  # reports and messages in the county's language, as in QGIS with that locale
        from qgis.PyQt.QtCore import QTranslator

        translator = QTranslator()
        qm = os.path.join(ROOT, "i18n", f"forestry_plugin_{args.lang}.qm")
        if translator.load(qm):
            app.installTranslator(translator)
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

    t = step("Checks against the base map (all 13 rules)")
    from collections import Counter

    from forestry_plugin.core.checks.engine import check_working_copy
    from forestry_plugin.core.checks.report import write_check_report

    result = check_working_copy(wc)
    by_rule = Counter(f.rule for f in result.findings)
    found = {f.patch_id for f in result.findings if f.severity in ("error", "warning")}
    missed = [pid for pid in sc.faults if pid not in found]
    false_alarms = [pid for pid in sc.clean_ids if pid in found]
    check_xlsx = os.path.join(out, "check_report.xlsx")
    write_check_report(result.findings, check_xlsx)
    summary["checks"] = {"findings": len(result.findings), "by_rule": dict(by_rule), "missed_faults": missed,
                         "clean_patches_flagged": false_alarms, "report": check_xlsx}
    done(t, f"{len(result.findings)} findings on {len(result.checked_ids)} patches: "
            + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items()))
            + f"; labelled faults missed: {len(missed)}, clean patches flagged: {len(false_alarms)} -> {check_xlsx}")

    from forestry_plugin.core import geopackage, workflow
    from forestry_plugin.core.sync.client import PlatformClient
    from forestry_plugin.core.sync.engine import SyncEngine
    from reference_platform.server import read_gpkg_patches, start_server, stop_server

    pw = "demo-pass-2025"  # the demo accounts (docs/sync.md)
    db = os.path.join(out, "platform.sqlite")
    if os.path.exists(db):
        os.remove(db)
    server, url = start_server(db)
    try:
        t = step("Provincial platform (local reference server): the operator imports the county's patches once")
        imported_n = server.db.import_patches("339901", read_gpkg_patches(wc))
        tech = PlatformClient(url)
        tech.login("demo_tech", pw)
        tech_engine = SyncEngine(wc, tech)
        linked, _ = tech_engine.sync()
        summary["platform"] = {"url": url, "imported": imported_n, "linked_conflicts": linked.conflicts,
                               "local_changes_after_link": tech_engine.local_changes()["total"]}
        done(t, f"{url}: {imported_n} patches imported by the operator; the technician's copy links to them "
                f"({linked.conflicts} conflicts, {tech_engine.local_changes()['total']} local changes left)")

        t = step("Review: the county reviewer confirms, the city reviewer returns one; the platform decides")
        county = PlatformClient(url)
        county.login("demo_county", pw)
        county_engine = SyncEngine(wc, county)
        me = county_engine.adopt_session()  # who is acting comes from the login, never from a choice
        accepted = [a["patch_id"] for _f, a, _g in geopackage.read_features(wc, "patches", ["patch_id", "stage"])
                    if a["stage"] == "accepted"]
        clean_accepted = [pid for pid in accepted if pid not in sc.faults]
        ok = workflow.transition(wc, clean_accepted[:10], "confirmed")
        faulty = [pid for pid in accepted if pid in sc.faults][:1]
        refused = workflow.transition(wc, clean_accepted[10:12] + faulty, "confirmed")
        county_push = county_engine.push()
        city = PlatformClient(url)
        city.login("demo_city", pw)
        city_engine = SyncEngine(wc, city)
        city_engine.adopt_session()
        checked = [a["patch_id"] for _f, a, _g in geopackage.read_features(wc, "patches", ["patch_id", "stage"])
                   if a["stage"] == "county_checked"]
        returned = workflow.return_patches(wc, checked[:1], "confirmed", "survival_failed", "东侧补植后重新验收")
        city_push = city_engine.push()
        # A contractor who edits a province-verified patch's stage or deletes it gets nothing recorded.
        contractor_copy = os.path.join(out, "contractor_copy.gpkg")
        create_working_copy(contractor_copy, overwrite=True, county_code="339901", store_styles=False)
        contractor = PlatformClient(url)
        contractor.login("demo_contractor", pw)
        contractor_engine = SyncEngine(contractor_copy, contractor)
        contractor_engine.sync()
        target = next(a["patch_id"] for _f, a, _g in geopackage.read_features(contractor_copy, "patches",
                                                                               ["patch_id", "stage"])
                      if a["stage"] == "province_verified")
        with geopackage.connect(contractor_copy) as con:
            con.execute("DELETE FROM patches WHERE patch_id = ?", (target,))
        forged = contractor_engine.push()
        summary["workflow"] = {"identity": me.label("en"), "confirmed": ok.to_dict(), "refused_batch": refused.to_dict(),
                               "returned": returned.to_dict(),
                               "platform": {"county_accepted": county_push.transitions_accepted,
                                            "city_accepted": city_push.transitions_accepted,
                                            "contractor_delete": forged.errors}}
        done(t, f"as {me.label('en')}: {ok.summary()}; a batch with a faulty patch: {refused.summary()} "
                f"({'; '.join(r.patch_id[:8] + ': ' + ', '.join(r.codes) for r in refused.refused)}); "
                f"{returned.summary()}; the platform accepted {county_push.transitions_accepted} + "
                f"{city_push.transitions_accepted} moves; a contractor's delete of a province-verified patch: "
                f"{'; '.join(forged.errors)}")

        t = step("Import: a contractor's GeoJSON (WGS84, Chinese column names), live-checked, saved")
        tech_engine.adopt_session()  # the county technician is at the keyboard again (reviewers draw no patches)
        imported = import_contractor_file(wc, out)
        summary["import"] = imported
        done(t, f"{imported['file']}: {imported['added']} patches added as one undo step "
                f"(columns {', '.join(f'{k}→{v}' for k, v in imported['columns'].items())}; "
                f"villages {', '.join(imported['villages'])}); live check: {imported['errors']} errors; saved")

        t = step("Sync with the provincial platform: the technician uploads, a city reviewer downloads")
        pulled_tech, pushed = tech_engine.sync()
        reviewer_copy = os.path.join(out, "reviewer_copy.gpkg")
        create_working_copy(reviewer_copy, overwrite=True, county_code="339901", county_name="示例县")
        pulled = SyncEngine(reviewer_copy, city).pull()
        summary["sync"] = {"url": url, "pushed": pushed.accepted, "rejected": pushed.rejected,
                           "audit_rows": pushed.audit_sent, "pulled_by_reviewer": pulled.applied,
                           "bytes_sent": pushed.bytes_sent}
    finally:
        stop_server(server)
    done(t, f"{url}: technician uploaded {pushed.accepted} new patches ({pushed.rejected} refused) "
            f"({pushed.bytes_sent / 1e3:.0f} kB); city reviewer downloaded {pulled.applied} into {reviewer_copy}")

    t = step("Reports: progress report (进度通报) and county map")
    from forestry_plugin.core.reports.mapreport import map_from_working_copy
    from forestry_plugin.core.reports.progress import progress_report_from_working_copy

    progress_xlsx = os.path.join(out, "progress_report.xlsx")
    rows = progress_report_from_working_copy(wc, progress_xlsx, "township")
    map_pdf = map_from_working_copy(wc, os.path.join(out, "county_map.pdf"))
    summary["reports"] = {"progress": progress_xlsx, "map": map_pdf}
    best = rows[0]
    done(t, f"{progress_xlsx} ({len(rows)} townships; first: {best.name} "
            f"{(best.completion or 0) * 100:.1f} % of its task); {map_pdf}")

    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=1, default=str)
    print(f"\nDemo finished; everything is in {out}")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
