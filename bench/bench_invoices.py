"""Benchmark: the billing API's invoice endpoints against a warehouse with history.

    python bench/bench_invoices.py [--customers 1000] [--months 24] [--requests 300]
        [--seconds 60]

Builds a warehouse for real (tests/support/posting.py): 2026-10 rated for `--customers`
customers (a NexaCloud and a NexaMaps invoice each), closed, posted to the Odoo test server and
read back; then the `--months` - 1 months before it made alike (bench/invoices_history.sql), and
the analysts' copy published. Then serves it with `fusion-rating serve`'s application (uvicorn,
loopback, in a thread) and asks, one request at a time (as an app's page would), for
`--requests` of each:

- GET /customers/{external_id}/invoices   (one customer's page: `--months` invoices)
- GET /invoices/{lago_id}                 (one document by its id, over the whole service)
- GET /invoices?page=N&per_page=100       (the service's list, a page anywhere in it)

It prints the first request's time (it reads the copy's documents into memory:
rating.api.analysts), then p50, p95 and p99 in milliseconds per endpoint. Bounded: it stops
asking after `--seconds` per endpoint.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import duckdb  # noqa: E402

from rating import warehouse  # noqa: E402
from rating.api.invoices import document_id  # noqa: E402
from rating.finance.run import publish_analyst_copy  # noqa: E402
from rating.odoo.posting import post_period  # noqa: E402
from tests.support.api_server import api_in_thread, settings_in  # noqa: E402
from tests.support.odoo_server import OdooTestServer  # noqa: E402
from tests.support.posting import PERIOD, gateway_for, rated_period  # noqa: E402


def build(root: Path, customers: int, months: int) -> Path:
    started = time.perf_counter()
    wh = rated_period(root, count=customers)
    with OdooTestServer() as server:
        report = post_period(wh, PERIOD, gateway_for(server, "json2"))
    assert report.held == [], report.held
    history = (ROOT / "bench" / "invoices_history.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(wh)) as con:
        for statement in filter(str.strip, history.split(";")):
            warehouse.run_text(con, statement, {"months": months})
    publish_analyst_copy(wh)
    with duckdb.connect(str(wh), read_only=True) as con:
        documents = con.execute("SELECT count(*) FROM reconciliation_odoo").fetchone()
    size = (wh.parent / "warehouse-analysts.duckdb").stat().st_size / 1e6
    print(f"built in {time.perf_counter() - started:.0f} s: {documents[0]:,} documents in "
          f"Odoo over {months} months, analysts' copy {size:.0f} MB", flush=True)
    return wh


def timed(client: object, paths: list[str], seconds: float) -> list[float]:
    spent: list[float] = []
    deadline = time.monotonic() + seconds
    for path in paths:
        start = time.perf_counter()
        answer = client.get(path)  # type: ignore[attr-defined]
        spent.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
        if time.monotonic() > deadline:
            break
    return spent


def report(name: str, spent: list[float]) -> None:
    cuts = statistics.quantiles(spent, n=100)
    print(f"{name:42} n={len(spent):4}  p50 {cuts[49]:6.1f} ms  p95 {cuts[94]:6.1f} ms  "
          f"p99 {cuts[98]:6.1f} ms", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    pick = random.Random(14)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        wh = build(root, args.customers, args.months)
        settings = replace(settings_in(root / "api"), warehouse=wh)
        numbers = [pick.randrange(1, args.customers + 1) for _ in range(args.requests)]
        pages = (args.customers * args.months + 99) // 100
        paths = {
            "GET /customers/{id}/invoices": [
                f"/customers/nexacloud-C{n}/invoices" for n in numbers],
            "GET /invoices/{lago_id}": [
                f"/invoices/{document_id(f'C{n}/nexacloud/{PERIOD}')}" for n in numbers],
            "GET /invoices?page=N&per_page=100": [
                f"/invoices?per_page=100&page={pick.randrange(1, pages + 1)}"
                for _ in numbers]}
        with api_in_thread(settings, ("nexacloud",)) as api, \
                api.client("nexacloud") as client:
            first = timed(client, paths["GET /customers/{id}/invoices"][:1], args.seconds)
            print(f"first request (reads the copy's documents into memory): {first[0]:.0f} ms")
            timed(client, paths["GET /customers/{id}/invoices"][:10], args.seconds)  # warm
            for name, asked in paths.items():
                report(name, timed(client, asked, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
