"""The valid files at the edges of the contract: hive-style paths without a service
column, and corrections that re-push counters with a later pushed_at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from rating.samples.accounts import _Account
from rating.samples.counters import _frame, _Stream
from rating.samples.deterministic import _apportion, _uniform
from rating.samples.files import _schema
from rating.samples.spec import _DAY, _HOUR, _US, CORRECTED_METRICS, _Period, _seconds_from


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
