"""A realistic, deterministic month of sample usage for the five services, for demos and tests.

`write_sample(out, rows)` writes `out/landing/` (usage Parquet files, account links and
subscriptions, following docs/usage-counters.md) and `out/catalog/` (a copy of the
bundled catalog YAML files). The same arguments always give byte-identical files. It lists
what it wrote in `out/.sample-files`, and refuses (SampleWouldOverwrite) to replace folders that
hold anything else, a file a person added or changed, unless `force=True`.

The bulk of the rows is generated in chunks with vectorised Polars expressions: row number `k`
of a metric's stream maps to an (account, window, counter) slot through a cumulative per-account
offset table, and every pseudo-random number is a hash of `k` and the seed. Nothing holds more
than about one chunk (`CHUNK_ROWS`) of rows in memory: ten million rows take seconds.

This module lays the month out; the parts are made in rating.samples: `spec` (services, metrics,
the period), `deterministic` (the hashing), `accounts` (accounts and subscriptions), `counters`
(the bulk rows), `files` (the Parquet contract and writers), `edge_files` (hive and
corrections) and `bad_files`.

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

from rating.progress import SILENT, Progress, Step, count
from rating.samples.accounts import Account, service_accounts, write_accounts_and_subscriptions
from rating.samples.bad_files import (
    BAD_ROW_REASONS,
    TEXT_VALUES,
    write_bad_rows_file,
    write_corrupt_file,
    write_missing_metric_file,
    write_text_value_file,
)
from rating.samples.counters import (
    MetricStream,
    allocate_rows,
    metric_stream,
    stream_pieces,
    stream_rows,
)
from rating.samples.deterministic import apportion
from rating.samples.edge_files import hive_slots, write_corrections_file, write_hive_file
from rating.samples.files import UsageFileWriter, file_kind, usage_schema
from rating.samples.spec import (
    HIVE_DAYS,
    HIVE_METRIC,
    METRICS,
    NAIVE_TIMESTAMP_SERVICES,
    SERVICES,
    SamplePeriod,
    Service,
    sample_period,
)

__all__ = ["BAD_ROW_REASONS", "SampleSummary", "SampleWouldOverwrite", "write_sample"]

ROWS_PER_FILE = 1_000_000
"""Default size of a bulk usage file."""
CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"
WRITTEN_LIST = ".sample-files"
"""Under `out`: each file the sample wrote (size, then path relative to `out`), one a line."""
BAD_AND_CORRECTED_FILES = 5
"""The corrections, text-value, bad-rows, missing-metric and corrupt files."""


class SampleWouldOverwrite(ValueError):
    """`out/landing` or `out/catalog` holds files the sample did not write: replacing the
    folders would delete them."""

    def __init__(self, out: Path, foreign: list[str]) -> None:
        shown = "\n  ".join(foreign[:10])
        more = f"\n  ... and {len(foreign) - 10} more" if len(foreign) > 10 else ""
        super().__init__(
            f"{out} holds {len(foreign)} file(s) the sample did not write (or that changed "
            f"since):\n  {shown}{more}\nthe sample replaces {out / 'landing'} and "
            f"{out / 'catalog'} as a whole: move those files, choose another folder, or "
            "give --force to delete them")
        self.foreign = foreign


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
                 bad_rows: bool = True, files: int | None = None,
                 force: bool = False, progress: Progress = SILENT) -> SampleSummary:
    """Write a deterministic sample month of usage into `out/landing/` and the catalog into
    `out/catalog/`; existing `out/landing/` and `out/catalog/` folders are replaced, but only
    when they hold nothing but an earlier sample's files (else SampleWouldOverwrite) or with
    `force=True`.

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
    foreign = _files_not_written(Path(out))
    if foreign and not force:
        raise SampleWouldOverwrite(Path(out), foreign)
    landing, catalog = _replace_folders(Path(out))
    per_service = max(50, min(5000, rows // 2000))
    with progress.step("accounts and subscriptions") as step:
        accounts = {s.code: service_accounts(i, s, per_service, when, seed)
                    for i, s in enumerate(SERVICES)}
        write_accounts_and_subscriptions(landing, accounts, seed)
        step.report(count(sum(len(a) for a in accounts.values()), "accounts"))
    sizes = _Sizes.of(rows, accounts, when, bad_rows)
    streams = [metric_stream(i, spec, accounts[spec.service], when, bad_rows)
               for i, spec in enumerate(METRICS)]
    allocate_rows(streams, sizes.bulk)
    month = _Month(landing / "usage", when, seed, bad_rows, accounts,
                   {(s.spec.service, s.spec.code): s for s in streams})
    file_counts = _file_counts(streams, files)
    with progress.step("usage files", unit="files", total=sum(file_counts) + len(HIVE_DAYS)
                       + (BAD_AND_CORRECTED_FILES if bad_rows else 0)) as step:
        written = _bulk_files(month, streams, file_counts, step) + _hive_files(month, sizes, step)
        if bad_rows:
            written += _bad_and_corrected_files(month, sizes)
            step.advance(BAD_AND_CORRECTED_FILES)
        step.report(f"{count(written.files + written.corrupt, 'files')}, "
                    f"{count(written.rows, 'rows')}")
    _list_written(Path(out))
    return SampleSummary(landing, catalog, written.files, written.rows, written.bad,
                         written.corrections, written.corrupt)


@dataclass(frozen=True)
class _Month:
    """What every usage file of the sample is made from."""

    usage: Path  # out/landing/usage
    period: SamplePeriod
    seed: int
    bad_rows: bool
    accounts: dict[str, list[Account]]  # by service
    streams: dict[tuple[str, str], MetricStream]  # by (service, metric)


@dataclass(frozen=True)
class _Sizes:
    """How many rows go into each kind of file, the bulk being what the rest leave of `rows`."""

    hive: tuple[int, ...]  # one per HIVE_DAYS
    bad: int
    missing_metric: int
    text: int
    corrections: int  # at most: candidates of the account without a subscription are skipped
    bulk: int

    @classmethod
    def of(cls, rows: int, accounts: dict[str, list[Account]], period: SamplePeriod,
           bad_rows: bool) -> _Sizes:
        hive_rows = max(24, rows // 200)
        hive = tuple(min(hive_rows, hive_slots(accounts[HIVE_METRIC[0]], period, day))
                     for day in HIVE_DAYS)
        bad = max(2 * len(BAD_ROW_REASONS), rows // 250) if bad_rows else 0
        missing = min(100, max(5, rows // 20_000)) if bad_rows else 0
        text = len(TEXT_VALUES) if bad_rows else 0
        corrections = max(20, min(500, rows // 1000)) if bad_rows else 0
        extras = sum(hive) + bad + missing + text + corrections
        return cls(hive, bad, missing, text, corrections, bulk=max(1_000, rows - extras))


@dataclass(frozen=True)
class _Written:
    """What some usage files hold, counted as SampleSummary counts it."""

    files: int = 0
    rows: int = 0
    bad: int = 0
    corrections: int = 0
    corrupt: int = 0

    def __add__(self, other: _Written) -> _Written:
        return _Written(self.files + other.files, self.rows + other.rows, self.bad + other.bad,
                        self.corrections + other.corrections, self.corrupt + other.corrupt)


def _sample_files(out: Path) -> dict[str, int]:
    """Every file under `out/landing` and `out/catalog`: its size by its path relative to out."""
    return {path.relative_to(out).as_posix(): path.stat().st_size
            for folder in (out / "landing", out / "catalog") if folder.is_dir()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _files_not_written(out: Path) -> list[str]:
    """The files under `out/landing` and `out/catalog` that the last sample there did not write,
    or that changed size since (a person's edits)."""
    listed = out / WRITTEN_LIST
    written: dict[str, int] = {}
    if listed.is_file():
        for line in listed.read_text(encoding="utf-8").splitlines():
            size, _, path = line.partition("\t")
            written[path] = int(size)
    return [path for path, size in _sample_files(out).items() if written.get(path) != size]


def _list_written(out: Path) -> None:
    (out / WRITTEN_LIST).write_text("".join(
        f"{size}\t{path}\n" for path, size in _sample_files(out).items()), encoding="utf-8")


def _replace_folders(out: Path) -> tuple[Path, Path]:
    """(landing, catalog) under `out`, both emptied, the catalog a copy of the bundled one."""
    landing, catalog = out / "landing", out / "catalog"
    for folder in (landing, catalog):
        if folder.exists():
            shutil.rmtree(folder)
    catalog.mkdir(parents=True)
    for source in sorted(CATALOG_DIR.glob("*.yaml")):
        shutil.copyfile(source, catalog / source.name)
    return landing, catalog


def _service_rows(streams: list[MetricStream]) -> list[int]:
    return [sum(s.rows for s in streams if s.spec.service == svc.code) for svc in SERVICES]


def _file_counts(streams: list[MetricStream], files: int | None) -> list[int]:
    """Each service's bulk files: about ROWS_PER_FILE rows each, or `files` in all."""
    service_rows = _service_rows(streams)
    if files is None:
        return [max(1, -(-r // ROWS_PER_FILE)) for r in service_rows]
    return apportion(max(files, len(SERVICES)), service_rows, 1)


def _bulk_files(month: _Month, streams: list[MetricStream], file_counts: list[int],
                step: Step) -> _Written:
    """Each service's rows over its `file_counts` bulk files."""
    service_rows = _service_rows(streams)
    written = _Written()
    for service, total, files in zip(SERVICES, service_rows, file_counts, strict=True):
        mine = [s for s in streams if s.spec.service == service.code]
        for f in range(files):
            path = month.usage / service.code / month.period.code / f"part-{f:04d}.parquet"
            made = _bulk_file(path, month, service, mine, f * total // files,
                              (f + 1) * total // files)
            written += made
            step.advance()
            step.detail(f"{path.relative_to(month.usage.parent)}: {made.rows:,} rows")
    return written


def _bulk_file(path: Path, month: _Month, service: Service, streams: list[MetricStream],
               first: int, stop: int) -> _Written:
    """Rows [first, stop) of a service's streams, one after the other, in one file."""
    pieces = list(stream_pieces(streams, first, stop))
    kind = file_kind([stream.spec for stream, _, _ in pieces] or [streams[0].spec])
    naive = service.code in NAIVE_TIMESTAMP_SERVICES
    writer = UsageFileWriter(path, usage_schema(kind, naive), kind)
    for stream, k0, k1 in pieces:
        k = pl.int_range(k0, k1, eager=True, dtype=pl.Int64)
        writer.add(stream_rows(stream, k, month.period, month.seed, month.bad_rows))
    writer.close()
    return _Written(files=1, rows=writer.rows, bad=writer.bad)


def _hive_files(month: _Month, sizes: _Sizes, step: Step) -> _Written:
    service = HIVE_METRIC[0]
    written = _Written()
    for day, size in zip(HIVE_DAYS, sizes.hive, strict=True):
        date = month.period.first_day + dt.timedelta(days=day)
        path = month.usage / f"service={service}" / f"date={date.isoformat()}" / "part-0.parquet"
        rows = write_hive_file(path, month.streams[HIVE_METRIC], month.accounts[service], day,
                               size, month.period, month.seed)
        written += _Written(files=1, rows=rows)
        step.advance()
        step.detail(f"{path.relative_to(month.usage.parent)}: {rows:,} rows")
    return written


def _bad_and_corrected_files(month: _Month, sizes: _Sizes) -> _Written:
    """The corrections and the deliberately broken files (only when bad_rows is asked for)."""
    usage, period = month.usage, month.period
    corrections = write_corrections_file(
        usage / "corrections" / period.code / "corrections.parquet", month.streams,
        sizes.corrections, period, month.seed)
    text_rows, text_bad = write_text_value_file(
        usage / "text" / period.code / "value-as-text.parquet", month.accounts["nexacloud"], period)
    broken = write_bad_rows_file(usage / "bad" / "bad-rows.parquet", month.accounts, sizes.bad,
                                 period)
    broken += write_missing_metric_file(usage / "bad" / "missing-metric.parquet",
                                        month.accounts["apps"], sizes.missing_metric, period)
    write_corrupt_file(usage / "corrupt" / "garbage.parquet")
    return _Written(files=4, rows=corrections + text_rows + broken, bad=text_bad + broken,
                    corrections=corrections, corrupt=1)
