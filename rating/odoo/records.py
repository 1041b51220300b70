"""Odoo's records that invoices point to, resolved for a run: an invoice's values by id.

Partners and products come from rating.odoo.keyed_records (found by natural key, created when
missing), currencies by name with Odoo's precision. What `fusion-rating odoo setup` provides
(units, income accounts, categories, analytic accounts, journals, payment terms, languages)
comes resolved from its plan (`setup_ids`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from rating.odoo.gateway import Gateway, OdooError
from rating.odoo.keyed_records import Partners, Products, ProductSpec
from rating.odoo.needs import UNITS
from rating.odoo.payload import Customer, InvoiceDocument, OdooLine, Precision
from rating.odoo.setup import NOT_SET_UP
from rating.periods import billing_period

PRICE_PRECISION = "Product Price"
QUANTITY_PRECISIONS = ("Product Unit", "Product Unit of Measure")  # Odoo 18+ / 17 names


class OdooRecords:
    """Ids of the records an invoice needs, resolved through one gateway."""

    def __init__(self, gateway: Gateway,
                 product_names: Callable[[list[str]], dict[str, ProductSpec]],
                 create_missing_products: bool = True,
                 setup_ids: Mapping[tuple[str, str], int] | None = None,
                 lock_date: dt.date | None = None) -> None:
        self.odoo = gateway
        self.setup_ids = dict(setup_ids or {})  # (step kind, name) -> id, from odoo_setup.plan
        self.lock_date = lock_date
        self.currencies: dict[str, tuple[Precision, int]] = {}
        self.customers = Partners(gateway, self.setup_id)
        self.catalog = Products(gateway, product_names, create_missing_products, self.setup_id)

    def setup_id(self, kind: str, name: str) -> int | None:
        """The id setup's plan found for a thing posting needs (setup_ids is set once the
        run has planned its needs)."""
        return self.setup_ids.get((kind, name))

    def currency(self, name: str) -> tuple[Precision, int]:
        if name not in self.currencies:
            self.currencies[name] = read_precision(self.odoo, name)
        return self.currencies[name]

    def partners(self, customers: list[Customer]) -> dict[str, int | str]:
        """The partner id per customer key (created when missing), or why there is none."""
        return self.customers.resolve(customers)

    def find_partners(self, refs: list[str]) -> None:
        self.customers.find(refs)

    def products(self, codes: list[str]) -> dict[str, int]:
        return self.catalog.resolve(codes)

    def known_products(self, codes: list[str]) -> dict[str, int]:
        return self.catalog.known(codes)

    def move_values(self, doc: InvoiceDocument, partner: int | str) -> dict[str, Any]:
        """The account.move to create: the key in x_fc_billing_key (not shown to the
        customer), a readable origin, the period's last day as invoice date (the accounting
        date after Odoo's lock date when it falls inside it), lines in their unit with the
        service's income and analytic accounts."""
        if isinstance(partner, str):
            raise OdooError("fusion_rating.NoPartner", partner)
        products = self.products(sorted({line.product_code for line in doc.lines}))
        _, currency_id = self.currency(doc.currency)
        booking = doc.booking
        account = self._set_up("income account", booking.income_account)
        # Optional: without the Analytic Accounting setting, the lines carry no analytic split.
        analytic = self.setup_id("analytic account", booking.analytic_account or "")
        values: dict[str, Any] = {
            "move_type": doc.move_type, "partner_id": partner, "x_fc_billing_key": doc.key,
            "invoice_origin": doc.origin, "invoice_date": doc.invoice_date.isoformat(),
            "date": accounting_date(doc.invoice_date, self.lock_date).isoformat(),
            "currency_id": currency_id,
            "invoice_line_ids": [[0, 0, self._line_values(line, products, account, analytic)]
                                 for line in doc.lines],
        }
        values |= _link_values(doc)
        if booking.journal:
            values["journal_id"] = self._set_up("journal", booking.journal)
        if booking.payment_term:
            values["invoice_payment_term_id"] = self._set_up("payment term",
                                                             booking.payment_term)
        return values

    def _line_values(self, line: OdooLine, products: dict[str, int], account: int,
                     analytic: int | None) -> dict[str, Any]:
        """A line in its unit: the metric's when it carries the billable units, "Units"
        when it is 1 x the amount (never the product's unit by default: 1 GB would be a lie)."""
        values: dict[str, Any] = {
            "product_id": products[line.product_code], "name": line.name,
            "quantity": _number(line.quantity), "price_unit": _number(line.price_unit),
            "account_id": account,
            "product_uom_id": self._set_up("unit of measure", line.uom or UNITS)}
        if analytic is not None:
            values["analytic_distribution"] = {str(analytic): 100}
        return values

    def _set_up(self, kind: str, name: str) -> int:
        found = self.setup_id(kind, name)
        if found is None:
            raise OdooError(NOT_SET_UP,
                            f"the {kind} {name!r} is not in Odoo: run `fusion-rating odoo "
                            "setup` to see what posting needs, `--apply` to create it")
        return found


