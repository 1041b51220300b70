"""What the sample month is made of: its services and metrics, the choices behind its
special files, and its period in microseconds (days in the sample's time zone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rating.periods import billing_period

TIME_ZONE = "America/Toronto"


MICROS = 1_000_000  # in a second: the sample's times are whole microseconds
HOUR = 3600  # seconds
DAY = 86_400  # seconds


@dataclass(frozen=True)
class Service:
    code: str
    prefix: str
    plan: str


@dataclass(frozen=True)
class MetricSpec:
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
    Service("nexacloud", "nc", "cloud-standard"),
    Service("nexadesk", "nd", "desk-team"),
    Service("nexamaps", "nm", "maps-payg"),
    Service("apps", "ap", "apps-business"),
    Service("memberships", "mb", "members-club"),
)

METRICS = (
    MetricSpec("nexacloud", "vcpu_hours", "float", "sum", 1, 4_000),
    MetricSpec("nexacloud", "storage_gb", "float", "level", 6, 500, boost=6, capped=True),
    MetricSpec("nexacloud", "egress_gb", "float", "sum", 1, 1_500, mult=2),
    MetricSpec("nexacloud", "peak_instances", "int", "peak", 1, 4),
    MetricSpec("nexadesk", "agents", "none", "unique", 24, 8, boost=4),
    MetricSpec("nexadesk", "conversations", "int", "sum", 1, 8_000),
    MetricSpec("nexadesk", "ai_tokens", "int", "sum", 1, 5_000_000),
    MetricSpec("nexamaps", "map_tiles", "int", "sum", 1, 4_000_000),
    MetricSpec("nexamaps", "geocodes", "int", "sum", 1, 20_000),
    MetricSpec("nexamaps", "routes_ca", "int", "sum", 1, 30_000),
    MetricSpec("apps", "app_users", "int", "level", 24, 60, boost=24, capped=True),
    MetricSpec("apps", "api_calls", "int", "sum", 1, 1_500_000),
    MetricSpec("memberships", "members", "int", "level", 24, 400, boost=24, capped=True),
    MetricSpec("memberships", "ticket_sales", "money", "sum", 1, 12_000),
)

NAIVE_TIMESTAMP_SERVICES = frozenset({"apps"})
HIVE_METRIC = ("nexamaps", "map_tiles")
HIVE_DAYS = (0, 1)  # days of the period (0 = the 1st) that get a hive-style edge file
CORRECTED_METRICS = (("nexacloud", "vcpu_hours"), ("nexadesk", "conversations"),
                     ("apps", "api_calls"))
ROUTES_US_SHARE = 0.005  # share of routes_ca rows tagged region "us" (rejected by the filter)


@dataclass(frozen=True)
class SamplePeriod:
    code: str
    start_us: int
    end_us: int
    first_day: dt.date

    @property
    def seconds(self) -> int:
        return (self.end_us - self.start_us) // MICROS


def sample_period(code: str) -> SamplePeriod:
    bp = billing_period(code, TIME_ZONE)
    start = bp.start.replace(tzinfo=dt.UTC)
    end = bp.end.replace(tzinfo=dt.UTC)
    return SamplePeriod(code, int(start.timestamp()) * MICROS, int(end.timestamp()) * MICROS,
                        bp.first_day)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TIME_ZONE))


def seconds_from(period: SamplePeriod, day: dt.date) -> int:
    return int(local_midnight(day).timestamp()) - period.start_us // MICROS
