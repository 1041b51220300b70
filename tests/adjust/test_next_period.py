"""FUSION_ADJUST_DELIVERY=next_period end to end: October rated, posted to the Odoo test server
and closed, November rated (open); late usage and corrections for October are issued as
revisions whose lines go on the customer's November invoice, posted with it once November
closes; or as documents of their own when the customer has no November invoice of the service
or the credit would take it below zero. A revision after a next_period one waits until the
November invoice is posted; a November invoice that shrank below the credit it carries is held,
never posted without it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import warehouse
from rating.adjust.run import AdjustSettings, unbalanced_lines
from rating.adjust.service import AdjustPeriodsRequest, AdjustPeriodsResult, adjust_periods
from rating.odoo.posting import post_period
from rating.rate.engine import close_period
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import CATALOG, PERIOD, gateway_for, money, rated_period
from tests.support.usage_builder import Landing, table, usage_row

pytestmark = pytest.mark.slow
D = Decimal
NEXT = "2026-11"
NEXT_PERIOD = AdjustSettings(delivery="next_period")


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def landing(root: Path) -> Landing:
    return Landing(root / "landing", accounts=False, subscriptions=False)


def rate_november(root: Path, wh: Path, tiles: dict[str, int], vcpu: dict[str, int]) -> None:
    """November's usage (map tiles and vCPU hours per customer; a customer left out has no
    invoice of that service), rated: the open period."""
    start = "2026-11-05T10:00Z"
    landing(root).usage("november.parquet", [
        *(usage_row("nexamaps", "map_tiles", value, start=start, account_id=f"nexamaps-{c}")
          for c, value in tiles.items()),
        *(usage_row("nexacloud", "vcpu_hours", value, start=start,
                    account_id=f"nexacloud-{c}") for c, value in vcpu.items())])
    landing(root).rate(wh, NEXT)


def correct_tiles(root: Path, customer: str, by: int, name: str) -> None:
    """The customer's October map tiles pushed again, `by` fewer (0.0000125 a tile)."""
    found = duckdb.sql(
        f"SELECT counter_id, value, pushed_at FROM read_parquet('{root}/landing/usage/*.parquet')"
        f" WHERE account_id = 'nexamaps-{customer}' AND metric = 'map_tiles' "
        "AND period_start < TIMESTAMPTZ '2026-11-01' ORDER BY pushed_at DESC LIMIT 1").fetchone()
    assert found is not None
    counter_id, value, pushed_at = found
    landing(root).usage(name, [usage_row(
        "nexamaps", "map_tiles", Decimal(value) - by, account_id=f"nexamaps-{customer}",
        counter_id=counter_id, pushed_at=pushed_at + dt.timedelta(days=20))])


def late_vcpu(root: Path, customer: str, hours: int, name: str) -> None:
    """October vCPU hours that arrive late: 0.045 each."""
    landing(root).usage(name, [usage_row("nexacloud", "vcpu_hours", hours,
                                         account_id=f"nexacloud-{customer}")])


def adjust(root: Path, settings: AdjustSettings = NEXT_PERIOD) -> AdjustPeriodsResult:
    """The nightly run, as `fusion-rating adjust` does it with Odoo set."""
    return adjust_periods(AdjustPeriodsRequest(
        landing=str(root / "landing"), catalog=CATALOG, warehouse=root / "warehouse.duckdb",
        settings=settings, outbox_counts_as_posted=False))


def revisions(wh: Path) -> list[tuple[Any, ...]]:
    return table(wh, "period_adjustments",
                 "adjustment_key, document_kind, amount_net, delivery, target_period")


def reason(wh: Path, key: str) -> str:
    [(text,)] = table(wh, "period_adjustments", "reason_text", f"adjustment_key = '{key}'")
    return str(text)


def rated(wh: Path, key: str) -> Decimal:
    """The invoice's own rated total (invoice_lines)."""
    [(total,)] = table(wh, "invoice_lines", "sum(amount)", f"invoice_key = '{key}'")
    return Decimal(total)


def by_key(server: OdooTestServer) -> dict[str, dict[str, Any]]:
    return {move["x_fc_billing_key"]: move for move in server.records("account.move")}


def product_lines(server: OdooTestServer, move_id: int) -> list[tuple[str, Decimal]]:
    return [(line["name"], money(line["price_subtotal"]))
            for line in server.records("account.move.line")
            if line["move_id"] == move_id and line.get("display_type") == "product"]


def creates(server: OdooTestServer) -> int:
    return sum(1 for c in server.calls
               if c.model == "account.move" and c.method == "create" and c.ok)


def balance_breaks(wh: Path) -> list[Any]:
    with warehouse.writer(wh) as con:
        return unbalanced_lines(con)


def october_posted_november_rated(root: Path, server: OdooTestServer, transport: str) -> Path:
    """October posted and closed for C1..C4; November rated: every customer's cloud (its
    minimum at least), the maps of C1 and C2 (12.50) and of C4 (0.13: 10,000 tiles beyond the
    10,000 included); C3 used no maps in November."""
    wh = rated_period(root, count=4)
    assert post_period(wh, PERIOD, gateway_for(server, transport)).held == []
    rate_november(root, wh, tiles={"C1": 1_010_000, "C2": 1_010_000, "C4": 20_000},
                  vcpu={"C1": 300})
    return wh


