"""A realistic, deterministic month of sample usage for the five services, for demos and tests.

`write_sample(out, rows)` writes `out/landing/` (usage Parquet files, account links and
subscriptions, following ../shared/contracts/usage-counters.md) and `out/catalog/` (a copy of the
bundled catalog YAML files). The same arguments always give byte-identical files.

The bulk of the rows is generated in chunks with vectorised Polars expressions: row number `k`
of a metric's stream maps to an (account, window, counter) slot through a cumulative per-account
offset table, and every pseudo-random number is a hash of `k` and the seed. Nothing holds more
than about one chunk (`CHUNK_ROWS`) of rows in memory: ten million rows take seconds.

Layout written (period 2026-10, for example)::

    out/catalog/*.yaml                                    copy of the bundled catalog
    out/landing/accounts/accounts.csv                     account links (customer_key per account)
    out/landing/subscriptions/subscriptions.csv           one plan per account, bar one per service
    out/landing/usage/<service>/2026-10/part-NNNN.parquet  the bulk of the usage
    out/landing/usage/service=nexamaps/date=2026-10-0D/part-0.parquet  hive files, no service column
    out/landing/usage/corrections/2026-10/corrections.parquet  re-pushed counters (later pushed_at)
    out/landing/usage/text/2026-10/value-as-text.parquet  `value` stored as a string column
    out/landing/usage/bad/bad-rows.parquet                deliberately broken rows, one per kind
    out/landing/usage/bad/missing-metric.parquet          no `metric` column: every row is bad
    out/landing/usage/corrupt/garbage.parquet             not Parquet at all

The last five only exist when `bad_rows=True`. Each bulk file holds one service; its `value`
type follows the metrics in it: DECIMAL(18,6) if it holds ticket_sales (money), else double if
it holds a GB or vCPU-hour metric, else int64. At the default file sizes nexacloud files hold
doubles, memberships files decimals, and nexadesk, nexamaps and apps files int64 (agents rows
have a null value and a `unique_key`). The apps files and the text file have naive
`timestamp[us]` columns (read as UTC); every other file has `timestamp[us, tz=UTC]`.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from rating.periods import billing_period, first_of_next_month

CHUNK_ROWS = 500_000
"""Most rows generated (and held) at once; also the Parquet row group size."""
ROWS_PER_FILE = 1_000_000
"""Default size of a bulk usage file."""
TIME_ZONE = "America/Toronto"
CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"

_US = 1_000_000
_HOUR = 3600
_DAY = 86_400


@dataclass(frozen=True)
class SampleSummary:
    landing: Path  # out/landing
    catalog: Path  # out/catalog
    usage_files: int  # parquet files written (excluding the deliberately corrupt one)
    usage_rows: int  # rows written into readable parquet files (good + bad + corrections)
    bad_rows: int  # rows deliberately broken (they should be quarantined)
    corrections: int  # rows that re-push an existing counter_id with a later pushed_at
    corrupt_files: int  # files that are not parquet at all


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

BAD_ROW_REASONS: tuple[tuple[str, str], ...] = (
    ("negative_value", "negative_value"),
    ("null_account_id", "null_required"),
    ("null_counter_id", "null_required"),
    ("null_service", "null_required"),
    ("null_metric", "null_required"),
    ("null_period_start", "null_required"),
    ("null_pushed_at", "null_required"),
    ("null_value_on_sum_metric", "null_required"),
    ("empty_window", "bad_window"),
    ("reversed_window", "bad_window"),
    ("crosses_period_end", "window_crosses_period"),
    ("crosses_period_start", "window_crosses_period"),
    ("unknown_service", "unknown_service"),
    ("unknown_metric", "unknown_metric"),
    ("metric_of_another_service", "unknown_metric"),
    ("unknown_account", "unknown_account"),
    ("truncated_dimensions_json", "bad_dimensions_json"),
    ("non_string_dimension_value", "bad_dimensions_json"),
    ("nan_value", "not_a_number"),
)
"""Kinds of row in usage/bad/bad-rows.parquet (cycled in this order) and the expected reason.

