"""Ingestion: each new usage file of the landing zone into the ledger, once.

landed_usage (not partitioned: it ingests whatever is new, whichever periods it touches;
blocking check: conservation) -> the rating assets (assets/rating.py)

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import dagster as dg

from pipelines.metadata import TABLE_NAME, table
from pipelines.pools import WAREHOUSE_POOL
from pipelines.resources import RatingResource, landing_reachable
from rating.ingest.usage import HeldFile
from rating.progress import LoggedSteps
from rating.reports import queries as reports


class IngestConfig(dg.Config):
    rebuild: bool = False
    """Empty the ledger and ingest every landed usage file again (rated tables of closed
    periods are kept; open periods are rated from the rebuilt ledger by the rating assets)."""


def held_table(held: "tuple[HeldFile, ...]") -> dg.MetadataValue:
    return dg.MetadataValue.md(reports.markdown_table(
        ("kind", "file", "reason", "detail", "in force"),
        [(h.kind, h.file_path, h.reason, h.detail, h.in_force) for h in held]))


@dg.asset(
    group_name="ingestion",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "parquet"},
    description=(
        "Each new usage file of the landing zone ingested into the ledger once: its rows "
        "accepted, superseded by a later push of the same counter_id, or quarantined with a "
        "reason (ledger <warehouse>.ledger; mirrored into landed_files, ingestions and "
        "usage_quarantine). A file already ingested is never read again; unreadable files and "
        "files changed after ingestion are held by name (held_inputs)."
    ),
)
def landed_usage(context: dg.AssetExecutionContext, rating: RatingResource,
                 config: IngestConfig) -> dg.MaterializeResult:
    from rating.rate.engine import ingest_landing

    with landing_reachable():
        result = ingest_landing(rating.request("2000-01", rebuild=config.rebuild),
                                LoggedSteps(context.log.info))
    for held in result.held:
        context.log.warning(f"held {held.kind} file {held.file_path}: {held.reason}: "
                            f"{held.detail}")
    for line in result.flagged.lines():
        context.log.warning(line)
    rows_by_reason = [(r, n) for r, n in result.quarantine_by_reason if r != "unreadable_file"]
    return dg.MaterializeResult(metadata={
        "ingestion_id": result.ingestion_id if result.ingestion_id is not None else 0,
        "files_found": result.files_found,
        "files_new": result.files_new,
        "files_unreadable": result.files_unreadable,
        "files_held": len(result.held),
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_superseded": result.rows_superseded,
        "rows_quarantined": result.rows_quarantined,
        "earlier_rows_superseded": result.earlier_rows_superseded,
        "periods_changed": ", ".join(result.periods) or "none",
        # Rows by reason add up to rows_quarantined; unreadable files are counted apart (one
        # usage_quarantine row each, without a row number), as files_unreadable.
        "quarantine_by_reason": dg.MetadataValue.md(
            reports.markdown_table(("reason", "rows"), rows_by_reason)),
        "files_flagged": result.flagged.total,
        "flagged_files": dg.MetadataValue.md(reports.markdown_table(
            ("file", "rows", "quarantined", "reasons", "example"),
            [(f.file_path, f.rows_in_file, f.rows_quarantined,
              ", ".join(f"{r} {n}" for r, n in f.reasons), f.example.replace("|", "\\|"))
             for f in result.flagged.shown])),
        "held_files": held_table(result.held),
        TABLE_NAME: "usage_quarantine",
        "warehouse": dg.MetadataValue.path(rating.warehouse),
    })


@dg.asset_check(asset="landed_usage", blocking=True,
                description="For every ingestion: the rows of its files = accepted + superseded "
                            "+ quarantined, and every one of them is in the ledger (recomputed "
                            "from landed_files, ingestions and the ledger).")
def conservation(rating: RatingResource) -> dg.AssetCheckResult:
    broken = reports.records(rating.warehouse, "reports/conservation")
    missing = reports.records(rating.warehouse, "ingest/ledger/conservation",
                              ledger=rating.request("2000-01").ledger_folder)
    totals = reports.records(rating.warehouse, "ingest/ingestion_totals")[0]
    return dg.AssetCheckResult(
        passed=not broken and not missing,
        metadata={"ingestions": totals["ingestions"], "files": totals["files"],
                  "rows_read": totals["rows_read"], "accepted": totals["rows_accepted"],
                  "superseded": totals["rows_superseded"],
                  "quarantined": totals["rows_quarantined"],
                  "ingestions_not_conserved": table(broken, {
                      "ingestion_id": "ingestion", "rows_read": "rows read",
                      "classified": "classified", "rows_in_files": "rows in files"}),
                  "ingestions_not_in_ledger": table(missing, {
                      "ingestion_id": "ingestion", "rows_read": "rows read",
                      "rows_in_ledger": "rows in ledger"})})
