"""Property tests: the pricing SQL against the pure-Python reference, on random prices.

Each Hypothesis example prices a whole batch of random cases in ONE DuckDB run (see
pricing_harness), so a few dozen examples cover a few thousand rated lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rating.catalog import CHARGE_MODELS, Price, Tier
from rating.rate import oracle as reference
from tests.support.pricing_harness import PERIOD_US, Case, SqlLine, price_cases

pytestmark = pytest.mark.slow

DAY = dt.date(2025, 1, 1)
NANO = Decimal("1e-9")
BATCH = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                       HealthCheck.data_too_large])


def decimals(max_integer_digits: int, max_places: int = 9,
             positive: bool = False) -> st.SearchStrategy[Decimal]:
    """Non-negative decimals with up to `max_places` decimals (exponent never above zero:
    DuckDB 1.5.5 binds Decimal('1E+3') as 1, see test_reference)."""
    @st.composite
    def build(draw: st.DrawFn) -> Decimal:
        places = draw(st.integers(0, max_places))
        scaled = draw(st.integers(1 if positive else 0, 10 ** (max_integer_digits + places) - 1))
        return Decimal(scaled).scaleb(-places)
    return build()


def round_numbers(max_integer_digits: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, 10 ** max_integer_digits).map(Decimal)


UNIT_PRICES = st.one_of(decimals(4), decimals(0), st.sampled_from(
    [Decimal("0.0000125"), Decimal("0.000000001"), Decimal("0.5"), Decimal(1), Decimal(0)]))
FEES = st.one_of(st.just(Decimal(0)), decimals(4, 2), decimals(4))
ACTIVE_US = st.one_of(st.just(PERIOD_US), st.just(PERIOD_US // 2), st.just(1),
                      st.integers(1, PERIOD_US))


@st.composite
def tier_list(draw: st.DrawFn, flat_fees: bool = True) -> tuple[Tier, ...]:
    """1-5 contiguous tiers with ascending bounds, the last one open."""
    count = draw(st.integers(1, 5))
    bounds: list[Decimal] = []
    bound = Decimal(0)
    for _ in range(count - 1):
        bound += draw(st.one_of(decimals(6, positive=True), round_numbers(4).filter(bool),
                                st.just(NANO)))
        bounds.append(bound)
    ups: list[Decimal | None] = [*bounds, None]
    return tuple(Tier(up, draw(UNIT_PRICES), draw(FEES) if flat_fees else Decimal(0))
                 for up in ups)


@st.composite
def prices(draw: st.DrawFn, model: str | None = None) -> Price:
    model = model or draw(st.sampled_from(CHARGE_MODELS))
    common: dict[str, Any] = {
        "included_units": draw(st.one_of(st.just(Decimal(0)), round_numbers(4), decimals(4))),
        "minimum_amount": draw(st.one_of(st.none(), decimals(5, 2), decimals(5))),
    }
    if model == "per_unit":
        return Price(DAY, model, tiers=(Tier(None, draw(UNIT_PRICES), Decimal(0)),), **common)
    if model in ("graduated", "volume"):
        return Price(DAY, model, tiers=draw(tier_list()), **common)
    if model == "package":
        return Price(DAY, model, package_size=draw(st.one_of(
                         round_numbers(4).filter(bool), decimals(3, positive=True))),
                     package_price=draw(st.one_of(decimals(4, 2), decimals(4))),
                     free_units=draw(st.one_of(st.just(Decimal(0)), round_numbers(4),
                                               decimals(4))), **common)
    low = draw(st.one_of(st.none(), decimals(4, 2), decimals(4)))
    high = draw(st.one_of(st.none(), decimals(5, 2), decimals(5)))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Price(DAY, model, rate=draw(st.one_of(decimals(2, 2), decimals(2), decimals(0))),
                 free_amount=draw(st.one_of(st.just(Decimal(0)), round_numbers(4), decimals(4))),
                 min_amount=low, max_amount=high, **common)


def edges(price: Price) -> list[Decimal]:
    """Billable quantities where the price changes shape: tier bounds, package steps, free
    units and amounts."""
    points = [Decimal(0)]
    points += [t.up_to for t in price.tiers if t.up_to is not None]
    if price.package_size is not None:
        points += [price.free_units + k * price.package_size for k in range(3)]
    if price.model == "percentage":
        points.append(price.free_amount)
    return points


@st.composite
def cases(draw: st.DrawFn, price_strategy: st.SearchStrategy[Price] | None = None,
          ) -> Case:
    """A random price, active time and quantity, the quantity often on a bound (or a
    nano-unit either side of one) once the prorated included units are added back."""
    price = draw(price_strategy or prices())
    active_us = draw(ACTIVE_US)
    included = reference.prorate_units(price.included_units, active_us, PERIOD_US)
    edge = draw(st.sampled_from(edges(price))) + included
    quantity = draw(st.one_of(
        st.just(Decimal(0)), round_numbers(6), decimals(6), decimals(9, 9),
        st.sampled_from([edge, edge + NANO, max(edge - NANO, Decimal(0))])))
    return Case(price, quantity, active_us)


def reference_of(case: Case) -> reference.ReferenceAmount:
    return reference.price(case.price, case.quantity, case.active_us, PERIOD_US)


def sql_breakdown_of(expected: reference.ReferenceAmount) -> tuple[reference.TierAmount, ...]:
    """The reference breakdown as rated_charges can hold it: a percentage's unit_price (the
    rate / 100, up to 11 decimals) is rounded to the column's 9 decimals."""
    if expected.model != "percentage":
        return expected.breakdown
    return tuple(dataclasses.replace(
        part, unit_price=part.unit_price.quantize(NANO, rounding=ROUND_HALF_UP))
        for part in expected.breakdown)


