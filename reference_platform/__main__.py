"""python -m reference_platform --host 127.0.0.1 --port 8765 --db build/platform.sqlite"""

import argparse
import signal
import sys

from .server import DEMO_USERS, start_server, stop_server


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Reference provincial forestry platform (local, for tests and demos)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--db", default="build/platform.sqlite")
    ap.add_argument("--basemap-dir", help="folder with <county>.gpkg base-map packages to serve")
    ap.add_argument("--no-demo-users", action="store_true")
    a = ap.parse_args(argv)
    server, url = start_server(a.db, a.host, a.port, seed_demo=not a.no_demo_users, basemap_dir=a.basemap_dir)
    print(f"reference platform at {url} (database {a.db}); demo users: "
          + ", ".join(f"{u}/{p} ({r})" for u, p, r, _c in DEMO_USERS), flush=True)
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
