"""The warehouse macro percent_of: exact half-away-from-zero percentages (docs/margin.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rating import warehouse

pytestmark = pytest.mark.engine
NANO = Decimal("0.000000001")


@pytest.fixture(scope="module")
def con() -> Any:
    connection = warehouse.connect(":memory:")
    warehouse.create_schema(connection)
    yield connection
    connection.close()


def expected(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    value = (abs(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value if part >= 0 else -value


@settings(max_examples=400, deadline=None)
@given(whole_cents=st.integers(min_value=-100, max_value=10**12),
       hundredths=st.integers(min_value=-10**7, max_value=10**7),
       half=st.booleans(), noise=st.integers(min_value=-5, max_value=5))
def test_percent_of_rounds_exact_halves_up(con: Any, whole_cents: int, hundredths: int,
                                           half: bool, noise: int) -> None:
    whole = Decimal(whole_cents) / 100
    # A part at (or a few 1e-9 next to) an exact half of a hundredth of a percent.
    target = (Decimal(hundredths) + (Decimal("0.5") if half else 0)) / 10000
    part = (target * whole).quantize(NANO) + noise * NANO
    got = con.execute("SELECT percent_of(CAST(? AS DECIMAL(38, 9)), "
                      "CAST(? AS DECIMAL(38, 2)))", [str(part), str(whole)]).fetchone()[0]
    assert got == expected(part, whole)
