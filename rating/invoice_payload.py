"""What one invoice looks like to Odoo: lines that survive Odoo's rounding, and a content hash.

Odoo rounds `price_unit` and `quantity` to its decimal precision settings ("Product Price" and
"Product Unit", 2 digits by default) and each line's subtotal to the currency's cents. A rated
line's amount is already rounded to cents, once (docs/rating.md); the posted line must give that
amount back exactly. The strategy, per line:

1. The billable units and the unit price `amount / units`, when both are exact at Odoo's
   precision (15 agents at 19.00): the invoice shows the real quantity.
2. Otherwise quantity 1 at the line's amount (20,216.2821 vCPU-h at 0.045 = 909.73 is posted
   as 1 x 909.73): the description carries the real quantity, included units and tiers.
3. A line that neither gives back exactly (an Odoo price precision below the currency's) is not
   postable: the invoice is held, with the reason.

Amounts are `Decimal` throughout; numbers go to Odoo as JSON numbers (what its API takes), each
with at most the precision's digits, so the float Odoo parses rounds back to the same value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

# Odoo's API takes JSON numbers (floats): up to 15 significant digits survive the round trip.
FLOAT_SAFE_DIGITS = 15
WIDE = Context(prec=80)


class NotPostable(ValueError):
    """An invoice line cannot be posted exactly at Odoo's precision."""


@dataclass(frozen=True)
class Precision:
    """Odoo's decimal precision, read from the database at the start of each run."""

    price_digits: int = 2      # decimal.precision "Product Price"
    quantity_digits: int = 2   # decimal.precision "Product Unit" ("Product Unit of Measure")
    currency_digits: int = 2   # res.currency decimal_places of the invoice currency


@dataclass(frozen=True)
class Tier:
    tier: int
    units: Decimal
    unit_price: Decimal
    flat_fee: Decimal


@dataclass(frozen=True)
class RatedLine:
    """One row of invoice_lines with what the description needs from rated_charges."""

    product_code: str
    description: str
    quantity: Decimal
    billable_units: Decimal
    amount: Decimal
    model: str | None = None
    unit: str = ""
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class Customer:
    """The res.partner of a customer key (found by `ref`, created from these when missing)."""

    ref: str
    name: str
    email: str | None = None
    country: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class OdooLine:
    product_code: str
    name: str
    quantity: Decimal
    price_unit: Decimal
    subtotal: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    """One draft customer invoice, by natural keys (ids are resolved when posting)."""

    key: str
    billing_period: str
    service: str
    currency: str
    invoice_date: dt.date
    journal: str | None
    customer: Customer
    lines: tuple[OdooLine, ...]
    rated_untaxed: Decimal
    content_hash: str

    @property
    def untaxed(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal(0))

    def as_json(self) -> dict[str, Any]:
        """The payload as written to odoo_outbox and hashed (decimals as strings)."""
        return {
            "ref": self.key, "move_type": "out_invoice",
            "invoice_date": self.invoice_date.isoformat(), "currency": self.currency,
            "journal": self.journal,
            "partner": {"ref": self.customer.ref, "name": self.customer.name,
                        "email": self.customer.email, "country": self.customer.country,
                        "province": self.customer.province},
            "lines": [{"product": line.product_code, "name": line.name,
                       "quantity": str(line.quantity), "price_unit": str(line.price_unit)}
                      for line in self.lines],
            "amount_untaxed": str(self.untaxed),
        }


def build_document(key: str, billing_period: str, service: str, currency: str,
                   invoice_date: dt.date, journal: str | None, customer: Customer,
                   lines: Sequence[RatedLine], precision: Precision) -> InvoiceDocument:
    """The invoice to post; raises NotPostable when a line cannot be posted exactly."""
    try:
        odoo_lines = tuple(odoo_line(line, precision) for line in lines)
    except InvalidOperation:  # a quantity beyond what Decimal's context can round
        raise NotPostable(f"{key}: a quantity too large to round for Odoo") from None
    rated = sum((line.amount for line in lines), Decimal(0))
    document = InvoiceDocument(key, billing_period, service, currency, invoice_date, journal,
                               customer, odoo_lines, rated, _content_hash(key, lines, customer,
                                                                          currency, journal,
                                                                          invoice_date))
    if document.untaxed != rated:  # the strategy guarantees it; a wrong invoice is never sent
        raise NotPostable(f"{key}: lines give {document.untaxed}, rated {rated}")
    return document


