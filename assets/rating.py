"""The rating assets and their checks: thin wrappers over `rating.rate.engine` (no pricing logic
here).

landed_usage (assets/ingest.py) -> usage_rollups, rated_charges, invoice_lines (one period
rated from the ledger) -> period_summary

The three rating assets are written together by one op in one transaction, so a period is never
half rated, and the guard keeps a rated month from changing for no visible reason (config
`accept_changes`); blocking checks on rated_charges and invoice_lines stop `period_summary`
(and so the month close and the Odoo posting).

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from decimal import Decimal
from pathlib import Path

import dagster as dg

from assets.ingest import held_table
from pipelines.metadata import ROW_COUNT, TABLE_NAME, amount, mismatches_found, table
from pipelines.partitions import billing_periods
from pipelines.pools import WAREHOUSE_POOL
from pipelines.resources import RatingResource, landing_reachable
from rating.progress import LoggedSteps
from rating.rate.engine import rate_period, summarise_period
from rating.reports import queries as reports

GROUP = "rating"


class RatingConfig(dg.Config):
    accept_changes: bool = False
    """Write the new rating even if the guard objects (the period's total falls by more than
    max_drop_percent, or one of its invoices vanishes); also retires reference files that are
    gone from the landing zone. What the guard found is recorded in rating_runs either way."""
    max_drop_percent: float = 5.0
    """The largest fall of the period's total (percent) that needs no person."""