@pytest.mark.parametrize("transport", ["jsonrpc", "json2"])
def test_next_period_puts_the_adjustments_on_the_november_invoices_and_posts_them_once(
        server: OdooTestServer, tmp_path: Path, transport: str) -> None:
    wh = october_posted_november_rated(tmp_path, server, transport)
    gateway = gateway_for(server, transport)
    late_vcpu(tmp_path, "C1", 40, "late-c1.parquet")          # +1.80, carried by November
    correct_tiles(tmp_path, "C2", 200_000, "fix-c2.parquet")  # -2.50, carried by November
    correct_tiles(tmp_path, "C3", 200_000, "fix-c3.parquet")  # -2.50, no November maps
    correct_tiles(tmp_path, "C4", 200_000, "fix-c4.parquet")  # -2.50 > its November 0.13

    [october] = adjust(tmp_path).periods
    assert october.adjustment.outcome == "issued"
    assert revisions(wh) == [
        ("C1/nexacloud/2026-10/r1", "supplementary_invoice", D("1.80"), "next_period", NEXT),
        ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "next_period", NEXT),
        ("C3/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "separate", None),
        ("C4/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "separate", None)]
    assert reason(wh, "C1/nexacloud/2026-10/r1").endswith(
        ", on the 2026-11 invoice C1/nexacloud/2026-11")
    assert reason(wh, "C3/nexamaps/2026-10/r1").endswith(
        "; a document of its own: C3 has no nexamaps invoice in 2026-11 to carry it")
    assert reason(wh, "C4/nexamaps/2026-10/r1").endswith(
        "; a document of its own: crediting 2.50 CAD would take its 2026-11 invoice "
        "C4/nexamaps/2026-11 of 0.13 below zero")
    notes = {d.revision.adjustment_key: d.revision.delivery_note for d in october.documents}
    assert notes["C1/nexacloud/2026-10/r1"] == "on the customer's 2026-11 invoice"
    assert notes["C4/nexamaps/2026-10/r1"].startswith("as a document of its own: crediting")
    assert balance_breaks(wh) == []

    # October's posting makes the separate documents only.
    report = post_period(wh, PERIOD, gateway)
    assert (report.held, report.created) == ([], 2)
    assert sorted(k for k in by_key(server) if "/r" in k) == [
        "C3/nexamaps/2026-10/r1", "C4/nexamaps/2026-10/r1"]

    own = {key: rated(wh, key) for key in ("C1/nexacloud/2026-11", "C2/nexamaps/2026-11")}
    close_period(wh, NEXT)
    report = post_period(wh, NEXT, gateway)
    assert report.held == []
    moves = by_key(server)
    c1, c2 = moves["C1/nexacloud/2026-11"], moves["C2/nexamaps/2026-11"]
    assert (c1["state"], c1["move_type"], money(c1["amount_untaxed"])) == (
        "posted", "out_invoice", own["C1/nexacloud/2026-11"] + D("1.80"))
    assert (c2["state"], c2["move_type"], money(c2["amount_untaxed"])) == (
        "posted", "out_invoice", own["C2/nexamaps/2026-11"] - D("2.50"))
    [c1_adjustment] = [line for line in product_lines(server, c1["id"])
                       if line[0].startswith("Adjustment")]
    assert c1_adjustment == (
        "Adjustment for October 2026: Late usage for October 2026, vCPU hours: 40 vCPU-h, "
        "from 150 to 190", D("1.80"))
    [c2_adjustment] = [line for line in product_lines(server, c2["id"])
                       if line[0].startswith("Adjustment")]
    assert c2_adjustment[0].startswith("Adjustment for October 2026: Corrected usage for "
                                       "October 2026, Map tiles: -200,000")
    assert c2_adjustment[1] == D("-2.50")
    # What we rated is what Odoo holds, the adjustment lines included.
    assert table(wh, "reconciliation_odoo", "invoice_key, rated_untaxed, status",
                 f"invoice_key IN ('C1/nexacloud/{NEXT}', 'C2/nexamaps/{NEXT}')") == [
        (f"C1/nexacloud/{NEXT}", own["C1/nexacloud/2026-11"] + D("1.80"), "match"),
        (f"C2/nexamaps/{NEXT}", own["C2/nexamaps/2026-11"] - D("2.50"), "match")]
    assert table(wh, "reconciliation_odoo", "DISTINCT status", f"billing_period = '{NEXT}'") \
        == [("match",)]
    assert rated(wh, "C1/nexacloud/2026-11") == own["C1/nexacloud/2026-11"]  # not touched

    # Posted once: a rerun of both periods and of the adjust run creates nothing.
    calls, before = creates(server), by_key(server)
    assert adjust(tmp_path).periods[-1].adjustment.issued == ()
    assert post_period(wh, PERIOD, gateway).created == 0
    assert post_period(wh, NEXT, gateway).created == 0
    assert (creates(server), by_key(server)) == (calls, before)
    assert len(revisions(wh)) == 4
    assert balance_breaks(wh) == []
