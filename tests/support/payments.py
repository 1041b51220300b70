"""Paying an invoice in Odoo the way an accountant's "Register Payment" does over JSON-RPC or
JSON-2: `account.payment.register.create` with the context of the invoice (active_model
account.move, active_ids), an optional amount, then `action_create_payments`. Works on the
Odoo test server and on a real Odoo 19."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rating.odoo.gateway import Gateway

WIZARD = "account.payment.register"
PAYMENT_FIELDS = ["state", "payment_state", "amount_residual", "amount_total", "currency_id"]


def register_payment(gateway: Gateway, move_id: int, amount: Decimal | None = None) -> Any:
    """Pay `amount` (all that is left when None) of the move; Odoo's answer (an action)."""
    context = {"active_model": "account.move", "active_ids": [move_id]}
    values: dict[str, Any] = {} if amount is None else {"amount": float(amount)}
    wizard = gateway.call(WIZARD, "create", vals_list=[values], context=context)
    ids = wizard if isinstance(wizard, list) else [wizard]
    return gateway.call(WIZARD, "action_create_payments", ids, context=context)


def payment_of(gateway: Gateway, move_id: int) -> dict[str, Any]:
    """The move's state, payment state, residual and total as Odoo reads them."""
    rows: list[dict[str, Any]] = gateway.call("account.move", "read", [move_id],
                                              fields=PAYMENT_FIELDS)
    return rows[0]
