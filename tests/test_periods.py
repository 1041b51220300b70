import datetime as dt

import pytest

from rating.periods import billing_period, periods_between

pytestmark = pytest.mark.fast


def test_toronto_month_bounds_follow_daylight_saving() -> None:
    october = billing_period("2026-10")
    assert october.start == dt.datetime(2026, 10, 1, 4)   # EDT, UTC-4
    assert october.end == dt.datetime(2026, 11, 1, 4)
    november = billing_period("2026-11")
    assert november.end == dt.datetime(2026, 12, 1, 5)     # EST, UTC-5
    assert october.seconds == 31 * 86400
    assert november.seconds == 30 * 86400 + 3600           # the fall-back hour


def test_period_code_is_validated() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        billing_period("2026-13")


def test_periods_between_spans_year_end() -> None:
    periods = periods_between(dt.datetime(2026, 12, 31, 12), dt.datetime(2027, 1, 2))
    assert [p.code for p in periods] == ["2026-12", "2027-01"]
