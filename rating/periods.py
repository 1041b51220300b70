"""Billing periods: calendar months in the billing time zone, as half-open UTC ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "America/Toronto"
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


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
    def label(self) -> str:
        """As invoices name it: "October 2026"."""
        return self.first_day.strftime("%B %Y")


def billing_period(code: str, time_zone: str = DEFAULT_TIME_ZONE) -> BillingPeriod:
    """The period `YYYY-MM` in `time_zone`, e.g. 2026-10 in Toronto is 04:00Z to 04:00Z."""
    match = _PERIOD.match(code)
    if match is None:
        raise ValueError(f"billing period {code!r} is not of the form YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    zone = ZoneInfo(time_zone)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return BillingPeriod(code, _utc(dt.datetime(year, month, 1, tzinfo=zone)),
                         _utc(dt.datetime(*following, 1, tzinfo=zone)), time_zone)


def periods_between(first: dt.datetime, last: dt.datetime,
                    time_zone: str = DEFAULT_TIME_ZONE) -> list[BillingPeriod]:
    """Every billing period that overlaps the UTC instants `first`..`last` (inclusive)."""
    zone = ZoneInfo(time_zone)
    local = first.replace(tzinfo=dt.UTC).astimezone(zone)
    end_local = last.replace(tzinfo=dt.UTC).astimezone(zone)
    year, month = local.year, local.month
    periods: list[BillingPeriod] = []
    while (year, month) <= (end_local.year, end_local.month):
        periods.append(billing_period(f"{year:04d}-{month:02d}", time_zone))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
