"""Posting adjustments (issue 13), read back through the gateway alone, so that the same test
runs on the Odoo test server (tests/support/odoo_server.py) and on a real Odoo: a supplementary
invoice and a credit note linked by reversed_entry_id to the invoice it corrects, Odoo's
reconciliation of the credit note with that invoice, and a rerun that creates nothing.

Params `jsonrpc` and `json2` post to the test server; `live-jsonrpc` and `live-json2` (marker
odoo_live, selected by `pytest -m odoo_live`) post to the real Odoo named by ODOO_URL, ODOO_DB
and the transport's credentials, as tests/odoo/test_posting.py does: skipped without ODOO_URL,
failed with ODOO_URL but a transport's credentials missing. Every live run rates customers
under keys of its own, so one database serves both transports and every rerun."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating.odoo import gateway as odoo
from rating.odoo.posting import PostingOptions, post_period
from tests.support.adjustments import ISSUED, issue
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, apply_setup, gateway_for, money, rated_period
from tests.support.usage_builder import table

pytestmark = pytest.mark.slow
D = Decimal
LIVE = pytest.mark.odoo_live
MOVE_FIELDS = ["id", "x_fc_billing_key", "move_type", "state", "name", "reversed_entry_id",
               "amount_untaxed", "amount_total", "amount_residual", "payment_state", "ref",
               "invoice_date"]


@dataclass(frozen=True)
class Posted:
    """A closed period with a supplementary invoice and a credit note issued, and the Odoo
    (test server or real) it posts to."""

    gateway: odoo.Gateway
    wh: Path
    customer: str

    def key(self, number: int, service: str, revision: str = "") -> str:
        return f"{self.customer}{number}/{service}/{PERIOD}{revision}"


def issue_adjustments(wh: Path, posted: Posted) -> None:
    """A supplementary invoice with a negative line, and a credit note with a line without a
    difference (left off the document), as the main test on the test server issues them."""
    issue(wh, posted.key(1, "nexacloud", "/r1"), posted.key(1, "nexacloud"),
          "supplementary_invoice", [("NC-VCPU", "16.20"), ("NC-INSTANCES", "-4.05")])
    issue(wh, posted.key(2, "nexamaps", "/r1"), posted.key(2, "nexamaps"), "credit_note",
          [("NM-TILES", "-3.50"), ("NM-TILES", "0.00")])


@pytest.fixture(params=["jsonrpc", "json2", pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def posted(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Posted]:
    where, _, transport = str(request.param).rpartition("-")
    if where != "live":
        wh = rated_period(tmp_path)
        with OdooTestServer() as server:
            target = Posted(gateway_for(server, transport), wh, "C")
            issue_adjustments(wh, target)
            yield target
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    customer = f"FA{uuid.uuid4().hex[:8].upper()}-"
    wh = rated_period(tmp_path, prefix=customer)
    gateway = odoo.connect(settings)
    apply_setup(gateway)  # idempotent: what an operator runs once per database
    target = Posted(gateway, wh, customer)
    issue_adjustments(wh, target)
    yield target


def read_moves(gateway: odoo.Gateway, customer: str) -> dict[str, dict[str, Any]]:
    """This run's invoices and credit notes in Odoo by key; a key found twice fails."""
    found: list[dict[str, Any]] = gateway.call(
        "account.move", "search_read",
        domain=[["x_fc_billing_key", "=like", f"{customer}%"],
                ["move_type", "in", ["out_invoice", "out_refund"]]],
        fields=MOVE_FIELDS, order="id")
    by_key: dict[str, dict[str, Any]] = {}
    for move in found:
        assert move["x_fc_billing_key"] not in by_key, "two moves under one key"
        by_key[move["x_fc_billing_key"]] = move
    return by_key


def line_subtotals(gateway: odoo.Gateway, move_id: int) -> list[Decimal]:
    lines = gateway.call("account.move.line", "search_read",
                         domain=[["move_id", "=", move_id], ["display_type", "=", "product"]],
                         fields=["price_subtotal"], order="id")
    return sorted(money(line["price_subtotal"]) for line in lines)


def link_of(move: dict[str, Any]) -> int | bool:
    """reversed_entry_id as an id: Odoo reads a many2one as [id, display name]."""
    link = move["reversed_entry_id"]
    return int(link[0]) if isinstance(link, list) else bool(link)


