"""Posting throughput: fusion-rating's posting vs a bare batched create-and-post loop.

    python bench/bench_odoo.py [--rows 20000] [--batch-size 50]

Against the Odoo named by ODOO_URL/ODOO_DB/ODOO_USER/ODOO_PASSWORD (or ODOO_API_KEY with
ODOO_TRANSPORT=json2) when set; otherwise against the test server of
tests/support/odoo_server.py (its figures say how much the posting adds per invoice, not what a
real Odoo does). The target is
at least 80% of the bare loop's invoices per second on a real Odoo.

Both post the same invoices (the sample month's, rated and closed), partners and products
created beforehand, untimed: the bare loop first, under keys prefixed "bare:", with nothing else
(no search before create, no read-back, no ledger); then `post_period` under the real keys (on
the test server, each on a fresh server).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from rating import warehouse  # noqa: E402
from rating.catalog import load_catalog  # noqa: E402
from rating.odoo import gateway as odoo  # noqa: E402
from rating.odoo import setup as odoo_setup  # noqa: E402
from rating.odoo.payload import InvoiceDocument  # noqa: E402
from rating.odoo.posting import PostingOptions, documents, post_period  # noqa: E402
from rating.odoo.runner import PostingRun  # noqa: E402
from rating.rate.engine import RateRequest, close_period, rate  # noqa: E402
from rating.samples.usage import write_sample  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--period", default="2026-10")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        sample = write_sample(out, args.rows, args.period, bad_rows=False)
        wh = out / "warehouse.duckdb"
        rate(RateRequest(landing=str(sample.landing), catalog=sample.catalog, warehouse=wh,
                         period=args.period))
        close_period(wh, args.period)
        settings = odoo.settings_from_environment()
        servers: list[Any] = []
        if settings is None:
            # Two fresh test servers, so that neither side works on the other's records.
            from tests.support.odoo_server import OdooTestServer

            servers = [OdooTestServer().start(), OdooTestServer().start()]
        target = "test server" if servers else settings.url if settings else ""
        for each in ([odoo.connect(_settings(s)) for s in servers] if servers
                     else [odoo.connect(settings)] if settings else []):
            # What `fusion-rating odoo setup --apply` does, untimed (idempotent).
            odoo_setup.apply(each, odoo_setup.Needs.for_catalog(load_catalog(sample.catalog)))
        try:
            bare_settings = _settings(servers[0]) if servers else settings
            our_settings = _settings(servers[1]) if servers else settings
            assert bare_settings is not None and our_settings is not None
            bare_count, bare_seconds = bare_loop(wh, args.period, odoo.connect(bare_settings),
                                                 args.batch_size)
            # Partners and products exist before both timings (the bare loop resolves them
            # untimed): the figures compare posting invoices, not creating customers.
            prepare(wh, args.period, odoo.connect(our_settings), args.batch_size)
            gateway = odoo.connect(our_settings)
            started = time.perf_counter()
            report = post_period(wh, args.period, gateway,
                                 PostingOptions(batch_size=args.batch_size))
            ours = time.perf_counter() - started
        finally:
            for server in servers:
                server.stop()
    bare_rate = bare_count / bare_seconds
    our_rate = report.posted / ours
    waiting = gateway.seconds
    print(f"target: {target} ({our_settings.transport}), batch size {args.batch_size}")
    print(f"{'':<18}{'invoices':>9}{'seconds':>9}{'inv/s':>9}{'calls':>7}")
    print(f"{'bare loop':<18}{bare_count:>9}{bare_seconds:>9.2f}{bare_rate:>9.1f}"
          f"{2 * -(-bare_count // args.batch_size):>7}")
    print(f"{'fusion-rating':<18}{report.posted:>9}{ours:>9.2f}{our_rate:>9.1f}"
          f"{report.odoo_calls:>7}")
    print(f"ratio: {our_rate / bare_rate:.2f} of the bare loop (target 0.80 on a real Odoo)")
    print(f"fusion-rating waited {waiting:.2f} s on Odoo; its own work took "
          f"{ours - waiting:.2f} s ({1000 * (ours - waiting) / max(1, report.posted):.2f} ms per "
          f"invoice: payloads, ledger, reconciliation)")
    return 0


def _settings(server: Any) -> odoo.OdooSettings:
    return odoo.OdooSettings(url=server.url, database=server.db, login=server.login,
                             password=server.password, api_key=server.api_key)


def _documents(wh: Path, period: str, gateway: odoo.Gateway, batch_size: int
               ) -> tuple[Any, list[Any]]:
    """A poster (for its record lookups) and the period's invoices, their partners and
    products created in Odoo if missing."""
    with warehouse.writer(wh) as con:
        poster = PostingRun(con, gateway, period, PostingOptions(batch_size=batch_size))
        poster.check_setup()  # resolves the setup's ids (units, accounts, categories...)
        keys = [k for (k,) in warehouse.run(con, "odoo/invoice_keys",
                                            {"billing_period": period}).fetchall()]
        docs = [d for d in documents(con, period, keys, poster.options,
                                     lambda c: poster.records.currency(c)[0])
                if isinstance(d, InvoiceDocument)]
        poster.records.partners([d.customer for d in docs])
        poster.records.products(sorted({ln.product_code for d in docs for ln in d.lines}))
    return poster, docs


def prepare(wh: Path, period: str, gateway: odoo.Gateway, batch_size: int) -> None:
    """Create the partners and products the invoices need (untimed)."""
    _documents(wh, period, gateway, batch_size)


def bare_loop(wh: Path, period: str, gateway: odoo.Gateway, batch_size: int
              ) -> tuple[int, float]:
    """create + action_post per batch, ids resolved beforehand; returns (invoices, seconds)."""
    poster, docs = _documents(wh, period, gateway, batch_size)
    partners = poster.records.partners([d.customer for d in docs])
    values: list[dict[str, Any]] = []
    for doc in docs:
        move = poster.records.move_values(doc, partners[doc.customer.ref])
        move["x_fc_billing_key"] = f"bare:{doc.key}"
        values.append(move)
    started = time.perf_counter()
    for start in range(0, len(values), batch_size):
        ids = gateway.call("account.move", "create", vals_list=values[start:start + batch_size])
        gateway.call("account.move", "action_post", ids)
    return len(values), time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
