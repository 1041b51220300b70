"""invoice.posted and invoice.adjusted: written with the read-back that records Odoo's numbers
(rating.odoo.ledger.write_read_back), in its transaction, once per document, over real HTTP to
the Odoo test server (tests/support/odoo_server.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.catalog import load_catalog
from rating.odoo import ledger
from rating.odoo.posting import PostingFailed, PostingOptions, post_period
from rating.webhooks.events import write_events
from tests.support.adjustments import issue
from tests.support.odoo_server import Fault, OdooTestServer
from tests.support.posting import CATALOG, PERIOD, gateway_for, money
from tests.support.usage_builder import table
from tests.webhooks.events_support import count, events

pytestmark = pytest.mark.slow

SUPPLEMENTED = "C1/nexacloud/2026-10"
SUPPLEMENTARY = f"{SUPPLEMENTED}/r1"
CREDITED = "C2/nexamaps/2026-10"
CREDIT_NOTE = f"{CREDITED}/r1"
INVOICE_TYPES = ("invoice.posted", "invoice.adjusted")


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


@pytest.fixture
def options() -> PostingOptions:
    """The repository's catalog: its services' payment term (30 Days) gives the due dates."""
    return PostingOptions.for_catalog(load_catalog(CATALOG))


def invoice_events(wh: Path) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in events(wh).items() if v["type"] in INVOICE_TYPES}


def by_key(server: OdooTestServer) -> dict[str, dict[str, Any]]:
    return {m["x_fc_billing_key"]: m for m in server.records("account.move")}


def cents(value: Any) -> int:
    return int(money(value) * 100)


def test_each_posted_invoice_is_told_once_with_odoos_number_amounts_and_due_date(
        server: OdooTestServer, posting_wh: Path, options: PostingOptions) -> None:
    post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    told = invoice_events(posting_wh)
    moves = by_key(server)
    assert sorted(told) == sorted(f"invoice.posted:{key}:{m['id']}" for key, m in moves.items())
    for key, move in moves.items():
        payload = told[f"invoice.posted:{key}:{move['id']}"]
        customer, service, _ = key.split("/")
        assert (payload["type"], payload["version"]) == ("invoice.posted", 1)
        assert payload["data"] == {
            "invoice_key": key, "odoo_move_id": move["id"], "number": move["name"],
            "customer_key": customer, "account_ids": [f"{service}-{customer}"],
            "service": service, "billing_period": PERIOD, "currency": "CAD",
            "untaxed_amount_cents": cents(move["amount_untaxed"]),
            "tax_amount_cents": cents(move["amount_tax"]),
            "total_amount_cents": cents(move["amount_total"]),
            "invoice_date": "2026-10-31", "due_date": "2026-11-30"}
        assert payload["_row"][1:] == ("invoice.posted", service, key)
    # Amounts are integers in the JSON text, never floats.
    assert all(isinstance(p["data"]["total_amount_cents"], int) for p in told.values())

    written = count(posting_wh)
    post_period(posting_wh, PERIOD, gateway_for(server, "jsonrpc"), options)
    assert count(posting_wh) == written


def test_a_supplementary_invoice_and_a_credit_note_are_told_as_adjustments_of_their_invoice(
        server: OdooTestServer, posting_wh: Path, options: PostingOptions) -> None:
    issue(posting_wh, SUPPLEMENTARY, SUPPLEMENTED, "supplementary_invoice",
          [("NC-VCPU", "16.20"), ("NC-INSTANCES", "-4.05")])
    issue(posting_wh, CREDIT_NOTE, CREDITED, "credit_note", [("NM-TILES", "-3.50")])
    post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    told = invoice_events(posting_wh)
    moves = by_key(server)
    # One event per Odoo move: its key names the adjustment and the move.
    credit_key = f"invoice.adjusted:{CREDIT_NOTE}:{moves[CREDIT_NOTE]['id']}"
    supplementary_key = f"invoice.adjusted:{SUPPLEMENTARY}:{moves[SUPPLEMENTARY]['id']}"
    assert sorted(k for k in told if k.startswith("invoice.adjusted:")) == [
        supplementary_key, credit_key]
    credit = told[credit_key]["data"]
    credited = moves[CREDITED]
    assert credit == {
        "invoice_key": CREDIT_NOTE, "odoo_move_id": moves[CREDIT_NOTE]["id"],
        "number": moves[CREDIT_NOTE]["name"], "kind": "credit_note", "direction": "credit",
        "original_invoice_key": CREDITED, "original_number": credited["name"],
        "original_odoo_move_id": credited["id"], "customer_key": "C2",
        "account_ids": ["nexamaps-C2"], "service": "nexamaps", "billing_period": PERIOD,
        "currency": "CAD", "untaxed_amount_cents": 350,
        "tax_amount_cents": cents(moves[CREDIT_NOTE]["amount_tax"]),
        "total_amount_cents": cents(moves[CREDIT_NOTE]["amount_total"]),
        "invoice_date": "2026-12-02", "due_date": "2027-01-01"}
    assert credit["total_amount_cents"] > 0  # positive as Odoo shows it; `direction` says
    supplementary = told[supplementary_key]["data"]
    assert (supplementary["kind"], supplementary["direction"], supplementary["number"],
            supplementary["original_invoice_key"], supplementary["original_number"],
            supplementary["untaxed_amount_cents"]) == (
        "supplementary_invoice", "debit", moves[SUPPLEMENTARY]["name"], SUPPLEMENTED,
        moves[SUPPLEMENTED]["name"], 1215)
    assert told[credit_key]["_row"][3] == CREDIT_NOTE  # ordering key


def test_an_invoice_read_back_only_by_a_later_run_still_gets_its_event_once(
        server: OdooTestServer, posting_wh: Path, options: PostingOptions) -> None:
    # The first read (verifying the drafts) passes; the read-back after posting never answers.
    server.inject(Fault("drop_before", model="account.move", method="read", skip=1, times=50))
    with pytest.raises(PostingFailed):
        post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    assert {state for (state,) in table(posting_wh, "odoo_postings", "state")} == {"posted"}
    assert table(posting_wh, "odoo_postings", "count(*)", "odoo_number IS NOT NULL") == [(0,)]
    assert invoice_events(posting_wh) == {}

    server.clear_faults()
    post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    told = invoice_events(posting_wh)
    assert sorted(told) == sorted(f"invoice.posted:{key}:{move['id']}"
                                  for key, move in by_key(server).items())
    assert all(p["data"]["number"].startswith("INV/2026/") for p in told.values())
    post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    assert len(invoice_events(posting_wh)) == len(told)


def test_a_failure_after_the_events_leaves_neither_the_numbers_nor_the_events(
        server: OdooTestServer, posting_wh: Path, options: PostingOptions,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    real_run = warehouse.run

    def failing_run(con: Any, name: str, params: Any = None) -> Any:
        ran.append(name)
        if name == "odoo/delete_period_reconciliation":
            raise RuntimeError("injected after the events")
        return real_run(con, name, params)

    written: list[int] = []

    def counted_write_events(con: Any, staging: str, params: Any = None) -> int:
        written.append(write_events(con, staging, params))
        return written[-1]

    monkeypatch.setattr(ledger, "write_events", counted_write_events)
    monkeypatch.setattr(warehouse, "run", failing_run)
    with pytest.raises(RuntimeError, match="injected after the events"):
        post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    # It failed in the read-back's transaction, after the events were written in it.
    failed_at = ran.index("odoo/delete_period_reconciliation")
    assert ran[failed_at - 4:failed_at] == [
        "odoo/update_numbers", "webhooks/stage_invoice_events", "webhooks/insert_events",
        "webhooks/drop_new_events"]
    assert written == [8]  # written, then undone with the numbers
    assert table(posting_wh, "odoo_postings", "count(*)", "odoo_number IS NOT NULL") == [(0,)]
    assert invoice_events(posting_wh) == {}

    monkeypatch.setattr(warehouse, "run", real_run)
    post_period(posting_wh, PERIOD, gateway_for(server, "json2"), options)
    numbered = table(posting_wh, "odoo_postings", "invoice_key", "odoo_number IS NOT NULL")
    assert sorted(k.removeprefix("invoice.posted:").rsplit(":", 1)[0]
                  for k in invoice_events(posting_wh)) == [key for (key,) in numbered]


def test_a_dry_run_writes_no_invoice_event(posting_wh: Path, options: PostingOptions) -> None:
    report = post_period(posting_wh, PERIOD, None, options)
    assert report.states == {"dry_run": 8}
    assert invoice_events(posting_wh) == {}


def test_the_test_server_computes_the_due_date_from_the_payment_term_as_odoo_does(
        server: OdooTestServer) -> None:
    terms = {t["name"]: t["id"] for t in server.records("account.payment.term")}
    product = server.execute("product.product", "create", vals_list=[{"name": "Thing"}])[0]
    partner = server.execute("res.partner", "create", vals_list=[{"name": "Someone"}])[0]
    due: dict[str, Any] = {}
    for name in ("30 Days", "End of Following Month", "Immediate Payment", None):
        [move_id] = server.execute("account.move", "create", vals_list=[{
            "move_type": "out_invoice", "partner_id": partner, "invoice_date": "2026-10-15",
            "invoice_payment_term_id": terms[name] if name else False,
            "invoice_line_ids": [[0, 0, {"product_id": product, "price_unit": 10}]]}])
        # A draft has its due date already (Odoo stores the computed field).
        [draft] = server.execute("account.move", "read", [move_id],
                                 fields=["invoice_date_due"])
        server.execute("account.move", "action_post", [move_id])
        [posted] = server.execute("account.move", "read", [move_id],
                                  fields=["invoice_date_due"])
        assert draft == posted
        due[str(name)] = posted["invoice_date_due"]
    assert due == {"30 Days": "2026-11-14", "End of Following Month": "2026-11-30",
                   "Immediate Payment": "2026-10-15",
                   # No term: the date stored when the invoice was created.
                   "None": dt.date.today().isoformat()}
