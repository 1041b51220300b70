"""Benchmark: the nightly run does not grow with history.

    python bench/bench_nightly.py [--rows-per-month 500000] [--months 12] [--repeat 5] [--quiet]
    python bench/bench_nightly.py --command adjust [--closed 2,6,12] [--late-periods 2]
        [--rows-per-month 20000] [--repeat 5] [--code PATH] [--quiet]

`--command rate` (the default): two warehouses rate the same month (2026-10): one whose ledger
holds that month only, one whose ledger holds `--months` months (the month and the ones before
it), all ingested beforehand. Each night a small file of corrections to 2026-10 lands (the same
bytes in both landing zones, a new file every night: 2,000 counters re-pushed with a later
pushed_at), then `fusion-rating rate --period 2026-10` runs in its own process: it ingests that
file (settling its re-pushes against the whole ledger) and rates the month from the ledger. The
two are run alternately `--repeat` times; the script prints the median wall time and the highest
peak RSS of each, and their ratio.

`--command adjust`: one warehouse per count of `--closed` (e.g. 2, 6 and 12 closed periods, the
latest 2026-10), each month rated, closed and posted (a dry run into odoo_outbox: ODOO_URL must
not be set). Each night a correction file lands for each of the
`--late-periods` latest closed periods (0: none, every period untouched), then the nightly
`fusion-rating adjust` (no period named) runs in its own process. The warehouses are run
alternately `--repeat` times; the script prints the median wall time and the highest peak RSS of
each, and the ratio of the largest history to the smallest. `--code` runs the commands from
another checkout of fusion-rating (to compare before and after a change).

`--quiet` prints the figures only (no setup lines).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def corrections(samples: Path, night: int, target: Path, period: str = PERIOD) -> None:
    """2,000 counters of `period` re-pushed a day later with one more unit (night `night`;
    the slices wrap around a small sample's file)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = next(iter(sorted((samples / period / "landing" / "usage" / "nexacloud").rglob(
        "*.parquet"))))
    whole = pq.read_table(source)
    size = min(CORRECTED_ROWS, whole.num_rows)
    table = whole.slice((night * size) % max(whole.num_rows - size + 1, 1), size)
    later = pc.add(table.column("pushed_at"), dt.timedelta(days=1, seconds=night))
    table = table.set_column(table.schema.get_field_index("pushed_at"), "pushed_at", later)
    value = pc.add(table.column("value"), 1)
    table = table.set_column(table.schema.get_field_index("value"), "value", value)
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--command", choices=("rate", "adjust"), default="rate")
    parser.add_argument("--rows-per-month", type=int, default=None,
                        help="default: 500,000 for rate, 20,000 for adjust")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--closed", default="2,6,12",
                        help="adjust: closed periods per warehouse, comma-separated")
    parser.add_argument("--late-periods", type=int, default=0,
                        help="adjust: latest closed periods a late file lands for each night")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="the fusion-rating checkout the timed commands run from")
    parser.add_argument("--quiet", action="store_true", help="print the figures only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data" / "nightly")
    args = parser.parse_args()
    if args.command == "adjust":
        bench_adjust(args)
    else:
        bench_rate(args)


def write_samples(out: Path, rows: int, periods: list[str]) -> Path:
    from rating.samples.usage import write_sample

    samples = out / f"samples-{rows}"
    for period in periods:
        if not (samples / period).exists():
            write_sample(samples / period, rows, period, bad_rows=False)
    return samples


def cli(code: Path, *arguments: str) -> list[str]:
    """`fusion-rating` run from the checkout `code` (its cwd is put first on sys.path)."""
    return ["env", f"PYTHONPATH={code}", sys.executable, "-m", "rating.cli", *arguments]


def run_cli(code: Path, *arguments: str) -> None:
    subprocess.run(cli(code, *arguments), check=True, cwd=code, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "ODOO_URL": ""})


