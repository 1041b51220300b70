"""FUSION_ADJUST_DELIVERY=next_period, the invoices that carry adjustments of October when
they cannot be posted as they were: one carrying the adjustment lines alone is booked with its
service's setup; one that shrank below the credit it carries is redelivered by the nightly run
itself, or, when a person holds a draft of it in Odoo, once that draft is deleted; a carried
increase stays on it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating.odoo.options import PostingOptions
from rating.odoo.posting import post_period
from rating.rate.engine import RateRequest, close_period, rate
from rating.rate.guard import GuardSettings
from tests.support.next_period import (
    NEXT,
    adjust,
    correct_tiles,
    landing,
    late_vcpu,
    rate_november,
    revisions,
)
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import CATALOG, PERIOD, gateway_for, rated_period
from tests.support.usage_builder import table, usage_row

pytestmark = pytest.mark.slow
D = Decimal


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def test_an_invoice_carrying_adjustment_lines_alone_is_booked_with_its_services_setup(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = rated_period(tmp_path, count=4)
    gateway = gateway_for(server, "json2")
    assert post_period(wh, PERIOD, gateway).held == []
    # C2 is the only customer with map tiles in November.
    rate_november(tmp_path, wh, tiles={"C2": 1_010_000}, vcpu={"C1": 300})
    landing(tmp_path).usage("late-tiles.parquet", [usage_row(
        "nexamaps", "map_tiles", 400_000, account_id="nexamaps-C2")])  # +5.00
    adjust(tmp_path)
    assert ("C2/nexamaps/2026-10/r1", "supplementary_invoice", D("5.00"), "next_period",
            NEXT) in revisions(wh)
    correct_tiles(tmp_path, "C2", 1_010_000, "withdrawn.parquet", month=NEXT)
    rate(RateRequest(landing=str(tmp_path / "landing"), catalog=CATALOG, warehouse=wh,
                     period=NEXT, guard=GuardSettings(accept_changes=True)))
    assert table(wh, "invoice_lines", "count(*)",
                 f"billing_period = '{NEXT}' AND service = 'nexamaps'") == [(0,)]
    close_period(wh, NEXT)

    assert post_period(wh, NEXT, gateway).held == []
    [move] = [m for m in server.records("account.move")
              if m["x_fc_billing_key"] == "C2/nexamaps/2026-11"]
    [maps] = [a["id"] for a in server.records("account.analytic.account")
              if a["name"] == "NexaMaps API"]
    lines = [line for line in server.records("account.move.line")
             if line["move_id"] == move["id"] and line.get("display_type") == "product"]
    assert [line["analytic_distribution"] for line in lines] == [{str(maps): 100}]


def november_shrank_below_its_credit(tmp_path: Path, server: OdooTestServer,
                                     drafts_first: bool = False) -> Path:
    """C2's October maps credited 2.50 onto its November invoice (with `drafts_first`,
    November's drafts then written to Odoo), whose own usage then falls to 0.13 before
    November closes."""
    # C1's large November cloud invoice keeps the guard quiet when C2's maps fall.
    wh = rated_period(tmp_path, count=4)
    assert post_period(wh, PERIOD, gateway_for(server, "json2")).held == []
    rate_november(tmp_path, wh, tiles={"C1": 1_010_000, "C2": 1_010_000, "C4": 20_000},
                  vcpu={"C1": 100_000})
    correct_tiles(tmp_path, "C2", 200_000, "fix-october.parquet")
    adjust(tmp_path)
    assert ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "next_period", NEXT) in \
        revisions(wh)
    if drafts_first:
        drafts = post_period(wh, NEXT, gateway_for(server, "json2"), PostingOptions(post=False))
        assert drafts.held == []
    correct_tiles(tmp_path, "C2", 990_000, "fix-november.parquet", month=NEXT)
    landing(tmp_path).rate(wh, NEXT)
    return wh


def test_the_nightly_run_redelivers_a_credit_whose_invoice_is_held_though_nothing_touched_it(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = november_shrank_below_its_credit(tmp_path, server)
    gateway = gateway_for(server, "json2")
    close_period(wh, NEXT)
    [(key, state, _)] = post_period(wh, NEXT, gateway).held
    assert (key, state) == ("C2/nexamaps/2026-11", "not_postable")

    # No usage of October since: the nightly run looks at it again for the held invoice.
    october = {p.period: p for p in adjust(tmp_path).periods}[PERIOD]
    assert october.adjustment.outcome != "unchanged"
    assert ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "separate", None) in \
        revisions(wh)
    assert post_period(wh, NEXT, gateway).held == []
    assert post_period(wh, PERIOD, gateway).held == []
    moves = {m["x_fc_billing_key"]: m for m in server.records("account.move")}
    assert (moves["C2/nexamaps/2026-11"]["state"], moves["C2/nexamaps/2026-10/r1"]["state"],
            moves["C2/nexamaps/2026-10/r1"]["move_type"]) == ("posted", "posted", "out_refund")
    # Redelivered once: the next night finds October quiet again.
    october = {p.period: p for p in adjust(tmp_path).periods}[PERIOD]
    assert october.adjustment.outcome == "unchanged"


def test_a_held_invoice_whose_draft_a_person_deleted_in_odoo_has_its_credit_redelivered(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = november_shrank_below_its_credit(tmp_path, server, drafts_first=True)
    gateway = gateway_for(server, "json2")
    [draft] = [m["id"] for m in server.records("account.move")
               if m["x_fc_billing_key"] == "C2/nexamaps/2026-11"]
    close_period(wh, NEXT)

    [(key, state, why)] = post_period(wh, NEXT, gateway).held
    assert (key, state) == ("C2/nexamaps/2026-11", "not_postable")
    assert why.endswith(f"; Odoo holds a draft of it (move {draft}), written before it fell "
                        "below zero: delete that draft in Odoo, and the next posting of "
                        "2026-11 records it gone")
    # Odoo holds the draft: the credit stays on it, never delivered twice.
    adjust(tmp_path)
    assert ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "next_period", NEXT) in \
        revisions(wh)

    gateway.call("account.move", "unlink", [draft])
    [(_, _, why)] = post_period(wh, NEXT, gateway).held
    assert "Odoo holds" not in why
    assert table(wh, "odoo_postings", "state, odoo_move_id",
                 "invoice_key = 'C2/nexamaps/2026-11'") == [("not_postable", None)]
    adjust(tmp_path)
    assert ("C2/nexamaps/2026-10/r1", "credit_note", D("-2.50"), "separate", None) in \
        revisions(wh)
    assert post_period(wh, NEXT, gateway).held == []
    assert post_period(wh, PERIOD, gateway).held == []
    moves = {m["x_fc_billing_key"]: m for m in server.records("account.move")}
    assert (moves["C2/nexamaps/2026-11"]["state"], moves["C2/nexamaps/2026-10/r1"]["state"]) \
        == ("posted", "posted")


def test_an_increase_stays_on_an_invoice_that_a_credit_of_another_period_takes_below_zero(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = rated_period(tmp_path, count=4)
    assert post_period(wh, PERIOD, gateway_for(server, "json2")).held == []
    rate_november(tmp_path, wh, tiles={"C1": 1_010_000, "C2": 1_010_000}, vcpu={"C1": 300})
    landing(tmp_path).usage("late-tiles.parquet", [usage_row(
        "nexamaps", "map_tiles", 400_000, account_id="nexamaps-C2")])  # +5.00
    adjust(tmp_path)
    increase = ("C2/nexamaps/2026-10/r1", "supplementary_invoice", D("5.00"), "next_period",
                NEXT)
    assert increase in revisions(wh)
    # A credit of September put on the same invoice since: 12.50 + 5.00 - 20.00 < 0.
    with duckdb.connect(str(wh)) as con:
        con.execute(
            "INSERT INTO period_adjustments (adjustment_key, invoice_key, billing_period, "
            "customer_key, service, currency, revision, document_kind, delivery, "
            "target_period, old_amount, new_amount, amount_net, amount_document, reason, "
            "reason_text, source_files, run_id, issued_at, issue_date) "
            "VALUES ('C2/nexamaps/2026-09/r1', 'C2/nexamaps/2026-09', '2026-09', 'C2', "
            "'nexamaps', 'CAD', 1, 'credit_note', 'next_period', '2026-11', 30, 10, -20, 20, "
            "'correction', 'Corrected usage', [], 'test-run', TIMESTAMP '2026-12-02 07:30:00', "
            "DATE '2026-12-02')")

    late_vcpu(tmp_path, "C3", 10, "late-c3.parquet")  # October is re-rated
    adjust(tmp_path)
    # Moving the increase out would leave the invoice further below zero: it stays.
    assert increase in revisions(wh)
