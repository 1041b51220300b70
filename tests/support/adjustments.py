"""Adjustments issued by hand into period_adjustments and period_adjustment_lines, as
`fusion-rating adjust` issues them (rating.adjust), for the posting tests: posting only reads
them. And an invoice a person changed in Odoo after we posted it (`change_in_odoo`,
`flag_changed`), for the settlement tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse
from tests.support.posting import PERIOD

ISSUED = dt.date(2026, 12, 2)


def issue(wh: Path, key: str, invoice_key: str, kind: str,
          deltas: list[tuple[str, str]], revision: int = 1) -> None:
    """An issued revision of `invoice_key`, its lines (product, amount_delta) as given."""
    customer, service, _ = invoice_key.split("/")
    net = sum((Decimal(amount) for _, amount in deltas), Decimal(0))
    with warehouse.writer(wh) as con:
        warehouse.create_schema(con)
        old = con.execute("SELECT coalesce(sum(amount), 0) FROM invoice_lines "
                          "WHERE invoice_key = ?",
                          [invoice_key]).fetchone()[0]
        con.execute(
            "INSERT INTO period_adjustments (adjustment_key, invoice_key, billing_period, "
            "customer_key, service, currency, revision, document_kind, delivery, old_amount, "
            "new_amount, amount_net, amount_document, reason, reason_text, source_files, "
            "run_id, issued_at, issue_date) "
            "VALUES (?, ?, ?, ?, ?, 'CAD', ?, ?, 'separate', ?, ?, ?, ?, 'late_usage', "
            "'Late usage', ['late.parquet'], 'test-run', TIMESTAMP '2026-12-02 07:30:00', ?)",
            [key, invoice_key, PERIOD, customer, service, revision, kind, old, old + net, net,
             abs(net), ISSUED])
        for number, (product, amount) in enumerate(deltas, start=1):
            # The line's identity is made up: posting reads only its product, text and delta.
            con.execute(
                "INSERT INTO period_adjustment_lines (adjustment_key, revision, billing_period, "
                "invoice_key, line_number, subscription_id, charge_id, line_kind, "
                "product_code, description, old_quantity, new_quantity, old_amount, "
                "new_amount, amount_delta) "
                "VALUES (?, ?, ?, ?, ?, 'SUB', ?, 'usage', ?, ?, 0, 0, 0, ?, ?)",
                [key, revision, PERIOD, invoice_key, number, f"charge-{number}", product,
                 f"Late usage for October 2026, {product}", Decimal(amount), Decimal(amount)])


def move_of(server: Any, key: str) -> dict[str, Any]:
    [move] = [m for m in server.records("account.move") if m["x_fc_billing_key"] == key]
    return move


def change_in_odoo(gateway: Any, move_id: int, by: Decimal) -> None:
    """What a person does in Odoo (through the gateway: the test server or a real Odoo):
    reset the posted invoice to draft, lower its first product line's amount by `by` (as 1 x
    the new amount), post it again."""
    gateway.call("account.move", "button_draft", [move_id])
    first = gateway.call("account.move.line", "search_read",
                         domain=[["move_id", "=", move_id], ["display_type", "=", "product"]],
                         fields=["id", "price_subtotal"], order="id", limit=1)[0]
    amount = Decimal(str(first["price_subtotal"])).quantize(Decimal("0.01")) - by
    gateway.call("account.move.line", "write", [first["id"]],
                 vals={"quantity": 1, "price_unit": float(amount)})
    gateway.call("account.move", "action_post", [move_id])


def flag_changed(wh: Path, key: str) -> None:
    """The ledger as posting leaves it when what Odoo holds is no longer what we rate (our
    content changed since we posted it, or a person posted our draft otherwise)."""
    with duckdb.connect(str(wh)) as con:
        con.execute("UPDATE odoo_postings SET state = 'changed_after_posting', "
                    "content_hash = 'as posted' WHERE invoice_key = ?", [key])
