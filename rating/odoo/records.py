"""Odoo's records that invoices point to, found by natural key and cached for a run.

Partners by `ref` (the customer key), products by `default_code`, countries and provinces by
code, currencies by name. A missing partner or product is created, searching first and
searching again after a lost answer, so that no key ever gets a second record. A key that two
records carry is an error for the invoices that need it, never a guess. What `fusion-rating
odoo setup` provides (units, income accounts, categories, analytic accounts, journals, payment
terms, languages) comes resolved from its plan (`setup_ids`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rating.odoo.gateway import Gateway, OdooError, OdooUnreachable
from rating.odoo.payload import Customer, InvoiceDocument, OdooLine, Precision
from rating.odoo.setup import UNITS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProductSpec:
    """What a catalog product is created with in Odoo when it is missing."""

    name: str
    category: str
    unit: str = UNITS

# Archived partners and products count: a key that Odoo holds, even archived, is never
# created a second time.
ALL_RECORDS = {"active_test": False}
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
        self.product_names = product_names
        self.create_missing_products = create_missing_products
        self.setup_ids = dict(setup_ids or {})  # (step kind, name) -> id, from odoo_setup.plan
        self.lock_date = lock_date
        self.product_ids: dict[str, int | str] = {}  # code -> id, or why none
        self.partner_ids: dict[str, int | str] = {}  # customer key -> id, or why none
        self.countries: dict[str, int] = {}
        self.states: dict[tuple[str, str], int] = {}
        self.currencies: dict[str, tuple[Precision, int]] = {}

    def currency(self, name: str) -> tuple[Precision, int]:
        if name not in self.currencies:
            self.currencies[name] = read_precision(self.odoo, name)
        return self.currencies[name]

    def partners(self, customers: list[Customer]) -> dict[str, int | str]:
        """The partner id per customer key (found by `ref`, created when missing), or why
        there is none: a key that two partners carry is never guessed between."""
        unique = {c.ref: c for c in customers if c.ref not in self.partner_ids}
        if unique:
            self.find_partners(list(unique))
            missing = [c for ref, c in sorted(unique.items()) if ref not in self.partner_ids]
            if missing:
                self._create_partners(missing)
        return {c.ref: self.partner_ids.get(c.ref, f"could not create partner {c.ref}")
                for c in customers}

    def find_partners(self, refs: list[str]) -> None:
        """Note the partner of each ref Odoo has (a missing one is searched again before it
        is created)."""
        self.partner_ids.update(self._find_by_key("res.partner", "ref", refs, "partners"))

    def _find_by_key(self, model: str, key: str, values: list[str], label: str
                     ) -> dict[str, int | str]:
        """The id of the record carrying each value (archived ones count), or why none is
        used: a value that several records carry is never guessed between."""
        rows = self.odoo.call(model, "search_read", domain=[[key, "in", values]],
                              fields=["id", key], order="id", context=ALL_RECORDS)
        by_value: dict[str, list[int]] = {}
        for row in rows:
            by_value.setdefault(row[key], []).append(int(row["id"]))
        return {value: ids[0] if len(ids) == 1 else
                f"Odoo {label} {', '.join(map(str, ids))} all have {key} {value}"
                for value, ids in by_value.items()}

    def _create_partners(self, customers: list[Customer]) -> None:
        """One call; one by one when Odoo refuses it (the refused customers stay without a
        partner, their invoices held); searched again when the answer is lost."""
        values: list[dict[str, Any]] = []
        for customer in customers:
            try:
                values.append(self._partner_values(customer))
            except OdooError as exc:
                self.partner_ids[customer.ref] = str(exc)
        lost: OdooUnreachable | None = None
        try:
            self.odoo.call("res.partner", "create", vals_list=values)
        except OdooUnreachable as exc:
            lost = exc  # the search below tells what exists
        except OdooError:
            for one in values:
                try:
                    self.odoo.call("res.partner", "create", vals_list=[one])
                except OdooError as exc:
                    self.partner_ids[one["ref"]] = str(exc)
        self.find_partners([v["ref"] for v in values if v["ref"] not in self.partner_ids])
        missing = [v["ref"] for v in values if v["ref"] not in self.partner_ids]
        if lost is not None and missing:
            # Never created again in this run: the lost create may still land.
            raise OdooUnreachable(f"creating partners {', '.join(missing[:5])} got no answer "
                                  f"({lost})")

    def _partner_values(self, customer: Customer) -> dict[str, Any]:
        values: dict[str, Any] = {"name": customer.name, "ref": customer.ref,
                                  "customer_rank": 1, "is_company": True}
        for name, value in (("email", customer.email), ("street", customer.street),
                            ("city", customer.city), ("zip", customer.postal_code)):
            if value:
                values[name] = value
        lang = customer.lang
        if lang and ("language", lang) in self.setup_ids:
            values["lang"] = lang
        elif lang:
            log.warning("customer %s: language %s is not active in Odoo, the partner gets "
                        "Odoo's default (`fusion-rating odoo setup --apply` activates it)",
                        customer.ref, lang)
        if customer.country:
            country = self._country(customer.country)
            values["country_id"] = country
            if customer.province:
                state = self._state(customer.country, customer.province, country)
                if state is not None:
                    values["state_id"] = state
        return values

    def _country(self, code: str) -> int:
        if code not in self.countries:
            rows = self.odoo.call("res.country", "search_read", domain=[["code", "=", code]],
                                  fields=["id"], limit=1)
            if not rows:
                raise OdooError("fusion_rating.UnknownCountry",
                                f"country {code} is not in Odoo")
            self.countries[code] = int(rows[0]["id"])
        return self.countries[code]

    def _state(self, country: str, code: str, country_id: int) -> int | None:
        if (country, code) not in self.states:
            rows = self.odoo.call("res.country.state", "search_read",
                                  domain=[["code", "=", code], ["country_id", "=", country_id]],
                                  fields=["id"], limit=1)
            self.states[(country, code)] = int(rows[0]["id"]) if rows else 0
        return self.states[(country, code)] or None

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
        analytic = self.setup_ids.get(("analytic account", booking.analytic_account or ""))
        values: dict[str, Any] = {
            "move_type": "out_invoice", "partner_id": partner, "x_fc_billing_key": doc.key,
            "invoice_origin": doc.origin, "invoice_date": doc.invoice_date.isoformat(),
            "date": accounting_date(doc.invoice_date, self.lock_date).isoformat(),
            "currency_id": currency_id,
            "invoice_line_ids": [[0, 0, self._line_values(line, products, account, analytic)]
                                 for line in doc.lines],
        }
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
        found = self.setup_ids.get((kind, name))
        if found is None:
            raise OdooError("fusion_rating.NotSetUp",
                            f"the {kind} {name!r} is not in Odoo: run `fusion-rating odoo "
                            "setup` to see what posting needs, `--apply` to create it")
        return found

    def products(self, codes: list[str]) -> dict[str, int]:
        wanted = [c for c in codes if c not in self.product_ids]
        if wanted:
            self._find_products(wanted)
            missing = [c for c in wanted if c not in self.product_ids]
            if missing and not self.create_missing_products:
                raise OdooError("fusion_rating.MissingProduct",
                                f"no Odoo product has default_code {', '.join(missing)}")
            if missing:
                specs = self.product_names(missing)
                values = [self._product_values(c, specs.get(c)) for c in missing]
                lost: OdooUnreachable | None = None
                try:
                    self.odoo.call("product.product", "create", vals_list=values)
                except OdooUnreachable as exc:
                    lost = exc  # the search below tells what exists
                self._find_products(missing)
                absent = [c for c in missing if c not in self.product_ids]
                if absent and lost is not None:
                    raise OdooUnreachable(f"creating products {', '.join(absent)} got no "
                                          f"answer ({lost})")
        result: dict[str, int] = {}
        for code in codes:
            found = self.product_ids.get(code)
            if not isinstance(found, int):
                raise OdooError("fusion_rating.MissingProduct",
                                found or f"no Odoo product has default_code {code}")
            result[code] = found
        return result

    def _product_values(self, code: str, spec: ProductSpec | None) -> dict[str, Any]:
        """A service product in its service's category (whose income account it takes)."""
        values: dict[str, Any] = {"name": spec.name if spec else code, "default_code": code,
                                  "type": "service", "sale_ok": True, "list_price": 0}
        if spec is not None and ("product category", spec.category) in self.setup_ids:
            values["categ_id"] = self.setup_ids[("product category", spec.category)]
        if spec is not None and ("unit of measure", spec.unit) in self.setup_ids:
            values["uom_id"] = self.setup_ids[("unit of measure", spec.unit)]
        return values

    def known_products(self, codes: list[str]) -> dict[str, int]:
        """The id of each code one Odoo product carries (searched, never created)."""
        wanted = [c for c in codes if c not in self.product_ids]
        if wanted:
            self._find_products(wanted)
        return {c: found for c in codes
                if isinstance(found := self.product_ids.get(c), int)}

    def _find_products(self, codes: list[str]) -> None:
        self.product_ids.update(self._find_by_key("product.product", "default_code", codes,
                                                  "products"))


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
