"""Read-only figures and checks over the warehouse, for the Dagster metadata and asset checks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse


def open_read_only(database: Path | str) -> Any:
    con = duckdb.connect(str(database), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    return con


def open_when_free(database: Path | str) -> Any:
    """A read-only connection, waiting like a writer does while another process writes the
    file (up to warehouse.READER_WAIT_SECONDS; then `WarehouseInUse` names that process)."""
    return warehouse.when_free(lambda: open_read_only(database), warehouse.written_message)


def query(database: Path | str, name: str, params: dict[str, Any] | None = None, *,
          ledger: Path | None = None) -> list[tuple[Any, ...]]:
    """The rows of `sql/<name>.sql` (a report, e.g. "reports/held_inputs") on a read-only
    connection (with the ledger in `ledger` attached read-only, for the statements that read
    it)."""
    with _reading(database, ledger) as con:
        found: list[tuple[Any, ...]] = warehouse.run(con, name, params).fetchall()
        return found


def records(database: Path | str, name: str, params: dict[str, Any] | None = None, *,
            ledger: Path | None = None) -> list[warehouse.Row]:
    """As `query`, each row by column name."""
    with _reading(database, ledger) as con:
        return warehouse.rows(con, name, params)


@contextmanager
def _reading(database: Path | str, ledger: Path | None) -> Iterator[Any]:
    con = open_read_only(database)
    try:
        if ledger is not None:
            from rating.ingest import ledger as usage_ledger

            usage_ledger.attach(con, ledger, read_only=True)
        yield con
    finally:
        con.close()


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (the Dagster UI renders it); decimals as written, never as floats."""
    def cell(value: Any) -> str:
        if isinstance(value, Decimal):
            return f"{value:,}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def is_closed(database: Path | str, period: str) -> bool | None:
    """Whether the period is closed; None when the warehouse cannot be read now (missing, or
    locked by a running writer: DuckDB lets no other process open it meanwhile)."""
    if not Path(database).exists():
        return False
    try:
        with _reading(database, None) as con:
            closed = warehouse.value(con, "rate/period_closed", {"billing_period": period})
    except duckdb.Error:
        return None
    return bool(closed)
