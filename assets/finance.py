"""The finance assets: the dual run against the legacy billing, margins, the analysts' copy.

invoice_lines, rated_charges -> legacy_billing, provider_costs, reconciliation_legacy,
cutover_readiness, margin_daily, margin_monthly (one step, one transaction) -> analyst_copy;
provider_costs' warning check costs_all_converted

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from decimal import Decimal
from pathlib import Path

import dagster as dg

from pipelines.metadata import ROW_COUNT, TABLE_NAME, table
from pipelines.partitions import billing_periods
from pipelines.pools import WAREHOUSE_POOL
from pipelines.resources import RatingResource, landing_reachable
from rating.finance.run import FinanceRequest, publish_analyst_copy, run_finance
from rating.progress import LoggedSteps
from rating.reports import margin as margin_report
from rating.reports import queries as reports

GROUP = "finance"


class FinanceConfig(dg.Config):
    tolerance: str = "0.01"
    """The largest difference per line (CAD) that the dual run still counts as a match."""
    readiness_periods: int = 2
    """How many of the last closed periods the cut-over readiness looks at."""


def _spec(key: str, deps: list[str], description: str) -> dg.AssetSpec:
    return dg.AssetSpec(key, deps=deps, group_name=GROUP, kinds={"duckdb"},
                        description=description)


@dg.multi_asset(
    specs=[
        _spec("legacy_billing", ["landed_usage"],
              "What Lago, the Stripe billing and the apps charged, from "
              "<landing>/legacy_billing/; bad rows in finance_quarantine (table "
              "legacy_billing)."),
        _spec("provider_costs", ["landed_usage"],
              "Daily provider costs (OpenAI, maps, SMS, hosting) in CAD, converted with the "
              "landed daily FX rates; a cost without its day's rate is held, never zero "
              "(table provider_costs)."),
        _spec("reconciliation_legacy", ["legacy_billing", "invoice_lines"],
              "Dual run: ours vs the legacy per customer, service, period and charge, classed "
              "match / amount_differs / currency_differs / only_in_legacy / only_in_ours "
              "(table reconciliation_legacy)."),
        _spec("cutover_readiness", ["reconciliation_legacy"],
              "Per service, the share of customers that matched on every line over the last "
              "closed periods (table cutover_readiness)."),
        _spec("margin_daily", ["provider_costs", "rated_charges"],
              "Revenue vs allocated provider costs per day, service, customer and metric "
              "(tables cost_allocations, margin_daily)."),
        _spec("margin_monthly", ["margin_daily"],
              "Revenue, cost, margin and margin % per period, service, customer and metric "
              "(table margin_monthly; views margin_by_service, margin_by_customer, "
              "negative_margin_customers)."),
    ],
    partitions_def=billing_periods,
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def finance(context: dg.AssetExecutionContext, rating: RatingResource,
            config: FinanceConfig):  # type: ignore[no-untyped-def]
    period = context.partition_key
    with landing_reachable():
        result = run_finance(FinanceRequest(
            landing=rating.landing, catalog=Path(rating.catalog),
            warehouse=Path(rating.warehouse), period=period, tolerance=Decimal(config.tolerance),
            readiness_periods=config.readiness_periods, time_zone=rating.time_zone,
            settings=rating.settings()), LoggedSteps(context.log.info))
    held = dg.MetadataValue.md(reports.markdown_table(("kind", "reason", "rows"),
                                                      result.quarantined))
    # legacy_billing and provider_costs hold every landed row, whatever its period.
    yield dg.MaterializeResult(asset_key="legacy_billing", metadata={
        ROW_COUNT: result.landed.get("legacy_billing", 0), "quarantined": held,
        TABLE_NAME: "legacy_billing"})
    yield dg.MaterializeResult(asset_key="provider_costs", metadata={
        ROW_COUNT: result.landed.get("provider_costs", 0),
        "fx_rates": result.landed.get("fx_rates", 0), "quarantined": held,
        TABLE_NAME: "provider_costs"})
    by_service = reports.records(rating.warehouse, "finance/legacy_by_service",
                                 {"billing_period": period})
    yield dg.MaterializeResult(asset_key="reconciliation_legacy", metadata={
        ROW_COUNT: sum(found.lines for found in result.classes),
        "by_class": dg.MetadataValue.md(reports.markdown_table(
            ("class", "lines", "ours", "legacy", "difference"), result.classes)),
        "by_service": table(by_service, {"service": "service", "class": "class",
                                         "lines": "lines", "ours": "ours", "legacy": "legacy",
                                         "difference": "difference"}),
        TABLE_NAME: "reconciliation_legacy"})
    yield dg.MaterializeResult(asset_key="cutover_readiness", metadata={
        ROW_COUNT: len(result.readiness),
        "readiness": dg.MetadataValue.md(reports.markdown_table(
            ("service", "periods", "customers", "matched", "share %"), result.readiness)),
        TABLE_NAME: "cutover_readiness"})
    yield dg.MaterializeResult(asset_key="margin_daily", metadata={TABLE_NAME: "margin_daily"})
    yield dg.MaterializeResult(asset_key="margin_monthly", metadata={
        "headline": dg.MetadataValue.md(margin_report.headline_markdown(
            margin_report.headline(rating.warehouse, period))),
        TABLE_NAME: "margin_monthly"})


# The copy is of the whole warehouse, not of a period: not partitioned, so that the ingestion
# job (not partitioned) publishes it too. It follows every asset that writes the warehouse, so
# that it runs last in whichever job selects it (each does: pipelines/jobs.py).
WAREHOUSE_WRITERS = ["landed_usage", "period_summary", "closed_period", "odoo_invoices",
                     "reconciliation_odoo", "margin_monthly", "cutover_readiness",
                     "period_adjustments"]


@dg.asset(
    deps=WAREHOUSE_WRITERS,
    group_name=GROUP,
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description="A read-only copy of the warehouse for analysts and BI tools "
                "(<warehouse>-analysts.duckdb), replaced in one step at the end of every job "
                "that writes the warehouse.",
)
def analyst_copy(rating: RatingResource) -> dg.MaterializeResult:
    target = publish_analyst_copy(rating.warehouse)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(target)),
        "connect": dg.MetadataValue.text(f"duckdb -readonly {target}")})


@dg.asset_check(asset="provider_costs", blocking=False,
                description="Warns about provider costs held for want of their day's FX rate "
                            "(counted nowhere until the rate lands).")
def costs_all_converted(rating: RatingResource) -> dg.AssetCheckResult:
    held = [row for row in reports.records(rating.warehouse, "finance/quarantine_by_reason")
            if row["reason"] == "missing_fx_rate"]
    return dg.AssetCheckResult(
        passed=not held, severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_without_rate": sum(int(row["rows"]) for row in held)})
