"""What is new in the landing zone: usage files the ledger's manifest does not hold yet, and the
billing periods their windows start in (for the Dagster sensor)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from rating import warehouse
from rating.ingest import landing
from rating.periods import DEFAULT_TIME_ZONE, periods_between
from rating.reports import queries as reports


@dataclass(frozen=True)
class LandingChanges:
    new_files: tuple[str, ...]  # usage files not ingested yet (relative paths, sorted)
    periods: tuple[str, ...]    # billing periods the new files' windows start in
    versions: tuple[str, ...] = ()  # each new file's path, size and modification time


class WarehouseBusy(RuntimeError):
    """The warehouse is being written (DuckDB lets no other process open it meanwhile)."""


def known_files(database: Path | str) -> set[str]:
    """The paths the ledger has ingested, as mirrored in the warehouse (empty before any
    ingestion); an unreadable file is not among them: it is tried again."""
    if not Path(database).exists():
        return set()
    try:
        return {row["file_path"]
                for row in reports.records(database, "ingest/known_usage_files")}
    except duckdb.Error as exc:
        raise WarehouseBusy(str(exc)) from None


def changes(root: str, known: set[str], time_zone: str = DEFAULT_TIME_ZONE) -> LandingChanges:
    """New usage files (not in `known`) and the periods they touch (unreadable files touch
    none: the ingestion records them by name)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        landing.open_root(con, root)
        new = [f for f in landing.discover(con, root) if f.relative_path not in known]
        observed = landing.observe(con, root, new)
        landing.inspect(con, new)
        periods: list[str] = []
        readable = [f for f in new if f.error is None and "period_start" in f.types]
        if readable:
            source = landing.source(readable, ("period_start",))
            text = source.into(warehouse.sql("ingest/period_start_range"))
            span = warehouse.named_rows(warehouse.run_text(con, text, source.params))[0]
            if span["first_start"] is not None and span["last_start"] is not None:
                periods = [p.code for p in periods_between(
                    span["first_start"], span["last_start"], time_zone)]
    finally:
        con.close()
    return LandingChanges(
        new_files=tuple(f.relative_path for f in new), periods=tuple(periods),
        versions=tuple(f"{f.relative_path}|{observed[f.path].size_bytes}|"
                       f"{observed[f.path].modified_at}" for f in new))
