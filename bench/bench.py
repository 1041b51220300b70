"""Benchmark: `fusion-rating rate` against the floor query (bench/floor.sql) on N rows.

    python bench/bench.py --rows 1000000,10000000 [--memory-limit 2GB] [--out bench-data]
        [--quiet]

For each N it writes a sample month (no deliberately bad rows, so the floor reads the same
files), then, alternating, `--repeat` times (default 3), each in its own process: the floor; the
engine cold (a fresh warehouse and ledger: every file ingested, then the month rated); and the
engine again on that warehouse (nothing new to ingest: the month rated from the ledger). It
prints the median wall time of each, rows/s of the cold run, the engine/floor ratios and the
highest peak RSS of each. A run that fails (e.g. out of memory under --memory-limit) shows nan.
The engine writes its progress lines to stderr (not a terminal here: plain lines, discarded);
`--quiet` runs it with -q instead, to compare.
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
    parser.add_argument("--quiet", action="store_true",
                        help="run the engine with -q (no progress lines)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each, alternating; the median is printed")
    args = parser.parse_args()
    from rating.samples.usage import write_sample

    print(f"{'rows':>12} {'floor s':>8} {'floor MB':>9} {'cold s':>7} {'cold MB':>8} "
          f"{'rows/s':>11} {'cold/floor':>10} {'ledger s':>9} {'ledger MB':>10} "
          f"{'ledger/floor':>12}")
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
        if args.quiet:
            engine.append("-q")
        floor = [sys.executable, "-c", FLOOR_SCRIPT, str(folder / "landing"),
                 str(folder / "floor.duckdb"), str(ROOT / "bench/floor.sql"), args.memory_limit,
                 str(prices)]
        runs: dict[str, list[tuple[float, float]]] = {"floor": [], "cold": [], "ledger": []}
        for _ in range(args.repeat):
            for stale in folder.glob("*.duckdb*"):
                if stale.is_dir():
                    shutil.rmtree(stale)
                else:
                    stale.unlink()
            shutil.rmtree(folder / "engine.ledger", ignore_errors=True)
            runs["floor"].append(measure(floor))
            runs["cold"].append(measure(engine))
            runs["ledger"].append(measure(engine))
        seconds = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
        peak = {k: max(r[1] for r in v) for k, v in runs.items()}
        print(f"{rows:>12,} {seconds['floor']:>8.2f} {peak['floor']:>9.0f} "
              f"{seconds['cold']:>7.2f} {peak['cold']:>8.0f} {rows / seconds['cold']:>11,.0f} "
              f"{seconds['cold'] / seconds['floor']:>10.2f} {seconds['ledger']:>9.2f} "
              f"{peak['ledger']:>10.0f} {seconds['ledger'] / seconds['floor']:>12.2f}",
              flush=True)


if __name__ == "__main__":
    main()
