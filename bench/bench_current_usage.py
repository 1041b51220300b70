"""Benchmark: GET /customers/{id}/current_usage over loopback HTTP, for customers of 10
subscriptions each, in a month of N usage counters.

    python bench/bench_current_usage.py [--source bench-data/rows-10000000] [--rows 1000000]
        [--requests 200] [--pending-files 0] [--out bench-data/current-usage]

The month: with --source, a folder `bench/bench.py` left (landing/, catalog/, engine.duckdb
and engine.ledger/, rated), reused without being changed: its usage files and ledger are
linked, its warehouse copied; otherwise `--rows` counters are generated and rated here. The
accounts file is rewritten so that each customer_key has 10 accounts of one service (neighbours
in account order, or random ones with --scatter; each with
its subscription): a customer of 10 subscriptions. `--pending-files` lands that many extra files
of 50,000 counters each, of random accounts, not ingested: current_usage reads them from the
landing zone on every request.

The server is `rating.api` under uvicorn in a process of its own (as `fusion-rating serve`),
priced as if now were in the sample's month. After a warm-up of one request per reader, the
client sends `--requests` sequential requests for random customers and prints p50/p95/p99 and
the mean. Bounded: stops after `--seconds` of requests. Loopback only.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = """
import datetime as dt, sys, uvicorn
from pathlib import Path
from rating.api.app import create_app
from rating.api.pricing import UsagePricer
from rating.api.settings import ApiSettings
landing, catalog, wh, period, port = sys.argv[1:6]
settings = ApiSettings.for_warehouse(Path(landing), Path(catalog), Path(wh))
app = create_app(settings)
moment = dt.datetime.strptime(period + "-15", "%Y-%m-%d").replace(tzinfo=dt.UTC)
app.state.usage_pricer = UsagePricer(settings, clock=lambda: moment)
uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning", access_log=False)
"""


def link_month(source: Path, work: Path) -> None:
    """The source's usage files linked one by one (so that files can be landed beside them),
    its ledger linked (DuckLake keeps its data path), its warehouse copied."""
    for path in sorted((source / "landing" / "usage").rglob("*.parquet")):
        target = work / "landing" / path.relative_to(source / "landing")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path.resolve())
    (work / "landing" / "subscriptions").symlink_to((source / "landing/subscriptions").resolve())
    (work / "engine.ledger").symlink_to((source / "engine.ledger").resolve())
    shutil.copyfile(source / "engine.duckdb", work / "engine.duckdb")
    shutil.copytree(source / "catalog", work / "catalog")


def build_month(work: Path, rows: int, period: str) -> None:
    from rating.rate.engine import RateRequest, rate
    from rating.samples.usage import write_sample

    write_sample(work, rows, period=period, bad_rows=False)
    rate(RateRequest(landing=str(work / "landing"), catalog=work / "catalog",
                     warehouse=work / "engine.duckdb", period=period))


def group_accounts(source: Path, work: Path, scatter: int | None) -> dict[str, list[str]]:
    """accounts.csv with customer_key G<service>-<n>: 10 accounts of a service per customer,
    neighbours in account order or, with `scatter` (a seed), drawn at random; the customers by
    service."""
    with (source / "landing/accounts/accounts.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, lines = reader.fieldnames or [], list(reader)
    seen: dict[str, int] = defaultdict(int)
    customers: dict[str, list[str]] = defaultdict(list)
    order = list(lines)
    if scatter is not None:
        random.Random(scatter).shuffle(order)
    for line in order:
        number = seen[line["service"]] // 10
        seen[line["service"]] += 1
        line["customer_key"] = f"G-{line['service']}-{number:05d}"
        if number == len(customers[line["service"]]):
            customers[line["service"]].append(line["customer_key"])
    target = work / "landing/accounts/accounts.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(lines)
    sizes = Counter(line["customer_key"] for line in lines)
    full = {service: [c for c in names if sizes[c] == 10] for service, names in customers.items()}
    return {service: names for service, names in full.items() if names}


def land_pending(work: Path, files: int, period: str, seed: int) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from rating.periods import billing_period

    with (work / "landing/accounts/accounts.csv").open(newline="", encoding="utf-8") as f:
        accounts = [(r["service"], r["account_id"]) for r in csv.DictReader(f)
                    if r["service"] == "nexacloud"]
    start = billing_period(period).start
    rng = random.Random(seed)
    for number in range(files):
        n = 50_000
        picks = [rng.choice(accounts)[1] for _ in range(n)]
        begin = [start + dt.timedelta(hours=rng.randrange(24 * 27)) for _ in range(n)]
        table = pa.table({
            "counter_id": [f"api-{number}-{i}" for i in range(n)],
            "service": ["nexacloud"] * n, "account_id": picks, "metric": ["vcpu_hours"] * n,
            "period_start": pa.array(begin, pa.timestamp("us", tz="UTC")),
            "period_end": pa.array([b + dt.timedelta(hours=1) for b in begin],
                                   pa.timestamp("us", tz="UTC")),
            "value": pa.array([1.0] * n), "unique_key": pa.array([None] * n, pa.string()),
            "dimensions": pa.array([None] * n, pa.string()),
            "pushed_at": pa.array([b + dt.timedelta(hours=2) for b in begin],
                                  pa.timestamp("us", tz="UTC"))})
        target = work / f"landing/usage/nexacloud/api/pending-{number}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(work: Path, period: str, customers: dict[str, list[str]], args: argparse.Namespace
            ) -> list[float]:
    import httpx

    from tests.support.api_server import free_port, service_keys, wait_until_healthy

    keys = service_keys(work / "engine.api", tuple(sorted(customers)))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(work / "landing"), str(work / "catalog"),
         str(work / "engine.duckdb"), period, str(port)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, seconds=60)
        rng = random.Random(args.seed)
        clients = {s: httpx.Client(base_url=f"{url}/api/billing/v1", timeout=120,
                                   headers={"Authorization": f"Bearer {keys[s]}"})
                   for s in customers}
        pool = [(s, c) for s, names in customers.items() for c in names]
        started = time.perf_counter()
        for service, customer in rng.sample(pool, 2):  # one per reader: copies attached
            clients[service].get(f"/customers/{customer}/current_usage").raise_for_status()
        print(f"  warm-up (2 readers, references brought into force): "
              f"{time.perf_counter() - started:.1f} s")
        timings: list[float] = []
        sizes: list[int] = []
        deadline = time.monotonic() + args.seconds
        while len(timings) < args.requests and time.monotonic() < deadline:
            service, customer = rng.choice(pool)
            begin = time.perf_counter()
            answer = clients[service].get(f"/customers/{customer}/current_usage")
            timings.append((time.perf_counter() - begin) * 1000)
            answer.raise_for_status()
            sizes.append(len(answer.json()["customer_usage"]["subscriptions"]))
        print(f"  subscriptions per customer asked: {min(sizes)} to {max(sizes)}")
        return timings
    except Exception:
        server.kill()
        print(server.communicate()[0].decode()[-3000:], file=sys.stderr)
        raise
    finally:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--pending-files", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scatter", action="store_true",
                        help="a customer's 10 accounts drawn at random, not neighbours")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data" / "current-usage")
    args = parser.parse_args()
    from rating.finance.run import publish_analyst_copy

    work = args.out
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    source = args.source or work / "generated"
    if args.source:
        link_month(args.source, work)
    else:
        build_month(source, args.rows, args.period)
        link_month(source, work)
    customers = group_accounts(source, work, args.seed if args.scatter else None)
    land_pending(work, args.pending_files, args.period, args.seed)
    publish_analyst_copy(work / "engine.duckdb")
    print(f"month ready in {time.perf_counter() - started:.1f} s ({source}); "
          f"{sum(map(len, customers.values())):,} customers of 10 subscriptions; "
          f"{args.pending_files} pending file(s) of 50,000 counters")
    timings = measure(work, args.period, customers, args)
    print(f"current_usage, {len(timings)} sequential requests over loopback HTTP (2-core "
          "machine shared with other engineers' tests):")
    print(f"  p50 {percentile(timings, 0.50):.1f} ms   p95 {percentile(timings, 0.95):.1f} ms"
          f"   p99 {percentile(timings, 0.99):.1f} ms   mean {statistics.fmean(timings):.1f} ms")


if __name__ == "__main__":
    main()
