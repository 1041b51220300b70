"""A batch of a period's invoices as Odoo documents, built from the warehouse's invoice lines,
and what a product missing in Odoo is created with."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

from rating import warehouse
from rating.odoo.keyed_records import ProductSpec
from rating.odoo.needs import UNITS
from rating.odoo.options import PostingOptions
from rating.odoo.payload import (
    Customer,
    InvoiceDocument,
    NotPostable,
    Precision,
    RatedLine,
    Tier,
    build_document,
)
from rating.periods import billing_period

D0 = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Unpostable:
    """An invoice that cannot be posted exactly at Odoo's precision, or below zero with the
    adjustments of earlier periods it carries (`carries_adjustments`): held as not_postable."""

    key: str
    customer: str
    service: str
    amount: Decimal
    problem: str
    carries_adjustments: bool = False


def documents(con: Any, period: str, keys: Sequence[str], options: PostingOptions,
              precision_for: Callable[[str], Precision]
              ) -> Iterator[InvoiceDocument | Unpostable]:
    """The batch's invoices, in key order. The invoice date is the period's last day."""
    label = billing_period(period)
    last_day = label.last_day
    batch = pa.table({"invoice_key": pa.array(list(keys), pa.string())})
    with warehouse.registered(con, "batch_keys", batch):
        rows = warehouse.rows(con, "odoo/invoice_documents", {"billing_period": period})
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(row["invoice_key"], []).append(row)
    for key in keys:
        lines = by_key[key]
        first = lines[0]
        rated = [_rated_line(r) for r in lines]
        service = first["service"]
        total = sum((r.amount for r in rated), D0)
        try:
            _check_carried(key, lines, total)
            yield build_document(key, period, service, first["currency"], last_day,
                                 options.booking(service, first["service_name"]),
                                 customer_of(first), rated, precision_for(first["currency"]),
                                 origin=f"{first['service_name']} usage, {label.label}")
        except NotPostable as exc:
            yield Unpostable(key, first["customer_key"], service, total, str(exc),
                             any(r["adjusted_period"] is not None for r in lines))


def _rated_line(row: dict[str, Any]) -> RatedLine:
    """An invoice line; or a line of an earlier period's adjustment the invoice carries
    (next_period delivery), 1 x its difference, labelled with the period it adjusts."""
    if row["adjusted_period"] is not None:
        label = billing_period(row["adjusted_period"]).label
        return RatedLine(product_code=row["product_code"],
                         description=f"Adjustment for {label}: {row['description']}",
                         quantity=ONE, billable_units=ONE, amount=row["amount"])
    return RatedLine(product_code=row["product_code"], description=row["description"],
                     quantity=row["quantity"], billable_units=row["billable_units"],
                     amount=row["amount"], model=row["model"], unit=row["unit"],
                     tiers=tuple(Tier(tier=t["tier"], units=t["units"],
                                      unit_price=t["unit_price"], flat_fee=t["flat_fee"])
                                 for t in row["tiers"]),
                     package_size=row["package_size"])


def _check_carried(key: str, lines: list[dict[str, Any]], total: Decimal) -> None:
    """An invoice that carries adjustments of earlier periods is never posted negative (Odoo
    refuses it): held, the adjustments with it, never dropped (docs/adjustments.md)."""
    carried = sorted({f"{r['customer_key']}/{r['service']}/{r['adjusted_period']}/r{r['revision']}"
                      for r in lines if r["adjusted_period"] is not None})
    periods = sorted({r["adjusted_period"] for r in lines if r["adjusted_period"] is not None})
    if carried and total < 0:
        own = sum((r["amount"] for r in lines if r["adjusted_period"] is None), D0)
        raise NotPostable(
            f"{key}: its own lines ({own}) with the adjustments it carries ({', '.join(carried)}:"
            f" {total - own}) total {total}, and Odoo refuses a negative invoice: held; "
            + " then ".join(f"`fusion-rating adjust --period {period}`" for period in periods)
            + " makes the credits documents of their own, then this invoice posts without them")


def customer_of(row: dict[str, Any]) -> Customer:
    """The partner details of a document's first row (the view customers' columns)."""
    return Customer(ref=row["customer_key"], name=row["partner_name"], email=row["email"],
                    country=row["country"], province=row["province"], street=row["street"],
                    city=row["city"], postal_code=row["postal_code"], language=row["language"])


def product_specs(con: Any, options: PostingOptions, codes: list[str]
                  ) -> dict[str, ProductSpec]:
    """What each catalog product is created with in Odoo when it is missing: its name, its
    service's product category, its metric's unit."""
    return {row["product_code"]: ProductSpec(
        row["name"], options.booking(row["service"], row["service_name"]).product_category
        or row["service_name"], row["unit"] or UNITS)
        for row in warehouse.rows(con, "odoo/product_names", {"codes": codes})}
