"""The usage counters of the bulk files: one stream of rows per metric, the bulk shared out
so that every metric has the same density, and the rows made in chunks as Polars frames."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from rating.samples.accounts import Account
from rating.samples.deterministic import uniform_column
from rating.samples.files import CHUNK_ROWS, COLUMNS
from rating.samples.spec import HOUR, MICROS, ROUTES_US_SHARE, MetricSpec, SamplePeriod


@dataclass
class MetricStream:
    """One metric's rows: row k maps to (account, window, counter) slots of that metric."""

    number: int  # index in METRICS
    spec: MetricSpec
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


def metric_stream(number: int, spec: MetricSpec, accounts: list[Account], period: SamplePeriod,
                  bad: bool) -> MetricStream:
    window_s = spec.window_hours * HOUR
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
    return MetricStream(number, spec, window_s * MICROS, windows,
                        pl.Series(offsets, dtype=pl.Int64), pl.Series(lo, dtype=pl.Int64),
                        pl.Series(mult, dtype=pl.Int64),
                        pl.Series([a.account_id for a in accounts], dtype=pl.String),
                        pl.Series([a.size for a in accounts], dtype=pl.Float64),
                        next(i for i, a in enumerate(accounts) if a.start is None), offsets[-1])


def allocate_rows(streams: list[MetricStream], bulk: int) -> None:
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


def stream_rows(stream: MetricStream, k: pl.Series, period: SamplePeriod, seed: int,
                bad: bool) -> pl.DataFrame:
    """The rows `k` of a stream, with contract columns plus `_bad` (expected in quarantine)."""
    spec = stream.spec
    frame = _slots(stream, k)
    salt = seed * 1_000_003 + stream.number * 101
    u1, u2, u3 = (uniform_column("k", salt + 1), uniform_column("k", salt + 2),
                  uniform_column("k", salt + 3))
    start = pl.lit(period.start_us) + pl.col("window") * stream.window_us
    hour = (pl.col("window") * spec.window_hours) % 24
    diurnal = 0.5 + (1.0 - (hour.cast(pl.Float64) - 13.5).abs() / 13.5)
    realised = stream.rows / stream.capacity if stream.capacity else 1.0
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
        counter_id=counter_id(spec.code, pl.col("n").cast(pl.String)),
        service=pl.lit(spec.service),
        metric=pl.lit(spec.code),
        period_start=pl.col("start"),
        period_end=pl.col("start") + stream.window_us,
        value=_typed(spec.kind, value),
        unique_key=(pl.concat_str([pl.lit("agent-"), (pl.col("sub") + 1).cast(pl.String)])
                    if spec.shape == "unique" else pl.lit(None, dtype=pl.String)),
        dimensions=dimensions,
        pushed_at=pl.col("start") + stream.window_us
        + (60 + pl.col("u2") * 840).cast(pl.Int64) * MICROS,
        _bad=(pl.col("account") == stream.nosub) | (
            (pl.col("u3") < ROUTES_US_SHARE) if bad and spec.code == "routes_ca"
            else pl.lit(False)),
    )
    return frame.select([*COLUMNS, "_bad"])


def counter_id(metric: str, tail: pl.Expr) -> pl.Expr:
    """The sample's counter id: metric, account id, start in seconds and `tail`, by colons."""
    return pl.concat_str([pl.lit(f"{metric}:"), pl.col("account_id"), pl.lit(":"),
                          (pl.col("start") // MICROS).cast(pl.String), pl.lit(":"), tail])


def _slots(stream: MetricStream, k: pl.Series) -> pl.DataFrame:
    """Where rows `k` of a stream fall: account, window, counter within the window (`sub`) and
    counter number (`n`: later layers when the rows outnumber the slots)."""
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
    return pl.DataFrame({
        "k": k,
        "account": account,
        "window": stream.lo.gather(account) + local // mult,
        "sub": sub,
        "n": layer * mult + sub,
        "account_id": stream.account_ids.gather(account),
        "size": stream.sizes.gather(account),
    })


def _value(spec: MetricSpec, u: pl.Expr, diurnal: pl.Expr, progress: pl.Expr,
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


def stream_pieces(streams: list[MetricStream], first: int,
                  stop: int) -> Iterator[tuple[MetricStream, int, int]]:
    """The parts of rows [first, stop) of a service's concatenated streams, at most CHUNK_ROWS."""
    base = 0
    for stream in streams:
        lo, hi = max(first, base), min(stop, base + stream.rows)
        for k0 in range(lo, hi, CHUNK_ROWS):
            yield stream, k0 - base, min(hi, k0 + CHUNK_ROWS) - base
        base += stream.rows
