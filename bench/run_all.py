"""Run every benchmark of the plugin in turn (each prints its own numbers).

    python bench/run_all.py            # full size
    python bench/run_all.py --small    # quick look (passed to bench_checks and bench_editing; bench_sync runs its defaults)
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# (module in bench/, arguments it understands from ours)
BENCHMARKS = [("bench_checks", ("--small", "--runs", "--no-qgis")), ("bench_editing", ("--small", "--runs", "--no-qgis")),
              ("bench_sync", ())]


def _args_for(known, argv):
    out, it = [], iter(argv)
    for a in it:
        if a in known:
            out.append(a)
            if a == "--runs":
                out.append(next(it, "3"))
    return out


def main(argv=None) -> int:
    """Run the benchmarks; non-zero if any failed."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rc = 0
    for name, known in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        print(f"== {name} ==", flush=True)
        try:
            rc |= int(module.main(_args_for(known, argv)) or 0)
        except Exception:  # noqa: BLE001 - report and run the others
            traceback.print_exc()
            rc |= 1
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