def _link_values(doc: InvoiceDocument) -> dict[str, Any]:
    """An adjustment names the invoice it corrects as Odoo's reversal wizard does (`ref`);
    a credit note is also linked to it (reversed_entry_id: Odoo reconciles the two when the
    credit note is posted). Odoo 19 without account_debit_note has no debit_origin_id: a
    supplementary invoice says what it supplements in `ref` only; one standing alone (the
    period had no invoice for it at the close) names the period there."""
    if doc.original_key is None:
        return {}
    if doc.standalone:
        label = billing_period(doc.billing_period).label
        return {"ref": f"Late usage for {label}: no invoice for {label} at its close"}
    if doc.original is None:  # the posting run links it before writing; never sent unlinked
        raise OdooError("fusion_rating.Unlinked",
                        f"{doc.key}: the original invoice {doc.original_key} is not linked")
    move_id, number = doc.original
    shown = number or doc.original_key
    if doc.move_type == "out_refund":
        return {"reversed_entry_id": move_id, "ref": f"Reversal of: {shown}"}
    return {"ref": f"Supplement to: {shown}"}


def read_precision(gateway: Gateway, currency: str) -> tuple[Precision, int]:
    """Odoo's price and quantity precision and the currency's decimals and id."""
    rows = gateway.call("decimal.precision", "search_read",
                        domain=[["name", "in", [PRICE_PRECISION, *QUANTITY_PRECISIONS]]],
                        fields=["name", "digits"])
    digits = {row["name"]: int(row["digits"]) for row in rows}
    quantity = next((digits[n] for n in QUANTITY_PRECISIONS if n in digits), 2)
    found = gateway.call("res.currency", "search_read", domain=[["name", "=", currency]],
                         fields=["id", "decimal_places"], limit=1)
    if not found:
        raise OdooError("fusion_rating.MissingCurrency",
                        f"currency {currency} is not active in Odoo")
    company = gateway.call("res.company", "search_read", domain=[],
                           fields=["tax_calculation_rounding_method"], limit=1, order="id")
    per_line = bool(company) and company[0].get("tax_calculation_rounding_method") == \
        "round_per_line"
    precision = Precision(digits.get(PRICE_PRECISION, 2), quantity,
                          int(found[0]["decimal_places"]), per_line)
    return precision, int(found[0]["id"])


def accounting_date(invoice_date: dt.date, lock_date: dt.date | None) -> dt.date:
    """The invoice date, or the first day after Odoo's lock date when it is locked."""
    if lock_date is not None and invoice_date <= lock_date:
        return lock_date + dt.timedelta(days=1)
    return invoice_date


LOCK_DATE_FIELDS = ("fiscalyear_lock_date", "sale_lock_date", "tax_lock_date",
                    "hard_lock_date")


def read_lock_date(gateway: Gateway) -> dt.date | None:
    """The latest lock date that stops a customer invoice of the first company (the fields
    this Odoo has: Odoo 17 has no sale or hard lock date)."""
    known = gateway.call("res.company", "fields_get", allfields=list(LOCK_DATE_FIELDS),
                         attributes=["type"])
    fields = [name for name in LOCK_DATE_FIELDS if name in known]
    if not fields:
        return None
    rows = gateway.call("res.company", "search_read", domain=[], fields=fields, limit=1,
                        order="id")
    dates = [dt.date.fromisoformat(str(rows[0][name])) for name in fields
             if rows and rows[0].get(name)]
    return max(dates, default=None)


def _number(value: Decimal) -> int | float:
    """A JSON number for Odoo; with at most its precision's digits, the float parses back to
    exactly this decimal."""
    return int(value) if value == value.to_integral() else float(value)
