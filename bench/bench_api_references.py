"""Benchmark: customers and subscriptions through the API, and what their files cost the rating.

    python bench/bench_api_references.py [--customers 300] [--out bench-refs]

Starts the API on a free loopback port (uvicorn in a thread of this process), then one client
in turn: POST /customers for N new customers, POST /subscriptions for each, N customer updates,
and N GET /customers; each write is one fsynced Parquet file. Prints each call's p50 and p99
latency and calls/s, then rates the month once from the landing zone (every API file is a new
reference file to read) and prints the wall time. Bounded: N at most 2,000.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.api_server import api_in_thread, settings_in  # noqa: E402
from tests.support.usage_builder import Landing, usage_row  # noqa: E402


def timed(label: str, calls: list[tuple[str, str, dict[str, object] | None]],
          client: object) -> None:
    latencies: list[float] = []
    started = time.perf_counter()
    for method, url, body in calls:
        begin = time.perf_counter()
        answer = client.request(method, url, json=body)  # type: ignore[attr-defined]
        latencies.append(time.perf_counter() - begin)
        if answer.status_code != 200:
            raise SystemExit(f"{label}: {answer.status_code} {answer.text}")
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label:<24} {len(calls):>6} calls  {len(calls) / wall:8.1f}/s  "
          f"p50 {statistics.median(ordered) * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("bench-refs"))
    args = parser.parse_args()
    count = min(args.customers, 2000)
    shutil.rmtree(args.out, ignore_errors=True)
    landing = Landing(args.out / "landing")
    landing.usage("a.parquet", [usage_row(value=5)])
    settings = settings_in(args.out, landing=landing.root)
    ids = [f"bench-{n}" for n in range(count)]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        timed("POST /customers (new)", [
            ("POST", "/customers", {"customer": {"external_id": i, "name": f"Client {i}",
                                                 "country": "CA", "state": "ON"}})
            for i in ids], client)
        timed("POST /subscriptions", [
            ("POST", "/subscriptions", {"subscription": {
                "external_id": f"sub-{i}", "external_customer_id": i,
                "plan_code": "cloud-standard", "subscription_at": "2026-10-01"}})
            for i in ids], client)
        timed("POST /customers (update)", [
            ("POST", "/customers", {"customer": {"external_id": i, "email": f"{i}@x.ca"}})
            for i in ids], client)
        timed("GET /customers", [("GET", f"/customers/{i}", None) for i in ids], client)
    started = time.perf_counter()
    landing.rate(args.out / "warehouse.duckdb")
    print(f"rate 2026-10 with {3 * count} API reference files: "
          f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
