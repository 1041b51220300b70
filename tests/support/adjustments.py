"""Adjustments issued by hand into period_adjustments and period_adjustment_lines, as
`fusion-rating adjust` issues them (rating.adjust), for the posting tests: posting only reads
them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

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
