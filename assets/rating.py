"""The rating assets: thin wrappers over `rating.engine` (no pricing logic here).

landed_usage -> usage_rollups, rated_charges, invoice_lines -> period_summary

`landed_usage` validates the whole landing zone (one transaction); the three rating assets are
written together by one op in one transaction, so a period is never half rated; blocking checks
on rated_charges and invoice_lines stop `period_summary` (and, later, the Odoo posting).

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from pathlib import Path

import dagster as dg

from pipelines.partitions import billing_periods
from pipelines.resources import RatingResource
from rating import reports
from rating.engine import rate_period, summarise_period, validate

GROUP = "rating"
POOL = "duckdb_warehouse"


@dg.asset(
    partitions_def=billing_periods,
    group_name=GROUP,
    pool=POOL,
    kinds={"duckdb", "parquet"},
    description=(
        "Every usage counter in the landing zone read and classified: accepted, superseded by a "
        "later push of the same counter_id, or quarantined with a reason (table "
        "usage_quarantine; unreadable files by name). Rewrites landed_files, usage_quarantine, "
        "reference_quarantine, catalog_* and validated_* for the whole landing zone."
    ),
)
def landed_usage(context: dg.AssetExecutionContext,
                 rating: RatingResource) -> dg.MaterializeResult:
    result = validate(rating.request(context.partition_key))
    return dg.MaterializeResult(metadata={
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_superseded": result.rows_superseded,
        "rows_quarantined": result.rows_quarantined,
        "files_found": result.files_found,
        "files_unreadable": result.files_unreadable,
        "quarantine_by_reason": dg.MetadataValue.md(
            reports.markdown_table(("reason", "rows"), result.quarantine_by_reason)),
        "table": "usage_quarantine",
        "warehouse": dg.MetadataValue.path(rating.warehouse),
    })


@dg.multi_asset(
    specs=[
        dg.AssetSpec("usage_rollups", deps=["landed_usage"], group_name=GROUP,
                     kinds={"duckdb"},
                     description="Accepted usage per period, subscription, metric and group, "
                                 "by the metric's aggregation (table usage_rollups)."),
        dg.AssetSpec("rated_charges", deps=["usage_rollups"], group_name=GROUP,
                     kinds={"duckdb"},
                     description="Every charge of every active subscription priced: included "
                                 "units, tiers, minimum true-ups, exact and rounded amounts "
                                 "(table rated_charges)."),
        dg.AssetSpec("invoice_lines", deps=["rated_charges"], group_name=GROUP,
                     kinds={"duckdb"},
                     description="The lines of one invoice per customer, service and period "
                                 "(table invoice_lines)."),
    ],
    partitions_def=billing_periods,
    pool=POOL,
    can_subset=False,
)
def rated_period(context: dg.AssetExecutionContext, rating: RatingResource):  # type: ignore[no-untyped-def]
    period = context.partition_key
    totals = rate_period(Path(rating.warehouse), period, rating.time_zone, rating.settings())
    services = reports.query(rating.warehouse, "service_totals", {"billing_period": period})
    by_service = dg.MetadataValue.md(reports.markdown_table(
        ("service", "invoices", "lines", "amount", "currency"), services))
    yield dg.MaterializeResult(asset_key="usage_rollups", metadata={
        "table": "usage_rollups", "period": period})
    yield dg.MaterializeResult(asset_key="rated_charges", metadata={
        "table": "rated_charges", "rated_lines": totals.rated_lines,
        "unpriced_lines": totals.unpriced_lines, "amount_by_service": by_service})
    yield dg.MaterializeResult(asset_key="invoice_lines", metadata={
        "table": "invoice_lines", "invoice_lines": totals.invoice_lines,
        "amount_cad": dg.MetadataValue.text(f"{totals.amount_total:,}"),
        "amount_by_service": by_service})


@dg.asset(
    deps=["invoice_lines", "rated_charges"],
    partitions_def=billing_periods,
    group_name=GROUP,
    pool=POOL,
    kinds={"duckdb"},
    description="The period's figures per service (table period_summaries), written only once "
                "the blocking checks on rated charges and invoice lines have passed.",
)
def period_summary(context: dg.AssetExecutionContext,
                   rating: RatingResource) -> dg.MaterializeResult:
    count = summarise_period(Path(rating.warehouse), context.partition_key, rating.time_zone,
                             rating.settings())
    return dg.MaterializeResult(metadata={"services": count, "table": "period_summaries"})
