"""Billing periods: calendar months in the billing time zone, as half-open UTC ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "America/Toronto"
FIRST_PERIOD, LAST_PERIOD = "2000-01", "2099-12"
"""The billing periods a usage row may fall in: the ingest quarantines one whose window starts
outside them (outside_billing_periods), and the billing API refuses it at once."""
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class BillingPeriod:
    """One billing period: `[start, end)` in UTC (naive datetimes, UTC by convention)."""

    code: str
    start: dt.datetime
    end: dt.datetime
    time_zone: str

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def first_day(self) -> dt.date:
        return dt.date(int(self.code[:4]), int(self.code[5:]), 1)

    @property
    def last_day(self) -> dt.date:
        return first_of_next_month(self.first_day) - dt.timedelta(days=1)

    @property
    def days(self) -> list[dt.date]:
        """Its calendar days, in order."""
        first = self.first_day
        return [first + dt.timedelta(days=d) for d in range((self.last_day - first).days + 1)]

    @property
    def label(self) -> str:
        """As invoices name it: "October 2026"."""
        return self.first_day.strftime("%B %Y")


def first_of_next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s: the one place a month is added."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_code(day: dt.date) -> str:
    """The billing period `YYYY-MM` that the calendar day `day` falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def previous_period_code(code: str) -> str:
    """The period before `YYYY-MM`, e.g. 2026-01 gives 2025-12."""
    first = billing_period(code).first_day
    return period_code(first - dt.timedelta(days=1))


def billing_period(code: str, time_zone: str = DEFAULT_TIME_ZONE) -> BillingPeriod:
    """The period `YYYY-MM` in `time_zone`, e.g. 2026-10 in Toronto is 04:00Z to 04:00Z."""
    match = _PERIOD.match(code)
    if match is None:
        raise ValueError(f"billing period {code!r} is not of the form YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"billing period {code!r}: the month must be 01 to 12 (YYYY-MM)")
    if year < 1:
        raise ValueError(f"billing period {code!r}: the year must be 0001 or later (YYYY-MM)")
    zone = ZoneInfo(time_zone)
    following = first_of_next_month(dt.date(year, month, 1))
    return BillingPeriod(code, _utc(dt.datetime(year, month, 1, tzinfo=zone)),
                         _utc(dt.datetime(following.year, following.month, 1, tzinfo=zone)),
                         time_zone)


def periods_between(first: dt.datetime, last: dt.datetime,
                    time_zone: str = DEFAULT_TIME_ZONE) -> list[BillingPeriod]:
    """Every billing period that overlaps the UTC instants `first`..`last` (inclusive)."""
    zone = ZoneInfo(time_zone)
    local = first.replace(tzinfo=dt.UTC).astimezone(zone)
    end_local = last.replace(tzinfo=dt.UTC).astimezone(zone)
    month, last_month = local.date().replace(day=1), end_local.date().replace(day=1)
    periods: list[BillingPeriod] = []
    while month <= last_month:
        periods.append(billing_period(period_code(month), time_zone))
        month = first_of_next_month(month)
    return periods


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