def test_a_credit_note_is_linked_to_its_invoice_and_reconciled_with_it_once(
        posted: Posted) -> None:
    report = post_period(posted.wh, PERIOD, posted.gateway)
    assert report.held == []
    moves = read_moves(posted.gateway, posted.customer)
    original, credited = moves[posted.key(1, "nexacloud")], moves[posted.key(2, "nexamaps")]
    supplementary = moves[posted.key(1, "nexacloud", "/r1")]
    credit = moves[posted.key(2, "nexamaps", "/r1")]

    assert (supplementary["move_type"], supplementary["state"]) == ("out_invoice", "posted")
    assert money(supplementary["amount_untaxed"]) == D("12.15")
    assert line_subtotals(posted.gateway, supplementary["id"]) == [D("-4.05"), D("16.20")]
    assert supplementary["ref"] == f"Supplement to: {original['name']}"
    assert link_of(supplementary) is False

    assert (credit["move_type"], credit["state"]) == ("out_refund", "posted")
    assert credit["name"].startswith("RINV/2026/")
    assert money(credit["amount_untaxed"]) == D("3.50")  # the zero line is left off
    assert line_subtotals(posted.gateway, credit["id"]) == [D("3.50")]
    assert link_of(credit) == credited["id"]
    assert credit["ref"] == f"Reversal of: {credited['name']}"
    assert credit["invoice_date"] == ISSUED.isoformat()
    # Odoo reconciled the credit note with the invoice it reverses, for the credit note's total.
    assert (credit["payment_state"], credited["payment_state"]) == ("paid", "partial")
    assert money(credit["amount_residual"]) == 0
    assert money(credited["amount_residual"]) == (money(credited["amount_total"])
                                                  - money(credit["amount_total"]))
    assert table(posted.wh, "reconciliation_odoo",
                 "invoice_key, status, rated_untaxed, odoo_untaxed, odoo_reversed_entry_id",
                 "document_kind IS NOT NULL") == [
        (supplementary["x_fc_billing_key"], "match", D("12.15"), D("12.15"), None),
        (credit["x_fc_billing_key"], "match", D("3.50"), D("3.50"), credited["id"])]
    assert table(posted.wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]

    again = post_period(posted.wh, PERIOD, posted.gateway)
    assert (again.created, again.posted, again.already_posted, again.held) == (
        0, 0, report.posted, [])
    assert read_moves(posted.gateway, posted.customer) == moves


def test_credit_notes_of_one_invoice_in_one_run_are_each_reconciled_with_their_own(
        posted: Posted) -> None:
    # Odoo pairs the credit notes of one action_post call with their originals by position:
    # [r1 -> 2, r2 -> 2, r1 -> 3] in one call would reconcile 2's r2 with customer 3's invoice.
    credited, other = posted.key(2, "nexamaps"), posted.key(3, "nexamaps")
    issue(posted.wh, f"{credited}/r2", credited, "credit_note", [("NM-TILES", "-1.00")],
          revision=2)
    issue(posted.wh, f"{other}/r1", other, "credit_note", [("NM-TILES", "-2.00")])
    assert post_period(posted.wh, PERIOD, posted.gateway).held == []
    moves = read_moves(posted.gateway, posted.customer)
    for original, credits in ((credited, ("/r1", "/r2")), (other, ("/r1",))):
        notes = [moves[original + revision] for revision in credits]
        assert [(link_of(n), n["payment_state"]) for n in notes] == [
            (moves[original]["id"], "paid")] * len(notes)
        # What is left to pay on each invoice is its total less its own credit notes'.
        assert money(moves[original]["amount_residual"]) == money(
            moves[original]["amount_total"]) - sum(money(n["amount_total"]) for n in notes)
        assert moves[original]["payment_state"] == "partial"


def test_a_credit_note_relinked_in_odoo_is_reported_as_link_differs(posted: Posted) -> None:
    post_period(posted.wh, PERIOD, posted.gateway)
    moves = read_moves(posted.gateway, posted.customer)
    credit = posted.key(2, "nexamaps", "/r1")
    # Odoo lets a person rewrite the link of a posted credit note.
    posted.gateway.call("account.move", "write", [moves[credit]["id"]],
                        vals={"reversed_entry_id": moves[posted.key(1, "nexacloud")]["id"]})
    again = post_period(posted.wh, PERIOD, posted.gateway)
    assert again.created == 0
    assert table(posted.wh, "reconciliation_odoo", "invoice_key, status",
                 "status <> 'match'") == [(credit, "link_differs")]


def test_adjustments_wait_for_their_invoice_to_be_posted(posted: Posted) -> None:
    adjustments = [posted.key(1, "nexacloud", "/r1"), posted.key(2, "nexamaps", "/r1")]
    drafts = post_period(posted.wh, PERIOD, posted.gateway, PostingOptions(post=False))
    assert sorted((key, state) for key, state, _ in drafts.held) == [
        (key, "original_not_posted") for key in adjustments]
    moves = read_moves(posted.gateway, posted.customer)
    assert {m["move_type"] for m in moves.values()} == {"out_invoice"}
    assert not set(adjustments) & set(moves)

    assert post_period(posted.wh, PERIOD, posted.gateway).held == []
    moves = read_moves(posted.gateway, posted.customer)
    assert link_of(moves[adjustments[1]]) == moves[posted.key(2, "nexamaps")]["id"]
    assert {moves[key]["state"] for key in adjustments} == {"posted"}
    assert moves[adjustments[1]]["payment_state"] == "paid"


def test_a_posted_credit_note_stays_posted_when_its_invoice_is_reset_to_draft(
        posted: Posted) -> None:
    post_period(posted.wh, PERIOD, posted.gateway)
    credited = posted.key(2, "nexamaps")
    moves = read_moves(posted.gateway, posted.customer)
    posted.gateway.call("account.move", "button_draft", [moves[credited]["id"]])
    again = post_period(posted.wh, PERIOD, posted.gateway)
    assert [(key, state) for key, state, _ in again.held] == [
        (credited, "reset_to_draft_in_odoo")]
    assert again.created == 0
    assert table(posted.wh, "odoo_postings", "state", "document_kind IS NOT NULL") == [
        ("posted",), ("posted",)]
    assert read_moves(posted.gateway, posted.customer)[credited + "/r1"]["state"] == "posted"
