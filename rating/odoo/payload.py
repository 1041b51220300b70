"""What one invoice looks like to Odoo: lines that survive Odoo's rounding, and a content hash.

Odoo rounds `price_unit` and `quantity` to its decimal precision settings ("Product Price" and
"Product Unit", 2 digits by default) and each line's subtotal to the currency's cents. A rated
line's amount is already rounded to cents, once (docs/rating.md); the posted line must give that
amount back exactly. The strategy, per line:

1. The billable units and the unit price `amount / units`, when both are exact at Odoo's
   precision (15 agents at 19.00): the invoice shows the real quantity, in the metric's unit
   of measure (`fusion-rating odoo setup` creates the units and can raise the price precision
   so that more lines take this form).
   Or, for a line that charged its units in one tier at the catalog's price, those units at
   that price when their product is the rated amount, or gives it once Odoo rounds it to the
   cent where Odoo rounds per line (9,614,207 tiles at 0.0000125 = 120.18); where Odoo rounds
   globally (its ca_2023 default) the invoice total is the rounded sum of unrounded lines,
   and such a line would move it by a cent.
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

from rating.catalog import ServiceAccounting

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
    # res.company tax_calculation_rounding_method == "round_per_line". Otherwise (Odoo's
    # "round_globally", the ca_2023 default) the invoice's untaxed total is the rounded sum of
    # the lines' unrounded amounts, so a line must be exact before any rounding.
    rounds_per_line: bool = False


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
    package_size: Decimal | None = None  # a package charge's units per package


def package_unit(size: Decimal, unit: str) -> str:
    """The unit of measure of a package: "1,000 conversations"."""
    return f"{_plain(size):,f} {unit}".rstrip()


# Odoo's language for a customer whose account link names none: French in Quebec, otherwise
# Odoo's default (English).
PROVINCE_LANGUAGES = {("CA", "QC"): "fr_CA"}


@dataclass(frozen=True)
class Customer:
    """The res.partner of a customer key (found by `ref`, created from these when missing)."""

    ref: str
    name: str
    email: str | None = None
    country: str | None = None
    province: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    language: str | None = None

    @property
    def lang(self) -> str | None:
        """The account link's language, else the province's (None: Odoo's default)."""
        return self.language or PROVINCE_LANGUAGES.get((self.country or "", self.province or ""))


@dataclass(frozen=True)
class OdooLine:
    """uom: the unit of measure the quantity is in, the metric's unit when the line carries
    the billable units; None when it is 1 x the amount (Odoo's "Units")."""

    product_code: str
    name: str
    quantity: Decimal
    price_unit: Decimal
    subtotal: Decimal
    uom: str | None = None


@dataclass(frozen=True)
class InvoiceDocument:
    """One draft customer invoice, by natural keys (ids are resolved when posting).

    An adjustment (issue 13) is one too: `move_type` out_invoice for a supplementary invoice
    (its lines may be negative, its total not), out_refund for a credit note (amounts credited
    are positive); `original_key` names the invoice it corrects. `original` is that invoice in
    Odoo (id, number), resolved by the posting run before the document is written: not content.
    `standalone`: a supplementary invoice of a key the period had no invoice for at the close
    (all of its usage came late): nothing to link to, its ref names the period.
    """

    key: str
    billing_period: str
    service: str
    currency: str
    invoice_date: dt.date
    booking: ServiceAccounting
    customer: Customer
    lines: tuple[OdooLine, ...]
    rated_untaxed: Decimal
    content_hash: str
    origin: str = ""
    move_type: str = "out_invoice"
    original_key: str | None = None
    original: tuple[int, str | None] | None = None  # the original's Odoo id and number
    standalone: bool = False

    @property
    def journal(self) -> str | None:
        return self.booking.journal

    @property
    def document_kind(self) -> str | None:
        """odoo_postings.document_kind: None for an invoice, else the adjustment's kind."""
        if self.original_key is None:
            return None
        return "credit_note" if self.move_type == "out_refund" else "supplementary_invoice"

    @property
    def reversed_entry_id(self) -> int | None:
        """The Odoo move a credit note reverses (None for an invoice or before it is linked)."""
        return self.original[0] if self.move_type == "out_refund" and self.original else None

    @property
    def untaxed(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal(0))

    def as_json(self) -> dict[str, Any]:
        """The payload as written to odoo_outbox and hashed (decimals as strings)."""
        c, b = self.customer, self.booking
        return {
            "x_fc_billing_key": self.key, "move_type": self.move_type,
            "original_key": self.original_key,
            **({"standalone": True} if self.standalone else {}),
            "invoice_origin": self.origin, "invoice_date": self.invoice_date.isoformat(),
            "currency": self.currency, "journal": b.journal, "payment_term": b.payment_term,
            "income_account": b.income_account, "analytic_account": b.analytic_account,
            "product_category": b.product_category,
            "partner": {"ref": c.ref, "name": c.name, "email": c.email, "street": c.street,
                        "city": c.city, "postal_code": c.postal_code, "country": c.country,
                        "province": c.province, "lang": c.lang},
            "lines": [{"product": line.product_code, "name": line.name,
                       "quantity": str(line.quantity), "uom": line.uom,
                       "price_unit": str(line.price_unit)}
                      for line in self.lines],
            "amount_untaxed": str(self.untaxed),
        }


def build_document(key: str, billing_period: str, service: str, currency: str,
                   invoice_date: dt.date, booking: ServiceAccounting, customer: Customer,
                   lines: Sequence[RatedLine], precision: Precision,
                   origin: str = "", move_type: str = "out_invoice",
                   original_key: str | None = None, standalone: bool = False
                   ) -> InvoiceDocument:
    """The invoice (or adjustment) to post; raises NotPostable when a line cannot be posted
    exactly, or when its total is negative (Odoo refuses to post it, whatever the type)."""
    if standalone and move_type != "out_invoice":
        raise NotPostable(f"{key}: a credit note needs an original invoice to reverse")
    try:
        odoo_lines = tuple(odoo_line(line, precision) for line in lines)
    except InvalidOperation:  # a quantity beyond what Decimal's context can round
        raise NotPostable(f"{key}: a quantity too large to round for Odoo") from None
    rated = sum((line.amount for line in lines), Decimal(0))
    document = InvoiceDocument(key, billing_period, service, currency, invoice_date, booking,
                               customer, odoo_lines, rated,
                               _content_hash(key, lines, customer, currency, booking,
                                             invoice_date, move_type, original_key,
                                             standalone), origin,
                               move_type, original_key, standalone=standalone)
    if document.untaxed != rated:  # the strategy guarantees it; a wrong invoice is never sent
        raise NotPostable(f"{key}: lines give {document.untaxed}, rated {rated}")
    if original_key is not None and rated <= 0:
        # An adjustment's total is what it bills (or credits): never negative, never nothing.
        raise NotPostable(f"{key}: an adjustment totalling {rated} cannot be posted")
    return document


def odoo_line(line: RatedLine, precision: Precision) -> OdooLine:
    """The line's quantity and unit price as Odoo will store them, giving back its amount."""
    name = line_name(line)
    units = line.billable_units
    if line.amount == 0:
        quantity = _round(line.quantity, precision.quantity_digits)
        return OdooLine(line.product_code, name, quantity, Decimal(0), Decimal(0),
                        line.unit or None)
    if _fits(units, precision.quantity_digits) and units > 0:
        price = line.amount / units
        if _fits(price, precision.price_digits):
            return _checked(line, name, _plain(units), _plain(price), precision,
                            line.unit or None)
    packages = _packages(line)
    if packages is not None and _fits(packages.units, precision.quantity_digits) \
            and _fits(packages.unit_price, precision.price_digits) \
            and packages.units * packages.unit_price == line.amount \
            and line.package_size is not None:
        # 19 packages of 1,000 conversations at 15.00, in the unit "1,000 conversations".
        return _checked(line, name, _plain(packages.units), _plain(packages.unit_price),
                        precision, package_unit(line.package_size, line.unit))
    tier = _one_charged_tier(line)
    if (tier is not None and _fits(tier.units, precision.quantity_digits)
            and _fits(tier.unit_price, precision.price_digits)
            and (tier.units * tier.unit_price == line.amount or (
                precision.rounds_per_line
                and _round(tier.units * tier.unit_price, precision.currency_digits)
                == line.amount
                and not _near_half(tier.units * tier.unit_price,
                                   precision.currency_digits)))):
        # 9,614,207 tiles at 0.0000125 = 120.18 once rounded to the cent, as rated: only when
        # Odoo rounds each line (otherwise it sums 120.1775875 with the other lines).
        return _checked(line, name, _plain(tier.units), _plain(tier.unit_price), precision,
                        line.unit or None)
    if _round(line.amount, precision.price_digits) != line.amount:
        raise NotPostable(
            f"{line.product_code}: amount {line.amount} has more decimals than Odoo's "
            f"'Product Price' precision ({precision.price_digits} digits)")
    if _significant_digits(line.amount) > FLOAT_SAFE_DIGITS:
        raise NotPostable(f"{line.product_code}: amount {line.amount} has more significant "
                          f"digits than a JSON number carries exactly")
    return _checked(line, name, Decimal(1), line.amount, precision)


def _fits(value: Decimal, digits: int) -> bool:
    """Odoo stores it as it is: no more decimals than its precision, and a JSON number
    carries it exactly."""
    return (_round(value, digits) == value
            and _significant_digits(value) <= FLOAT_SAFE_DIGITS)


def _packages(line: RatedLine) -> Tier | None:
    """A package charge's packages (units) at the package price."""
    if line.model != "package" or len(line.tiers) != 1 or line.tiers[0].flat_fee != 0:
        return None
    return line.tiers[0] if line.tiers[0].units > 0 else None


def _near_half(value: Decimal, digits: int) -> bool:
    """Within Odoo's float_round epsilon (2**-50 of the value, and more for the float's own
    error) of a half unit of the last digit: Odoo may round it the other way."""
    step = Decimal(1).scaleb(-digits)
    distance = abs(abs(value - _round(value, digits)) - step / 2)
    return distance <= abs(value) * Decimal(2) ** -44 + Decimal("1e-12")


def _one_charged_tier(line: RatedLine) -> Tier | None:
    """The single tier a per-unit, graduated or volume line charged units in, without a
    flat fee: its units are the metric's (a package's are packages) and its price is the
    catalog's."""
    if line.model not in ("per_unit", "graduated", "volume"):
        return None
    charged = [t for t in line.tiers if t.units * t.unit_price != 0 or t.flat_fee != 0]
    if len(charged) != 1 or charged[0].flat_fee != 0 or charged[0].units <= 0:
        return None
    return charged[0]  # (a free tier before it charged nothing)


def line_name(line: RatedLine) -> str:
    """The customer's description: metric, period and quantity (from the catalog's template),
    then what was charged, tier by tier."""
    unit = line.unit
    if line.model == "package" and line.package_size is not None:
        unit = f"× {package_unit(line.package_size, line.unit)}"  # 19 × 1,000 conversations
    charged = [_tier_text(t, unit) for t in line.tiers
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
             precision: Precision, uom: str | None = None) -> OdooLine:
    subtotal = _round(quantity * price, precision.currency_digits)
    if subtotal != line.amount:
        raise NotPostable(f"{line.product_code}: {quantity} x {price} gives {subtotal}, "
                          f"not {line.amount}")
    return OdooLine(line.product_code, name, quantity, price, subtotal, uom)


def _content_hash(key: str, lines: Sequence[RatedLine], customer: Customer, currency: str,
                  booking: ServiceAccounting, invoice_date: dt.date,
                  move_type: str = "out_invoice", original_key: str | None = None,
                  standalone: bool = False) -> str:
    """What the invoice says and how it is booked, whatever Odoo's precision and the partner's
    current details: a change of either is not a change of the invoice. (A posted invoice
    whose hash differs but whose lines and amounts are the same is not changed either:
    rating.odoo.posting compares them.)"""
    content: dict[str, Any] = {"ref": key, "partner": customer.ref, "currency": currency,
                               "journal": booking.journal,
                               "payment_term": booking.payment_term,
                               "income_account": booking.income_account,
                               "analytic_account": booking.analytic_account,
                               "invoice_date": invoice_date.isoformat(),
                               "lines": [[line.product_code, line_name(line),
                                          str(line.amount)] for line in lines]}
    if original_key is not None:
        # Only for adjustments: an invoice's hash stays what earlier versions recorded.
        content |= {"move_type": move_type, "original_key": original_key}
    if standalone:  # its ref names the period instead of an original invoice
        content["standalone"] = True
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
