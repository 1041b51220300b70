"""Worked pricing examples (Lago's documentation and ours) on the reference and on the SQL.

Every example is checked twice: against `rating.rate.oracle` and through the real pricing SQL,
all examples in one DuckDB run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from rating.catalog import Price, Tier
from rating.rate import oracle as reference
from tests.support.pricing_harness import PERIOD_US, Case, SqlLine, price_cases

pytestmark = pytest.mark.fast

D = Decimal
DAY = dt.date(2025, 1, 1)
HALF = PERIOD_US // 2


def tiers(*spec: tuple[str | None, str, str]) -> tuple[Tier, ...]:
    """Tiers from (up_to, unit_price, flat_fee) strings; up_to None is the open last tier."""
    return tuple(Tier(None if up is None else D(up), D(unit), D(flat)) for up, unit, flat in spec)


def per_unit(unit_price: str, included: str = "0", minimum: str | None = None) -> Price:
    """A per_unit price as the catalog stores it: one open tier without a flat fee."""
    return Price(DAY, "per_unit", included_units=D(included),
                 minimum_amount=None if minimum is None else D(minimum),
                 tiers=tiers((None, unit_price, "0")))


# Lago: ranges 0-10 at 10/unit + 2 flat, 11-20 at 5/unit + 3 flat, 21+ at 5/unit + 3 flat.
LAGO_GRADUATED = Price(DAY, "graduated", tiers=tiers(("10", "10", "2"), ("20", "5", "3"),
                                                     (None, "5", "3")))
# Lago: adjacent decimal ranges 0-0.1 at 10, 0.1-1 at 5, 1+ at 2.
LAGO_DECIMAL = Price(DAY, "graduated", tiers=tiers(("0.1", "10", "0"), ("1", "5", "0"),
                                                   (None, "2", "0")))
# Lago's volume documentation: 0-10,000 at 0.0010, 10,001-50,000 at 0.0008, 50,001-100,000 at
# 0.0006, 100,001+ at 0.0004, each with a flat fee of 10.
LAGO_VOLUME = Price(DAY, "volume", tiers=tiers(
    ("10000", "0.0010", "10"), ("50000", "0.0008", "10"), ("100000", "0.0006", "10"),
    (None, "0.0004", "10")))
PACKAGE = Price(DAY, "package", package_size=D(100), package_price=D(5))
PACKAGE_FREE = Price(DAY, "package", package_size=D(100), package_price=D(5), free_units=D(100))
PERCENTAGE = Price(DAY, "percentage", rate=D("2.5"), free_amount=D(1000))
PERCENTAGE_MIN = Price(DAY, "percentage", rate=D("2.5"), free_amount=D(1000), min_amount=D(150))
PERCENTAGE_MAX = Price(DAY, "percentage", rate=D("2.5"), free_amount=D(1000), max_amount=D(80))
MAP_TILE = per_unit("0.0000125")
PERCENTAGE_BOTH = Price(DAY, "percentage", rate=D("2.5"), free_amount=D(1000),
                        min_amount=D(150), max_amount=D(200))
INCLUDED = per_unit("1", included="100")
MINIMUM = per_unit("1", minimum="40")
AGENTS = per_unit("19.00", minimum="38")


@dataclass(frozen=True)
class Example:
    name: str
    price: Price
    quantity: str
    amount: str  # the usage line, in cents
    active_us: int = PERIOD_US
    unrounded: str | None = None  # the exact amount, when the example is about rounding
    shortfall: str = "0"  # the minimum true-up line, in cents
    included: str = "0"  # prorated included units

    @property
    def case(self) -> Case:
        return Case(self.price, D(self.quantity), self.active_us)


EXAMPLES = [
    Example("lago graduated 0 (first flat fee owed)", LAGO_GRADUATED, "0", "2.00"),
    Example("lago graduated 1", LAGO_GRADUATED, "1", "12.00"),
    Example("lago graduated 10", LAGO_GRADUATED, "10", "102.00"),
    Example("lago graduated 11", LAGO_GRADUATED, "11", "110.00"),
    Example("lago graduated 12", LAGO_GRADUATED, "12", "115.00"),
    Example("lago graduated 21", LAGO_GRADUATED, "21", "163.00"),
    Example("lago graduated 10.5 (tier 2 reached)", LAGO_GRADUATED, "10.5", "107.50"),
    Example("lago decimal 0.05", LAGO_DECIMAL, "0.05", "0.50", unrounded="0.5"),
    Example("lago decimal 0.5", LAGO_DECIMAL, "0.5", "3.00", unrounded="3.0"),
    Example("lago decimal 0.1 (on the bound)", LAGO_DECIMAL, "0.1", "1.00"),
    Example("lago decimal 2", LAGO_DECIMAL, "2", "7.50"),
    Example("lago volume 65,000", LAGO_VOLUME, "65000", "49.00"),
    Example("lago volume 0 (first tier)", LAGO_VOLUME, "0", "10.00"),
    Example("lago volume 10,000 (on the bound)", LAGO_VOLUME, "10000", "20.00"),
    Example("lago volume 10,000.5 (ceil is 10,001)", LAGO_VOLUME, "10000.5", "18.00",
            unrounded="18.0004"),
    Example("lago volume 150,000", LAGO_VOLUME, "150000", "70.00"),
    Example("package 250", PACKAGE, "250", "15.00"),
    Example("package 200", PACKAGE, "200", "10.00"),
    Example("package 201", PACKAGE, "201", "15.00"),
    Example("package 0", PACKAGE, "0", "0.00"),
    Example("package 250, 100 free", PACKAGE_FREE, "250", "10.00"),
    Example("package 100, 100 free", PACKAGE_FREE, "100", "0.00"),
    Example("package 100 free, half period (free units not prorated)", PACKAGE_FREE, "250",
            "10.00", active_us=HALF),
    Example("percentage 2.5% of 5,000 beyond 1,000", PERCENTAGE, "5000", "100.00"),
    Example("percentage at the free amount", PERCENTAGE, "1000", "0.00"),
    Example("percentage min clamp", PERCENTAGE_MIN, "5000", "150.00"),
    Example("percentage min not owed at zero", PERCENTAGE_MIN, "900", "0.00"),
    Example("percentage min, half period", PERCENTAGE_MIN, "5000", "100.00", active_us=HALF),
    Example("percentage min halved, half period", PERCENTAGE_MIN, "2000", "75.00",
            active_us=HALF, unrounded="75"),
    Example("percentage max clamp", PERCENTAGE_MAX, "5000", "80.00"),
    Example("percentage max halved, half period", PERCENTAGE_MAX, "5000", "40.00",
            active_us=HALF),
    Example("percentage below max", PERCENTAGE_MAX, "3000", "50.00"),
    Example("percentage min and max, min clamp", PERCENTAGE_BOTH, "5000", "150.00"),
    Example("percentage min and max, max clamp", PERCENTAGE_BOTH, "20000", "200.00"),
    Example("percentage min and max, between", PERCENTAGE_BOTH, "8000", "175.00"),
    Example("map tiles 590,000 (7.375 half-up)", MAP_TILE, "590000", "7.38",
            unrounded="7.375"),
    Example("map tiles 0.001 (18 decimals kept)", MAP_TILE, "0.001", "0.00",
            unrounded="0.0000000125"),
    Example("map tiles 399.99996 (rounded to cents once)", MAP_TILE, "399.99996", "0.00",
            unrounded="0.0049999995"),
    Example("included units written with an exponent (1e6)", per_unit("0.0000125", "1e6"),
            "1000000", "0.00", included="1000000"),
    Example("graduated, half period (flat fees halved)", LAGO_GRADUATED, "11", "107.50",
            active_us=HALF),
    Example("graduated 0, half period", LAGO_GRADUATED, "0", "1.00", active_us=HALF),
    Example("included units", INCLUDED, "150", "50.00", included="100"),
    Example("included units halved", INCLUDED, "150", "100.00", active_us=HALF,
            included="50"),
    Example("included units above the quantity", INCLUDED, "30", "0.00", included="100"),
    Example("minimum true-up", MINIMUM, "5", "5.00", shortfall="35.00"),
    Example("minimum halved, half period", MINIMUM, "5", "5.00", active_us=HALF,
            shortfall="15.00"),
    Example("minimum met", MINIMUM, "45", "45.00"),
    Example("minimum at zero usage", MINIMUM, "0", "0.00", shortfall="40.00"),
    Example("one agent, minimum of two", AGENTS, "1", "19.00", shortfall="19.00"),
]


@pytest.fixture(scope="module")
def sql_lines() -> dict[str, SqlLine]:
    lines = price_cases([e.case for e in EXAMPLES])
    return {e.name: line for e, line in zip(EXAMPLES, lines, strict=True)}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_reference_example(example: Example) -> None:
    got = reference.price(example.price, D(example.quantity), example.active_us, PERIOD_US)
    assert got.amount == D(example.amount)
    assert got.amount.as_tuple().exponent == -2
    if example.unrounded is not None:
        assert got.amount_unrounded == D(example.unrounded)
    assert got.shortfall_amount == D(example.shortfall)
    assert got.included == D(example.included)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_sql_example(example: Example, sql_lines: dict[str, SqlLine]) -> None:
    line = sql_lines[example.name]
    expected = reference.price(example.price, D(example.quantity), example.active_us,
                               PERIOD_US)
    assert line.amount == D(example.amount)
    if example.unrounded is not None:
        assert line.amount_unrounded == D(example.unrounded)
    assert line.shortfall_amount == D(example.shortfall)
    assert line.included == D(example.included)
    assert (line.billable, line.amount_unrounded, line.shortfall) == (
        expected.billable, expected.amount_unrounded, expected.shortfall)
    assert line.line_count == (2 if expected.shortfall > 0 else 1)


def test_sql_zero_quantity_without_a_rollup_row() -> None:
    """A subscription with no usage at all is still priced (first flat fee, minimum)."""
    cases = [Case(LAGO_GRADUATED, D(0)), Case(LAGO_VOLUME, D(0)), Case(MINIMUM, D(0)),
             Case(PERCENTAGE_MIN, D(0)), Case(PACKAGE, D(0))]
    lines = price_cases(cases, rollup_for_zero=False)
    assert [line.amount for line in lines] == [D("2.00"), D("10.00"), D(0), D(0), D(0)]
    assert [line.shortfall_amount for line in lines] == [D(0), D(0), D(40), D(0), D(0)]


def test_breakdown_graduated() -> None:
    got = reference.price(LAGO_GRADUATED, D(21))
    assert [(p.tier, p.units, p.amount) for p in got.breakdown] == [
        (1, D(10), D(102)), (2, D(10), D(53)), (3, D(1), D(8))]
    line, = price_cases([Case(LAGO_GRADUATED, D(21))])
    assert line.breakdown == got.breakdown


def test_breakdown_volume_is_one_tier() -> None:
    got = reference.price(LAGO_VOLUME, D(65000))
    assert [(p.tier, p.units, p.unit_price, p.flat_fee) for p in got.breakdown] == [
        (3, D(65000), D("0.0006"), D(10))]


def test_prorate_rounds_half_up() -> None:
    assert reference.prorate_units(D(1), 1, 2 * 10**9) == D("0.000000001")  # 0.0000000005
    assert reference.prorate_units(D(1), 1, 2 * 10**9 + 1) == D(0)
    assert reference.prorate_amount(D("0.000000001"), 1, 2 * 10**9) == D("1E-18")  # 5E-19
    assert reference.prorate_amount(D(1), 1, 3) == D("0.333333333333333333")
    assert reference.prorate_amount(D(2), 1, 3) == D("0.666666666666666667")


def test_to_cents_half_up() -> None:
    assert reference.to_cents(D("0.005")) == D("0.01")
    assert reference.to_cents(D("0.004999999999999999")) == D("0.00")
    assert reference.to_cents(D("2.675")) == D("2.68")


def test_true_up_sums_every_group() -> None:
    assert reference.true_up(MINIMUM, [D(10), D("12.5")]) == D("17.5")
    assert reference.true_up(MINIMUM, [D(30), D(30)]) == D(0)
    assert reference.true_up(LAGO_GRADUATED, [D(0)]) == D(0)
    assert reference.true_up(MINIMUM, [D(10)], HALF, PERIOD_US) == D(10)


def test_percentage_rounds_the_base_half_up_at_18_decimals() -> None:
    tiny = Price(DAY, "percentage", rate=D("0.000000005"))
    assert reference.price(tiny, D("1")).amount_unrounded == D("5E-11")
    assert reference.price(tiny, D("0.000000001")).amount_unrounded == D(0)  # 5E-20
    assert reference.price(tiny, D("0.00000001")).amount_unrounded == D("1E-18")  # 5E-19


@pytest.mark.parametrize("bad", [
    Price(DAY, "graduated", tiers=tiers(("10", "1", "0"), ("5", "1", "0"), (None, "1", "0"))),
    Price(DAY, "graduated", tiers=tiers(("10", "1", "0"))),
    Price(DAY, "volume"),
    Price(DAY, "package", package_size=D(0), package_price=D(1)),
    Price(DAY, "percentage"),
    Price(DAY, "flat"),
])
def test_reference_rejects_malformed_prices(bad: Price) -> None:
    with pytest.raises(ValueError):
        reference.price(bad, D(1))


def test_reference_rejects_bad_times() -> None:
    with pytest.raises(ValueError):
        reference.price(MINIMUM, D(1), active_us=2, period_us=1)
    with pytest.raises(ValueError):
        reference.price(MINIMUM, D(-1))
