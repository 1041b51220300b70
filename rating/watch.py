"""What changed in the landing zone since a previous look: for the Dagster sensor."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from rating import landing, warehouse
from rating.periods import DEFAULT_TIME_ZONE, periods_between


@dataclass(frozen=True)
class LandingChanges:
    files: tuple[str, ...]      # every usage file now present (relative paths, sorted)
    new_files: tuple[str, ...]  # those not seen before
    periods: tuple[str, ...]    # billing periods the new files' windows start in


def changes(root: str, seen: set[str], time_zone: str = DEFAULT_TIME_ZONE) -> LandingChanges:
    """New usage files since `seen` and the periods they touch (unreadable files touch none:
    the next rating run quarantines them by name)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        landing.open_root(con, root)
        files = landing.discover(con, root)
        new = [f for f in files if f.relative_path not in seen]
        landing.inspect(con, new)
        periods: list[str] = []
        readable = [f for f in new if f.error is None and "period_start" in f.types]
        if readable:
            source = landing.source(readable, ("period_start",))
            text = source.into(warehouse.sql("ingest/period_start_range"))
            first, last = warehouse.run_text(con, text, source.params).fetchone()
            if first is not None and last is not None:
                periods = [p.code for p in periods_between(first, last, time_zone)]
    finally:
        con.close()
    return LandingChanges(tuple(f.relative_path for f in files),
                          tuple(f.relative_path for f in new), tuple(periods))
