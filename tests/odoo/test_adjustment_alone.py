"""A customer whose whole month's usage came after the close (no invoice for it at the close):
`fusion-rating adjust` bills it by a supplementary invoice standing alone, and posting creates
its partner and the invoice once, its ref naming the period (there is no original number); a
later credit is a credit note reversing that first invoice.
Read back through the gateway alone, so that the same test runs on the Odoo test server (both
transports) and on a real Odoo (`live-*`, marker odoo_live: skipped without ODOO_URL), as
tests/odoo/test_adjustment_posting_live.py does. Every live run has customer keys of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.adjust.decide import DocumentKind
from rating.adjust.run import unbalanced_lines
from rating.adjust.service import AdjustPeriodsRequest, PeriodAdjusted, adjust_periods
from rating.adjust.settle import SettleRequest, settle_invoice
from rating.odoo import gateway as odoo
from rating.odoo.posting import post_period
from tests.support.adjustments import ISSUED, change_in_odoo, flag_changed
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import CATALOG, PERIOD, apply_setup, gateway_for, money, rated_period
from tests.support.usage_builder import Landing, table, usage_row

pytestmark = pytest.mark.slow
D = Decimal
LIVE = pytest.mark.odoo_live


@dataclass(frozen=True)
class Target:
    """A closed period whose last customer had no usage (no invoice) and the Odoo it posts to."""

    gateway: odoo.Gateway
    root: Path
    late_customer: str

    @property
    def wh(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def key(self) -> str:
        return f"{self.late_customer}/nexamaps/{PERIOD}"

    def land(self, name: str, tiles: int, **fields: object) -> None:
        Landing(self.root / "landing", accounts=False, subscriptions=False).usage(
            name, [usage_row("nexamaps", "map_tiles", tiles,
                             account_id=f"nexamaps-{self.late_customer}", **fields)])

    def adjust(self) -> PeriodAdjusted:
        [period] = adjust_periods(AdjustPeriodsRequest(
            landing=str(self.root / "landing"), catalog=CATALOG, warehouse=self.wh,
            outbox_counts_as_posted=False)).periods
        return period

    def move(self, key: str) -> dict[str, Any]:
        [found] = self.gateway.call(
            "account.move", "search_read", domain=[["x_fc_billing_key", "=", key]],
            fields=["id", "move_type", "state", "ref", "amount_untaxed", "partner_id",
                    "reversed_entry_id"])
        return dict(found)

    def partners(self) -> list[dict[str, Any]]:
        return list(self.gateway.call("res.partner", "search_read",
                                      domain=[["ref", "=", self.late_customer]],
                                      fields=["id", "name"]))

    def documents(self) -> int:
        """The late customer's documents in Odoo, whatever their key's revision."""
        return len(self.gateway.call("account.move", "search", domain=[
            ["x_fc_billing_key", "=like", f"{self.key}%"]]))


@pytest.fixture(params=["jsonrpc", "json2", pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    where, _, transport = str(request.param).rpartition("-")
    if where != "live":
        rated_period(tmp_path, count=3, idle=1)
        with OdooTestServer() as server:
            yield Target(gateway_for(server, transport), tmp_path, "C3")
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    prefix = f"FL{uuid.uuid4().hex[:8].upper()}-"
    rated_period(tmp_path, count=3, idle=1, prefix=prefix)
    gateway = odoo.connect(settings)
    apply_setup(gateway)  # idempotent: what an operator runs once per database
    yield Target(gateway, tmp_path, f"{prefix}3")


def test_a_customer_whose_whole_month_came_late_is_billed_once_by_an_invoice_standing_alone(
        target: Target) -> None:
    assert post_period(target.wh, PERIOD, target.gateway).held == []
    assert target.partners() == []  # no invoice at the close: no partner either
    target.land("late.parquet", 1_010_000)
    adjusted = target.adjust()
    assert (adjusted.outcome, [(d.revision.adjustment_key, d.revision.document_kind,
                                d.revision.amount_net) for d in adjusted.documents]) == (
        "issued", [(f"{target.key}/r1", "supplementary_invoice", D("12.50"))])

    report = post_period(target.wh, PERIOD, target.gateway)
    assert (report.held, report.created) == ([], 1)
    move = target.move(f"{target.key}/r1")
    assert (move["move_type"], move["state"], money(move["amount_untaxed"])) == (
        "out_invoice", "posted", D("12.50"))
    assert move["ref"] == "Late usage for October 2026: no invoice for October 2026 at its close"
    assert not move["reversed_entry_id"]
    [partner] = target.partners()
    assert partner["name"] == f"Customer {target.late_customer} Inc."
    assert move["partner_id"][0] == partner["id"]
    assert table(target.wh, "reconciliation_odoo", "invoice_key, status",
                 "document_kind IS NOT NULL") == [(f"{target.key}/r1", "match")]
    with warehouse.writer(target.wh) as con:
        assert unbalanced_lines(con) == []

    documents = target.documents()
    again = target.adjust()
    assert (again.outcome, again.documents) == ("unchanged", ())
    assert post_period(target.wh, PERIOD, target.gateway).created == 0
    assert target.documents() == documents == 1

    # A second late file: revision 2 on top of revision 1, standing alone as well.
    target.land("later.parquet", 2_000_000)
    assert [(d.revision.adjustment_key, d.revision.amount_net)
            for d in target.adjust().documents] == [(f"{target.key}/r2", D("25.00"))]
    assert post_period(target.wh, PERIOD, target.gateway).created == 1
    assert target.move(f"{target.key}/r2")["state"] == "posted"
    assert table(target.wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


def test_a_credit_after_an_invoice_standing_alone_reverses_it_and_odoo_bills_what_was_rated(
        target: Target) -> None:
    post_period(target.wh, PERIOD, target.gateway)
    target.land("late.parquet", 1_010_000, counter_id="t-1")  # 1,000,000 billable: 12.50
    target.adjust()
    assert post_period(target.wh, PERIOD, target.gateway).created == 1
    first = target.move(f"{target.key}/r1")

    # The counter pushed again, lower: 680,000 billable, 8.50.
    target.land("correction.parquet", 690_000, counter_id="t-1", pushed_at="2026-10-25T00:00Z")
    assert [(d.revision.adjustment_key, d.revision.document_kind, d.revision.amount_net)
            for d in target.adjust().documents] == [
        (f"{target.key}/r2", "credit_note", D("-4.00"))]
    report = post_period(target.wh, PERIOD, target.gateway)
    assert (report.held, report.created) == ([], 1)
    credit = target.move(f"{target.key}/r2")
    assert (credit["move_type"], credit["state"], money(credit["amount_untaxed"]),
            credit["reversed_entry_id"][0], credit["partner_id"]) == (
        "out_refund", "posted", D("4.00"), first["id"], first["partner_id"])

    # Later usage: billed on its own, the credit not netted into it again.
    target.land("later.parquet", 480_000, counter_id="t-2")
    assert [(d.revision.adjustment_key, d.revision.amount_net)
            for d in target.adjust().documents] == [(f"{target.key}/r3", D("6.00"))]
    assert post_period(target.wh, PERIOD, target.gateway).created == 1
    billed = [money(target.move(f"{target.key}/r{n}")["amount_untaxed"]) for n in (1, 2, 3)]
    # What Odoo bills (12.50 - 4.00 + 6.00) is what 1,160,000 billable tiles rate at.
    assert billed[0] - billed[1] + billed[2] == D("14.50")
    assert table(target.wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


def test_an_invoice_standing_alone_a_person_changed_in_odoo_is_settled(target: Target) -> None:
    post_period(target.wh, PERIOD, target.gateway)
    target.land("late.parquet", 1_010_000)
    target.adjust()
    post_period(target.wh, PERIOD, target.gateway)
    first = f"{target.key}/r1"
    change_in_odoo(target.gateway, target.move(first)["id"], D("-5.00"))  # 5.00 more by hand
    flag_changed(target.wh, first)

    settled = settle_invoice(SettleRequest(target.wh, PERIOD, target.key, "tiles by hand",
                                           issue_date=ISSUED), target.gateway)
    assert (settled.adjustment_key, settled.kind, settled.net) == (
        f"{target.key}/r2", DocumentKind.CREDIT_NOTE, D("-5.00"))
    report = post_period(target.wh, PERIOD, target.gateway)
    assert (report.held, report.created) == ([], 1)
    note = target.move(f"{target.key}/r2")
    assert (note["move_type"], note["state"], money(note["amount_untaxed"]),
            note["reversed_entry_id"][0]) == (
        "out_refund", "posted", D("5.00"), target.move(first)["id"])
    assert table(target.wh, "odoo_postings", "state", f"invoice_key = '{first}'") == [
        ("settled_by_adjustment",)]
    assert table(target.wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]
