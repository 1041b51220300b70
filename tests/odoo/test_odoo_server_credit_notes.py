"""The test server's credit notes, seen from a test (records(), execute(), rollback), with the
real odoorpc client: what tests/odoo/test_conformance_credit_notes.py cannot see on the wire."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from tests.odoo.test_odoo_server import call, connect, invoice, partner, product, rpc_error
from tests.support.odoo_server import OdooTestServer

pytestmark = pytest.mark.fast


def credit_note(odoo: Any, partner_id: int, original: int | bool, *lines: tuple[int, float, float],
                **vals: Any) -> int:
    return invoice(odoo, partner_id, *lines, move_type="out_refund",
                   reversed_entry_id=original, **vals)


def move(server: OdooTestServer, move_id: int) -> dict[str, Any]:
    return next(m for m in server.records("account.move") if m["id"] == move_id)


def test_records_show_the_link_and_the_reconciliation_as_stored(
        odoo_server: OdooTestServer) -> None:
    odoo = connect(odoo_server)
    acme, cpu = partner(odoo, "Acme"), product(odoo)
    original = invoice(odoo, acme, (cpu, 10, 10))  # 100 + HST 13 = 113
    call(odoo, "account.move", "action_post", [original])
    credit = credit_note(odoo, acme, original, (cpu, 2, 10), ref="Reversal of: INV/2026/00001")
    call(odoo, "account.move", "action_post", [credit])
    note, first = move(odoo_server, credit), move(odoo_server, original)
    assert (note["name"], note["reversed_entry_id"], note["amount_untaxed"]) == (
        "RINV/2026/00001", original, D("20.00"))
    assert (note["amount_total_signed"], note["amount_residual"], note["payment_state"]) == (
        D("-22.60"), D("0.00"), "paid")
    assert (first["reversal_move_ids"], first["amount_residual"], first["payment_state"]) == (
        [credit], D("90.40"), "partial")
    assert odoo_server.errors == []


def test_a_refused_post_reconciles_nothing(odoo_server: OdooTestServer) -> None:
    odoo = connect(odoo_server)
    acme, cpu = partner(odoo, "Acme"), product(odoo)
    original = invoice(odoo, acme, (cpu, 1, 10))
    call(odoo, "account.move", "action_post", [original])
    credit = credit_note(odoo, acme, original, (cpu, 1, 10))
    empty = credit_note(odoo, acme, original)
    data = rpc_error(odoo, "account.move", "action_post", [credit, empty])
    assert data["message"] == "Even magicians can't post nothing!"
    assert (move(odoo_server, credit)["state"], move(odoo_server, original)["payment_state"]) \
        == ("draft", "not_paid")


def test_deleting_a_reconciled_credit_note_reopens_the_invoice(
        odoo_server: OdooTestServer) -> None:
    odoo = connect(odoo_server)
    acme, cpu = partner(odoo, "Acme"), product(odoo)
    original = invoice(odoo, acme, (cpu, 1, 10))
    call(odoo, "account.move", "action_post", [original])
    credit = credit_note(odoo, acme, original, (cpu, 1, 10))
    call(odoo, "account.move", "action_post", [credit])
    assert move(odoo_server, original)["payment_state"] == "reversed"
    call(odoo, "account.move", "button_draft", [credit])
    assert move(odoo_server, original)["payment_state"] == "reversed"  # draft keeps it
    call(odoo, "account.move", "unlink", [credit])
    first = move(odoo_server, original)
    assert (first["payment_state"], first["amount_residual"], first["reversal_move_ids"]) == (
        "not_paid", D("11.30"), [])
