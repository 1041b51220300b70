"""The statements every rating of a period runs, shared by the rating (rating.rate.engine) and
the re-rate of a closed period (rating.adjust.rerate), so that both give the same lines for the
same inputs: classify the period's accepted ledger rows (rated or held), then roll up, price
and write invoice lines.

The references (TEMP ref_subscriptions, ref_accounts, account_links) and the catalog (cat_*)
are the caller's: the rating builds them from the files in force, the re-rate from the period's
snapshots. Where the rows go is the caller's too: main's tables for a rating, the schema rerate
inside `rating.adjust.shadow` for a re-rate (the statements name their tables unqualified).
"""

from __future__ import annotations

from typing import Any

from rating import warehouse
from rating.ingest.usage import ConservationError
from rating.progress import SILENT, Progress, count


def classify_usage(con: Any, params: dict[str, Any], closed_through: int | None
                   ) -> dict[str, int]:
    """TEMP usage_outcomes: the period's accepted ledger rows, each rated or held; the rows by
    status, checked to add up (`closed_through`: the close's last ingestion, None when open)."""
    warehouse.run(con, "rate/create_usage_outcomes", {**params, "closed_through": closed_through})
    return check_conservation(con, params)


def check_conservation(con: Any, params: dict[str, Any]) -> dict[str, int]:
    """The period's ledger rows by status; accepted = rated + held, or nothing is written."""
    counts = {str(row["status"]): int(row["row_count"])
              for row in warehouse.rows(con, "rate/ledger_period_counts", params)}
    outcomes = {str(row["status"]): int(row["row_count"])
                for row in warehouse.rows(con, "rate/outcome_counts")}
    counts["rated"] = outcomes.get("accepted", 0)
    counts["held"] = outcomes.get("quarantined", 0)
    if counts.get("accepted", 0) != counts["rated"] + counts["held"]:
        raise ConservationError(
            f"period {params['billing_period']}: accepted ledger rows "
            f"({counts.get('accepted', 0)}) != rated ({counts['rated']}) + held "
            f"({counts['held']}); nothing was written")
    return counts


def price_period(con: Any, params: dict[str, Any], progress: Progress = SILENT) -> None:
    """Insert the period's usage_rollups, rated_charges and invoice_lines (into tables that hold
    none of the period's rows) from usage_outcomes and the references."""
    warehouse.run(con, "rate/create_period_subscriptions", params)
    for name, statement, unit in (("rolling up usage", "rate/insert_usage_rollups", "rollups"),
                                  ("pricing", "rate/insert_rated_charges", "rated lines"),
                                  ("invoice lines", "rate/insert_invoice_lines", "lines")):
        with progress.step(name) as step:
            step.report(count(_inserted(warehouse.run(con, statement, params)), unit))


def _inserted(cursor: Any) -> int:
    """The rows an INSERT wrote, as DuckDB answers it (counted there, not in Python)."""
    return int(cursor.fetchone()[0])
