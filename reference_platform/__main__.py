"""python -m reference_platform --host 127.0.0.1 --port 8765 --db build/platform.sqlite [--workflow file.json]

Operator import (migrating a county's existing data, then exit):
python -m reference_platform --db build/platform.sqlite --import-gpkg working_copy.gpkg [--county 339901]
"""

import argparse
import signal
import sys

from .server import DEMO_USERS, PlatformDB, load_policy, read_gpkg_patches, start_server, stop_server


def import_gpkg(db_path: str, gpkg: str, county: str = "") -> int:
    """Store the patches table of `gpkg` on the platform at the stages it has; returns how many."""
    features = read_gpkg_patches(gpkg)
    db = PlatformDB(db_path)
    by_county = {}
    for f in features:
        by_county.setdefault(county or str(f["properties"].get("county_code") or ""), []).append(f)
    n = 0
    for code, feats in by_county.items():
        if len(code) != 6 or not code.isdigit():
            raise SystemExit(f"patches without a county code: pass --county (got {code!r})")
        n += db.import_patches(code, feats)
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Reference provincial forestry platform (local, for tests and demos)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--db", default="build/platform.sqlite")
    ap.add_argument("--basemap-dir", help="folder with <county>.gpkg base-map packages to serve")
    ap.add_argument("--workflow", help="workflow configuration (default resources/workflow.json)")
    ap.add_argument("--no-demo-users", action="store_true")
    ap.add_argument("--import-gpkg", metavar="GPKG", help="import the patches of a working copy, then exit")
    ap.add_argument("--county", default="", help="with --import-gpkg: the county (default: each patch's county_code)")
    a = ap.parse_args(argv)
    if a.import_gpkg:
        print(f"imported {import_gpkg(a.db, a.import_gpkg, a.county)} patches into {a.db}", flush=True)
        return 0
    load_policy(a.workflow)  # an unusable configuration stops here, with PolicyError saying why
    server, url = start_server(a.db, a.host, a.port, seed_demo=not a.no_demo_users, basemap_dir=a.basemap_dir,
                               workflow_path=a.workflow)
    users = "" if a.no_demo_users else "; demo users: " + ", ".join(f"{u} ({r})" for u, _p, r, *_ in DEMO_USERS) \
        + " (password: see docs/sync.md)"
    print(f"reference platform at {url} (database {a.db}, workflow {server.policy.fingerprint}){users}", flush=True)
    done = []
    signal.signal(signal.SIGTERM, lambda *_: done.append(1))
    try:
        signal.pause() if hasattr(signal, "pause") else input()
    except KeyboardInterrupt:
        pass
    stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
