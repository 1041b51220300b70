"""A tiny fixture builder: small landing folders for the engine's tests.

A landing folder follows docs/usage-counters.md::

    <root>/accounts/accounts.csv            service, account_id, customer_key, name, email,
                                            country, province
    <root>/subscriptions/subscriptions.csv  subscription_id, service, account_id, plan_code,
                                            start, end
    <root>/usage/**/*.parquet               usage counters

`Landing(tmp_path / "landing")` writes them; `Landing.rate(...)` runs `rating.rate.engine.rate`
on the folder with the bundled catalog; `rows(warehouse, sql)` / `table(warehouse, name)` read the
warehouse back as tuples in a total order (`ORDER BY ALL`), so tests compare plain lists.

Usage rows are dicts; a key left out of a row is written as null, a column left out of the file
(`omit=`) is absent from its schema. Column types are chosen per file:

- `value`: "double" (default), "int64", "decimal" (decimal128(18, 6)) or "string";
- `timestamps`: "tz" (timestamp[us, tz=UTC], default), "naive" (timestamp[us]) or "string";
- `types={"column": pa_type}` overrides any single column's Arrow type;
- `extra={"column": [values]}` adds columns outside the contract.

Timestamps may be given as aware datetimes, naive datetimes (UTC) or ISO strings (`ts()`).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from rating.rate.engine import RateRequest, RateResult, rate
from rating.warehouse import WarehouseSettings

CATALOG = Path(__file__).resolve().parents[2] / "catalog"

USAGE_COLUMNS = ("counter_id", "service", "account_id", "metric", "period_start", "period_end",
                 "value", "unique_key", "dimensions", "pushed_at")
TIMESTAMP_COLUMNS = ("period_start", "period_end", "pushed_at")
VALUE_TYPES: dict[str, pa.DataType] = {
    "double": pa.float64(),
    "int64": pa.int64(),
    "decimal": pa.decimal128(18, 6),
    "string": pa.string(),
}
TIMESTAMP_TYPES: dict[str, pa.DataType] = {
    "tz": pa.timestamp("us", tz="UTC"),
    "naive": pa.timestamp("us"),
    "string": pa.string(),
}
ACCOUNT_HEADER = ("service", "account_id", "customer_key", "name", "email", "country", "province")
ADDRESS_HEADER = ("street", "city", "postal_code", "language")
SUBSCRIPTION_HEADER = ("subscription_id", "service", "account_id", "plan_code", "start", "end")

# One account per service; nexacloud and nexadesk belong to the same customer.
DEFAULT_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("nexacloud", "nc-1", "C1"),
    ("nexadesk", "nd-1", "C1"),
    ("nexamaps", "nm-1", "C2"),
    ("apps", "ap-1", "C3"),
    ("memberships", "mb-1", "C4"),
)
PLANS = {"nexacloud": "cloud-standard", "nexadesk": "desk-team", "nexamaps": "maps-payg",
         "apps": "apps-business", "memberships": "members-club"}
ACCOUNT_OF = {service: account for service, account, _ in DEFAULT_ACCOUNTS}
# A full-month, open-ended subscription for each default account.
DEFAULT_SUBSCRIPTIONS: tuple[tuple[str, str, str, str, str, str], ...] = tuple(
    (f"SUB-{account.upper()}", service, account, PLANS[service], "2025-01-01", "")
    for service, account, _ in DEFAULT_ACCOUNTS)

_counter = itertools.count(1)


def ts(text: str) -> dt.datetime:
    """An aware UTC datetime from ISO text; text without an offset is UTC ('2026-10-05T10:00')."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def utc(text: str) -> dt.datetime:
    """A naive UTC datetime, as DuckDB returns warehouse TIMESTAMP columns."""
    return ts(text).astimezone(dt.UTC).replace(tzinfo=None)


