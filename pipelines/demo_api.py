"""The demo's pass through the billing API: `fusion-rating serve` started as a process of its
own, a service record and its key, a little usage pushed over HTTP (counters to POST /usage,
Lago events to POST /events/batch), acknowledged only once durable; the server flushes them to
the landing zone as Parquet, and the Dagster sensor `new_usage_files` asks for the rating of
the period they fall in, as it does for any app's files.

(No `from __future__ import annotations`: pipelines/ is read by Dagster.)
"""

import csv
import datetime as dt
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import httpx

from pipelines.resources import RatingResource
from pipelines.sensors import new_usage_files
from rating.api.client import push_counters
from rating.api.keys import KeyStore
from rating.api.settings import default_state
from rating.periods import DEFAULT_TIME_ZONE
from rating.samples.usage import SampleSummary

SERVICE = "nexamaps"
PREFIX = "/api/billing/v1"


@dataclass(frozen=True)
class ApiDemo:
    """What the demo pushed through the API and what came of it."""

    url: str
    key_prefix: str
    counters: int  # counters acknowledged by POST /usage
    events: int  # events acknowledged by POST /events/batch
    files: tuple[Path, ...]  # Parquet files the server flushed into the landing zone
    requested: tuple[str, ...]  # what the sensor asked for: "<job> <partition>"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts(landing: Path, count: int) -> list[str]:
    """The sample's first accounts of the service: they have a subscription and a link."""
    with (landing / "accounts" / "accounts.csv").open(encoding="utf-8") as rows:
        return [row["account_id"] for row in csv.DictReader(rows)
                if row["service"] == SERVICE][:count]


def _days(period: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """Each day of the period in the billing time zone, as UTC windows."""
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    day = dt.datetime.strptime(f"{period}-01", "%Y-%m-%d").replace(tzinfo=zone)
    windows = []
    while day.strftime("%Y-%m") == period:
        following = (day + dt.timedelta(days=1)).replace(hour=0)
        windows.append((day.astimezone(dt.UTC), following.astimezone(dt.UTC)))
        day = following
    return windows


def _counters(accounts: list[str], period: str) -> list[dict[str, object]]:
    pushed = dt.datetime.now(dt.UTC)
    return [{"counter_id": f"demo-api-{account}-{start:%Y%m%d}", "account_id": account,
             "metric": "map_tiles", "period_start": start, "period_end": end,
             "value": Decimal(20_000 + 250 * number), "pushed_at": pushed}
            for account in accounts
            for number, (start, end) in enumerate(_days(period))]


def _events(accounts: list[str], period: str) -> list[dict[str, object]]:
    return [{"transaction_id": f"demo-geocode-{account}-{start:%Y%m%d}",
             "external_customer_id": account, "code": "geocodes",
             "timestamp": int((start + dt.timedelta(hours=15)).timestamp()),
             "properties": {"value": "40"}}
            for account in accounts for start, _ in _days(period)[:10]]


def _serve(sample: SampleSummary, warehouse: Path, state: Path,
           port: int) -> "subprocess.Popen[bytes]":
    command = [sys.executable, "-m", "rating.cli", "serve", "--landing", str(sample.landing),
               "--catalog", str(sample.catalog), "--warehouse", str(warehouse),
               "--state", str(state), "--port", str(port)]
    log = (warehouse.parent / "api.log").open("wb")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def _healthy(url: str, server: "subprocess.Popen[bytes]") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}{PREFIX}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"fusion-rating serve did not start (see {url}, api.log)")


def _flushed(landing: Path, expected_rows: int) -> tuple[Path, ...]:
    """The server's flushed files once they hold every acknowledged row (it flushes every
    two seconds); what is there after half a minute otherwise."""
    import pyarrow.parquet as pq

    folder = landing / "usage" / f"service={SERVICE}" / "api"
    deadline = time.monotonic() + 30
    while True:
        files = tuple(sorted(folder.rglob("*.parquet"))) if folder.exists() else ()
        rows = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
        if rows >= expected_rows or time.monotonic() > deadline:
            return files
        time.sleep(0.2)


def push_through_api(sample: SampleSummary, warehouse: Path, period: str) -> ApiDemo:
    """Serve, push, wait for the flush, stop the server, then ask the sensor."""
    state = default_state(warehouse)  # emptied with the warehouse (demo.fresh_warehouse)
    store = KeyStore(state)
    if SERVICE not in store.services():  # the webhooks' endpoints may have created it
        store.add_service(SERVICE, {SERVICE})
    key = store.create_key(SERVICE, "make demo")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _serve(sample, warehouse, state, port)
    try:
        _healthy(url, server)
        accounts = _accounts(sample.landing, 3)
        counters = push_counters(url, key, _counters(accounts, period), batch=50)
        answer = httpx.post(f"{url}{PREFIX}/events/batch",
                            json={"events": _events(accounts, period)},
                            headers={"Authorization": f"Bearer {key}"}, timeout=60)
        answer.raise_for_status()
        events = len(answer.json()["events"])
        files = _flushed(sample.landing, counters + events)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    rating = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                            warehouse=str(warehouse))
    found = new_usage_files(dg.build_sensor_context(resources={"rating": rating}))
    requested = tuple(f"{run.job_name} {run.partition_key or ''}".strip()
                      for run in getattr(found, "run_requests", None) or ())
    return ApiDemo(url, key[:len(f"frk_{SERVICE}_") + 8], counters, events, files, requested)


def api_summary(demo: ApiDemo, landing: Path, landed: dict[str, object]) -> str:
    """The demo's lines about the API."""
    folder = landing / "usage" / f"service={SERVICE}" / "api"
    return (f"  billing API (fusion-rating serve at {demo.url}, key {demo.key_prefix}…): "
            f"{demo.counters} counters (POST /usage) and {demo.events} events "
            f"(POST /events/batch) of {SERVICE} acknowledged, each once fsynced\n"
            f"     flushed into {len(demo.files)} Parquet file(s) under {folder}/; the sensor "
            f"new_usage_files asked for: {', '.join(demo.requested) or 'nothing'}\n"
            f"     ingested in step 2: {landed['files']} file(s), {landed['rows_read']:,} rows, "
            f"{landed['rows_quarantined']} quarantined")
