"""A batch of a period's adjustments (period_adjustments, period_adjustment_lines) as Odoo
documents: a supplementary invoice (out_invoice) bills each line's difference as it is, lines
going down included; a credit note (out_refund) credits the differences negated, so that what
it credits is positive (Odoo refuses a negative total on either). Each line is 1 x its
difference, in Odoo's "Units": a difference of a tiered charge has no single price. A key
the period had no invoice for at the close gets a supplementary invoice standing alone
(`standalone`: linked to nothing, its ref names the period)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa

from rating import warehouse
from rating.odoo.documents import Unpostable, customer_of
from rating.odoo.options import PostingOptions
from rating.odoo.payload import InvoiceDocument, NotPostable, Precision, RatedLine, build_document
from rating.odoo.sources import DocumentSource
from rating.periods import billing_period

ONE = Decimal(1)
MOVE_TYPES = {"supplementary_invoice": "out_invoice", "credit_note": "out_refund"}


def adjustment_documents(con: Any, period: str, keys: Sequence[str], options: PostingOptions,
                         precision_for: Callable[[str], Precision]
                         ) -> Iterator[InvoiceDocument | Unpostable]:
    """The batch's adjustments, in key order, dated their frozen issue date."""
    label = billing_period(period).label
    batch = pa.table({"adjustment_key": pa.array(list(keys), pa.string())})
    with warehouse.registered(con, "batch_keys", batch):
        rows = warehouse.rows(con, "odoo/adjustment_documents", {"billing_period": period})
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(row["adjustment_key"], []).append(row)
    for key in keys:
        lines = by_key.get(key)
        if not lines:
            yield Unpostable(key, "", "", Decimal(0), f"{key}: no line with a difference")
            continue
        yield _document(key, period, lines, label, options, precision_for)


def _document(key: str, period: str, lines: list[dict[str, Any]], label: str,
              options: PostingOptions, precision_for: Callable[[str], Precision]
              ) -> InvoiceDocument | Unpostable:
    first = lines[0]
    move_type = MOVE_TYPES[first["document_kind"]]
    sign = -1 if move_type == "out_refund" else 1
    rated = [RatedLine(product_code=r["product_code"], description=r["description"],
                       quantity=ONE, billable_units=ONE, amount=sign * r["amount_delta"])
             for r in lines]
    service = first["service"]
    total = sum((line.amount for line in rated), Decimal(0))
    try:
        if total != first["amount_document"]:
            raise NotPostable(f"{key}: its lines give {total}, period_adjustments says "
                              f"{first['amount_document']}")
        return build_document(
            key, period, service, first["currency"], first["issue_date"],
            options.booking(service, first["service_name"]), customer_of(first), rated,
            precision_for(first["currency"]),
            origin=f"{first['service_name']} usage, {label}, revision {first['revision']}",
            move_type=move_type, **_corrects(first, move_type))
    except NotPostable as exc:
        return Unpostable(key, first["customer_key"], service, total, str(exc))


def _corrects(first: dict[str, Any], move_type: str) -> dict[str, Any]:
    """What the document corrects: the original invoice; without one, a supplementary
    invoice stands alone and a credit note reverses the key's first supplementary invoice of
    its own (standalone when there is none: build_document refuses it)."""
    if first["has_original"]:
        return {"original_key": first["invoice_key"]}
    if move_type == "out_refund" and first["first_standalone_key"] is not None:
        return {"original_key": first["first_standalone_key"]}
    return {"original_key": first["invoice_key"], "standalone": True}


ADJUSTMENTS = DocumentSource("adjustments", "odoo/adjustment_keys", "adjustment_key",
                             adjustment_documents)
