"""Asset checks over the warehouse: blocking ones stop what is downstream.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import dagster as dg

from pipelines.resources import RatingResource
from rating.reports import queries as reports


class QuarantineShareConfig(dg.Config):
    threshold_percent: float = 5.0
    """Warn when a service's quarantined share of the period's rows is above this."""


@dg.asset_check(asset="landed_usage", blocking=True,
                description="For every ingestion: the rows of its files = accepted + superseded "
                            "+ quarantined, and every one of them is in the ledger (recomputed "
                            "from landed_files, ingestions and the ledger).")
def conservation(rating: RatingResource) -> dg.AssetCheckResult:
    broken = reports.query(rating.warehouse, "reports/conservation")
    missing = reports.query(rating.warehouse, "ingest/ledger/conservation",
                            ledger=rating.request("2000-01").ledger_folder)
    ingestions, files, read, accepted, superseded, quarantined = reports.query(
        rating.warehouse, "ingest/ingestion_totals")[0]
    return dg.AssetCheckResult(
        passed=not broken and not missing,
        metadata={"ingestions": ingestions, "files": files, "rows_read": read,
                  "accepted": accepted, "superseded": superseded, "quarantined": quarantined,
                  "ingestions_not_conserved": dg.MetadataValue.md(reports.markdown_table(
                      ("ingestion", "rows read", "classified", "rows in files"), broken)),
                  "ingestions_not_in_ledger": dg.MetadataValue.md(reports.markdown_table(
                      ("ingestion", "rows read", "rows in ledger"), missing))})


@dg.asset_check(asset="rated_charges", blocking=True,
                description="The period's ledger rows = accepted + superseded + quarantined, and "
                            "accepted = rated (usage_rollups) + held at rating "
                            "(usage_quarantine), as of its latest rating.")
def period_conservation(context: dg.AssetCheckExecutionContext,
                        rating: RatingResource) -> dg.AssetCheckResult:
    found = reports.query(rating.warehouse, "reports/period_conservation",
                          {"billing_period": context.partition_key})
    if not found:
        return dg.AssetCheckResult(passed=False, metadata={"problem": "never rated"})
    landed, accepted, superseded, quarantined, rated, held, rolled_up, recorded = found[0]
    return dg.AssetCheckResult(
        passed=bool(landed == accepted + superseded + quarantined and accepted == rated + held
                    and rated == rolled_up and held == recorded),
        metadata={"ledger_rows": landed, "accepted": accepted, "superseded": superseded,
                  "quarantined": quarantined, "rated": rated, "held": held,
                  "rows_in_rollups": rolled_up, "held_rows_recorded": recorded})


@dg.asset_check(asset="invoice_lines", blocking=True,
                description="No input file is held (unreadable, changed after ingestion, empty, "
                            "missing a column, gone): its new content is not billed, so the "
                            "month close and the posting wait for a person.")
def inputs_complete(rating: RatingResource) -> dg.AssetCheckResult:
    held = reports.query(rating.warehouse, "reports/held_inputs")
    return dg.AssetCheckResult(
        passed=not held,
        metadata={"files_held": len(held),
                  "held": dg.MetadataValue.md(reports.markdown_table(
                      ("kind", "file", "reason", "detail", "in force"), held))})


@dg.asset_check(asset="usage_rollups", blocking=False,
                description="Warns when a service's quarantined or held share of the period's "
                            "rows is above the threshold.")
def quarantine_share(context: dg.AssetCheckExecutionContext, rating: RatingResource,
                     config: QuarantineShareConfig) -> dg.AssetCheckResult:
    shares = reports.query(rating.warehouse, "ingest/quarantine_share",
                           {"billing_period": context.partition_key})
    above = [row for row in shares if float(row[3]) > config.threshold_percent]
    return dg.AssetCheckResult(
        passed=not above, severity=dg.AssetCheckSeverity.WARN,
        metadata={"threshold_percent": config.threshold_percent,
                  "by_service": dg.MetadataValue.md(reports.markdown_table(
                      ("service", "quarantined or held", "rows", "percent"), shares))})


@dg.asset_check(asset="rated_charges", blocking=True,
                description="Every rated line has a price in force.")
def every_line_priced(context: dg.AssetCheckExecutionContext,
                      rating: RatingResource) -> dg.AssetCheckResult:
    unpriced = reports.query(rating.warehouse, "reports/unpriced_lines",
                             {"billing_period": context.partition_key})
    return dg.AssetCheckResult(
        passed=not unpriced,
        metadata={"unpriced_lines": sum(n for _, n in unpriced),
                  "charges": dg.MetadataValue.md(reports.markdown_table(
                      ("charge", "lines"), unpriced))})


@dg.asset_check(asset="invoice_lines", blocking=True,
                description="Invoice lines total = rated charges total per customer, service "
                            "and period.")
def invoices_match_rated(context: dg.AssetCheckExecutionContext,
                         rating: RatingResource) -> dg.AssetCheckResult:
    mismatches = reports.query(rating.warehouse, "reports/invoice_mismatches",
                               {"billing_period": context.partition_key})
    return dg.AssetCheckResult(
        passed=not mismatches,
        metadata={"mismatches": len(mismatches),
                  "first": dg.MetadataValue.md(reports.markdown_table(
                      ("customer", "service", "rated", "invoiced"), mismatches[:20]))})


@dg.asset_check(asset="usage_rollups", blocking=False,
                description="Warns about a service with no usage at all in the period (an app "
                            "that stopped pushing).")
def every_service_has_usage(context: dg.AssetCheckExecutionContext,
                            rating: RatingResource) -> dg.AssetCheckResult:
    silent = reports.query(rating.warehouse, "reports/services_without_usage",
                           {"billing_period": context.partition_key})
    return dg.AssetCheckResult(
        passed=not silent, severity=dg.AssetCheckSeverity.WARN,
        metadata={"services_without_usage": ", ".join(s for (s,) in silent) or "none"})


@dg.asset_check(asset="reconciliation_odoo", blocking=True,
                description="Every rated invoice is in Odoo (or in the dry run's outbox) with "
                            "exactly our untaxed amount, and Odoo holds nothing under our keys "
                            "that is no longer rated.")
def odoo_amounts_match(context: dg.AssetCheckExecutionContext,
                       rating: RatingResource) -> dg.AssetCheckResult:
    mismatches = reports.query(rating.warehouse, "odoo/mismatches",
                               {"billing_period": context.partition_key})
    return dg.AssetCheckResult(
        passed=not mismatches,
        metadata={"mismatches": len(mismatches),
                  "first": dg.MetadataValue.md(reports.markdown_table(
                      ("invoice", "status", "rated", "odoo", "difference", "posting state"),
                      mismatches[:20]))})


@dg.asset_check(asset="provider_costs", blocking=False,
                description="Warns about provider costs held for want of their day's FX rate "
                            "(counted nowhere until the rate lands).")
def costs_all_converted(rating: RatingResource) -> dg.AssetCheckResult:
    held = [row for row in reports.query(rating.warehouse, "finance/quarantine_by_reason")
            if row[1] == "missing_fx_rate"]
    return dg.AssetCheckResult(
        passed=not held, severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_without_rate": sum(int(n) for _, _, n in held)})
