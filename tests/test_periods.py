import datetime as dt

import pytest

from rating.periods import (
    billing_period,
    first_of_next_month,
    period_code,
    periods_between,
    previous_period_code,
)

pytestmark = pytest.mark.fast


def test_toronto_month_bounds_follow_daylight_saving() -> None:
    october = billing_period("2026-10")
    assert october.start == dt.datetime(2026, 10, 1, 4)   # EDT, UTC-4
    assert october.end == dt.datetime(2026, 11, 1, 4)
    november = billing_period("2026-11")
    assert november.end == dt.datetime(2026, 12, 1, 5)     # EST, UTC-5
    assert october.seconds == 31 * 86400
    assert november.seconds == 30 * 86400 + 3600           # the fall-back hour


@pytest.mark.parametrize("code", ["2026-13", "2026-00", "2026-99"])
def test_a_month_out_of_range_is_named_as_such(code: str) -> None:
    with pytest.raises(ValueError, match=rf"'{code}': the month must be 01 to 12") as raised:
        billing_period(code)
    assert "not of the form" not in str(raised.value)


@pytest.mark.parametrize("code", ["2026-1", "26-10", "2026/10", "october", "2026-10-01", ""])
def test_a_code_of_another_form_is_told_the_form(code: str) -> None:
    with pytest.raises(ValueError, match=rf"'{code}' is not of the form YYYY-MM"):
        billing_period(code)


def test_year_zero_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="the year must be 0001 or later"):
        billing_period("0000-05")


def test_periods_between_spans_year_end() -> None:
    periods = periods_between(dt.datetime(2026, 12, 31, 12), dt.datetime(2027, 1, 2))
    assert [p.code for p in periods] == ["2026-12", "2027-01"]


def test_months_roll_over_the_year_end() -> None:
    assert first_of_next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert first_of_next_month(dt.date(2026, 1, 31)) == dt.date(2026, 2, 1)
    assert previous_period_code("2027-01") == "2026-12"
    assert previous_period_code("2026-03") == "2026-02"
    assert period_code(dt.date(2026, 2, 28)) == "2026-02"


def test_a_period_knows_its_last_day_and_every_day() -> None:
    february = billing_period("2028-02")
    assert february.last_day == dt.date(2028, 2, 29)
    assert february.days[0] == dt.date(2028, 2, 1)
    assert february.days[-1] == february.last_day
    assert len(february.days) == 29
