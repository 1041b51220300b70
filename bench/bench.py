"""Benchmark: `fusion-rating rate` against the floor query (bench/floor.sql) on N rows.

    python bench/bench.py --rows 1000000,10000000 [--memory-limit 2GB] [--out bench-data]

For each N it writes a sample month (no deliberately bad rows, so the floor reads the same
files), then runs the floor and the engine, each in its own process, alternating, `--repeat` times
(default 3), and prints the median wall time, rows/s, the engine/floor time ratio and the
highest peak RSS of each. A run that fails (e.g. out of memory under --memory-limit) shows nan.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR_SCRIPT = """
import sys, duckdb
from pathlib import Path
files = sorted(str(p) for p in Path(sys.argv[1], 'usage').rglob('*.parquet'))
con = duckdb.connect(sys.argv[2])
if sys.argv[4]:
    con.execute("SET memory_limit = '" + sys.argv[4] + "'")
con.execute(Path(sys.argv[3]).read_text(), {'files': files, 'prices': sys.argv[5]})
"""


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (NaN seconds when it failed)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        elapsed = float("nan")
    return elapsed, usage.ru_maxrss / 1024


def write_prices(catalog_dir: Path, target: Path) -> None:
    from rating.catalog import load_catalog

    catalog = load_catalog(catalog_dir)
    service_of = {p.code: p.service for p in catalog.plans}
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["service", "metric", "unit_price"])
        for charge in catalog.charges():
            price = charge.prices[-1]
            unit = price.tiers[0].unit_price if price.tiers else (price.package_price or 0)
            writer.writerow([service_of[charge.plan], charge.metric, unit])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000,10000000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data")
    parser.add_argument("--memory-limit", default="")
    parser.add_argument("--threads", default="")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each, alternating; the median is printed")
    args = parser.parse_args()
    from rating.sample import write_sample

    print(f"{'rows':>12} {'floor s':>8} {'floor MB':>9} {'engine s':>9} {'engine MB':>10} "
          f"{'rows/s':>12} {'ratio':>6} {'s/Mrow':>7}")
    for rows in (int(r) for r in args.rows.split(",")):
        folder = args.out / f"rows-{rows}"
        if not (folder / "landing").exists():
            write_sample(folder, rows, bad_rows=False)
        prices = folder / "floor_prices.csv"
        write_prices(folder / "catalog", prices)
        engine = [sys.executable, "-m", "rating.cli", "rate", "--landing",
                  str(folder / "landing"), "--catalog", str(folder / "catalog"),
                  "--warehouse", str(folder / "engine.duckdb"), "--period", "2026-10"]
        if args.memory_limit:
            engine += ["--memory-limit", args.memory_limit]
        if args.threads:
            engine += ["--threads", args.threads]
        floor = [sys.executable, "-c", FLOOR_SCRIPT, str(folder / "landing"),
                 str(folder / "floor.duckdb"), str(ROOT / "bench/floor.sql"), args.memory_limit,
                 str(prices)]
        floor_runs: list[tuple[float, float]] = []
        engine_runs: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            for stale in folder.glob("*.duckdb*"):
                if stale.is_dir():
                    shutil.rmtree(stale)
                else:
                    stale.unlink()
            floor_runs.append(measure(floor))
            engine_runs.append(measure(engine))
        floor_s = statistics.median(r[0] for r in floor_runs)
        floor_mb = max(r[1] for r in floor_runs)
        engine_s = statistics.median(r[0] for r in engine_runs)
        engine_mb = max(r[1] for r in engine_runs)
        print(f"{rows:>12,} {floor_s:>8.2f} {floor_mb:>9.0f} {engine_s:>9.2f} {engine_mb:>10.0f} "
              f"{rows / engine_s:>12,.0f} {engine_s / floor_s:>6.2f} "
              f"{engine_s / rows * 1e6:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