@dg.multi_asset(
    specs=[
        dg.AssetSpec("usage_rollups", deps=["landed_usage"], group_name=GROUP,
                     kinds={"duckdb"},
                     description="The period's accepted ledger rows per subscription, metric "
                                 "and group, by the metric's aggregation (table "
                                 "usage_rollups); rows held for want of an account link or "
                                 "subscription are in usage_quarantine (stage 'rating')."),
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
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def rated_period(context: dg.AssetExecutionContext, rating: RatingResource,  # type: ignore[no-untyped-def]
                 config: RatingConfig):
    period = context.partition_key
    with landing_reachable():
        totals = rate_period(rating.request(
            period, accept_changes=config.accept_changes,
            max_drop_percent=Decimal(str(config.max_drop_percent))),
            LoggedSteps(context.log.info))
    for held in totals.held_files:
        context.log.warning(f"held {held.kind} file {held.file_path}: {held.reason}: "
                            f"{held.detail}; in force: {held.in_force}")
    if totals.guard_findings:
        context.log.warning(f"changes accepted although the guard objected:\n"
                            f"{totals.guard_findings}")
    services = reports.records(rating.warehouse, "reports/service_totals",
                               {"billing_period": period})
    by_service = table(services, {"service": "service", "invoices": "invoices",
                                  "lines": "lines", "amount": "amount", "currency": "currency"})
    yield dg.MaterializeResult(asset_key="usage_rollups", metadata={
        TABLE_NAME: "usage_rollups", "period": period, "ledger_rows": totals.rows_landed,
        "rows_accepted": totals.rows_accepted, "rows_rated": totals.rows_rated,
        "rows_held": totals.rows_held, "rows_superseded": totals.rows_superseded,
        "rows_quarantined": totals.rows_quarantined,
        "held_by_reason": dg.MetadataValue.md(reports.markdown_table(
            ("reason", "rows"), totals.held_by_reason)),
        "held_files": held_table(totals.held_files), "closed": totals.closed,
        "late_rows": totals.late_rows})
    yield dg.MaterializeResult(asset_key="rated_charges", metadata={
        TABLE_NAME: "rated_charges", ROW_COUNT: totals.rated_lines,
        "rated_lines": totals.rated_lines, "unpriced_lines": totals.unpriced_lines,
        "amount_by_service": by_service})
    previous = ({"previous_amount_cad": dg.MetadataValue.text("never rated")}
                if totals.previous_total is None
                else amount("previous_amount_cad", totals.previous_total))
    yield dg.MaterializeResult(asset_key="invoice_lines", metadata={
        TABLE_NAME: "invoice_lines", ROW_COUNT: totals.invoice_lines,
        "invoice_lines": totals.invoice_lines, **amount("amount_cad", totals.amount_total),
        **previous, "guard_findings": dg.MetadataValue.text(totals.guard_findings or "none"),
        "amount_by_service": by_service})


@dg.asset(
    deps=["invoice_lines", "rated_charges"],
    partitions_def=billing_periods,
    group_name=GROUP,
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description="The period's figures per service (table period_summaries), written only once "
                "the blocking checks on rated charges and invoice lines have passed.",
)
def period_summary(context: dg.AssetExecutionContext,
                   rating: RatingResource) -> dg.MaterializeResult:
    count = summarise_period(Path(rating.warehouse),
                             context.partition_key, rating.time_zone, rating.settings())
    return dg.MaterializeResult(metadata={"services": count, ROW_COUNT: count,
                                          TABLE_NAME: "period_summaries"})


class QuarantineShareConfig(dg.Config):
    threshold_percent: float = 5.0
    """Warn when a service's quarantined share of the period's rows is above this."""


@dg.asset_check(asset="rated_charges", blocking=True, partitions_def=billing_periods,
                description="The period's ledger rows = accepted + superseded + quarantined, and "
                            "accepted = rated (usage_rollups) + held at rating "
                            "(usage_quarantine), as of its latest rating.")
def period_conservation(context: dg.AssetCheckExecutionContext,
                        rating: RatingResource) -> dg.AssetCheckResult:
    found = reports.records(rating.warehouse, "reports/period_conservation",
                            {"billing_period": context.partition_key})
    if not found:
        return dg.AssetCheckResult(passed=False, metadata={"problem": "never rated"})
    counts = found[0]
    classified = counts["rows_accepted"] + counts["rows_superseded"] + counts["rows_quarantined"]
    return dg.AssetCheckResult(
        passed=bool(counts["rows_landed"] == classified
                    and counts["rows_accepted"] == counts["rows_rated"] + counts["rows_held"]
                    and counts["rows_rated"] == counts["rows_in_rollups"]
                    and counts["rows_held"] == counts["rows_held_recorded"]),
        metadata={"ledger_rows": counts["rows_landed"], "accepted": counts["rows_accepted"],
                  "superseded": counts["rows_superseded"],
                  "quarantined": counts["rows_quarantined"], "rated": counts["rows_rated"],
                  "held": counts["rows_held"], "rows_in_rollups": counts["rows_in_rollups"],
                  "held_rows_recorded": counts["rows_held_recorded"]})


@dg.asset_check(asset="invoice_lines", blocking=True,
                description="No input file is held (unreadable, changed after ingestion, empty, "
                            "missing a column, gone): its new content is not billed, so the "
                            "month close and the posting wait for a person.")
def inputs_complete(rating: RatingResource) -> dg.AssetCheckResult:
    held = reports.records(rating.warehouse, "reports/held_inputs")
    return dg.AssetCheckResult(
        passed=not held,
        metadata={"files_held": len(held),
                  "held": table(held, {"kind": "kind", "file_path": "file", "reason": "reason",
                                       "detail": "detail", "in_force": "in force"})})


@dg.asset_check(asset="usage_rollups", blocking=False, partitions_def=billing_periods,
                description="Warns when a service's quarantined or held share of the period's "
                            "rows is above the threshold.")
def quarantine_share(context: dg.AssetCheckExecutionContext, rating: RatingResource,
                     config: QuarantineShareConfig) -> dg.AssetCheckResult:
    shares = reports.records(rating.warehouse, "ingest/quarantine_share",
                             {"billing_period": context.partition_key})
    above = [row for row in shares if float(row["percent"]) > config.threshold_percent]
    return dg.AssetCheckResult(
        passed=not above, severity=dg.AssetCheckSeverity.WARN,
        metadata={"threshold_percent": config.threshold_percent,
                  "by_service": table(shares, {"service": "service",
                                               "rows_held": "quarantined or held",
                                               "counted": "rows", "percent": "percent"})})


@dg.asset_check(asset="rated_charges", blocking=True, partitions_def=billing_periods,
                description="Every rated line has a price in force.")
def every_line_priced(context: dg.AssetCheckExecutionContext,
                      rating: RatingResource) -> dg.AssetCheckResult:
    unpriced = reports.records(rating.warehouse, "reports/unpriced_lines",
                               {"billing_period": context.partition_key})
    return dg.AssetCheckResult(
        passed=not unpriced,
        metadata={"unpriced_lines": sum(row["lines"] for row in unpriced),
                  "charges": table(unpriced, {"charge_id": "charge", "lines": "lines"})})


@dg.asset_check(asset="invoice_lines", blocking=True, partitions_def=billing_periods,
                description="Invoice lines total = rated charges total per customer, service "
                            "and period.")
def invoices_match_rated(context: dg.AssetCheckExecutionContext,
                         rating: RatingResource) -> dg.AssetCheckResult:
    return mismatches_found(
        reports.records(rating.warehouse, "reports/invoice_mismatches",
                        {"billing_period": context.partition_key}),
        {"customer_key": "customer", "service": "service", "rated": "rated",
         "invoiced": "invoiced"})


@dg.asset_check(asset="usage_rollups", blocking=False, partitions_def=billing_periods,
                description="Warns about a service with no usage at all in the period (an app "
                            "that stopped pushing).")
def every_service_has_usage(context: dg.AssetCheckExecutionContext,
                            rating: RatingResource) -> dg.AssetCheckResult:
    silent = reports.records(rating.warehouse, "reports/services_without_usage",
                             {"billing_period": context.partition_key})
    return dg.AssetCheckResult(
        passed=not silent, severity=dg.AssetCheckSeverity.WARN,
        metadata={"services_without_usage": ", ".join(row["service"] for row in silent)
                  or "none"})
