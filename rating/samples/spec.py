"""What the sample month is made of: its services and metrics, the choices behind its
special files, and its period in microseconds (days in the sample's time zone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rating.periods import billing_period

TIME_ZONE = "America/Toronto"


_US = 1_000_000
_HOUR = 3600
_DAY = 86_400


@dataclass(frozen=True)
class _Service:
    code: str
    prefix: str
    plan: str


@dataclass(frozen=True)
class _MetricSpec:
    service: str
    code: str
    kind: str  # value type: "int", "float", "money" or "none" (unique_count: null values)
    shape: str  # "sum", "level" (last / time_weighted_avg), "peak" (max) or "unique"
    window_hours: int
    base: float  # median per account: monthly total (sum) or level (level, peak, unique)
    boost: float = 1.0  # relative row density (coarse windows are denser)
    capped: bool = False  # at most one counter per (account, window)
    mult: int = 1  # counters per (account, window): 2 regions for egress_gb


SERVICES = (
    _Service("nexacloud", "nc", "cloud-standard"),
    _Service("nexadesk", "nd", "desk-team"),
    _Service("nexamaps", "nm", "maps-payg"),
    _Service("apps", "ap", "apps-business"),
    _Service("memberships", "mb", "members-club"),
)

METRICS = (
    _MetricSpec("nexacloud", "vcpu_hours", "float", "sum", 1, 4_000),
    _MetricSpec("nexacloud", "storage_gb", "float", "level", 6, 500, boost=6, capped=True),
    _MetricSpec("nexacloud", "egress_gb", "float", "sum", 1, 1_500, mult=2),
    _MetricSpec("nexacloud", "peak_instances", "int", "peak", 1, 4),
    _MetricSpec("nexadesk", "agents", "none", "unique", 24, 8, boost=4),
    _MetricSpec("nexadesk", "conversations", "int", "sum", 1, 8_000),
    _MetricSpec("nexadesk", "ai_tokens", "int", "sum", 1, 5_000_000),
    _MetricSpec("nexamaps", "map_tiles", "int", "sum", 1, 4_000_000),
    _MetricSpec("nexamaps", "geocodes", "int", "sum", 1, 20_000),
    _MetricSpec("nexamaps", "routes_ca", "int", "sum", 1, 30_000),
    _MetricSpec("apps", "app_users", "int", "level", 24, 60, boost=24, capped=True),
    _MetricSpec("apps", "api_calls", "int", "sum", 1, 1_500_000),
    _MetricSpec("memberships", "members", "int", "level", 24, 400, boost=24, capped=True),
    _MetricSpec("memberships", "ticket_sales", "money", "sum", 1, 12_000),
)

NAIVE_TIMESTAMP_SERVICES = frozenset({"apps"})
HIVE_METRIC = ("nexamaps", "map_tiles")
HIVE_DAYS = (0, 1)  # days of the period (0 = the 1st) that get a hive-style edge file
CORRECTED_METRICS = (("nexacloud", "vcpu_hours"), ("nexadesk", "conversations"),
                     ("apps", "api_calls"))
ROUTES_US_SHARE = 0.005  # share of routes_ca rows tagged region "us" (rejected by the filter)


@dataclass(frozen=True)
class _Period:
    code: str
    start_us: int
    end_us: int
    first_day: dt.date

    @property
    def seconds(self) -> int:
        return (self.end_us - self.start_us) // _US


def _period(code: str) -> _Period:
    bp = billing_period(code, TIME_ZONE)
    start = bp.start.replace(tzinfo=dt.UTC)
    end = bp.end.replace(tzinfo=dt.UTC)
    return _Period(code, int(start.timestamp()) * _US, int(end.timestamp()) * _US, bp.first_day)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TIME_ZONE))


def _seconds_from(period: _Period, day: dt.date) -> int:
    return int(_local_midnight(day).timestamp()) - period.start_us // _US