def usage_row(service: str = "nexacloud", metric: str = "vcpu_hours", value: Any = 1,
              start: str | dt.datetime = "2026-10-05T10:00Z", hours: float = 1, **fields: Any
              ) -> dict[str, Any]:
    """A valid counter row (account of the service's default account, one-hour window, pushed
    five minutes after its end); any column can be overridden through `fields`."""
    begin = ts(start) if isinstance(start, str) else start
    end = begin + dt.timedelta(hours=hours)
    row: dict[str, Any] = {
        "counter_id": f"ctr-{next(_counter)}",
        "service": service,
        "account_id": ACCOUNT_OF.get(service, "nc-1"),
        "metric": metric,
        "period_start": begin,
        "period_end": end,
        "value": value,
        "unique_key": None,
        "dimensions": None,
        "pushed_at": end + dt.timedelta(minutes=5),
    }
    row.update(fields)
    return row


def _timestamp(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "string":
        return value.isoformat() if isinstance(value, dt.datetime) else str(value)
    moment = ts(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None) if kind == "naive" else moment.replace(tzinfo=dt.UTC)


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "string":
        return str(value)
    if kind == "int64":
        return int(value)
    return float(value)


def usage_table(rows: Sequence[Mapping[str, Any]], *, value: str = "double",
                timestamps: str = "tz", omit: Iterable[str] = (),
                types: Mapping[str, pa.DataType] | None = None,
                extra: Mapping[str, Sequence[Any]] | None = None) -> pa.Table:
    """An Arrow table of usage counters with the chosen column types."""
    omitted = set(omit)
    overrides = dict(types or {})
    arrays: dict[str, pa.Array] = {}
    for name in USAGE_COLUMNS:
        if name in omitted:
            continue
        values = [row.get(name) for row in rows]
        if name in overrides:
            arrays[name] = pa.array(values, type=overrides[name])
        elif name in TIMESTAMP_COLUMNS:
            arrays[name] = pa.array([_timestamp(v, timestamps) for v in values],
                                    type=TIMESTAMP_TYPES[timestamps])
        elif name == "value":
            arrays[name] = pa.array([_value(v, value) for v in values], type=VALUE_TYPES[value])
        else:
            arrays[name] = pa.array(values, type=pa.string())
    for name, values in (extra or {}).items():
        arrays[name] = pa.array(list(values))
    return pa.table(arrays)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    """A CSV file with a header line, its folders created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


class Landing:
    """A landing folder under construction (usually `tmp_path / "landing"`)."""

    def __init__(self, root: Path, *, accounts: bool = True, subscriptions: bool = True) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        if accounts:
            self.accounts()
        if subscriptions:
            self.subscriptions()

    def accounts(self, rows: Iterable[Sequence[str]] = DEFAULT_ACCOUNTS,
                 name: str = "accounts.csv") -> Path:
        """Account links: (service, account_id, customer_key[, name, email, country, province
        [, street, city, postal_code[, language]]])."""
        filled = [[*row[:3], *(list(row[3:]) or [f"Customer {row[2]}",
                                                f"{row[2].lower()}@example.ca", "CA", "ON"])]
                  for row in rows]
        width = max((len(row) for row in filled), default=len(ACCOUNT_HEADER))
        header = (*ACCOUNT_HEADER, *ADDRESS_HEADER)[:max(width, len(ACCOUNT_HEADER))]
        return write_csv(self.root / "accounts" / name, header, filled)

    def subscriptions(self, rows: Iterable[Sequence[str]] = DEFAULT_SUBSCRIPTIONS,
                      name: str = "subscriptions.csv") -> Path:
        """Subscriptions: (subscription_id, service, account_id, plan_code, start, end)."""
        return write_csv(self.root / "subscriptions" / name, SUBSCRIPTION_HEADER, rows)

    def usage(self, relative: str, rows: Sequence[Mapping[str, Any]], **kwargs: Any) -> str:
        """Write `usage/<relative>` as Parquet (see `usage_table` for the keyword arguments);
        return its path relative to the landing root, as the warehouse reports it."""
        return self.write_table(relative, usage_table(rows, **kwargs))

    def write_table(self, relative: str, table: pa.Table) -> str:
        path = self.root / "usage" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        return f"usage/{relative}"

    def corrupt(self, relative: str = "corrupt/garbage.parquet",
                content: bytes = b"PAR1 this is not a parquet file\n" * 8) -> str:
        """A file under usage/ that cannot be read as Parquet."""
        path = self.root / "usage" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"usage/{relative}"

    def rate(self, warehouse: Path, period: str = "2026-10", **kwargs: Any) -> RateResult:
        return rate_landing(self.root, warehouse, period, **kwargs)


def rate_landing(landing: Path | str, warehouse: Path, period: str = "2026-10", *,
                 catalog: Path = CATALOG, time_zone: str = "America/Toronto",
                 threads: int | None = 2) -> RateResult:
    """Run `rating.rate.engine.rate` on a landing folder."""
    return rate(RateRequest(landing=str(landing), catalog=catalog, warehouse=warehouse,
                            period=period, time_zone=time_zone,
                            settings=WarehouseSettings(threads=threads)))


class Counts(NamedTuple):
    read: int
    accepted: int
    superseded: int
    quarantined: int


def counts(result: RateResult) -> Counts:
    """What one ingest-and-rate run of a fresh landing did to its rows, counted as a single
    pass over the files would: rows held when the period was rated (no account link, no
    subscription, filtered out) count as quarantined, not accepted."""
    ingested, rated = result.ingestion, result.period
    return Counts(ingested.rows_read, ingested.rows_accepted - rated.rows_held,
                  ingested.rows_superseded, ingested.rows_quarantined + rated.rows_held)


def rows(warehouse: Path, query: str, params: Mapping[str, Any] | None = None
         ) -> list[tuple[Any, ...]]:
    """Run a read-only query on the warehouse file."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query, dict(params or {})).fetchall()
    finally:
        con.close()


def table(warehouse: Path, name: str, columns: str = "*", where: str = "TRUE",
          params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """A warehouse table (or a projection of it) as tuples sorted on every column."""
    return rows(warehouse, f"SELECT {columns} FROM {name} WHERE {where} ORDER BY ALL", params)


def scalar(warehouse: Path, query: str, params: Mapping[str, Any] | None = None) -> Any:
    result = rows(warehouse, query, params)
    return result[0][0] if result else None


# Columns holding wall-clock times or run ids. Every other column of the warehouse is a pure
# function of the landed files, the catalog and the sequence of runs.
WALL_CLOCK = {"rating_runs": ("run_id", "started_at", "finished_at"),
              "ingestions": ("started_at",), "landed_files": ("ingested_at",),
              "reference_files": ("loaded_at", "modified_at"), "ledger_sync": ("generation",),
              "rerated_lines": ("run_id",), "pending_adjustments": ("run_id",),
              "adjustment_runs": ("run_id", "started_at", "finished_at"),
              "period_adjustments": ("run_id", "issued_at", "issue_date"),
              # The payload holds its `timestamp`, the wall clock when written.
              "webhook_events": ("created_at", "payload")}


def snapshot(warehouse: Path, tables: Iterable[str] | None = None
             ) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the warehouse (or those named), rows in a total order, without the
    wall-clock columns (WALL_CLOCK)."""
    names = list(tables) if tables is not None else [n for (n,) in rows(
        warehouse, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
                   " ORDER BY 1")]
    found: dict[str, list[tuple[Any, ...]]] = {}
    for name in names:
        excluded = WALL_CLOCK.get(name)
        columns = f"* EXCLUDE ({', '.join(excluded)})" if excluded else "*"
        found[name] = table(warehouse, f'"{name}"', columns)
    return found


RATED_TABLES = ("usage_rollups", "rated_charges", "invoice_lines", "period_summaries",
                "late_usage")


def quarantine(warehouse: Path) -> list[tuple[Any, ...]]:
    """(reason, file_path, file_row_number, counter_id) of every usage_quarantine row."""
    return table(warehouse, "usage_quarantine",
                 "reason, file_path, file_row_number, counter_id")