Other rows to be quarantined: every row of usage/bad/missing-metric.parquet (missing_column),
the "abc" / "twelve" rows of usage/text/ (not_a_number), every row of the account without a
subscription in each service (no_subscription), and routes_ca rows with dimensions
{"region":"us"} (they do not match the catalog's filter {region: ca}).
"""

_TEXT_VALUES = (("12.5", True), ("3", True), ("0.25", True), ("abc", False), ("7.75", True),
                ("twelve", False), ("40", True))

_EN_FIRST = ("Maple", "Cedar", "Northern", "Granite", "Harbour", "Prairie", "Aurora",
             "Lakeshore", "Summit", "Birch", "Kestrel", "Tamarack", "Muskoka", "Fundy",
             "Algonquin", "Rideau")
_EN_SECOND = ("Software", "Logistics", "Dental", "Realty", "Foods", "Consulting", "Outfitters",
              "Media", "Health", "Motors", "Studios", "Analytics", "Clinics", "Freight")
_EN_SUFFIX = ("Inc.", "Ltd.", "Corp.", "Co.")
_FR_FIRST = ("Boréal", "Laurentides", "Saint-Laurent", "Érablière", "Mont-Royal", "Outaouais",
             "Beauce", "Charlevoix")
_FR_SECOND = ("Logiciels", "Transport", "Conseil", "Alimentation", "Médias", "Santé",
              "Immobilier")


# --- small deterministic helpers -------------------------------------------------------------

def _mix(*parts: int) -> int:
    """SplitMix64 over the parts: a well-spread 64-bit integer, stable across runs and platforms."""
    state = 0x9E3779B97F4A7C15
    for part in parts:
        state = (state ^ (part & 0xFFFFFFFFFFFFFFFF)) & 0xFFFFFFFFFFFFFFFF
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        state = z ^ (z >> 31)
    return state


def _unit(*parts: int) -> float:
    """A uniform number in [0, 1) from the parts."""
    return (_mix(*parts) >> 11) / (1 << 53)


def _uniform(column: str, seed: int) -> pl.Expr:
    """A vectorised uniform number in [0, 1) hashed from `column` (stable per Polars version)."""
    return (pl.col(column).hash(seed=seed & 0x7FFFFFFFFFFFFFFF) % (1 << 24)).cast(
        pl.Float64) / (1 << 24)


def _apportion(total: int, weights: Sequence[int], minimum: int) -> list[int]:
    """Split `total` into integers in proportion to `weights`, each at least `minimum`."""
    shares = [minimum] * len(weights)
    left = total - minimum * len(weights)
    weight_sum = sum(weights)
    if left <= 0 or weight_sum <= 0:
        return shares
    exact = [left * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[: left - sum(floors)]:
        floors[i] += 1
    return [s + f for s, f in zip(shares, floors, strict=True)]


# --- accounts and subscriptions ----------------------------------------------------------------

@dataclass(frozen=True)
class _Account:
    index: int  # 1-based
    account_id: str
    customer: int
    size: float  # lognormal scale of its usage, median 1
    agents: int
    start: str | None  # subscription start as written, None = no subscription
    end: str  # "" = open-ended
    active_from: int  # seconds from period start when usage may begin
    active_to: int  # seconds from period start when usage must end
    prior: tuple[str, str] | None  # an earlier, closed subscription (start, end)

    @property
    def full_month(self) -> bool:
        return self.start is not None and self.prior is None and self.end == "" \
            and self.active_from == 0


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


def _accounts(service_index: int, service: _Service, count: int, period: _Period,
              seed: int) -> list[_Account]:
    accounts: list[_Account] = []
    first = period.first_day
    for i in range(1, count + 1):
        gauss = math.sqrt(-2.0 * math.log(1.0 - _unit(seed, service_index, i, 1))) * math.cos(
            2.0 * math.pi * _unit(seed, service_index, i, 2))
        size = min(30.0, max(0.05, math.exp(0.9 * gauss)))
        agents = max(2, min(60, round(8 * size ** 0.7)))
        start: str | None
        end = ""
        active_from, active_to = 0, period.seconds
        prior: tuple[str, str] | None = None
        long_ago = first - dt.timedelta(days=45 + _mix(seed, service_index, i, 3) % 900)
        start = _date_text(long_ago, timestamp=i % 9 == 4)
        if i == count:
            start = None  # the account without a subscription: a newcomer, last three days only
            last_day = first_of_next_month(first) - dt.timedelta(days=3)
            active_from = _seconds_from(period, last_day)
        elif i % 25 == 11:
            mid = first + dt.timedelta(days=14)
            start = mid.isoformat()
            active_from = _seconds_from(period, mid)
        elif i % 25 == 19:
            stop = first + dt.timedelta(days=19)
            end = stop.isoformat()
            active_to = _seconds_from(period, stop)
        elif i % 37 == 3:
            prior = (_date_text(long_ago - dt.timedelta(days=400), timestamp=False),
                     _date_text(long_ago, timestamp=False))
        accounts.append(_Account(i, f"{service.prefix}-{i:06d}", _customer(service_index, i),
                                 size, agents, start, end, active_from, active_to, prior))
    return accounts




def _date_text(day: dt.date, *, timestamp: bool) -> str:
    return _local_midnight(day).isoformat() if timestamp else day.isoformat()


def _customer(service_index: int, i: int) -> int:
    """The customer number: a few customers hold accounts in several services."""
    if service_index == 0 or (service_index == 1 and i % 20 == 2) or (
            service_index == 2 and i % 60 == 42) or (service_index == 3 and i % 50 == 17):
        return i
    return service_index * 10_000 + i


def _customer_details(customer: int, seed: int) -> tuple[str, str, str]:
    """(name, email, province) of a customer; the same in every service."""
    u = _unit(seed, customer, 11)
    province = "ON" if u < 0.62 else "QC" if u < 0.80 else "BC" if u < 0.91 else "AB"
    pick = _mix(seed, customer, 12)
    if province == "QC":
        name = (f"{_FR_SECOND[pick % len(_FR_SECOND)]} "
                f"{_FR_FIRST[(pick >> 8) % len(_FR_FIRST)]} inc.")
        mailbox = "facturation"
    else:
        name = (f"{_EN_FIRST[pick % len(_EN_FIRST)]} {_EN_SECOND[(pick >> 8) % len(_EN_SECOND)]} "
                f"{_EN_SUFFIX[(pick >> 16) % len(_EN_SUFFIX)]}")
        mailbox = "billing"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = [w for w in "".join(c.lower() if c.isalnum() else " " for c in ascii_name).split()
             if w not in {"inc", "ltd", "corp", "co"}]
    email = f"{mailbox}+c{customer:05d}@{'-'.join(words)}.ca"
    return name, email, province


_LETTERS = "ABCEGHJKLMNPRSTVXY"  # the letters Canadian postal codes use
# A city and the first two characters of its postal codes, per province of _customer_details.
_CITIES = {"ON": ("Toronto", "M5"), "QC": ("Montréal", "H3"), "BC": ("Vancouver", "V6"),
           "AB": ("Calgary", "T2")}
_STREETS = ("King St W", "Rue Sainte-Catherine O", "Main St", "Avenue Road", "Bay St")


def _write_reference(landing: Path, accounts: dict[str, list[_Account]], seed: int) -> None:
    folder = landing / "accounts"
    folder.mkdir(parents=True)
    with (folder / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["service", "account_id", "customer_key", "name", "email", "country",
                         "province", "street", "city", "postal_code"])
        for service in SERVICES:
            for account in accounts[service.code]:
                name, email, province = _customer_details(account.customer, seed)
                city, postal_prefix = _CITIES[province]
                street = f"{100 + account.customer % 900} {_STREETS[account.customer % 5]}"
                n = account.customer  # Canadian form A1A 1A1
                postal = (f"{postal_prefix}{_LETTERS[n % 18]} {n % 10}"
                          f"{_LETTERS[(n // 10) % 18]}{(n // 180) % 10}")
                writer.writerow([service.code, account.account_id, f"C{account.customer:05d}",
                                 name, email, "CA", province, street, city, postal])
    folder = landing / "subscriptions"
    folder.mkdir(parents=True)
    with (folder / "subscriptions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["subscription_id", "service", "account_id", "plan_code", "start", "end"])
        for service in SERVICES:
            for account in accounts[service.code]:
                sub = f"SUB-{service.prefix.upper()}-{account.index:06d}"
                if account.prior is not None:
                    writer.writerow([f"{sub}-0", service.code, account.account_id, service.plan,
                                     *account.prior])
                if account.start is not None:
                    writer.writerow([f"{sub}-1", service.code, account.account_id, service.plan,
                                     account.start, account.end])


# --- usage streams -----------------------------------------------------------------------------

@dataclass
class _Stream:
    """One metric's rows: row k maps to (account, window, counter) slots of that metric."""

    number: int  # index in METRICS
    spec: _MetricSpec
    window_us: int
    windows: int  # windows of this size in the period
    offsets: pl.Series  # cumulative slots per account, len(accounts) + 1
    lo: pl.Series  # first window index each account may use
    mult: pl.Series  # counters per window each account has
    account_ids: pl.Series
    sizes: pl.Series
    nosub: int  # 0-based index of the account without a subscription
    capacity: int
    rows: int = 0

    def density(self, d: float) -> float:
        x = d * self.spec.boost
        return min(1.0, x) if self.spec.capped else x


def _stream(number: int, spec: _MetricSpec, accounts: list[_Account], period: _Period,
            bad: bool) -> _Stream:
    window_s = spec.window_hours * _HOUR
    windows = period.seconds // window_s
    offsets = [0]
    lo: list[int] = []
    mult: list[int] = []
    for account in accounts:
        first = -(-account.active_from // window_s)
        last = min(windows, account.active_to // window_s)
        m = account.agents if spec.shape == "unique" else spec.mult
        width = max(0, last - first) * m
        if account.start is None and not bad:
            width = 0  # clean sample: the account without a subscription has no usage
        offsets.append(offsets[-1] + width)
        lo.append(first)
        mult.append(m)
    return _Stream(number, spec, window_s * _US, windows,
                   pl.Series(offsets, dtype=pl.Int64), pl.Series(lo, dtype=pl.Int64),
                   pl.Series(mult, dtype=pl.Int64),
                   pl.Series([a.account_id for a in accounts], dtype=pl.String),
                   pl.Series([a.size for a in accounts], dtype=pl.Float64),
                   next(i for i, a in enumerate(accounts) if a.start is None), offsets[-1])


def _allocate(streams: list[_Stream], bulk: int) -> None:
    """Share `bulk` rows out so every metric has the same density (coarse windows denser)."""
    def total(d: float) -> float:
        return sum(s.capacity * s.density(d) for s in streams)

    low, high = 0.0, 1.0
    while total(high) < bulk:
        high *= 2
    for _ in range(80):
        mid = (low + high) / 2
        low, high = (mid, high) if total(mid) < bulk else (low, mid)
    for s in streams:
        s.rows = min(int(s.capacity * s.density(high)),
                     s.capacity if s.spec.capped else 1 << 62)
    residual = bulk - sum(s.rows for s in streams)
    biggest = max((s for s in streams if not s.spec.capped), key=lambda s: (s.capacity, -s.number))
    biggest.rows = max(0, biggest.rows + residual)


def _frame(stream: _Stream, k: pl.Series, period: _Period, seed: int, bad: bool) -> pl.DataFrame:
    """The rows `k` of a stream, with contract columns plus `_bad` (expected in quarantine)."""
    spec = stream.spec
    capacity, rows = stream.capacity, stream.rows
    if rows <= capacity:
        slot = (k * capacity) // rows
        layer = k * 0
    else:
        slot = k % capacity
        layer = k // capacity
    account = stream.offsets.search_sorted(slot, side="right").cast(pl.Int64) - 1
    local = slot - stream.offsets.gather(account)
    mult = stream.mult.gather(account)
    sub = local % mult
    frame = pl.DataFrame({
        "k": k,
        "account": account,
        "window": stream.lo.gather(account) + local // mult,
        "sub": sub,
        "n": layer * mult + sub,
        "account_id": stream.account_ids.gather(account),
        "size": stream.sizes.gather(account),
    })
    salt = seed * 1_000_003 + stream.number * 101
    u1, u2, u3 = _uniform("k", salt + 1), _uniform("k", salt + 2), _uniform("k", salt + 3)
    start = pl.lit(period.start_us) + pl.col("window") * stream.window_us
    hour = (pl.col("window") * spec.window_hours) % 24
    diurnal = 0.5 + (1.0 - (hour.cast(pl.Float64) - 13.5).abs() / 13.5)
    realised = rows / capacity if capacity else 1.0
    value = _value(spec, pl.col("u1"), diurnal, pl.col("window").cast(pl.Float64) / stream.windows,
                   1.0 / (realised * stream.windows * spec.mult))
    if spec.code == "egress_gb":
        value = value * pl.when(pl.col("sub") == 0).then(1.4).otherwise(0.6)
        dimensions = pl.when(pl.col("sub") == 0).then(pl.lit('{"region":"ca-east"}')).otherwise(
            pl.lit('{"region":"us-west"}'))
    elif spec.code == "routes_ca":
        us = pl.col("u3") < ROUTES_US_SHARE if bad else pl.lit(False)
        dimensions = pl.when(us).then(pl.lit('{"region":"us"}')).otherwise(
            pl.lit('{"region":"ca"}'))
    else:
        dimensions = pl.lit(None, dtype=pl.String)
    frame = frame.with_columns(start=start, u1=u1, u2=u2, u3=u3).with_columns(
        counter_id=pl.concat_str([pl.lit(f"{spec.code}:"), pl.col("account_id"), pl.lit(":"),
                                  (pl.col("start") // _US).cast(pl.String), pl.lit(":"),
                                  pl.col("n").cast(pl.String)]),
        service=pl.lit(spec.service),
        metric=pl.lit(spec.code),
        period_start=pl.col("start"),
        period_end=pl.col("start") + stream.window_us,
        value=_typed(spec.kind, value),
        unique_key=(pl.concat_str([pl.lit("agent-"), (pl.col("sub") + 1).cast(pl.String)])
                    if spec.shape == "unique" else pl.lit(None, dtype=pl.String)),
        dimensions=dimensions,
        pushed_at=pl.col("start") + stream.window_us
        + (60 + pl.col("u2") * 840).cast(pl.Int64) * _US,
        _bad=(pl.col("account") == stream.nosub) | (
            (pl.col("u3") < ROUTES_US_SHARE) if bad and spec.code == "routes_ca"
            else pl.lit(False)),
    )
    return frame.select([*_COLUMNS, "_bad"])


def _value(spec: _MetricSpec, u: pl.Expr, diurnal: pl.Expr, progress: pl.Expr,
           scale: float) -> pl.Expr:
    size = pl.col("size")
    if spec.shape == "sum":
        return size * (spec.base * scale) * diurnal * (0.5 + u)
    if spec.shape == "level":
        return size * spec.base * (0.9 + 0.2 * progress) * (0.97 + 0.06 * u)
    if spec.shape == "peak":
        return (size * spec.base * (0.6 + 0.5 * u)).round(0).clip(lower_bound=1.0)
    return pl.lit(None, dtype=pl.Float64)


def _typed(kind: str, value: pl.Expr) -> pl.Expr:
    if kind == "float":
        return value.round(4)
    if kind == "money":
        return ((value * 100).round(0).cast(pl.Int64).cast(pl.Decimal(18, 6)) / 100).cast(
            pl.Decimal(18, 6))
    return value.round(0).cast(pl.Int64)


_COLUMNS = ["counter_id", "service", "account_id", "metric", "period_start", "period_end",
            "value", "unique_key", "dimensions", "pushed_at"]
_VALUE_TYPES = {"int": pa.int64(), "float": pa.float64(), "money": pa.decimal128(18, 6)}
_POLARS_VALUE_TYPES: dict[str, pl.DataType] = {"int": pl.Int64(), "float": pl.Float64(),
                                               "money": pl.Decimal(18, 6)}


def _file_kind(specs: Sequence[_MetricSpec]) -> str:
    kinds = {s.kind for s in specs}
    return "money" if "money" in kinds else "float" if "float" in kinds else "int"


def _schema(kind: str, naive: bool, *, service: bool = True,
            value: pa.DataType | None = None) -> pa.Schema:
    ts = pa.timestamp("us") if naive else pa.timestamp("us", tz="UTC")
    types: dict[str, pa.DataType] = {
        "counter_id": pa.string(), "service": pa.string(), "account_id": pa.string(),
        "metric": pa.string(), "period_start": ts, "period_end": ts,
        "value": value if value is not None else _VALUE_TYPES[kind], "unique_key": pa.string(),
        "dimensions": pa.string(), "pushed_at": ts}
    return pa.schema([(name, types[name]) for name in _COLUMNS if service or name != "service"])


class _Writer:
    """Writes one Parquet file in row groups of at most CHUNK_ROWS; counts rows and bad rows."""

    def __init__(self, path: Path, schema: pa.Schema, kind: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.kind = kind
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.rows = 0
        self.bad = 0

    def add(self, frame: pl.DataFrame) -> None:
        self.pending.append(frame.with_columns(
            pl.col("value").cast(_POLARS_VALUE_TYPES[self.kind])))
        self.pending_rows += frame.height
        if self.pending_rows >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        frame = pl.concat(self.pending, how="vertical")
        self.pending, self.pending_rows = [], 0
        self.rows += frame.height
        self.bad += int(frame.get_column("_bad").sum())
        table = frame.select(self.schema.names).to_arrow().cast(self.schema)
        self.writer.write_table(table, row_group_size=CHUNK_ROWS)

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _pieces(streams: list[_Stream], first: int, stop: int) -> Iterator[tuple[_Stream, int, int]]:
    """The parts of rows [first, stop) of a service's concatenated streams, at most CHUNK_ROWS."""
    base = 0
    for stream in streams:
        lo, hi = max(first, base), min(stop, base + stream.rows)
        for k0 in range(lo, hi, CHUNK_ROWS):
            yield stream, k0 - base, min(hi, k0 + CHUNK_ROWS) - base
        base += stream.rows


# --- the special files ---------------------------------------------------------------------------

def _hive_hours(period: _Period, day: int) -> tuple[int, int]:
    """(seconds from period start, hours) of local day `day` of the period."""
    date = period.first_day + dt.timedelta(days=day)
    begin = _seconds_from(period, date)
    return begin, (_seconds_from(period, date + dt.timedelta(days=1)) - begin) // _HOUR


def _hive_slots(accounts: list[_Account], period: _Period, day: int) -> int:
    return sum(1 for a in accounts if a.full_month) * _hive_hours(period, day)[1]


def _hive_file(path: Path, stream: _Stream, accounts: list[_Account], day: int, rows: int,
               period: _Period, seed: int) -> int:
    """Edge-cache map tiles for one local day, hive-style, without a service column."""
    full = [i for i, a in enumerate(accounts) if a.full_month]
    begin, hours = _hive_hours(period, day)
    slots = len(full) * hours
    rows = min(rows, slots)
    k = pl.int_range(0, rows, eager=True, dtype=pl.Int64)
    slot = (k * slots) // rows
    pick = pl.Series(full, dtype=pl.Int64).gather(slot // hours)
    realised = stream.rows / stream.capacity if stream.capacity else 1.0
    frame = pl.DataFrame({"k": k, "hour": slot % hours,
                          "account_id": stream.account_ids.gather(pick),
                          "size": stream.sizes.gather(pick)})
    start = pl.lit(period.start_us + begin * _US) + pl.col("hour") * (_HOUR * _US)
    salt = seed * 1_000_003 + 7_919 + day
    frame = frame.with_columns(start=start).with_columns(
        counter_id=pl.concat_str([pl.lit(f"{stream.spec.code}:"), pl.col("account_id"),
                                  pl.lit(":"), (pl.col("start") // _US).cast(pl.String),
                                  pl.lit(f":edge-{day}")]),
        metric=pl.lit(stream.spec.code),
        period_start=pl.col("start"),
        period_end=pl.col("start") + _HOUR * _US,
        value=(pl.col("size") * (0.3 * stream.spec.base / (realised * stream.windows))
               * (0.5 + _uniform("k", salt))).round(0).cast(pl.Int64),
        unique_key=pl.lit(None, dtype=pl.String),
        dimensions=pl.lit(None, dtype=pl.String),
        pushed_at=pl.col("start") + (_HOUR + 120) * _US
        + (_uniform("k", salt + 1) * 600).cast(pl.Int64) * _US,
    )
    schema = _schema("int", False, service=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(frame.select(schema.names).to_arrow().cast(schema), path, compression="zstd")
    return rows


def _corrections_file(path: Path, streams: dict[tuple[str, str], _Stream], count: int,
                      period: _Period, seed: int) -> int:
    """Re-push `count` good counters (spread over a few metrics) with new values, two days later."""
    frames: list[pl.DataFrame] = []
    for share, key in zip(_apportion(count, [1] * len(CORRECTED_METRICS), 0), CORRECTED_METRICS,
                          strict=True):
        stream = streams[key]
        share = min(share, stream.rows)
        if share == 0:
            continue
        # Twice as many candidates as needed, so skipping bad ones still leaves enough.
        candidates = min(stream.rows, 2 * share + 8)
        k = pl.Series([(2 * j + 1) * stream.rows // (2 * candidates) for j in range(candidates)],
                      dtype=pl.Int64)
        frame = _frame(stream, k, period, seed, True).filter(~pl.col("_bad"))
        share = min(share, frame.height)
        frame = frame.select(pl.all().gather([j * frame.height // share for j in range(share)]))
        frames.append(frame.with_columns(
            value=(pl.col("value").cast(pl.Float64) * 1.25 + 1).round(
                4 if stream.spec.kind == "float" else 0),
            pushed_at=pl.col("pushed_at") + 2 * _DAY * _US + pl.int_range(pl.len()) * _US))
    frame = pl.concat(frames, how="vertical")
    schema = _schema("float", False)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(frame.select(schema.names).to_arrow().cast(schema), path, compression="zstd")
    return frame.height


def _bad_rows_file(path: Path, accounts: dict[str, list[_Account]], count: int,
                   period: _Period) -> int:
    """`count` broken rows, cycling through BAD_ROW_REASONS; returns the number written."""
    columns: dict[str, list[object]] = {name: [] for name in _COLUMNS}
    hours = period.seconds // _HOUR
    full = {s.code: [a for a in accounts[s.code] if a.full_month] for s in SERVICES}
    for i in range(count):
        kind = BAD_ROW_REASONS[i % len(BAD_ROW_REASONS)][0]
        service, metric = "nexacloud", "vcpu_hours"
        if kind in {"null_counter_id", "null_value_on_sum_metric"}:
            service, metric = "nexadesk", "conversations"
        elif kind in {"null_period_start", "null_metric"}:
            service, metric = "nexamaps", "geocodes"
        elif kind == "null_pushed_at":
            service, metric = "apps", "api_calls"
        elif kind == "null_service":
            service, metric = "memberships", "ticket_sales"
        elif kind in {"truncated_dimensions_json", "non_string_dimension_value"}:
            metric = "egress_gb"
        pool = full[service]
        account = pool[(i // len(BAD_ROW_REASONS)) % len(pool)].account_id
        start = period.start_us + ((i * 7_919) % (hours - 1)) * _HOUR * _US
        end = start + _HOUR * _US
        amount = round(1.5 + (i % 17) * 0.75, 2)
        value: float | None = amount
        dimensions: str | None = '{"region":"ca-east"}' if metric == "egress_gb" else None
        counter: str | None = None
        if kind == "negative_value":
            value = -amount
        elif kind == "empty_window":
            end = start
        elif kind == "reversed_window":
            end = start - _HOUR * _US
        elif kind == "crosses_period_end":
            start, end = period.end_us - _HOUR * _US, period.end_us + _HOUR * _US
        elif kind == "crosses_period_start":
            start, end = period.start_us - _HOUR * _US, period.start_us + _HOUR * _US
        elif kind == "unknown_service":
            service, metric, account = "nexaphone", "call_minutes", "np-000001"
        elif kind == "unknown_metric":
            metric = "gpu_hours"
        elif kind == "metric_of_another_service":
            metric = "map_tiles"
        elif kind == "unknown_account":
            account = "nc-999999"
        elif kind == "truncated_dimensions_json":
            dimensions = '{"region":'
        elif kind == "non_string_dimension_value":
            dimensions = '{"region": 5}'
        elif kind == "nan_value":
            value = math.nan
        elif kind == "null_value_on_sum_metric":
            value = None
        if kind != "null_counter_id":
            counter = f"{metric}:{account}:{start // _US}:bad-{i}"
        columns["counter_id"].append(counter)
        columns["service"].append(None if kind == "null_service" else service)
        columns["account_id"].append(None if kind == "null_account_id" else account)
        columns["metric"].append(None if kind == "null_metric" else metric)
        columns["period_start"].append(None if kind == "null_period_start" else start)
        columns["period_end"].append(end)
        columns["value"].append(value)
        columns["unique_key"].append(None)
        columns["dimensions"].append(dimensions)
        columns["pushed_at"].append(None if kind == "null_pushed_at"
                                    else max(start, end) + 300 * _US)
    schema = _schema("float", False)
    table = pa.table({name: pa.array(columns[name], type=schema.field(name).type
                                     if name not in {"period_start", "period_end", "pushed_at"}
                                     else pa.int64()) for name in _COLUMNS}).cast(schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return count


def _missing_metric_file(path: Path, accounts: list[_Account], count: int,
                         period: _Period) -> int:
    """apps api_calls rows written without a `metric` column."""
    pool = [a for a in accounts if a.full_month]
    starts = [period.start_us + (24 * (i % 28) + 9) * _HOUR * _US for i in range(count)]
    ids = [pool[i % len(pool)].account_id for i in range(count)]
    names = [n for n in _COLUMNS if n != "metric"]
    schema = pa.schema([f for f in _schema("int", False) if f.name != "metric"])
    table = pa.table({
        "counter_id": [f"api_calls:{a}:{s // _US}:nometric-{i}"
                       for i, (a, s) in enumerate(zip(ids, starts, strict=True))],
        "service": ["apps"] * count,
        "account_id": ids,
        "period_start": pa.array(starts, pa.int64()),
        "period_end": pa.array([s + _HOUR * _US for s in starts], pa.int64()),
        "value": pa.array([1_000 + 37 * i for i in range(count)], pa.int64()),
        "unique_key": pa.array([None] * count, pa.string()),
        "dimensions": pa.array([None] * count, pa.string()),
        "pushed_at": pa.array([s + (_HOUR + 300) * _US for s in starts], pa.int64()),
    }).select(names).cast(schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return count


def _text_value_file(path: Path, accounts: list[_Account], period: _Period) -> tuple[int, int]:
    """nexacloud vcpu_hours rows whose `value` column is a string; returns (rows, bad rows)."""
    pool = [a for a in accounts if a.full_month]
    count = len(_TEXT_VALUES)
    starts = [period.start_us + (24 * (3 + i) + 15) * _HOUR * _US for i in range(count)]
    ids = [pool[(3 * i) % len(pool)].account_id for i in range(count)]
    schema = _schema("float", True, value=pa.string())
    table = pa.table({
        "counter_id": [f"vcpu_hours:{a}:{s // _US}:text-{i}"
                       for i, (a, s) in enumerate(zip(ids, starts, strict=True))],
        "service": ["nexacloud"] * count,
        "account_id": ids,
        "metric": ["vcpu_hours"] * count,
        "period_start": pa.array(starts, pa.int64()),
        "period_end": pa.array([s + _HOUR * _US for s in starts], pa.int64()),
        "value": [text for text, _ in _TEXT_VALUES],
        "unique_key": pa.array([None] * count, pa.string()),
        "dimensions": pa.array([None] * count, pa.string()),
        "pushed_at": pa.array([s + (_HOUR + 240) * _US for s in starts], pa.int64()),
    }).cast(schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return count, sum(1 for _, good in _TEXT_VALUES if not good)


# --- the entry point -----------------------------------------------------------------------------

def write_sample(out: Path, rows: int, period: str = "2026-10", seed: int = 7, *,
                 bad_rows: bool = True, files: int | None = None) -> SampleSummary:
    """Write a deterministic sample month of usage into `out/landing/` and the catalog into
    `out/catalog/`; existing `out/landing/` and `out/catalog/` folders are replaced.

    `rows` is the total number of usage rows in readable Parquet files. It is exact
    (`usage_rows == rows`) whenever `rows` is at least 1,200; below that, a floor of
    1,000 bulk rows plus the fixed special rows (hive, bad, text, missing-column, corrections)
    makes the total larger. What is approximate is the mix: how the bulk rows split over metrics
    and accounts (equal density per metric, coarse windows denser), how many bad rows there are
    (about 0.5 %: 0.4 % in bad-rows.parquet plus the account without a subscription and the
    routes_ca rows tagged region "us", whose counts depend on the data), and the number of
    corrections (a few hundred; rows of the account without a subscription are never chosen).

    Accounts per service: max(50, min(5000, rows // 2000)). Bulk files: one or more per service,
    about ROWS_PER_FILE rows each; `files` sets the total number of bulk files instead (at least
    one per service, so at least 5), shared out in proportion to each service's rows.

    With `bad_rows=False` only clean rows are written: no bad, text, missing-column or corrupt
    file, no corrections, no routes_ca rows for region "us", and the account without a
    subscription has no usage.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    if files is not None and files < 1:
        raise ValueError(f"files must be at least 1, got {files}")
    when = _period(period)
    out = Path(out)
    landing, catalog = out / "landing", out / "catalog"
    for folder in (landing, catalog):
        if folder.exists():
            shutil.rmtree(folder)
    catalog.mkdir(parents=True)
    for source in sorted(CATALOG_DIR.glob("*.yaml")):
        shutil.copyfile(source, catalog / source.name)

    per_service = max(50, min(5000, rows // 2000))
    accounts = {s.code: _accounts(i, s, per_service, when, seed) for i, s in enumerate(SERVICES)}
    _write_reference(landing, accounts, seed)

    hive_rows = max(24, rows // 200)
    bad_count = max(2 * len(BAD_ROW_REASONS), rows // 250) if bad_rows else 0
    missing_count = min(100, max(5, rows // 20_000)) if bad_rows else 0
    text_count = len(_TEXT_VALUES) if bad_rows else 0
    correction_target = max(20, min(500, rows // 1000)) if bad_rows else 0
    hive_counts = [min(hive_rows, _hive_slots(accounts[HIVE_METRIC[0]], when, day))
                   for day in HIVE_DAYS]
    extras = sum(hive_counts) + bad_count + missing_count + text_count + correction_target
    bulk = max(1_000, rows - extras)

    streams = [_stream(i, spec, accounts[spec.service], when, bad_rows)
               for i, spec in enumerate(METRICS)]
    _allocate(streams, bulk)
    by_key = {(s.spec.service, s.spec.code): s for s in streams}

    usage = landing / "usage"
    usage_files = usage_rows = bad = 0
    service_rows = [sum(s.rows for s in streams if s.spec.service == svc.code) for svc in SERVICES]
    if files is None:
        file_counts = [max(1, -(-r // ROWS_PER_FILE)) for r in service_rows]
    else:
        file_counts = _apportion(max(files, len(SERVICES)), service_rows, 1)
    for service, total, count in zip(SERVICES, service_rows, file_counts, strict=True):
        mine = [s for s in streams if s.spec.service == service.code]
        for f in range(count):
            first, stop = f * total // count, (f + 1) * total // count
            pieces = list(_pieces(mine, first, stop))
            kind = _file_kind([stream.spec for stream, _, _ in pieces] or [mine[0].spec])
            naive = service.code in NAIVE_TIMESTAMP_SERVICES
            writer = _Writer(usage / service.code / period / f"part-{f:04d}.parquet",
                             _schema(kind, naive), kind)
            for stream, k0, k1 in pieces:
                k = pl.int_range(k0, k1, eager=True, dtype=pl.Int64)
                writer.add(_frame(stream, k, when, seed, bad_rows))
            writer.close()
            usage_files += 1
            usage_rows += writer.rows
            bad += writer.bad

    for day, hive_count in zip(HIVE_DAYS, hive_counts, strict=True):
        date = when.first_day + dt.timedelta(days=day)
        path = usage / f"service={HIVE_METRIC[0]}" / f"date={date.isoformat()}" / "part-0.parquet"
        usage_rows += _hive_file(path, by_key[HIVE_METRIC], accounts[HIVE_METRIC[0]], day,
                                 hive_count, when, seed)
        usage_files += 1

    corrections = 0
    corrupt = 0
    if bad_rows:
        corrections = _corrections_file(usage / "corrections" / period / "corrections.parquet",
                                        by_key, correction_target, when, seed)
        usage_rows += corrections
        text_rows, text_bad = _text_value_file(
            usage / "text" / period / "value-as-text.parquet", accounts["nexacloud"], when)
        usage_rows += text_rows
        bad += text_bad
        written = _bad_rows_file(usage / "bad" / "bad-rows.parquet", accounts, bad_count, when)
        written += _missing_metric_file(usage / "bad" / "missing-metric.parquet",
                                        accounts["apps"], missing_count, when)
        usage_rows += written
        bad += written
        usage_files += 4
        garbage = usage / "corrupt" / "garbage.parquet"
        garbage.parent.mkdir(parents=True)
        garbage.write_bytes(b"PAR1? no: this file was cut off in transit and is not Parquet.\n"
                            * 16)
        corrupt = 1
    return SampleSummary(landing, catalog, usage_files, usage_rows, bad, corrections, corrupt)
