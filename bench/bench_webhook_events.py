"""Benchmark: what the invoice events add to the read-back of a period of ~10,000 invoices.

    python bench/bench_webhook_events.py [--customers 5000] [--repeat 3]

Builds a warehouse for real (tests/support/posting.py): 2026-10 rated for `--customers`
customers (a NexaCloud and a NexaMaps invoice each), closed and posted to the Odoo test server,
whose read-back wrote one invoice.posted per invoice. Then reads the invoices back from the
test server once (untimed) and times `rating.odoo.ledger.write_read_back` (numbers into
odoo_postings, the events, reconciliation_odoo: one transaction) on the warehouse, `--repeat`
times each:

- first: as the first read-back after posting (no number recorded, no event yet): every
  invoice's event is written;
- without events: the same, with the events' statement left out (what the read-back cost
  before webhooks);
- rerun: every event already written (the next run's read-back): nothing new.

It prints the median of each in milliseconds and the events' share.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from rating import warehouse  # noqa: E402
from rating.odoo import ledger  # noqa: E402
from rating.odoo.moves import READ_CHUNK, read_back, read_moves  # noqa: E402
from rating.odoo.posting import post_period  # noqa: E402
from rating.odoo.runner import chunks  # noqa: E402
from rating.webhooks.events import write_events  # noqa: E402
from tests.support.odoo_server import OdooTestServer  # noqa: E402
from tests.support.posting import PERIOD, gateway_for, rated_period  # noqa: E402

FORGET = ("DELETE FROM webhook_events WHERE event_type IN ('invoice.posted', "
          "'invoice.adjusted')", "UPDATE odoo_postings SET odoo_number = NULL")


def timed(wh: Path, rows: list[dict[str, Any]], repeat: int, forget: bool,
          events: bool) -> tuple[float, int]:
    """The median milliseconds of write_read_back, and the events its last call wrote."""
    spent: list[float] = []
    written = 0
    real: Callable[..., int] = write_events
    with warehouse.writer(wh) as con:
        for _ in range(repeat):
            if forget:
                with warehouse.transaction(con):
                    for statement in FORGET:
                        warehouse.run_text(con, statement)
            # Left out by swapping the name the read-back calls (no other change to time).
            vars(ledger)["write_events"] = real if events else (lambda *_args, **_kw: 0)
            try:
                start = time.perf_counter()
                written = ledger.write_read_back(con, PERIOD, rows)
                spent.append((time.perf_counter() - start) * 1000)
            finally:
                vars(ledger)["write_events"] = real
    return statistics.median(spent), written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        wh = rated_period(Path(folder), count=args.customers)
        with OdooTestServer() as server:
            # The test server reads a move's lines by scanning them all: slow at this size.
            gateway = gateway_for(server, "json2", timeout=300)
            report = post_period(wh, PERIOD, gateway)
            assert report.held == [], report.held[:5]
            with warehouse.writer(wh) as con:
                keys = ledger.moves_to_read_back(con, PERIOD)
            rows = [read_back(keys[row["id"]], row) for chunk in chunks(list(keys), READ_CHUNK)
                    for row in read_moves(gateway, chunk)]
        print(f"built in {time.perf_counter() - started:.0f} s: {len(rows):,} invoices posted "
              "and read back", flush=True)
        first, written = timed(wh, rows, args.repeat, forget=True, events=True)
        bare, _ = timed(wh, rows, args.repeat, forget=True, events=False)
        rerun, again = timed(wh, rows, args.repeat, forget=False, events=True)
    print(f"write_read_back, first read-back with events: {first:,.0f} ms "
          f"({written:,} events written)")
    print(f"write_read_back, first read-back without events: {bare:,.0f} ms")
    print(f"write_read_back, rerun (events already written): {rerun:,.0f} ms "
          f"({again:,} written)")
    print(f"the events add {first - bare:,.0f} ms ({(first - bare) / bare:.0%}) to the first "
          f"read-back, {(first - bare) / max(written, 1) * 1000:,.1f} us per event")
    return 0


if __name__ == "__main__":
    sys.exit(main())
