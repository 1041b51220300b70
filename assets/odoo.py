"""Posting to Odoo: the closed period's invoices, once, then read back (rating.odoo.posting).

closed_period -> period_adjustments -> odoo_invoices -> reconciliation_odoo (blocking check:
odoo_amounts_match)

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import dataclasses
from pathlib import Path

import dagster as dg

from pipelines.metadata import ROW_COUNT, TABLE_NAME, amount, mismatches_found, table
from pipelines.partitions import billing_periods
from pipelines.pools import WAREHOUSE_POOL
from pipelines.resources import OdooResource, RatingResource
from rating.catalog import load_catalog
from rating.odoo.posting import PeriodOpen, PostingFailed, post_period
from rating.progress import LoggedSteps
from rating.reports import queries as reports

GROUP = "month_close"


class PostingConfig(dg.Config):
    drafts_only: bool = False
    """Create or update draft invoices and post none (allowed while the period is open)."""
    adjustments_only: bool = False
    """Post only the adjustments issued for the period, not its invoices (post
    --adjustments-only; the nightly adjustments' runs)."""


@dg.multi_asset(
    specs=[
        dg.AssetSpec("odoo_invoices", deps=["closed_period", "period_adjustments"],
                     group_name=GROUP, kinds={"odoo", "duckdb"},
                     description="One customer invoice per customer, service and period in "
                                 "Odoo, posted once the period is closed, then the period's "
                                 "adjustments (supplementary invoices, credit notes) as they "
                                 "are issued (ledger table odoo_postings). Without ODOO_URL, a "
                                 "dry run: the exact payloads in odoo_outbox."),
        dg.AssetSpec("reconciliation_odoo", deps=["odoo_invoices"], group_name=GROUP,
                     kinds={"duckdb"},
                     description="Rated vs Odoo per invoice, read back after posting: number, "
                                 "state, untaxed, tax and total (table reconciliation_odoo)."),
    ],
    partitions_def=billing_periods,
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def odoo_posting(context: dg.AssetExecutionContext, rating: RatingResource, odoo: OdooResource,
                 config: PostingConfig):  # type: ignore[no-untyped-def]
    period = context.partition_key
    options = dataclasses.replace(
        odoo.options(not config.drafts_only, load_catalog(rating.catalog)),
        adjustments_only=config.adjustments_only)
    try:
        report = post_period(Path(rating.warehouse), period, odoo.gateway(), options,
                             rating.settings(), LoggedSteps(context.log.info))
    except PeriodOpen as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    except PostingFailed as exc:
        raise dg.Failure(description=str(exc), metadata=_metadata(exc.report)) from None
    yield dg.MaterializeResult(asset_key="odoo_invoices", metadata=_metadata(report))
    statuses = reports.records(rating.warehouse, "odoo/reconciliation_statuses",
                               {"billing_period": period})
    yield dg.MaterializeResult(asset_key="reconciliation_odoo", metadata={
        TABLE_NAME: "reconciliation_odoo", ROW_COUNT: sum(row["invoices"] for row in statuses),
        "by_status": table(statuses, {"status": "status", "invoices": "invoices",
                                      "rated": "rated", "difference": "difference"})})


def _metadata(report) -> dict:  # type: ignore[no-untyped-def]
    held = [(key, state, reason[:120]) for key, state, reason in report.held[:20]]
    return {
        "mode": "dry run (odoo_outbox)" if report.dry_run else "posted to Odoo",
        "invoices": report.invoices,
        "posted": report.posted,
        "already_posted": report.already_posted,
        "created": report.created,
        "updated": report.updated,
        "held": len(report.held),
        **amount("amount_posted_cad", report.amount_posted),
        "odoo_calls": report.odoo_calls,
        "webhook_events": report.webhook_events,
        "by_state": dg.MetadataValue.md(reports.markdown_table(
            ("state", "invoices"), sorted(report.states.items()))),
        "held_first_20": dg.MetadataValue.md(reports.markdown_table(
            ("invoice", "state", "reason"), held)),
        TABLE_NAME: "odoo_postings",
    }


@dg.asset_check(asset="reconciliation_odoo", blocking=True, partitions_def=billing_periods,
                description="Every rated invoice is in Odoo (or in the dry run's outbox) with "
                            "exactly our untaxed amount, and Odoo holds nothing under our keys "
                            "that is no longer rated.")
def odoo_amounts_match(context: dg.AssetCheckExecutionContext,
                       rating: RatingResource) -> dg.AssetCheckResult:
    return mismatches_found(
        reports.records(rating.warehouse, "odoo/mismatches",
                        {"billing_period": context.partition_key}),
        {"invoice_key": "invoice", "status": "status", "rated_untaxed": "rated",
         "odoo_untaxed": "odoo", "difference": "difference", "posting_state": "posting state"})
