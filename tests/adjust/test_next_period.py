"""FUSION_ADJUST_DELIVERY=next_period end to end: October rated, posted to the Odoo test server
and closed, November rated (open); late usage and corrections for October are issued as
revisions whose lines go on the customer's November invoice, posted with it once November
closes; or as documents of their own when the customer has no November invoice of the service
or the credit would take it below zero. A revision after a next_period one waits until the
November invoice is posted; a November invoice that shrank below the credit it carries is held,
never posted without it, until the next re-rate of October makes the credit a document of its
own; a November invoice whose own usage is gone is posted with the adjustment lines alone."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.adjust.run import unbalanced_lines
from rating.odoo.documents import documents
from rating.odoo.options import PostingOptions
from rating.odoo.payload import Precision
from rating.odoo.posting import post_period
from rating.odoo.sources import INVOICES
from rating.rate.engine import RateRequest, close_period, rate
from rating.rate.guard import GuardSettings
from tests.support.next_period import (
    NEXT,
    adjust,
    correct_tiles,
    landing,
    late_vcpu,
    rate_november,
    rated,
    reason,
    revisions,
)
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import CATALOG, PERIOD, gateway_for, money, rated_period
from tests.support.usage_builder import table, usage_row

pytestmark = pytest.mark.slow
D = Decimal


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


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


def october_posted_november_rated(root: Path, server: OdooTestServer, transport: str,
                                  vcpu: int = 300) -> Path:
    """October posted and closed for C1..C4; November rated: every customer's cloud (its
    minimum at least), the maps of C1 and C2 (12.50) and of C4 (0.13: 10,000 tiles beyond the
    10,000 included); C3 used no maps in November."""
    wh = rated_period(root, count=4)
    assert post_period(wh, PERIOD, gateway_for(server, transport)).held == []
    rate_november(root, wh, tiles={"C1": 1_010_000, "C2": 1_010_000, "C4": 20_000},
                  vcpu={"C1": vcpu})
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


def november_documents(wh: Path) -> dict[str, Any]:
    """November's invoices as posting builds them (at Odoo's default precision)."""
    with warehouse.writer(wh) as con:
        keys = INVOICES.keys(con, NEXT)
        return {doc.key: doc for doc in documents(con, NEXT, keys, PostingOptions(),
                                                  lambda _: Precision())}


def test_the_revision_after_a_next_period_one_waits_until_the_invoice_carrying_it_is_posted(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = october_posted_november_rated(tmp_path, server, "json2")
    gateway = gateway_for(server, "json2")
    before = november_documents(wh)["C1/nexacloud/2026-11"]
    late_vcpu(tmp_path, "C1", 40, "late-1.parquet")
    adjust(tmp_path)
    carrying = november_documents(wh)["C1/nexacloud/2026-11"]
    # The November invoice's content (and so its hash) and total now include the adjustment.
    assert carrying.content_hash != before.content_hash
    assert carrying.rated_untaxed == before.rated_untaxed + D("1.80")
    assert carrying.lines[:-1] == before.lines

    late_vcpu(tmp_path, "C1", 40, "late-2.parquet")
    [october] = adjust(tmp_path).periods
    assert october.adjustment.issued == ()
    assert [(p.why.value, p.amount) for p in october.adjustment.pending] == [
        ("earlier_revision_not_posted", D("1.80"))]
    assert "C1/nexacloud/2026-10/r1" in str(table(wh, "pending_adjustments", "detail"))

    close_period(wh, NEXT)
    assert post_period(wh, NEXT, gateway).held == []
    # November is closed now: the next open period is December, where C1 has no invoice.
    adjust(tmp_path)
    assert revisions(wh) == [
        ("C1/nexacloud/2026-10/r1", "supplementary_invoice", D("1.80"), "next_period", NEXT),
        ("C1/nexacloud/2026-10/r2", "supplementary_invoice", D("1.80"), "separate", None)]
    assert reason(wh, "C1/nexacloud/2026-10/r2").endswith(
        "; a document of its own: C1 has no nexacloud invoice in 2026-12 to carry it")
    assert balance_breaks(wh) == []


def test_an_invoice_that_shrank_below_the_credit_it_carries_is_held_with_it(
        server: OdooTestServer, tmp_path: Path) -> None:
    # C1's large November cloud invoice keeps the guard quiet when C2's maps fall.
    wh = october_posted_november_rated(tmp_path, server, "json2", vcpu=100_000)
    gateway = gateway_for(server, "json2")
    correct_tiles(tmp_path, "C2", 200_000, "fix-october.parquet")
    adjust(tmp_path)
    assert ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "next_period", NEXT) in \
        revisions(wh)
    # November's own usage of C2's maps is corrected down to 0.13 before November closes.
    correct_tiles(tmp_path, "C2", 990_000, "fix-november.parquet", month=NEXT)
    landing(tmp_path).rate(wh, NEXT)
    assert rated(wh, "C2/nexamaps/2026-11") == D("0.13")
    close_period(wh, NEXT)

    report = post_period(wh, NEXT, gateway)
    [(key, state, why)] = report.held
    assert (key, state) == ("C2/nexamaps/2026-11", "not_postable")
    assert why == ("C2/nexamaps/2026-11: its own lines (0.13) with the adjustments it carries "
                   "(C2/nexamaps/2026-10/r1: -2.50) total -2.37, and Odoo refuses a negative "
                   "invoice: held; `fusion-rating adjust --period 2026-10` makes the credits "
                   "documents of their own, then this invoice posts without them")
    assert "C2/nexamaps/2026-11" not in by_key(server)
    assert table(wh, "reconciliation_odoo", "rated_untaxed, status",
                 "invoice_key = 'C2/nexamaps/2026-11'") == [(D("-2.37"), "missing_in_odoo")]
    # The credit is kept: issued, not posted, and what follows on the invoice waits for it.
    correct_tiles(tmp_path, "C2", 100_000, "fix-october-again.parquet")
    october = {p.period: p for p in adjust(tmp_path).periods}[PERIOD]
    assert [p.why.value for p in october.adjustment.pending] == ["earlier_revision_not_posted"]
    assert ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "separate", None) in \
        revisions(wh)
    assert reason(wh, "C2/nexamaps/2026-10/r1").endswith(
        ", on the 2026-11 invoice C2/nexamaps/2026-11; a document of its own: its 2026-11 "
        "invoice C2/nexamaps/2026-11 came to total -2.37 with the adjustments it carries")
    assert balance_breaks(wh) == []

    # Re-delivered as a credit note of its own: November posts without it, October's
    # adjustments with it, and the revision after it follows.
    assert post_period(wh, NEXT, gateway).held == []
    assert money(by_key(server)["C2/nexamaps/2026-11"]["amount_untaxed"]) == D("0.13")
    assert post_period(wh, PERIOD, gateway).held == []
    credit = by_key(server)["C2/nexamaps/2026-10/r1"]
    assert (credit["move_type"], credit["state"], money(credit["amount_untaxed"])) == (
        "out_refund", "posted", D("2.50"))
    october = {p.period: p for p in adjust(tmp_path).periods}[PERIOD]
    assert [r.adjustment_key for r in october.adjustment.issued] == ["C2/nexamaps/2026-10/r2"]
    assert balance_breaks(wh) == []


def test_an_invoice_whose_own_usage_is_gone_still_carries_the_adjustment_to_odoo(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = october_posted_november_rated(tmp_path, server, "json2")
    gateway = gateway_for(server, "json2")
    landing(tmp_path).usage("late-tiles.parquet", [usage_row(
        "nexamaps", "map_tiles", 400_000, account_id="nexamaps-C2")])  # +5.00
    adjust(tmp_path)
    assert ("C2/nexamaps/2026-10/r1", "supplementary_invoice", D("5.00"), "next_period",
            NEXT) in revisions(wh)
    # C2's November tiles are withdrawn (pushed again as 0) and November rated again, accepted.
    correct_tiles(tmp_path, "C2", 1_010_000, "withdrawn.parquet", month=NEXT)
    rate(RateRequest(landing=str(tmp_path / "landing"), catalog=CATALOG, warehouse=wh,
                     period=NEXT, guard=GuardSettings(accept_changes=True)))
    assert table(wh, "invoice_lines", "count(*)", "invoice_key = 'C2/nexamaps/2026-11'") == [
        (0,)]
    close_period(wh, NEXT)

    assert post_period(wh, NEXT, gateway).held == []
    move = by_key(server)["C2/nexamaps/2026-11"]
    assert (move["state"], money(move["amount_untaxed"])) == ("posted", D("5.00"))
    assert [amount for name, amount in product_lines(server, move["id"])
            if name.startswith("Adjustment for October 2026: ")] == [D("5.00")]
    assert table(wh, "reconciliation_odoo", "rated_untaxed, status",
                 "invoice_key = 'C2/nexamaps/2026-11'") == [(D("5.00"), "match")]
