"""An original invoice a person changed in Odoo after we posted it (changed_after_posting):
an adjustment issued before the change is never posted against it until the invoice is
settled (rating.adjust.settle: `adjust --settle`), and the settlement brings what Odoo billed
back to what we rated, once. Read through the gateway alone, so that the same tests run on the
Odoo test server (both transports) and on a real Odoo (`live-*`, marker odoo_live: skipped
without ODOO_URL); every live run has customer keys of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating.adjust.decide import DocumentKind
from rating.adjust.settle import CannotSettle, SettleRequest, settle_invoice
from rating.odoo import gateway as odoo
from rating.odoo.posting import post_period
from tests.support.adjustments import ISSUED, change_in_odoo, flag_changed, issue
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, apply_setup, gateway_for, money, rated_period
from tests.support.usage_builder import table

pytestmark = pytest.mark.slow
D = Decimal
LIVE = pytest.mark.odoo_live


@dataclass(frozen=True)
class Target:
    gateway: odoo.Gateway
    wh: Path
    customer: str

    @property
    def changed(self) -> str:
        return f"{self.customer}2/nexamaps/{PERIOD}"

    def move(self, key: str) -> dict[str, Any]:
        [found] = self.gateway.call(
            "account.move", "search_read", domain=[["x_fc_billing_key", "=", key]],
            fields=["id", "move_type", "state", "amount_untaxed", "reversed_entry_id"])
        return dict(found)

    def change(self, by: Decimal) -> None:
        """A person changes the posted original in Odoo; posting then finds it changed."""
        change_in_odoo(self.gateway, self.move(self.changed)["id"], by)
        flag_changed(self.wh, self.changed)


@pytest.fixture(params=["jsonrpc", "json2", pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    where, _, transport = str(request.param).rpartition("-")
    if where != "live":
        wh = rated_period(tmp_path)
        with OdooTestServer() as server:
            yield Target(gateway_for(server, transport), wh, "C")
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    customer = f"FS{uuid.uuid4().hex[:8].upper()}-"
    wh = rated_period(tmp_path, prefix=customer)
    gateway = odoo.connect(settings)
    apply_setup(gateway)  # idempotent: what an operator runs once per database
    yield Target(gateway, wh, customer)


def held(target: Target) -> list[tuple[str, str]]:
    return [(key, state) for key, state, _ in post_period(target.wh, PERIOD,
                                                          target.gateway).held]


def test_a_credit_note_is_not_posted_against_an_original_a_person_changed(
        target: Target) -> None:
    assert held(target) == []
    target.change(D("5.00"))
    assert held(target) == [(target.changed, "changed_after_posting")]
    # Issued before the adjust run saw the change: computed against what we invoiced.
    credit = f"{target.changed}/r1"
    issue(target.wh, credit, target.changed, "credit_note", [("NM-TILES", "-3.50")])
    report = post_period(target.wh, PERIOD, target.gateway)
    assert [(k, s) for k, s, _ in report.held] == [
        (target.changed, "changed_after_posting"), (credit, "original_changed_in_odoo")]
    assert f"--settle {target.changed}" in report.held[1][2]
    assert report.created == 0
    assert target.gateway.call("account.move", "search", domain=[
        ["x_fc_billing_key", "=", credit]]) == []
    assert table(target.wh, "odoo_postings", "state", f"invoice_key = '{credit}'") == [
        ("original_changed_in_odoo",)]


def test_settling_a_changed_original_credits_what_odoo_billed_over_ours_once(
        target: Target) -> None:
    post_period(target.wh, PERIOD, target.gateway)
    target.change(D("-5.00"))  # a person billed 5.00 more by hand
    key = target.changed
    issue(target.wh, f"{key}/r1", key, "credit_note", [("NM-TILES", "-3.50")])
    post_period(target.wh, PERIOD, target.gateway)  # r1 held until the original is settled

    settled = settle_invoice(SettleRequest(target.wh, PERIOD, key, "tiles billed by hand",
                                           issue_date=ISSUED), target.gateway)
    # r1 is not in Odoo yet: it counts on neither side, and is posted on top afterwards.
    assert (settled.adjustment_key, settled.kind, settled.net) == (
        f"{key}/r2", DocumentKind.CREDIT_NOTE, D("-5.00"))
    assert table(target.wh, "period_adjustments", "revision, reason, amount_document",
                 f"invoice_key = '{key}'") == [(1, "late_usage", D("3.50")),
                                               (2, "settlement", D("5.00"))]
    report = post_period(target.wh, PERIOD, target.gateway)
    assert (report.held, report.created) == ([], 2)
    original = target.move(key)
    for revision, amount in (("/r1", D("3.50")), ("/r2", D("5.00"))):
        note = target.move(key + revision)
        assert (note["move_type"], note["state"], money(note["amount_untaxed"])) == (
            "out_refund", "posted", amount)
        assert note["reversed_entry_id"][0] == original["id"]
    assert table(target.wh, "odoo_postings", "state", f"invoice_key = '{key}'") == [
        ("settled_by_adjustment",)]
    assert table(target.wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]

    with pytest.raises(CannotSettle, match="nothing to settle"):
        settle_invoice(SettleRequest(target.wh, PERIOD, key, "again"), target.gateway)
    again = post_period(target.wh, PERIOD, target.gateway)
    assert (again.held, again.created) == ([], 0)


def test_a_settled_original_a_person_changes_again_is_flagged_again(target: Target) -> None:
    post_period(target.wh, PERIOD, target.gateway)
    target.change(D("-5.00"))
    key = target.changed
    settle_invoice(SettleRequest(target.wh, PERIOD, key, "tiles billed by hand",
                                 issue_date=ISSUED), target.gateway)
    assert post_period(target.wh, PERIOD, target.gateway).held == []
    assert held(target) == []  # as settled: never flagged again

    change_in_odoo(target.gateway, target.move(key)["id"], D("2.00"))  # changed after settling
    again = post_period(target.wh, PERIOD, target.gateway).held
    assert [(k, s) for k, s, _ in again] == [(key, "changed_after_posting")]
    assert "settle it again" in again[0][2]
    assert table(target.wh, "odoo_postings", "state", f"invoice_key = '{key}'") == [
        ("changed_after_posting",)]
    resettled = settle_invoice(SettleRequest(target.wh, PERIOD, key, "lowered by hand",
                                             issue_date=ISSUED), target.gateway)
    assert (resettled.kind, resettled.net) == (DocumentKind.SUPPLEMENTARY_INVOICE, D("2.00"))