def measure_adjust(command: list[str], code: Path) -> tuple[float, float, float]:
    """As bench.measure, with the nightly adjust's exit codes (0, or 1: something waits for a
    person, count as done), and the run's own seconds as it prints them (the process
    less the interpreter's start and imports)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=code, stdout=output,
                                   stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        output.seek(0)
        printed = re.findall(r"^  ([0-9.]+) s$", output.read().decode("utf-8"), re.MULTILINE)
    inside = float(printed[-1]) if printed else float("nan")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        elapsed = inside = float("nan")
    return elapsed, usage.ru_maxrss / 1024, inside


def bench_adjust(args: argparse.Namespace) -> None:
    rows = args.rows_per_month or 20_000
    counts = [int(part) for part in args.closed.split(",")]
    samples = write_samples(args.out, rows, months_before(PERIOD, max(counts)))
    setups: dict[str, tuple[Path, list[str], list[str]]] = {}
    for count in counts:
        months = months_before(PERIOD, count)
        folder = args.out / f"adjust-{count}-{rows}-{args.code.name}"
        shutil.rmtree(folder, ignore_errors=True)
        landing = landing_with(folder, samples, months)
        warehouse = str(folder / "warehouse.duckdb")
        places = ["--landing", str(landing), "--catalog", str(samples / PERIOD / "catalog"),
                  "--warehouse", warehouse]
        started = time.perf_counter()
        for month in months:
            run_cli(args.code, "rate", *places, "--period", month)
            run_cli(args.code, "close", "--warehouse", warehouse, "--period", month)
            # Posted at the close (a dry run into odoo_outbox: no ODOO_URL here), as the
            # month close does: nothing waits for an original to be posted.
            run_cli(args.code, "post", "--warehouse", warehouse, "--period", month,
                    "--catalog", str(samples / PERIOD / "catalog"), "-q")
        adjust = cli(args.code, "adjust", *places, "-q")
        run_cli_allowing_holds(adjust, args.code)  # the first night settles the history
        if not args.quiet:
            print(f"{count:>3} closed: {count * rows:,} rows rated, closed and adjusted once "
                  f"in {time.perf_counter() - started:.1f} s (setup)", flush=True)
        late = sorted(months, reverse=True)[:args.late_periods]
        setups[f"{count} closed"] = (landing, adjust, late)
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in setups}
    for night in range(args.repeat):
        for name, (landing, command, late) in setups.items():
            for period in late:
                target = landing / "usage" / "nightly" / f"{period}-night-{night:03d}.parquet"
                corrections(samples, night, target, period)
            runs[name].append(measure_adjust(command, args.code))
    print(f"nightly adjust, {rows:,} rows per month, late files for the {args.late_periods} "
          f"latest closed period(s), code {args.code}")
    print(f"{'history':>10} {'nightly s':>10} {'in-run s':>9} {'peak MB':>8} {'runs':>5}")
    medians = {}
    for name, measured in runs.items():
        medians[name] = statistics.median(r[0] for r in measured)
        inside = statistics.median(r[2] for r in measured)
        print(f"{name:>10} {medians[name]:>10.2f} {inside:>9.2f} "
              f"{max(r[1] for r in measured):>8.0f} {len(measured):>5}")
    many, one = f"{counts[-1]} closed", f"{counts[0]} closed"
    print(f"ratio {many} / {one}: {medians[many] / medians[one]:.2f}")


def run_cli_allowing_holds(command: list[str], code: Path) -> None:
    seconds, _, _ = measure_adjust(command, code)
    if seconds != seconds:  # NaN: it failed
        raise SystemExit(f"failed: {' '.join(command)}")


def print_medians(runs: dict[str, list[tuple[float, float]]], many: str, one: str) -> None:
    print(f"{'history':>10} {'nightly s':>10} {'peak MB':>8} {'runs':>5}")
    medians = {}
    for name, measured in runs.items():
        medians[name] = statistics.median(r[0] for r in measured)
        print(f"{name:>10} {medians[name]:>10.2f} {max(r[1] for r in measured):>8.0f} "
              f"{len(measured):>5}")
    print(f"ratio {many} / {one}: {medians[many] / medians[one]:.2f}")


def bench_rate(args: argparse.Namespace) -> None:
    rows = args.rows_per_month or 500_000
    periods = months_before(PERIOD, args.months)
    samples = write_samples(args.out, rows, periods)
    setups = {"1 month": [PERIOD], f"{args.months} months": periods}
    commands = {}
    for name, months in setups.items():
        folder = args.out / f"history-{len(months)}-{rows}"
        shutil.rmtree(folder, ignore_errors=True)
        landing = landing_with(folder, samples, months)
        command = [sys.executable, "-m", "rating.cli", "rate", "--landing", str(landing),
                   "--catalog", str(samples / PERIOD / "catalog"),
                   "--warehouse", str(folder / "warehouse.duckdb"), "--period", PERIOD]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        if not args.quiet:
            print(f"{name:>10}: {len(months) * rows:,} rows ingested and "
                  f"{PERIOD} rated in {time.perf_counter() - started:.1f} s (setup)",
                  flush=True)
        commands[name] = (landing, command)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
    for night in range(args.repeat):
        for name, (landing, command) in commands.items():
            target = landing / "usage" / "nightly" / f"night-{night:03d}.parquet"
            corrections(samples, night, target)
            runs[name].append(measure(command))
    print_medians(runs, f"{args.months} months", "1 month")


if __name__ == "__main__":
    main()