def odoo_line(line: RatedLine, precision: Precision) -> OdooLine:
    """The line's quantity and unit price as Odoo will store them, giving back its amount."""
    name = line_name(line)
    units = line.billable_units
    if line.amount == 0:
        quantity = _round(line.quantity, precision.quantity_digits)
        return OdooLine(line.product_code, name, quantity, Decimal(0), Decimal(0))
    if (units > 0 and _round(units, precision.quantity_digits) == units
            and _significant_digits(units) <= FLOAT_SAFE_DIGITS):
        price = line.amount / units
        if (_round(price, precision.price_digits) == price
                and _significant_digits(price) <= FLOAT_SAFE_DIGITS):
            return _checked(line, name, _plain(units), _plain(price), precision)
    if _round(line.amount, precision.price_digits) != line.amount:
        raise NotPostable(
            f"{line.product_code}: amount {line.amount} has more decimals than Odoo's "
            f"'Product Price' precision ({precision.price_digits} digits)")
    if _significant_digits(line.amount) > FLOAT_SAFE_DIGITS:
        raise NotPostable(f"{line.product_code}: amount {line.amount} has more significant "
                          f"digits than a JSON number carries exactly")
    return _checked(line, name, Decimal(1), line.amount, precision)


def line_name(line: RatedLine) -> str:
    """The customer's description: metric, period and quantity (from the catalog's template),
    then what was charged, tier by tier."""
    charged = [_tier_text(t, line.unit) for t in line.tiers
               if t.units != 0 or t.flat_fee != 0]
    if not charged:
        return line.description
    if line.model == "graduated" and len(charged) > 1:
        label = "Tiers"
    elif line.model in ("graduated", "volume"):
        label = f"Tier {line.tiers[0].tier}" if len(line.tiers) == 1 else "Tiers"
    else:
        label = "Charged"
    return f"{line.description}. {label}: {'; '.join(charged)}"


def _tier_text(tier: Tier, unit: str) -> str:
    text = f"{_plain(tier.units):,f} {unit}".rstrip() + f" at {_money(tier.unit_price)}"
    if tier.flat_fee != 0:
        text += f" + {_money(tier.flat_fee)} flat"
    return text


def _checked(line: RatedLine, name: str, quantity: Decimal, price: Decimal,
             precision: Precision) -> OdooLine:
    subtotal = _round(quantity * price, precision.currency_digits)
    if subtotal != line.amount:
        raise NotPostable(f"{line.product_code}: {quantity} x {price} gives {subtotal}, "
                          f"not {line.amount}")
    return OdooLine(line.product_code, name, quantity, price, subtotal)


def _content_hash(key: str, lines: Sequence[RatedLine], customer: Customer, currency: str,
                  journal: str | None, invoice_date: dt.date) -> str:
    """What the invoice says, whatever Odoo's precision and the partner's current details:
    a change of either is not a change of the invoice."""
    content = {"ref": key, "partner": customer.ref, "currency": currency, "journal": journal,
               "invoice_date": invoice_date.isoformat(),
               "lines": [[line.product_code, line_name(line), str(line.amount)]
                         for line in lines]}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _significant_digits(value: Decimal) -> int:
    return len(value.normalize().as_tuple().digits)


def _round(value: Decimal, digits: int) -> Decimal:
    # DECIMAL(38, 9) quantities exceed the default context's 28 digits.
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=WIDE)


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form (20.000000000 -> 20)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _money(value: Decimal) -> str:
    """A price as people write it: at least 2 decimals, no trailing zeros beyond them."""
    plain = _plain(value)
    return f"{plain:.2f}" if -plain.as_tuple().exponent <= 2 else f"{plain:f}"  # type: ignore[operator]