def comparable(line: SqlLine) -> tuple[Any, ...]:
    return (line.billable, line.included, line.amount_unrounded, line.amount, line.shortfall,
            line.shortfall_amount, line.breakdown)


@settings(BATCH, max_examples=80)
@given(batch=st.lists(cases(), min_size=1, max_size=40), rollup_for_zero=st.booleans())
def test_sql_matches_reference(batch: list[Case], rollup_for_zero: bool) -> None:
    lines = price_cases(batch, rollup_for_zero=rollup_for_zero)
    for case, line in zip(batch, lines, strict=True):
        expected = reference_of(case)
        want = (expected.billable, expected.included, expected.amount_unrounded,
                expected.amount, expected.shortfall, expected.shortfall_amount,
                sql_breakdown_of(expected))
        assert comparable(line) == want, case
        assert line.model == case.price.model
        assert line.quantity == case.quantity
        assert line.line_count == (2 if expected.shortfall > 0 else 1)


@settings(BATCH, max_examples=60)
@given(price_list=st.lists(prices("graduated"), min_size=1, max_size=3),
       active_us=ACTIVE_US,
       quantities=st.lists(st.one_of(decimals(6), round_numbers(6)), min_size=2, max_size=12))
def test_graduated_never_falls_as_usage_grows(price_list: list[Price], active_us: int,
                                              quantities: list[Decimal]) -> None:
    ordered = sorted(set(quantities))
    batch = [Case(p, q, active_us) for p in price_list for q in ordered]
    lines = price_cases(batch)
    for index, price in enumerate(price_list):
        own = lines[index * len(ordered):(index + 1) * len(ordered)]
        amounts = [line.amount_unrounded for line in own]
        assert amounts == sorted(amounts), (price, ordered, amounts)
        cents = [line.amount for line in own]
        assert cents == sorted(cents)
        assert amounts == [reference.price(price, q, active_us, PERIOD_US).amount_unrounded
                           for q in ordered]


@settings(BATCH, max_examples=60)
@given(items=st.lists(st.tuples(UNIT_PRICES, st.one_of(st.just(Decimal(0)), decimals(6),
                                                       round_numbers(6), decimals(9, 9)),
                                st.one_of(st.just(Decimal(0)), decimals(4)), ACTIVE_US),
                      min_size=1, max_size=12))
def test_single_tier_models_agree(items: list[tuple[Decimal, Decimal, Decimal, int]]) -> None:
    batch: list[Case] = []
    for unit_price, quantity, included, active_us in items:
        tier = (Tier(None, unit_price, Decimal(0)),)
        for model in ("per_unit", "graduated", "volume"):
            price = Price(DAY, model, included_units=included, tiers=tier)
            batch.append(Case(price, quantity, active_us))
    lines = price_cases(batch)
    for index, (unit_price, quantity, included, active_us) in enumerate(items):
        per_unit, graduated, volume = lines[3 * index:3 * index + 3]
        assert per_unit.amount_unrounded == graduated.amount_unrounded == volume.amount_unrounded
        assert per_unit.amount == graduated.amount == volume.amount
        billable = max(quantity - reference.prorate_units(included, active_us, PERIOD_US),
                       Decimal(0))
        assert per_unit.amount_unrounded == billable * unit_price
