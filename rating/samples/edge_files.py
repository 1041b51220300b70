"""The valid files at the edges of the contract: hive-style paths without a service
column, and corrections that re-push counters with a later pushed_at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from rating.samples.accounts import Account
from rating.samples.counters import MetricStream, counter_id, stream_rows
from rating.samples.deterministic import apportion, uniform_column
from rating.samples.files import contract_table, usage_schema, write_parquet
from rating.samples.spec import CORRECTED_METRICS, DAY, HOUR, MICROS, SamplePeriod, seconds_from


def _hive_hours(period: SamplePeriod, day: int) -> tuple[int, int]:
    """(seconds from period start, hours) of local day `day` of the period."""
    date = period.first_day + dt.timedelta(days=day)
    begin = seconds_from(period, date)
    return begin, (seconds_from(period, date + dt.timedelta(days=1)) - begin) // HOUR


def hive_slots(accounts: list[Account], period: SamplePeriod, day: int) -> int:
    return sum(1 for a in accounts if a.full_month) * _hive_hours(period, day)[1]


def write_hive_file(path: Path, stream: MetricStream, accounts: list[Account], day: int, rows: int,
                    period: SamplePeriod, seed: int) -> int:
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
    start = pl.lit(period.start_us + begin * MICROS) + pl.col("hour") * (HOUR * MICROS)
    salt = seed * 1_000_003 + 7_919 + day
    frame = frame.with_columns(start=start).with_columns(
        counter_id=counter_id(stream.spec.code, pl.lit(f"edge-{day}")),
        metric=pl.lit(stream.spec.code),
        period_start=pl.col("start"),
        period_end=pl.col("start") + HOUR * MICROS,
        value=(pl.col("size") * (0.3 * stream.spec.base / (realised * stream.windows))
               * (0.5 + uniform_column("k", salt))).round(0).cast(pl.Int64),
        unique_key=pl.lit(None, dtype=pl.String),
        dimensions=pl.lit(None, dtype=pl.String),
        pushed_at=pl.col("start") + (HOUR + 120) * MICROS
        + (uniform_column("k", salt + 1) * 600).cast(pl.Int64) * MICROS,
    )
    schema = usage_schema("int", False, service=False)
    write_parquet(path, contract_table(frame, schema))
    return rows


def write_corrections_file(path: Path, streams: dict[tuple[str, str], MetricStream], count: int,
                           period: SamplePeriod, seed: int) -> int:
    """Re-push `count` good counters (spread over a few metrics) with new values, two days later."""
    frames: list[pl.DataFrame] = []
    for share, key in zip(apportion(count, [1] * len(CORRECTED_METRICS), 0), CORRECTED_METRICS,
                          strict=True):
        stream = streams[key]
        share = min(share, stream.rows)
        if share == 0:
            continue
        # Twice as many candidates as needed, so skipping bad ones still leaves enough.
        candidates = min(stream.rows, 2 * share + 8)
        k = pl.Series([(2 * j + 1) * stream.rows // (2 * candidates) for j in range(candidates)],
                      dtype=pl.Int64)
        frame = stream_rows(stream, k, period, seed, True).filter(~pl.col("_bad"))
        share = min(share, frame.height)
        frame = frame.select(pl.all().gather([j * frame.height // share for j in range(share)]))
        frames.append(frame.with_columns(
            value=(pl.col("value").cast(pl.Float64) * 1.25 + 1).round(
                4 if stream.spec.kind == "float" else 0),
            pushed_at=pl.col("pushed_at") + 2 * DAY * MICROS + pl.int_range(pl.len()) * MICROS))
    frame = pl.concat(frames, how="vertical")
    schema = usage_schema("float", False)
    write_parquet(path, contract_table(frame, schema))
    return frame.height
