"""Benchmark: the nightly run does not grow with history.

    python bench/bench_nightly.py [--rows-per-month 500000] [--months 12] [--repeat 5]

Two warehouses rate the same month (2026-10): one whose ledger holds that month only, one whose
ledger holds `--months` months (the month and the ones before it), all ingested beforehand. Each
night a small file of corrections to 2026-10 lands (the same bytes in both landing zones, a new
file every night: 2,000 counters re-pushed with a later pushed_at), then `fusion-rating rate
--period 2026-10` runs in its own process: it ingests that file (settling its re-pushes against
the whole ledger) and rates the month from the ledger. The two are run alternately `--repeat`
times; the script prints the median wall time and the highest peak RSS of each, and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402  (bench/bench.py, beside this script)
from rating.periods import previous_period_code  # noqa: E402

PERIOD = "2026-10"
CORRECTED_ROWS = 2000


def months_before(period: str, count: int) -> list[str]:
    found = [period]
    while len(found) < count:
        found.append(previous_period_code(found[-1]))
    return sorted(found)


def landing_with(folder: Path, samples: Path, periods: list[str]) -> Path:
    """A landing zone with the reference files of PERIOD's sample and the usage of `periods`."""
    landing = folder / "landing"
    if landing.exists():
        return landing
    for kind in ("accounts", "subscriptions"):
        shutil.copytree(samples / PERIOD / "landing" / kind, landing / kind)
    for period in periods:
        shutil.copytree(samples / period / "landing" / "usage", landing / "usage" / period)
    return landing


def corrections(samples: Path, night: int, target: Path) -> None:
    """2,000 counters of PERIOD re-pushed a day later with one more unit (night `night`)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = next(iter(sorted((samples / PERIOD / "landing" / "usage" / "nexacloud").rglob(
        "*.parquet"))))
    table = pq.read_table(source).slice(night * CORRECTED_ROWS, CORRECTED_ROWS)
    later = pc.add(table.column("pushed_at"), dt.timedelta(days=1, seconds=night))
    table = table.set_column(table.schema.get_field_index("pushed_at"), "pushed_at", later)
    value = pc.add(table.column("value"), 1)
    table = table.set_column(table.schema.get_field_index("value"), "value", value)
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows-per-month", type=int, default=500_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data" / "nightly")
    args = parser.parse_args()
    from rating.samples.usage import write_sample

    samples = args.out / f"samples-{args.rows_per_month}"
    periods = months_before(PERIOD, args.months)
    for period in periods:
        if not (samples / period).exists():
            write_sample(samples / period, args.rows_per_month, period, bad_rows=False)
    setups = {"1 month": [PERIOD], f"{args.months} months": periods}
    commands = {}
    for name, months in setups.items():
        folder = args.out / f"history-{len(months)}-{args.rows_per_month}"
        shutil.rmtree(folder, ignore_errors=True)
        landing = landing_with(folder, samples, months)
        command = [sys.executable, "-m", "rating.cli", "rate", "--landing", str(landing),
                   "--catalog", str(samples / PERIOD / "catalog"),
                   "--warehouse", str(folder / "warehouse.duckdb"), "--period", PERIOD]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        print(f"{name:>10}: {len(months) * args.rows_per_month:,} rows ingested and "
              f"{PERIOD} rated in {time.perf_counter() - started:.1f} s (setup)", flush=True)
        commands[name] = (landing, command)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
    for night in range(args.repeat):
        for name, (landing, command) in commands.items():
            target = landing / "usage" / "nightly" / f"night-{night:03d}.parquet"
            corrections(samples, night, target)
            runs[name].append(measure(command))
    print(f"{'history':>10} {'nightly s':>10} {'peak MB':>8} {'runs':>5}")
    medians = {}
    for name, measured in runs.items():
        medians[name] = statistics.median(r[0] for r in measured)
        print(f"{name:>10} {medians[name]:>10.2f} {max(r[1] for r in measured):>8.0f} "
              f"{len(measured):>5}")
    one, many = medians["1 month"], medians[f"{args.months} months"]
    print(f"ratio {args.months} months / 1 month: {many / one:.2f}")


if __name__ == "__main__":
    main()
