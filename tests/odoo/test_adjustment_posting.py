"""Posting adjustments (issue 13) once, like invoices: a supplementary invoice and a credit note
linked by reversed_entry_id to the invoice it corrects, over real HTTP to the Odoo test server
(tests/support/odoo_server.py) with both transports.

The adjustments are written into period_adjustments and period_adjustment_lines by hand
(tests.support.adjustments), as `fusion-rating adjust` issues them: posting only reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import warehouse
from rating.odoo.posting import PostingOptions, post_period
from rating.odoo.view import invoice_text
from tests.support.adjustments import ISSUED, issue
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, gateway_for, money
from tests.support.usage_builder import table

pytestmark = pytest.mark.slow
TRANSPORTS = ("jsonrpc", "json2")
D = Decimal

SUPPLEMENTED = "C1/nexacloud/2026-10"
SUPPLEMENTARY = f"{SUPPLEMENTED}/r1"
CREDITED = "C2/nexamaps/2026-10"
CREDIT_NOTE = f"{CREDITED}/r1"


@pytest.fixture
def wh(posting_wh: Path) -> Path:
    """The closed period with a supplementary invoice (a negative line in it) and a credit
    note (a line without a difference, left off the document) issued."""
    issue(posting_wh, SUPPLEMENTARY, SUPPLEMENTED, "supplementary_invoice",
          [("NC-VCPU", "16.20"), ("NC-INSTANCES", "-4.05")])
    issue(posting_wh, CREDIT_NOTE, CREDITED, "credit_note", [("NM-TILES", "-3.50"),
                                                            ("NM-TILES", "0.00")])
    return posting_wh


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def by_key(server: OdooTestServer) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for move in server.records("account.move"):
        assert move["x_fc_billing_key"] not in found, "two moves under one key"
        found[move["x_fc_billing_key"]] = move
    return found


def created(server: OdooTestServer) -> int:
    return sum(1 for c in server.calls
               if c.model == "account.move" and c.method == "create" and c.ok)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_supplementary_invoice_and_a_credit_note_are_posted_linked_to_their_invoices(
        server: OdooTestServer, wh: Path, transport: str) -> None:
    report = post_period(wh, PERIOD, gateway_for(server, transport))
    assert report.held == []
    moves = by_key(server)
    original, credited = moves[SUPPLEMENTED], moves[CREDITED]
    supplementary, credit = moves[SUPPLEMENTARY], moves[CREDIT_NOTE]
    assert (supplementary["move_type"], supplementary["state"]) == ("out_invoice", "posted")
    assert money(supplementary["amount_untaxed"]) == D("12.15")
    assert sorted(money(ln["price_subtotal"]) for ln in server.records("account.move.line")
                  if ln["move_id"] == supplementary["id"]) == [D("-4.05"), D("16.20")]
    assert supplementary["ref"] == f"Supplement to: {original['name']}"
    assert supplementary["invoice_origin"] == "NexaCloud hosting usage, October 2026, revision 1"
    assert supplementary["reversed_entry_id"] is False
    assert (credit["move_type"], credit["state"]) == ("out_refund", "posted")
    assert credit["name"].startswith("RINV/2026/")
    assert money(credit["amount_untaxed"]) == D("3.50")  # one line: the zero one is left off
    assert [money(ln["price_subtotal"]) for ln in server.records("account.move.line")
            if ln["move_id"] == credit["id"]] == [D("3.50")]
    assert credit["reversed_entry_id"] == credited["id"]
    assert credit["ref"] == f"Reversal of: {credited['name']}"
    assert credit["invoice_date"] == ISSUED.isoformat()
    # Odoo reconciled the credit note with the invoice it reverses.
    assert (credit["payment_state"], credited["payment_state"]) == ("paid", "partial")
    assert table(wh, "odoo_postings", "invoice_key, state, document_kind, original_move_id",
                 "document_kind IS NOT NULL") == [
        (SUPPLEMENTARY, "posted", "supplementary_invoice", original["id"]),
        (CREDIT_NOTE, "posted", "credit_note", credited["id"])]
    assert table(wh, "reconciliation_odoo",
                 "invoice_key, status, rated_untaxed, odoo_untaxed, original_move_id, "
                 "odoo_reversed_entry_id", "document_kind IS NOT NULL") == [
        (SUPPLEMENTARY, "match", D("12.15"), D("12.15"), original["id"], None),
        (CREDIT_NOTE, "match", D("3.50"), D("3.50"), credited["id"], credited["id"])]
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_rerun_creates_nothing(server: OdooTestServer, wh: Path, transport: str) -> None:
    gateway = gateway_for(server, transport)
    first = post_period(wh, PERIOD, gateway)
    before = by_key(server)
    calls = created(server)
    again = post_period(wh, PERIOD, gateway)
    assert (again.created, again.posted, again.already_posted) == (0, 0, first.posted)
    assert created(server) == calls
    assert by_key(server) == before


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_adjustment_of_an_invoice_not_posted_waits_for_it(server: OdooTestServer, wh: Path,
                                                              transport: str) -> None:
    gateway = gateway_for(server, transport)
    drafts = post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    assert sorted((key, state) for key, state, _ in drafts.held) == [
        (SUPPLEMENTARY, "original_not_posted"), (CREDIT_NOTE, "original_not_posted")]
    assert {m["move_type"] for m in server.records("account.move")} == {"out_invoice"}
    assert SUPPLEMENTARY not in by_key(server)
    assert table(wh, "reconciliation_odoo", "invoice_key, status, posting_state",
                 "document_kind IS NOT NULL") == [
        (SUPPLEMENTARY, "missing_in_odoo", "original_not_posted"),
        (CREDIT_NOTE, "missing_in_odoo", "original_not_posted")]

    posted = post_period(wh, PERIOD, gateway)
    assert posted.held == []
    moves = by_key(server)
    assert moves[CREDIT_NOTE]["reversed_entry_id"] == moves[CREDITED]["id"]
    assert moves[CREDIT_NOTE]["state"] == moves[SUPPLEMENTARY]["state"] == "posted"


def test_a_credit_note_odoo_links_to_another_invoice_is_reported_as_link_differs(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway)
    moves = by_key(server)
    # Odoo lets a person rewrite the link of a posted credit note.
    server.execute("account.move", "write", [moves[CREDIT_NOTE]["id"]],
                   vals={"reversed_entry_id": moves[SUPPLEMENTED]["id"]})
    again = post_period(wh, PERIOD, gateway)
    assert again.created == 0
    assert table(wh, "reconciliation_odoo", "invoice_key, status",
                 "status <> 'match'") == [(CREDIT_NOTE, "link_differs")]
    with duckdb.connect(str(wh)) as con:
        assert [(r["invoice_key"], r["status"]) for r in warehouse.rows(
            con, "odoo/mismatches", {"billing_period": PERIOD})] == [
            (CREDIT_NOTE, "link_differs")]


def test_a_dry_run_writes_the_adjustments_payloads_into_the_outbox(wh: Path) -> None:
    report = post_period(wh, PERIOD, None)
    assert report.held == []
    outbox = dict(table(wh, "odoo_outbox", "invoice_key, payload->>'move_type'",
                        "invoice_key LIKE '%/r1'"))
    assert outbox == {CREDIT_NOTE: "out_refund", SUPPLEMENTARY: "out_invoice"}
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("dry_run",)]


def test_credit_notes_of_one_invoice_posted_in_one_run_are_each_reconciled_with_it(
        server: OdooTestServer, wh: Path) -> None:
    # Odoo pairs the credit notes of one action_post call with their originals by position:
    # [r1 -> C2, r2 -> C2, r1 -> C3] in one call would reconcile C2's r2 with C3's invoice.
    second, other = f"{CREDITED}/r2", "C3/nexamaps/2026-10/r1"
    issue(wh, second, CREDITED, "credit_note", [("NM-TILES", "-1.00")], revision=2)
    issue(wh, other, "C3/nexamaps/2026-10", "credit_note", [("NM-TILES", "-2.00")])
    report = post_period(wh, PERIOD, gateway_for(server, "json2"))
    assert report.held == []
    moves = by_key(server)
    for key, original in ((CREDIT_NOTE, CREDITED), (second, CREDITED),
                          (other, "C3/nexamaps/2026-10")):
        assert moves[key]["reversed_entry_id"] == moves[original]["id"]
        assert moves[key]["payment_state"] == "paid", key
    for original, credits in ((CREDITED, (CREDIT_NOTE, second)),
                              ("C3/nexamaps/2026-10", (other,))):
        # What is left to pay on each invoice is its total less its own credit notes'.
        assert money(moves[original]["amount_residual"]) == money(
            moves[original]["amount_total"]) - sum(money(moves[c]["amount_total"])
                                                   for c in credits)


def test_a_credit_note_shows_the_invoice_it_reverses(server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    moves = by_key(server)
    shown = invoice_text(gateway, CREDIT_NOTE)  # `fusion-rating odoo invoice KEY`
    credited = moves[CREDITED]
    assert shown.startswith(f"Credit note {moves[CREDIT_NOTE]['name']} (posted)")
    assert f"; reverses {credited['name']} (Odoo move {credited['id']})" in shown.splitlines()[0]
    assert f"reference Reversal of: {credited['name']}" in shown
    assert not invoice_text(gateway, SUPPLEMENTARY).startswith("Credit note")


def test_posting_adjustments_only_leaves_the_invoices_alone(server: OdooTestServer,
                                                            wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    alone = post_period(wh, PERIOD, gateway, PostingOptions(adjustments_only=True))
    assert alone.invoices == 2
    assert sorted(state for _, state, _ in alone.held) == ["original_not_posted"] * 2
    assert server.records("account.move") == []
    post_period(wh, PERIOD, gateway)
    calls = created(server)
    again = post_period(wh, PERIOD, gateway, PostingOptions(adjustments_only=True))
    assert (again.invoices, again.already_posted, again.held) == (2, 2, [])
    assert created(server) == calls


def test_a_posted_credit_note_stays_posted_when_its_invoice_is_reset_to_draft(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway)
    server.execute("account.move", "button_draft", [by_key(server)[CREDITED]["id"]])
    again = post_period(wh, PERIOD, gateway)
    assert [(key, state) for key, state, _ in again.held] == [
        (CREDITED, "reset_to_draft_in_odoo")]
    assert table(wh, "odoo_postings", "invoice_key, state", "document_kind IS NOT NULL") == [
        (SUPPLEMENTARY, "posted"), (CREDIT_NOTE, "posted")]
    assert again.created == 0


def test_an_invoice_settled_by_an_adjustment_stays_settled_run_after_run(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway)
    with duckdb.connect(str(wh)) as con:  # as `adjust --settle` records it (WP6)
        con.execute("UPDATE odoo_postings SET state = 'settled_by_adjustment' "
                    "WHERE invoice_key = ?", [CREDITED])
        con.execute("UPDATE invoice_lines SET amount = amount + 1 WHERE invoice_key = ? "
                    "AND line_number = 1", [CREDITED])
    for _ in range(2):
        again = post_period(wh, PERIOD, gateway)
        assert (again.held, again.created) == ([], 0)
        assert table(wh, "odoo_postings", "state", f"invoice_key = '{CREDITED}'") == [
            ("settled_by_adjustment",)]
