"""Registering a payment on the Odoo test server answers as a real Odoo 19 (Community, its
default journals) does: partial then paid, the residual following; an overpayment pays; a
payment on a draft is accepted (Odoo 19 reconciles it); one on a cancelled invoice, on an
invoice with nothing left to pay, or without the invoice in the context is refused with
Odoo's words. Params `live-*` (marker odoo_live) run the same cases on the real Odoo named by
ODOO_URL (use a database of its own: cases create a partner and invoices)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from rating.odoo import gateway as odoo
from tests.support.odoo_server import OdooTestServer
from tests.support.payments import WIZARD, payment_of, register_payment
from tests.support.posting import gateway_for, money

pytestmark = pytest.mark.fast
LIVE = pytest.mark.odoo_live


@pytest.fixture(params=["jsonrpc", "json2", pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def gateway(request: pytest.FixtureRequest) -> Iterator[odoo.Gateway]:
    where, _, transport = str(request.param).rpartition("-")
    if where != "live":
        with OdooTestServer() as server:
            yield gateway_for(server, transport)
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    yield odoo.connect(settings)


def invoice(gateway: odoo.Gateway, price: str = "100.00", post: bool = True) -> int:
    """A customer invoice of one untaxed line at `price`, posted unless told."""
    partner = gateway.call("res.partner", "create", vals_list=[
        {"name": f"Payer {uuid.uuid4().hex[:8]}"}])
    partner_id = partner[0] if isinstance(partner, list) else partner
    created = gateway.call("account.move", "create", vals_list=[{
        "move_type": "out_invoice", "partner_id": partner_id,
        "invoice_line_ids": [[0, 0, {"name": "Usage", "quantity": 1,
                                     "price_unit": float(price), "tax_ids": [[6, 0, []]]}]]}])
    move_id = int(created[0] if isinstance(created, list) else created)
    if post:
        gateway.call("account.move", "action_post", [move_id])
    return move_id


def refusal(gateway: odoo.Gateway, move_id: int | None) -> odoo.OdooError:
    with pytest.raises(odoo.OdooError) as caught:
        if move_id is None:
            gateway.call(WIZARD, "create", vals_list=[{}])
        else:
            register_payment(gateway, move_id)
    return caught.value


def test_a_partial_payment_leaves_the_invoice_partial_and_the_rest_pays_it(
        gateway: odoo.Gateway) -> None:
    move_id = invoice(gateway)
    assert payment_of(gateway, move_id)["payment_state"] == "not_paid"
    register_payment(gateway, move_id, Decimal("40.00"))
    after_first = payment_of(gateway, move_id)
    assert (after_first["payment_state"], money(after_first["amount_residual"])) == (
        "partial", Decimal("60.00"))
    answer = register_payment(gateway, move_id)
    assert answer["res_model"] == "account.payment"
    paid = payment_of(gateway, move_id)
    assert (paid["state"], paid["payment_state"], money(paid["amount_residual"])) == (
        "posted", "paid", Decimal("0.00"))


def test_an_overpayment_pays_the_invoice_with_nothing_left(gateway: odoo.Gateway) -> None:
    move_id = invoice(gateway)
    register_payment(gateway, move_id, Decimal("500.00"))
    paid = payment_of(gateway, move_id)
    assert (paid["payment_state"], money(paid["amount_residual"])) == ("paid", Decimal("0.00"))


def test_a_payment_on_a_draft_is_accepted_and_the_draft_reads_paid(
        gateway: odoo.Gateway) -> None:
    move_id = invoice(gateway, post=False)
    register_payment(gateway, move_id)
    draft = payment_of(gateway, move_id)
    assert (draft["state"], draft["payment_state"]) == ("draft", "paid")


def test_paying_an_invoice_with_nothing_left_to_pay_is_refused(gateway: odoo.Gateway) -> None:
    move_id = invoice(gateway)
    register_payment(gateway, move_id)
    error = refusal(gateway, move_id)
    assert error.name == "odoo.exceptions.UserError"
    assert "nothing left to pay" in error.message


def test_paying_a_cancelled_invoice_is_refused_and_leaves_it_unpaid(
        gateway: odoo.Gateway) -> None:
    move_id = invoice(gateway)
    gateway.call("account.move", "button_cancel", [move_id])
    error = refusal(gateway, move_id)
    assert (error.name, error.message) == ("odoo.exceptions.UserError",
                                           "You can not reconcile cancelled entries.")
    cancelled = payment_of(gateway, move_id)
    assert (cancelled["state"], cancelled["payment_state"]) == ("cancel", "not_paid")


def test_the_wizard_without_an_invoice_in_its_context_is_refused(
        gateway: odoo.Gateway) -> None:
    error = refusal(gateway, None)
    assert error.name == "odoo.exceptions.UserError"
    assert "should only be called on account.move or account.move.line" in error.message
