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

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from rating.samples.accounts import service_accounts, write_accounts_and_subscriptions
from rating.samples.bad_files import (
    BAD_ROW_REASONS,
    TEXT_VALUES,
    write_bad_rows_file,
    write_corrupt_file,
    write_missing_metric_file,
    write_text_value_file,
)
from rating.samples.counters import allocate_rows, metric_stream, stream_pieces, stream_rows
from rating.samples.deterministic import apportion
from rating.samples.edge_files import hive_slots, write_corrections_file, write_hive_file
from rating.samples.files import UsageFileWriter, file_kind, usage_schema
from rating.samples.spec import (
    HIVE_DAYS,
    HIVE_METRIC,
    METRICS,
    NAIVE_TIMESTAMP_SERVICES,
    SERVICES,
    sample_period,
)

__all__ = ["BAD_ROW_REASONS", "SampleSummary", "write_sample"]

ROWS_PER_FILE = 1_000_000
"""Default size of a bulk usage file."""
CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"


@dataclass(frozen=True)
class SampleSummary:
    landing: Path  # out/landing
    catalog: Path  # out/catalog
    usage_files: int  # parquet files written (excluding the deliberately corrupt one)
    usage_rows: int  # rows written into readable parquet files (good + bad + corrections)
    bad_rows: int  # rows deliberately broken (they should be quarantined)
    corrections: int  # rows that re-push an existing counter_id with a later pushed_at
    corrupt_files: int  # files that are not parquet at all


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
    when = sample_period(period)
    out = Path(out)
    landing, catalog = out / "landing", out / "catalog"
    for folder in (landing, catalog):
        if folder.exists():
            shutil.rmtree(folder)
    catalog.mkdir(parents=True)
    for source in sorted(CATALOG_DIR.glob("*.yaml")):
        shutil.copyfile(source, catalog / source.name)

    per_service = max(50, min(5000, rows // 2000))
    accounts = {s.code: service_accounts(i, s, per_service, when, seed)
                for i, s in enumerate(SERVICES)}
    write_accounts_and_subscriptions(landing, accounts, seed)

    hive_rows = max(24, rows // 200)
    bad_count = max(2 * len(BAD_ROW_REASONS), rows // 250) if bad_rows else 0
    missing_count = min(100, max(5, rows // 20_000)) if bad_rows else 0
    text_count = len(TEXT_VALUES) if bad_rows else 0
    correction_target = max(20, min(500, rows // 1000)) if bad_rows else 0
    hive_counts = [min(hive_rows, hive_slots(accounts[HIVE_METRIC[0]], when, day))
                   for day in HIVE_DAYS]
    extras = sum(hive_counts) + bad_count + missing_count + text_count + correction_target
    bulk = max(1_000, rows - extras)

    streams = [metric_stream(i, spec, accounts[spec.service], when, bad_rows)
               for i, spec in enumerate(METRICS)]
    allocate_rows(streams, bulk)
    by_key = {(s.spec.service, s.spec.code): s for s in streams}

    usage = landing / "usage"
    usage_files = usage_rows = bad = 0
    service_rows = [sum(s.rows for s in streams if s.spec.service == svc.code) for svc in SERVICES]
    if files is None:
        file_counts = [max(1, -(-r // ROWS_PER_FILE)) for r in service_rows]
    else:
        file_counts = apportion(max(files, len(SERVICES)), service_rows, 1)
    for service, total, count in zip(SERVICES, service_rows, file_counts, strict=True):
        mine = [s for s in streams if s.spec.service == service.code]
        for f in range(count):
            first, stop = f * total // count, (f + 1) * total // count
            pieces = list(stream_pieces(mine, first, stop))
            kind = file_kind([stream.spec for stream, _, _ in pieces] or [mine[0].spec])
            naive = service.code in NAIVE_TIMESTAMP_SERVICES
            writer = UsageFileWriter(usage / service.code / period / f"part-{f:04d}.parquet",
                                     usage_schema(kind, naive), kind)
            for stream, k0, k1 in pieces:
                k = pl.int_range(k0, k1, eager=True, dtype=pl.Int64)
                writer.add(stream_rows(stream, k, when, seed, bad_rows))
            writer.close()
            usage_files += 1
            usage_rows += writer.rows
            bad += writer.bad

    for day, hive_count in zip(HIVE_DAYS, hive_counts, strict=True):
        date = when.first_day + dt.timedelta(days=day)
        path = usage / f"service={HIVE_METRIC[0]}" / f"date={date.isoformat()}" / "part-0.parquet"
        usage_rows += write_hive_file(path, by_key[HIVE_METRIC], accounts[HIVE_METRIC[0]], day,
                                      hive_count, when, seed)
        usage_files += 1

    corrections = 0
    corrupt = 0
    if bad_rows:
        corrections = write_corrections_file(usage / "corrections" / period / "corrections.parquet",
                                             by_key, correction_target, when, seed)
        usage_rows += corrections
        text_rows, text_bad = write_text_value_file(
            usage / "text" / period / "value-as-text.parquet", accounts["nexacloud"], when)
        usage_rows += text_rows
        bad += text_bad
        written = write_bad_rows_file(usage / "bad" / "bad-rows.parquet", accounts, bad_count, when)
        written += write_missing_metric_file(usage / "bad" / "missing-metric.parquet",
                                             accounts["apps"], missing_count, when)
        usage_rows += written
        bad += written
        usage_files += 4
        write_corrupt_file(usage / "corrupt" / "garbage.parquet")
        corrupt = 1
    return SampleSummary(landing, catalog, usage_files, usage_rows, bad, corrections, corrupt)
