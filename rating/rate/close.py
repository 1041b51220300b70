"""The month close: what a person decides once a period is rated, and what a close keeps.

A held input holds the close (docs/ledger.md, Held files) until it is fixed or released; the
period is then summarised and closed. A closed period keeps its rows (usage_rollups,
rated_charges, invoice_lines, period_summaries) as they were at its close: a later rating
(rating.rate.engine) leaves them as they are and records the period's late usage instead, the
rows accepted since from files the close did not include, or by a decision taken after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rating import warehouse
from rating.periods import DEFAULT_TIME_ZONE, billing_period
from rating.rate.params import period_params
from rating.warehouse import WarehouseSettings
from rating.webhooks.events import write_events


def release_input(database: Path, kind: str, file_path: str, reason: str,
                  settings: WarehouseSettings | None = None) -> bool:
    """Let a held input file go (its current content only), for the reason a person gives:
    it is no longer held, its content is still not used. False when it is not held now."""
    if not reason.strip():
        raise ValueError("say why the file is released (--reason): it is kept with the release")
    params = {"kind": kind, "file_path": file_path, "reason": reason.strip(),
              "released_at": warehouse.utc_now()}
    with warehouse.writer(database, settings) as con:
        warehouse.create_schema(con)
        with warehouse.transaction(con):
            if warehouse.first_row(con, "rate/held_input", params) is None:
                return False
            warehouse.run(con, "rate/insert_release", params)
            warehouse.run(con, "rate/delete_held_input", params)
    return True


class CloseRefused(ValueError):
    """The period cannot be closed: no warehouse there, or the period was never rated in it."""


def close_period(database: Path, period_code: str, time_zone: str = DEFAULT_TIME_ZONE,
                 settings: WarehouseSettings | None = None) -> bool:
    """Mark a rated period closed (once): later runs leave its rows as they are and put its
    late usage in late_usage. True when this call closed it."""
    params = period_params(billing_period(period_code, time_zone))
    rate_first = (f"rate it first (fusion-rating rate --landing DIR --catalog DIR --warehouse "
                  f"{database} --period {period_code})")
    # Checked before the writer opens it: opening would create an empty warehouse (and its
    # lock file) at a mistyped path.
    if not Path(database).is_file():
        raise CloseRefused(f"period {period_code} not closed: there is no warehouse at "
                           f"{database}: check the --warehouse path, or {rate_first}")
    with warehouse.writer(database, settings) as con:
        if not warehouse.rows(con, "warehouse/existing_tables"):
            raise CloseRefused(f"period {period_code} not closed: {database} holds no "
                               f"fusion-rating tables: check the --warehouse path, or "
                               f"{rate_first}")
        warehouse.create_schema(con)
        if warehouse.first_row(con, "rate/guard/last_rating", params) is None:
            raise CloseRefused(f"period {period_code} not closed: it was never rated in "
                               f"{database} (no rating in rating_runs): {rate_first}, then "
                               "close it")
        with warehouse.transaction(con):
            already = is_closed(con, params)
            closed_at = warehouse.utc_now()
            warehouse.run(con, "rate/insert_closed_period_files", params)
            if not already:  # told once, by the close that closed it
                write_events(con, "webhooks/stage_period_closed_events", {
                    "billing_period": params["billing_period"], "closed_at": closed_at})
            warehouse.run(con, "rate/insert_closed_period", {**params, "closed_at": closed_at})
    return not already


def summarise_period(database: Path, period_code: str, time_zone: str = DEFAULT_TIME_ZONE,
                     settings: WarehouseSettings | None = None) -> int:
    """Replace the period's rows of period_summaries; the number of services summarised."""
    params = period_params(billing_period(period_code, time_zone))
    with warehouse.writer(database, settings) as con, warehouse.transaction(con):
        if not is_closed(con, params):
            warehouse.run(con, "rate/delete_period_period_summaries", params)
            warehouse.run(con, "rate/insert_period_summaries", params)
        count = warehouse.value(con, "rate/count_period_summaries", params)
    return int(count)


def is_closed(con: Any, params: dict[str, Any]) -> bool:
    return bool(warehouse.value(con, "rate/period_closed", params))


def closed_through(con: Any, params: dict[str, Any]) -> int | None:
    """The last ingestion the period's close saw (None: the period is open); a row accepted
    by a later decision (a catalog change) is late usage."""
    found = warehouse.first_row(con, "rate/closed_through", params)
    return None if found is None else int(found["through_ingestion_id"])


def record_late_usage(con: Any, params: dict[str, Any]) -> None:
    """Replace a closed period's late usage (the caller's transaction), touching none of its
    rated rows."""
    warehouse.run(con, "rate/delete_period_late_usage", params)
    warehouse.run(con, "rate/insert_late_usage", params)
