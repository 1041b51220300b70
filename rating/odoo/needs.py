"""What posting needs from Odoo, named from the catalog: no call to Odoo.

rating.odoo.setup plans each need against what Odoo holds (`fusion-rating odoo setup`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rating.catalog import Catalog, ServiceAccounting
from rating.odoo.payload import package_unit

UNITS = "Units"  # Odoo's unit of measure of a line of 1 x its amount


@dataclass(frozen=True)
class Needs:
    """What posting relies on, by name (resolved to ids when posting)."""

    units: frozenset[str] = frozenset()
    bookings: tuple[ServiceAccounting, ...] = ()
    languages: frozenset[str] = frozenset()
    price_digits: int | None = None  # None: leave Odoo's precision as it is
    quantity_digits: int | None = None

    @classmethod
    def for_catalog(cls, catalog: Catalog, languages: Iterable[str] = ("fr_CA",),
                    price_digits: int | None = None,
                    quantity_digits: int | None = None) -> Needs:
        metric_units = {(m.service, m.code): m.unit for m in catalog.metrics}
        packages = {package_unit(price.package_size, metric_units[(plan.service, charge.metric)])
                    for plan in catalog.plans for charge in plan.charges
                    for price in charge.prices
                    if price.model == "package" and price.package_size is not None}
        return cls(units=frozenset({UNITS, *(m.unit for m in catalog.metrics if m.unit),
                                    *packages}),
                   bookings=tuple(s.booking for s in catalog.services),
                   languages=frozenset(languages), price_digits=price_digits,
                   quantity_digits=quantity_digits)


def price_digits_for(catalog: Catalog, most: int = 10) -> int:
    """The decimals of the catalog's most precise unit price (0.0000125 needs 7), so that a
    line of whole units at that price is carried exactly; at least Odoo's default 2."""
    digits = 2
    for charge in catalog.charges():
        for price in charge.prices:
            for value in (*(t.unit_price for t in price.tiers), price.package_price):
                if value is not None:
                    exponent = value.normalize().as_tuple().exponent
                    if isinstance(exponent, int):
                        digits = max(digits, -exponent)
    return min(digits, most)
