"""The deliberately broken usage files: bad rows (one kind after another, each with the
reason the engine should give), a file without a metric column, values stored as text, and a
file that is not Parquet."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

from rating.samples.accounts import Account
from rating.samples.files import COLUMNS, usage_schema, write_parquet
from rating.samples.spec import HOUR, MICROS, SERVICES, SamplePeriod

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

TEXT_VALUES = (("12.5", True), ("3", True), ("0.25", True), ("abc", False), ("7.75", True),
               ("twelve", False), ("40", True))


_BAD_ROW_METRIC: dict[str, tuple[str, str]] = {
    "null_counter_id": ("nexadesk", "conversations"),
    "null_value_on_sum_metric": ("nexadesk", "conversations"),
    "null_period_start": ("nexamaps", "geocodes"),
    "null_metric": ("nexamaps", "geocodes"),
    "null_pushed_at": ("apps", "api_calls"),
    "null_service": ("memberships", "ticket_sales"),
    "truncated_dimensions_json": ("nexacloud", "egress_gb"),
    "non_string_dimension_value": ("nexacloud", "egress_gb"),
}
"""The (service, metric) a kind of bad row is made from; every other kind: nexacloud vcpu_hours."""

_NULLED_COLUMN = {
    "null_account_id": "account_id", "null_counter_id": "counter_id",
    "null_service": "service", "null_metric": "metric", "null_period_start": "period_start",
    "null_pushed_at": "pushed_at", "null_value_on_sum_metric": "value",
}
"""The column each null_* kind leaves empty."""


@dataclass(frozen=True)
class _Hour:
    """One hour of usage as a bad row starts (and then is broken)."""

    service: str
    account_id: str
    metric: str
    start: int  # microseconds
    end: int
    value: float
    dimensions: str | None


def write_bad_rows_file(path: Path, accounts: dict[str, list[Account]], count: int,
                        period: SamplePeriod) -> int:
    """`count` broken rows, cycling through BAD_ROW_REASONS; returns the number written."""
    full = {s.code: [a for a in accounts[s.code] if a.full_month] for s in SERVICES}
    rows = [_bad_row(i, full, period) for i in range(count)]
    schema = usage_schema("float", False)
    table = pa.table({name: pa.array([row[name] for row in rows], type=schema.field(name).type
                                     if name not in {"period_start", "period_end", "pushed_at"}
                                     else pa.int64()) for name in COLUMNS}).cast(schema)
    write_parquet(path, table)
    return count


def _bad_row(i: int, full: dict[str, list[Account]], period: SamplePeriod) -> dict[str, object]:
    """Row `i` of bad-rows.parquet by column: a plain hour of usage broken as its kind says."""
    kind = BAD_ROW_REASONS[i % len(BAD_ROW_REASONS)][0]
    service, metric = _BAD_ROW_METRIC.get(kind, ("nexacloud", "vcpu_hours"))
    pool = full[service]
    start = period.start_us + ((i * 7_919) % (period.seconds // HOUR - 1)) * HOUR * MICROS
    hour = _broken(kind, _Hour(
        service, pool[(i // len(BAD_ROW_REASONS)) % len(pool)].account_id, metric, start,
        start + HOUR * MICROS, round(1.5 + (i % 17) * 0.75, 2),
        '{"region":"ca-east"}' if metric == "egress_gb" else None), period)
    row: dict[str, object] = {
        "counter_id": f"{hour.metric}:{hour.account_id}:{hour.start // MICROS}:bad-{i}",
        "service": hour.service, "account_id": hour.account_id, "metric": hour.metric,
        "period_start": hour.start, "period_end": hour.end, "value": hour.value,
        "unique_key": None, "dimensions": hour.dimensions,
        "pushed_at": max(hour.start, hour.end) + 300 * MICROS,
    }
    if kind in _NULLED_COLUMN:
        row[_NULLED_COLUMN[kind]] = None
    return row


def _broken(kind: str, hour: _Hour, period: SamplePeriod) -> _Hour:
    """The hour broken as `kind` says (a null_* kind empties its column later, in _bad_row)."""
    an_hour = HOUR * MICROS
    if kind == "negative_value":
        return replace(hour, value=-hour.value)
    if kind == "empty_window":
        return replace(hour, end=hour.start)
    if kind == "reversed_window":
        return replace(hour, end=hour.start - an_hour)
    if kind == "crosses_period_end":
        return replace(hour, start=period.end_us - an_hour, end=period.end_us + an_hour)
    if kind == "crosses_period_start":
        return replace(hour, start=period.start_us - an_hour, end=period.start_us + an_hour)
    if kind == "unknown_service":
        return replace(hour, service="nexaphone", metric="call_minutes", account_id="np-000001")
    if kind == "unknown_metric":
        return replace(hour, metric="gpu_hours")
    if kind == "metric_of_another_service":
        return replace(hour, metric="map_tiles")
    if kind == "unknown_account":
        return replace(hour, account_id="nc-999999")
    if kind == "truncated_dimensions_json":
        return replace(hour, dimensions='{"region":')
    if kind == "non_string_dimension_value":
        return replace(hour, dimensions='{"region": 5}')
    if kind == "nan_value":
        return replace(hour, value=math.nan)
    return hour


def write_missing_metric_file(path: Path, accounts: list[Account], count: int,
                              period: SamplePeriod) -> int:
    """apps api_calls rows written without a `metric` column."""
    pool = [a for a in accounts if a.full_month]
    starts = [period.start_us + (24 * (i % 28) + 9) * HOUR * MICROS for i in range(count)]
    ids = [pool[i % len(pool)].account_id for i in range(count)]
    schema = pa.schema([f for f in usage_schema("int", False) if f.name != "metric"])
    values = pa.array([1_000 + 37 * i for i in range(count)], pa.int64())
    table = _hourly_table("apps", "api_calls", ids, starts, values, tag="nometric",
                          pushed_after=300)
    write_parquet(path, table.select(schema.names).cast(schema))
    return count


def write_text_value_file(path: Path, accounts: list[Account],
                          period: SamplePeriod) -> tuple[int, int]:
    """nexacloud vcpu_hours rows whose `value` column is a string; returns (rows, bad rows)."""
    pool = [a for a in accounts if a.full_month]
    count = len(TEXT_VALUES)
    starts = [period.start_us + (24 * (3 + i) + 15) * HOUR * MICROS for i in range(count)]
    ids = [pool[(3 * i) % len(pool)].account_id for i in range(count)]
    schema = usage_schema("float", True, value=pa.string())
    values = pa.array([text for text, _ in TEXT_VALUES], pa.string())
    table = _hourly_table("nexacloud", "vcpu_hours", ids, starts, values, tag="text",
                          pushed_after=240)
    write_parquet(path, table.cast(schema))
    return count, sum(1 for _, good in TEXT_VALUES if not good)


def _hourly_table(service: str, metric: str, ids: list[str], starts: list[int],
                  values: pa.Array, *, tag: str, pushed_after: int) -> pa.Table:
    """One row of `metric` per (account id, start), an hour long, pushed `pushed_after` seconds
    after the hour; counter ids end in `tag` and the row number."""
    count = len(starts)
    return pa.table({
        "counter_id": [f"{metric}:{a}:{s // MICROS}:{tag}-{i}"
                       for i, (a, s) in enumerate(zip(ids, starts, strict=True))],
        "service": [service] * count,
        "account_id": ids,
        "metric": [metric] * count,
        "period_start": pa.array(starts, pa.int64()),
        "period_end": pa.array([s + HOUR * MICROS for s in starts], pa.int64()),
        "value": values,
        "unique_key": pa.array([None] * count, pa.string()),
        "dimensions": pa.array([None] * count, pa.string()),
        "pushed_at": pa.array([s + (HOUR + pushed_after) * MICROS for s in starts], pa.int64()),
    })


def write_corrupt_file(path: Path) -> None:
    """A file named .parquet that is not Parquet at all."""
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1? no: this file was cut off in transit and is not Parquet.\n" * 16)
