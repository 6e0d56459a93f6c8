#!/usr/bin/env python3
"""Benchmark: push and pull of N patches (default 10 000) against the reference platform on 127.0.0.1.

Median of --runs runs, each on a fresh platform database and fresh working copies; prints seconds,
patches per second and the bytes sent/received.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid

from forestry_plugin.core.working_copy import create_working_copy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def make_copy(path: str, n: int) -> None:
    import shapely
    from shapely.geometry import box

    from forestry_plugin import schema
    from forestry_plugin.core import geopackage

    create_working_copy(path, county_code="339901", store_styles=False)
    side = int(n ** 0.5) + 1

    def records():
        for i in range(n):
            # inside the sample county's extent: the platform refuses patches outside the county
            x, y = 490000 + (i % side) * 60, 3320000 + (i // side) * 60
            yield ({"patch_id": str(uuid.UUID(int=i + 1, version=4)), "county_code": "339901",
                    "township_code": "339901101", "village_code": "339901101201", "year": 2025,
                    "method": "planting", "forest_type": "protection", "species": "camphor", "stage": "design",
                    "area_mu": 3.6, "area_ha": 0.24, "contractor": "示例县林业发展有限公司", "revision": 1},
                   shapely.to_wkb(box(x, y, x + 50, y + 48)))

    geopackage.write_features(path, schema.PATCHES, records())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patches", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=500)
    a = ap.parse_args(argv)
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from forestry_plugin.core.sync.client import PlatformClient
    from forestry_plugin.core.sync.engine import SyncEngine
    from reference_platform.server import start_server, stop_server

    push_t, pull_t, sent, received = [], [], 0, 0
    for run in range(a.runs):
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = os.path.join(tmp, "a.gpkg"), os.path.join(tmp, "b.gpkg")
            make_copy(src, a.patches)
            create_working_copy(dst, county_code="339901", store_styles=False)
            server, url = start_server(os.path.join(tmp, "platform.sqlite"))
            try:
                c1 = PlatformClient(url)
                c1.login("demo_tech", "demo-pass-2025")
                t = time.perf_counter()
                res = SyncEngine(src, c1).push(batch_size=a.batch)
                push_t.append(time.perf_counter() - t)
                assert res.accepted == a.patches, res
                c2 = PlatformClient(url)
                c2.login("demo_county", "demo-pass-2025")
                t = time.perf_counter()
                got = SyncEngine(dst, c2).pull(page_size=a.batch)
                pull_t.append(time.perf_counter() - t)
                assert got.applied == a.patches, got
                sent, received = c1.bytes_sent, c2.bytes_received
            finally:
                stop_server(server)
        print(f"run {run + 1}: push {push_t[-1]:.2f} s, pull {pull_t[-1]:.2f} s", flush=True)
    mp, ml = statistics.median(push_t), statistics.median(pull_t)
    print(f"\n{a.patches} patches, batch/page {a.batch}, median of {a.runs} runs")
    print(f"{'':6} {'seconds':>8} {'patches/s':>10} {'MB on the wire':>15}")
    print(f"{'push':6} {mp:8.2f} {a.patches / mp:10.0f} {sent / 1e6:15.2f} sent")
    print(f"{'pull':6} {ml:8.2f} {a.patches / ml:10.0f} {received / 1e6:15.2f} received")
    return 0


if __name__ == "__main__":
    sys.exit(main())
