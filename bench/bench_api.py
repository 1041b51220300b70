"""Usage API throughput: counters per second durably acknowledged by `fusion-rating serve`.

    python bench/bench_api.py [--seconds 20] [--batch 500] [--clients 1,16]
                              [--endpoints usage,events]

Starts `fusion-rating serve` on a free loopback port (a process of its own, as in production:
uvicorn with uvloop and httptools), in a temporary folder, then for each endpoint and number of
concurrent clients pushes batches of `--batch` counters (POST /usage) or Lago events
(POST /events/batch) for `--seconds` seconds from asyncio clients in this process. Every 2xx
means the batch was fsynced in the write-ahead store. Prints counters/s acknowledged, the
latency per request (p50, p99) and the share of a CPU the clients themselves used, then stops
the server (which lands everything) and checks that the landed Parquet files hold every
acknowledged counter.

Target (issue 14): at least 10,000 counters/s with p99 under 100 ms. The client shares the
machine with the server: on a 2-core machine the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import httpx  # noqa: E402
import pyarrow.parquet  # noqa: E402

from rating.api.keys import KeyStore  # noqa: E402
from tests.support.api_server import free_port, wait_until_healthy  # noqa: E402


def bodies(endpoint: str, batch: int) -> bytes:
    """One request body with `batch` items whose ids hold the token REQ (replaced per call)."""
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    start = now - dt.timedelta(hours=2)
    if endpoint == "usage":
        items = [{"counter_id": f"REQ-{i}", "account_id": f"nc-{i % 50}",
                  "metric": "egress_gb", "period_start": start.isoformat(),
                  "period_end": (start + dt.timedelta(hours=1)).isoformat(),
                  "value": "12.5", "dimensions": {"region": "ca-east"},
                  "pushed_at": now.isoformat()} for i in range(batch)]
        return json.dumps({"counters": items}).encode()
    events = [{"transaction_id": f"REQ-{i}", "external_customer_id": f"nc-{i % 50}",
               "code": "egress_gb", "timestamp": int(start.timestamp()) + i,
               "properties": {"value": "12.5", "region": "ca-east"}} for i in range(batch)]
    return json.dumps({"events": events}).encode()


async def client_loop(url: str, key: str, path: str, template: bytes, name: str, batch: int,
                      until: float, latencies: list[float], acked: list[int],
                      refused: list[int]) -> None:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        n = 0
        while time.monotonic() < until:
            body = template.replace(b"REQ", f"{name}-{n}".encode())
            n += 1
            started = time.perf_counter()
            answer = await client.post(path, content=body)
            latencies.append(time.perf_counter() - started)
            if answer.status_code == 200:
                acked[0] += batch
            else:
                refused[0] += 1
                await asyncio.sleep(float(answer.headers.get("Retry-After", "0.1")))


async def run_setting(url: str, key: str, endpoint: str, clients: int, batch: int,
                      seconds: float) -> tuple[int, float, list[float], int]:
    path = "/api/billing/v1/usage" if endpoint == "usage" else "/api/billing/v1/events/batch"
    template = bodies(endpoint, batch)
    latencies: list[float] = []
    acked, refused = [0], [0]
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(client_loop(url, key, path, template, f"{endpoint}{clients}c{c}",
                                       batch, until, latencies, acked, refused)
                           for c in range(clients)))
    return acked[0], time.monotonic() - started, latencies, refused[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def landed_rows(landing: Path) -> int:
    return sum(pyarrow.parquet.ParquetFile(p).metadata.num_rows
               for p in (landing / "usage").rglob("*.parquet"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--endpoints", default="usage,events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        state, landing = tmp / "warehouse.api", tmp / "landing"
        store = KeyStore(state)
        store.add_service("nexacloud", {"nexacloud"})
        key = store.create_key("nexacloud")
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "rating.cli", "serve", "--landing", str(landing),
             "--catalog", str(ROOT / "catalog"), "--warehouse", str(tmp / "warehouse.duckdb"),
             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        url = f"http://127.0.0.1:{port}"
        total = 0
        try:
            wait_until_healthy(url, process)
            print(f"batch: {args.batch} counters per request; {args.seconds:.0f} s per setting;"
                  f" {os.cpu_count()} CPUs shared by server and clients")
            print(f"{'endpoint':<14}{'clients':>8}{'counters/s':>12}{'requests':>10}"
                  f"{'p50 ms':>9}{'p99 ms':>9}{'refused':>9}{'client CPU':>11}")
            for endpoint in args.endpoints.split(","):
                for clients in (int(c) for c in args.clients.split(",")):
                    cpu = time.process_time()
                    acked, elapsed, latencies, refused = asyncio.run(run_setting(
                        url, key, endpoint, clients, args.batch, args.seconds))
                    cpu = (time.process_time() - cpu) / elapsed
                    total += acked
                    name = "/usage" if endpoint == "usage" else "/events/batch"
                    print(f"{name:<14}{clients:>8}{acked / elapsed:>12,.0f}{len(latencies):>10}"
                          f"{percentile(latencies, 0.5) * 1000:>9.1f}"
                          f"{percentile(latencies, 0.99) * 1000:>9.1f}{refused:>9}"
                          f"{cpu:>10.0%}", flush=True)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=120)
        landed = landed_rows(landing)
        print(f"acknowledged {total:,} counters; landed after the server's stop: {landed:,}")
        return 0 if landed >= total else 1


if __name__ == "__main__":
    raise SystemExit(main())
