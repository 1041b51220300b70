"""Webhook delivery: deliveries/s to a local receiver, and a pass's cost over a long history.

    python bench/bench_webhooks.py [--events 3000] [--endpoints 1,4] [--history 100000]

1. Throughput: `--events` events to each of N endpoints (receivers on free loopback ports
   verifying every signature with the standardwebhooks library, in this process: they share
   its CPU), delivered by passes of `deliver` until none is pending; prints deliveries/s.
2. Overhead: the time of a pass with nothing due and of one with 10 new events, in a fresh
   warehouse and in one holding `--history` delivered rows (bench/webhooks_history.sql), with
   the claim statement's plan (EXPLAIN ANALYZE) over that history: a pass must cost about the
   same however long the history.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from rating import warehouse  # noqa: E402
from rating.webhooks.delivery import DeliverySettings, deliver, endpoint_table  # noqa: E402
from rating.webhooks.endpoints import endpoints, new_secret  # noqa: E402
from rating.webhooks.events import write_events  # noqa: E402
from tests.support.webhook_outbox import endpoint_for  # noqa: E402
from tests.support.webhook_receiver import receiving  # noqa: E402

SECRET = new_secret()
ENVIRON = {"BENCH_SECRET": SECRET}


def write_generated(database: Path, service: str, count: int, prefix: str) -> None:
    """`count` events of `service`, written as the emitters write theirs (the tests' helper
    does the same: tests/support/webhook_outbox.py)."""
    with warehouse.writer(database) as con:
        warehouse.create_schema(con)
        with warehouse.transaction(con):
            write_events(con, "webhooks/stage_generated_events", {
                "count": count, "prefix": prefix, "per_key": 0,
                "event_type": "usage.rejected", "service": service})


def throughput(folder: Path, events: int, count: int) -> None:
    database, state = folder / f"tp{count}.duckdb", folder / f"tp{count}.api"
    settings = DeliverySettings(batch_size=2000, per_endpoint=2000)
    receivers = [receiving(SECRET) for _ in range(count)]
    apps = [r.__enter__() for r in receivers]
    try:
        for app in apps:
            endpoint_for(state, "cloud", app.url, "BENCH_SECRET")
        write_generated(database, "cloud", events, f"tp{count}")
        started, passes = time.perf_counter(), 0
        while True:
            report = deliver(database, state, settings, environ=ENVIRON)
            passes += 1
            if report.pending_left == 0:
                break
        took = time.perf_counter() - started
    finally:
        for r in receivers:
            r.__exit__(None, None, None)
    delivered = sum(len(app.ids()) for app in apps)
    print(f"  {count} endpoint(s): {delivered:,} deliveries in {took:.2f} s over {passes} "
          f"pass(es): {delivered / took:,.0f} deliveries/s")


def pass_times(database: Path, state: Path, label: str) -> None:
    idle = []
    for _ in range(5):
        started = time.perf_counter()
        deliver(database, state, environ=ENVIRON)
        idle.append(time.perf_counter() - started)
    busy = []
    for n in range(5):
        write_generated(database, "cloud", 10, f"{label}-new-{n}")
        started = time.perf_counter()
        deliver(database, state, environ=ENVIRON)
        busy.append(time.perf_counter() - started)
    print(f"  {label}: pass with nothing due {statistics.median(idle) * 1000:.1f} ms, "
          f"with 10 new events {statistics.median(busy) * 1000:.1f} ms (medians of 5)")


def claim_plan(database: Path, state: Path) -> None:
    with warehouse.writer(database) as con, \
            warehouse.registered(con, "delivery_endpoints", endpoint_table(endpoints(state))):
        text = warehouse.sql("webhooks/delivery_claim")
        plan = con.execute("EXPLAIN ANALYZE " + text,
                           {"now": warehouse.utc_now(), "batch_size": 500,
                            "per_endpoint": 100}).fetchall()
    print("  claim plan over the history (EXPLAIN ANALYZE):")
    for line in plan[0][1].splitlines():
        if any(word in line for word in ("Total Time", "SEQ_SCAN", "TABLE_SCAN", "JOIN",
                                         "Rows", "webhook_")):
            print("   ", line.strip())


def overhead(folder: Path, history: int) -> None:
    with receiving(SECRET) as app:
        for label, rows in (("fresh warehouse", 0), (f"{history:,} delivered rows", history)):
            database, state = folder / f"oh{rows}.duckdb", folder / f"oh{rows}.api"
            endpoint_for(state, "cloud", app.url, "BENCH_SECRET")
            if rows:
                write_generated(database, "cloud", rows, "history")
                deliver(database, state, DeliverySettings(batch_size=0), environ=ENVIRON)
                with warehouse.writer(database) as con:
                    con.execute((ROOT / "bench" / "webhooks_history.sql").read_text())
            pass_times(database, state, label)
            if rows:
                claim_plan(database, state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--endpoints", default="1,4")
    parser.add_argument("--history", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("throughput:")
        for count in (int(n) for n in args.endpoints.split(",")):
            throughput(Path(tmp), args.events, count)
        print("overhead of a pass:")
        overhead(Path(tmp), args.history)


if __name__ == "__main__":
    main()
