"""The deliberately broken usage files: bad rows (one kind after another, each with the
reason the engine should give), a file without a metric column, values stored as text."""

from __future__ import annotations

import math
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


def write_bad_rows_file(path: Path, accounts: dict[str, list[Account]], count: int,
                        period: SamplePeriod) -> int:
    """`count` broken rows, cycling through BAD_ROW_REASONS; returns the number written."""
    columns: dict[str, list[object]] = {name: [] for name in COLUMNS}
    hours = period.seconds // HOUR
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
        start = period.start_us + ((i * 7_919) % (hours - 1)) * HOUR * MICROS
        end = start + HOUR * MICROS
        amount = round(1.5 + (i % 17) * 0.75, 2)
        value: float | None = amount
        dimensions: str | None = '{"region":"ca-east"}' if metric == "egress_gb" else None
        counter: str | None = None
        if kind == "negative_value":
            value = -amount
        elif kind == "empty_window":
            end = start
        elif kind == "reversed_window":
            end = start - HOUR * MICROS
        elif kind == "crosses_period_end":
            start, end = period.end_us - HOUR * MICROS, period.end_us + HOUR * MICROS
        elif kind == "crosses_period_start":
            start, end = period.start_us - HOUR * MICROS, period.start_us + HOUR * MICROS
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
            counter = f"{metric}:{account}:{start // MICROS}:bad-{i}"
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
                                    else max(start, end) + 300 * MICROS)
    schema = usage_schema("float", False)
    table = pa.table({name: pa.array(columns[name], type=schema.field(name).type
                                     if name not in {"period_start", "period_end", "pushed_at"}
                                     else pa.int64()) for name in COLUMNS}).cast(schema)
    write_parquet(path, table)
    return count


def write_missing_metric_file(path: Path, accounts: list[Account], count: int,
                              period: SamplePeriod) -> int:
    """apps api_calls rows written without a `metric` column."""
    pool = [a for a in accounts if a.full_month]
    starts = [period.start_us + (24 * (i % 28) + 9) * HOUR * MICROS for i in range(count)]
    ids = [pool[i % len(pool)].account_id for i in range(count)]
    names = [n for n in COLUMNS if n != "metric"]
    schema = pa.schema([f for f in usage_schema("int", False) if f.name != "metric"])
    table = pa.table({
        "counter_id": [f"api_calls:{a}:{s // MICROS}:nometric-{i}"
                       for i, (a, s) in enumerate(zip(ids, starts, strict=True))],
        "service": ["apps"] * count,
        "account_id": ids,
        "period_start": pa.array(starts, pa.int64()),
        "period_end": pa.array([s + HOUR * MICROS for s in starts], pa.int64()),
        "value": pa.array([1_000 + 37 * i for i in range(count)], pa.int64()),
        "unique_key": pa.array([None] * count, pa.string()),
        "dimensions": pa.array([None] * count, pa.string()),
        "pushed_at": pa.array([s + (HOUR + 300) * MICROS for s in starts], pa.int64()),
    }).select(names).cast(schema)
    write_parquet(path, table)
    return count


def write_text_value_file(path: Path, accounts: list[Account],
                          period: SamplePeriod) -> tuple[int, int]:
    """nexacloud vcpu_hours rows whose `value` column is a string; returns (rows, bad rows)."""
    pool = [a for a in accounts if a.full_month]
    count = len(TEXT_VALUES)
    starts = [period.start_us + (24 * (3 + i) + 15) * HOUR * MICROS for i in range(count)]
    ids = [pool[(3 * i) % len(pool)].account_id for i in range(count)]
    schema = usage_schema("float", True, value=pa.string())
    table = pa.table({
        "counter_id": [f"vcpu_hours:{a}:{s // MICROS}:text-{i}"
                       for i, (a, s) in enumerate(zip(ids, starts, strict=True))],
        "service": ["nexacloud"] * count,
        "account_id": ids,
        "metric": ["vcpu_hours"] * count,
        "period_start": pa.array(starts, pa.int64()),
        "period_end": pa.array([s + HOUR * MICROS for s in starts], pa.int64()),
        "value": [text for text, _ in TEXT_VALUES],
        "unique_key": pa.array([None] * count, pa.string()),
        "dimensions": pa.array([None] * count, pa.string()),
        "pushed_at": pa.array([s + (HOUR + 240) * MICROS for s in starts], pa.int64()),
    }).cast(schema)
    write_parquet(path, table)
    return count, sum(1 for _, good in TEXT_VALUES if not good)
