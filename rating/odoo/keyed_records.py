"""Partners and products in Odoo, found by natural key and cached for a run.

Partners by `ref` (the customer key), products by `default_code`. A missing one is created,
searching first and searching again after a lost answer, so that no key ever gets a second
record. A key that two records carry is an error for the invoices that need it, never a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rating.odoo.gateway import Gateway, OdooError, OdooUnreachable
from rating.odoo.needs import UNITS
from rating.odoo.payload import Customer

log = logging.getLogger(__name__)

# Archived partners and products count: a key that Odoo holds, even archived, is never
# created a second time.
ALL_RECORDS = {"active_test": False}

# The id `fusion-rating odoo setup` found for a (step kind, name), or None.
SetupId = Callable[[str, str], int | None]


@dataclass(frozen=True)
class ProductSpec:
    """What a catalog product is created with in Odoo when it is missing."""

    name: str
    category: str
    unit: str = UNITS


def find_by_key(odoo: Gateway, model: str, key: str, values: list[str], label: str
                ) -> dict[str, int | str]:
    """The id of the record carrying each value (archived ones count), or why none is
    used: a value that several records carry is never guessed between."""
    rows = odoo.call(model, "search_read", domain=[[key, "in", values]],
                     fields=["id", key], order="id", context=ALL_RECORDS)
    by_value: dict[str, list[int]] = {}
    for row in rows:
        by_value.setdefault(row[key], []).append(int(row["id"]))
    return {value: ids[0] if len(ids) == 1 else
            f"Odoo {label} {', '.join(map(str, ids))} all have {key} {value}"
            for value, ids in by_value.items()}


class Partners:
    """The res.partner of each customer key, and the countries and provinces of new ones."""

    def __init__(self, gateway: Gateway, setup_id: SetupId) -> None:
        self.odoo = gateway
        self.setup_id = setup_id
        self.ids: dict[str, int | str] = {}  # customer key -> id, or why none
        self.countries: dict[str, int] = {}
        self.states: dict[tuple[str, str], int] = {}

    def resolve(self, customers: list[Customer]) -> dict[str, int | str]:
        """The partner id per customer key (found by `ref`, created when missing), or why
        there is none: a key that two partners carry is never guessed between."""
        unique = {c.ref: c for c in customers if c.ref not in self.ids}
        if unique:
            self.find(list(unique))
            missing = [c for ref, c in sorted(unique.items()) if ref not in self.ids]
            if missing:
                self._create(missing)
        return {c.ref: self.ids.get(c.ref, f"could not create partner {c.ref}")
                for c in customers}

    def find(self, refs: list[str]) -> None:
        """Note the partner of each ref Odoo has (a missing one is searched again before it
        is created)."""
        self.ids.update(find_by_key(self.odoo, "res.partner", "ref", refs, "partners"))

    def _create(self, customers: list[Customer]) -> None:
        """One call; one by one when Odoo refuses it (the refused customers stay without a
        partner, their invoices held); searched again when the answer is lost."""
        values: list[dict[str, Any]] = []
        for customer in customers:
            try:
                values.append(self._values(customer))
            except OdooError as exc:
                self.ids[customer.ref] = str(exc)
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
                    self.ids[one["ref"]] = str(exc)
        self.find([v["ref"] for v in values if v["ref"] not in self.ids])
        missing = [v["ref"] for v in values if v["ref"] not in self.ids]
        if lost is not None and missing:
            # Never created again in this run: the lost create may still land.
            raise OdooUnreachable(f"creating partners {', '.join(missing[:5])} got no answer "
                                  f"({lost})")

    def _values(self, customer: Customer) -> dict[str, Any]:
        values: dict[str, Any] = {"name": customer.name, "ref": customer.ref,
                                  "customer_rank": 1, "is_company": True}
        for name, value in (("email", customer.email), ("street", customer.street),
                            ("city", customer.city), ("zip", customer.postal_code)):
            if value:
                values[name] = value
        lang = customer.lang
        if lang and self.setup_id("language", lang) is not None:
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


class Products:
    """The product.product of each catalog product code."""

    def __init__(self, gateway: Gateway, specs: Callable[[list[str]], dict[str, ProductSpec]],
                 create_missing: bool, setup_id: SetupId) -> None:
        self.odoo = gateway
        self.specs = specs
        self.create_missing = create_missing
        self.setup_id = setup_id
        self.ids: dict[str, int | str] = {}  # code -> id, or why none

    def resolve(self, codes: list[str]) -> dict[str, int]:
        """The id of each code (created when missing, if allowed); OdooError names a code
        without one."""
        wanted = [c for c in codes if c not in self.ids]
        if wanted:
            self._find(wanted)
            missing = [c for c in wanted if c not in self.ids]
            if missing and not self.create_missing:
                raise OdooError("fusion_rating.MissingProduct",
                                f"no Odoo product has default_code {', '.join(missing)}")
            if missing:
                self._create(missing)
        result: dict[str, int] = {}
        for code in codes:
            found = self.ids.get(code)
            if not isinstance(found, int):
                raise OdooError("fusion_rating.MissingProduct",
                                found or f"no Odoo product has default_code {code}")
            result[code] = found
        return result

    def known(self, codes: list[str]) -> dict[str, int]:
        """The id of each code one Odoo product carries (searched, never created)."""
        wanted = [c for c in codes if c not in self.ids]
        if wanted:
            self._find(wanted)
        return {c: found for c in codes if isinstance(found := self.ids.get(c), int)}

    def _create(self, missing: list[str]) -> None:
        """One call; searched again after it, and a lost answer stops the run when a product
        is still missing (the lost create may still land)."""
        specs = self.specs(missing)
        values = [self._values(c, specs.get(c)) for c in missing]
        lost: OdooUnreachable | None = None
        try:
            self.odoo.call("product.product", "create", vals_list=values)
        except OdooUnreachable as exc:
            lost = exc  # the search below tells what exists
        self._find(missing)
        absent = [c for c in missing if c not in self.ids]
        if absent and lost is not None:
            raise OdooUnreachable(f"creating products {', '.join(absent)} got no "
                                  f"answer ({lost})")

    def _values(self, code: str, spec: ProductSpec | None) -> dict[str, Any]:
        """A service product in its service's category (whose income account it takes)."""
        values: dict[str, Any] = {"name": spec.name if spec else code, "default_code": code,
                                  "type": "service", "sale_ok": True, "list_price": 0}
        if spec is not None and (category := self.setup_id("product category",
                                                           spec.category)) is not None:
            values["categ_id"] = category
        if spec is not None and (unit := self.setup_id("unit of measure",
                                                       spec.unit)) is not None:
            values["uom_id"] = unit
        return values

    def _find(self, codes: list[str]) -> None:
        self.ids.update(find_by_key(self.odoo, "product.product", "default_code", codes,
                                    "products"))
