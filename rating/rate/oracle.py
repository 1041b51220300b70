"""A pure-Python reference of every charge model, to check the pricing SQL against.

It follows the engine's rules (which follow Lago's) and nothing else: no DuckDB, no I/O, only
`decimal.Decimal` arithmetic in a local context wide enough that every product is exact.

- Quantities and prices carry 9 decimals; a usage amount carries 18 (units x price).
- Included units are prorated (active / period) and rounded half-up to 9 decimals; the billable
  units are the quantity less the included units, never below zero.
- Flat fees, percentage minimums and maximums and the charge minimum are prorated and rounded
  half-up to 18 decimals.
- Tiers are contiguous: tier i covers the units in (lower_i, upper_i], the first tier starts at
  zero and the last one is open.
- The amount on the invoice line is the exact amount rounded half-up to cents, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from rating.catalog import Price, Tier

__all__ = [
    "ReferenceAmount",
    "TierAmount",
    "price",
    "prorate_amount",
    "prorate_units",
    "to_cents",
    "true_up",
]

UNITS = Decimal("1e-9")
AMOUNT = Decimal("1e-18")
CENTS = Decimal("0.01")
ZERO = Decimal(0)
# 20 integer digits + 9 decimals on each side of a product: 58 digits; 80 leaves room to spare.
_CONTEXT = Context(prec=80, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TierAmount:
    """What one tier (or the package / percentage line) contributes to a rated line."""

    tier: int
    units: Decimal
    unit_price: Decimal
    flat_fee: Decimal  # prorated
    amount: Decimal  # units x unit_price + flat_fee, 18 decimals


@dataclass(frozen=True)
class ReferenceAmount:
    """One usage line priced by the reference, with its minimum true-up on its own."""

    model: str
    quantity: Decimal
    included: Decimal  # prorated included units, 9 decimals
    billable: Decimal  # quantity less included, never below zero
    amount_unrounded: Decimal  # 18 decimals
    amount: Decimal  # half-up to cents
    breakdown: tuple[TierAmount, ...]
    minimum: Decimal | None  # prorated charge minimum, 18 decimals (None: no minimum)
    shortfall: Decimal  # the 'minimum_true_up' line if this were the charge's only line

    @property
    def shortfall_amount(self) -> Decimal:
        """The true-up in cents (zero when there is no shortfall)."""
        return to_cents(self.shortfall)


def prorate_units(units: Decimal, active_us: int, period_us: int) -> Decimal:
    """units x active / period, rounded half-up to 9 decimals (the quantity precision)."""
    _check_time(active_us, period_us)
    with localcontext(_CONTEXT):
        return (units * active_us / period_us).quantize(UNITS, rounding=ROUND_HALF_UP)


def prorate_amount(amount: Decimal, active_us: int, period_us: int) -> Decimal:
    """amount x active / period, rounded half-up to 18 decimals."""
    _check_time(active_us, period_us)
    with localcontext(_CONTEXT):
        return (amount * active_us / period_us).quantize(AMOUNT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> Decimal:
    """An exact amount rounded half-up to cents, as on the invoice line."""
    with localcontext(_CONTEXT):
        return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


def true_up(price: Price, usage_amounts: Iterable[Decimal], active_us: int = 1,
            period_us: int = 1) -> Decimal:
    """The 'minimum_true_up' of one charge, in cents as the invoice shows them: the prorated
    minimum in cents less the sum of its usage lines in cents (every group), never below
    zero; zero when the price has no minimum."""
    if price.minimum_amount is None:
        return ZERO
    minimum = to_cents(prorate_amount(price.minimum_amount, active_us, period_us))
    with localcontext(_CONTEXT):
        used = sum((to_cents(a) for a in usage_amounts), ZERO)
        return max(minimum - used, ZERO).quantize(AMOUNT)


def price(price: Price, quantity: Decimal, active_us: int = 1,
          period_us: int = 1) -> ReferenceAmount:
    """Price one quantity of one charge for a subscription active `active_us` microseconds of
    a `period_us` period (the defaults: the whole period)."""
    if quantity < 0:
        raise ValueError(f"quantity {quantity} is below zero")
    included = prorate_units(price.included_units, active_us, period_us)
    with localcontext(_CONTEXT):
        billable = max(quantity - included, ZERO)
        if price.model in ("per_unit", "graduated"):
            breakdown = _graduated(price.tiers, billable, active_us, period_us)
        elif price.model == "volume":
            breakdown = _volume(price.tiers, billable, active_us, period_us)
        elif price.model == "package":
            breakdown = _package(price, billable)
        elif price.model == "percentage":
            breakdown = _percentage(price, billable)
        else:
            raise ValueError(f"unknown charge model {price.model!r}")
        if price.model == "percentage":
            amount = _clamp(breakdown[0].amount, price, active_us, period_us)
        else:
            amount = sum((part.amount for part in breakdown), ZERO)
        amount = amount.quantize(AMOUNT)
    minimum = (None if price.minimum_amount is None
               else prorate_amount(price.minimum_amount, active_us, period_us))
    return ReferenceAmount(
        model=price.model, quantity=quantity, included=included, billable=billable,
        amount_unrounded=amount, amount=to_cents(amount), breakdown=breakdown, minimum=minimum,
        shortfall=true_up(price, [amount], active_us, period_us))


def _graduated(tiers: tuple[Tier, ...], billable: Decimal, active_us: int,
               period_us: int) -> tuple[TierAmount, ...]:
    """Every tier reached bills its own slice; the first tier is always reached (its flat fee
    is owed even at zero units), a later one once the billable units pass its lower bound."""
    parts: list[TierAmount] = []
    for index, (lower, upper, tier) in enumerate(_bounds(tiers), start=1):
        if index > 1 and billable <= lower:
            break
        top = billable if upper is None else min(billable, upper)
        parts.append(_tier_amount(index, max(top - lower, ZERO), tier, active_us, period_us))
    return tuple(parts)


def _volume(tiers: tuple[Tier, ...], billable: Decimal, active_us: int,
            period_us: int) -> tuple[TierAmount, ...]:
    """All the billable units at the price of the one tier they fall in (the first at zero)."""
    for index, (lower, upper, tier) in enumerate(_bounds(tiers), start=1):
        if (index == 1 or billable > lower) and (upper is None or billable <= upper):
            return (_tier_amount(index, billable, tier, active_us, period_us),)
    raise AssertionError("the last tier is open, so some tier always matches")


def _package(price: Price, billable: Decimal) -> tuple[TierAmount, ...]:
    """Whole packages started beyond the free units (which are not prorated)."""
    if price.package_size is None or price.package_price is None or price.package_size <= 0:
        raise ValueError("a package price needs a package_size above zero and a package_price")
    counted = max(billable - price.free_units, ZERO)
    whole, rest = divmod(counted, price.package_size)
    packages = whole + (1 if rest else 0)
    return (TierAmount(tier=1, units=packages, unit_price=price.package_price, flat_fee=ZERO,
                       amount=packages * price.package_price),)


def _percentage(price: Price, billable: Decimal) -> tuple[TierAmount, ...]:
    """rate percent of the billable units beyond the free amount, half-up to 18 decimals."""
    if price.rate is None:
        raise ValueError("a percentage price needs a rate")
    counted = max(billable - price.free_amount, ZERO)
    rate = price.rate / 100
    base = (counted * rate).quantize(AMOUNT, rounding=ROUND_HALF_UP)
    return (TierAmount(tier=1, units=counted, unit_price=rate, flat_fee=ZERO, amount=base),)


def _clamp(base: Decimal, price: Price, active_us: int, period_us: int) -> Decimal:
    """A non-zero percentage amount kept between the prorated min_amount and max_amount."""
    if base == 0:
        return ZERO
    if price.min_amount is not None:
        base = max(base, prorate_amount(price.min_amount, active_us, period_us))
    if price.max_amount is not None:
        base = min(base, prorate_amount(price.max_amount, active_us, period_us))
    return base


def _bounds(tiers: tuple[Tier, ...]) -> list[tuple[Decimal, Decimal | None, Tier]]:
    """Each tier with its (lower, upper] bounds, after checking the tiers are well formed."""
    if not tiers:
        raise ValueError("a tiered price needs at least one tier")
    bounds: list[tuple[Decimal, Decimal | None, Tier]] = []
    lower = ZERO
    for index, tier in enumerate(tiers, start=1):
        last = index == len(tiers)
        if (tier.up_to is None) != last:
            raise ValueError("every tier but the last needs an up_to; the last must be open")
        if tier.up_to is not None and tier.up_to <= lower:
            raise ValueError(f"tier {index}: up_to {tier.up_to} is not above {lower}")
        bounds.append((lower, tier.up_to, tier))
        if tier.up_to is not None:
            lower = tier.up_to
    return bounds


def _tier_amount(index: int, units: Decimal, tier: Tier, active_us: int,
                 period_us: int) -> TierAmount:
    flat_fee = prorate_amount(tier.flat_fee, active_us, period_us)
    with localcontext(_CONTEXT):
        amount = (units * tier.unit_price + flat_fee).quantize(AMOUNT)
    return TierAmount(tier=index, units=units, unit_price=tier.unit_price, flat_fee=flat_fee,
                      amount=amount)


def _check_time(active_us: int, period_us: int) -> None:
    if period_us <= 0 or not 0 <= active_us <= period_us:
        raise ValueError(f"expected 0 <= active_us <= period_us and period_us > 0, found "
                         f"{active_us} and {period_us}")
