"""Late usage of a closed period billed as linked adjustments (docs/adjustments.md).

closed_period -> period_adjustments (blocking check adjustments_balance; warning check
adjustments_held) -> odoo_invoices (assets/odoo.py)

A run follows the nightly rules for its period unless configured `on_purpose`: the schedule's,
the month close's and a person's materialisation alike (AdjustConfig.on_purpose says why).

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import dagster as dg

from pipelines.metadata import TABLE_NAME, amount, mismatches_found, table
from pipelines.partitions import billing_periods
from pipelines.pools import WAREHOUSE_POOL
from pipelines.resources import OdooResource, RatingResource, landing_reachable
from rating.adjust.decide import DocumentKind, Why
from rating.adjust.rerate import RerateRefused
from rating.adjust.run import AdjustSettings, PeriodNotClosed, unbalanced_lines
from rating.adjust.service import AdjustPeriodsRequest, PeriodAdjusted, adjust_periods
from rating.progress import LoggedSteps
from rating.reports import queries as reports

GROUP = "adjustments"


class AdjustConfig(dg.Config):
    # Off by default, as money goes: a click (or a backfill over many periods) then only
    # re-rates what changed and holds a difference beyond the lookback for a person, the
    # schedule's way; billing an old period's difference whatever its age stays a choice made
    # by ticking on_purpose, as `adjust --period` is on the command line.
    on_purpose: bool = False
    """Adjust this period on purpose (adjust --period): always re-rate it and issue its
    differences whatever its age. Off: the nightly rules for this period alone (untouched: an
    'unchanged' run in milliseconds; beyond FUSION_ADJUST_LOOKBACK: differences held)."""
    accept_changes: bool = False
    """Let a changed catalog, a period without a snapshot of its references or the guard's
    objection through (adjust --accept-changes): bill the difference once checked. Needs
    on_purpose."""
    ignore_threshold: bool = False
    """Bill every cent now instead of carrying a net below FUSION_ADJUST_THRESHOLD forward."""


@dg.asset(
    deps=["closed_period"],
    partitions_def=billing_periods,
    group_name=GROUP,
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description=(
        "Late usage of a closed period billed as linked adjustments: the period re-rated from "
        "the ledger, compared per line with the original invoice and the revisions issued, each "
        "invoice's difference issued as a supplementary invoice or a credit note (tables "
        "period_adjustments, period_adjustment_lines) or kept pending with why "
        "(pending_adjustments; docs/adjustments.md)."
    ),
)
def period_adjustments(context: dg.AssetExecutionContext, rating: RatingResource,
                       odoo: OdooResource, config: AdjustConfig) -> dg.MaterializeResult:
    request = AdjustPeriodsRequest(
        landing=rating.landing, catalog=Path(rating.catalog), warehouse=Path(rating.warehouse),
        period=context.partition_key if config.on_purpose else None,
        only_period=None if config.on_purpose else context.partition_key,
        time_zone=rating.time_zone,
        warehouse_settings=rating.settings(),
        ledger=Path(rating.ledger) if rating.ledger else None,
        pushed_at_tolerance=dt.timedelta(hours=rating.pushed_at_tolerance_hours),
        accept_changes=config.accept_changes, ignore_threshold=config.ignore_threshold,
        settings=AdjustSettings.from_environment(),
        outbox_counts_as_posted=not odoo.url.strip())
    if config.accept_changes and not config.on_purpose:
        raise dg.Failure(description="accept_changes applies to a period adjusted on purpose, "
                                     "once a person has checked it: set on_purpose too",
                         allow_retries=False)
    try:
        with landing_reachable():
            result = adjust_periods(request, LoggedSteps(context.log.info))
    except (PeriodNotClosed, RerateRefused) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    if not result.periods:
        # Beyond the lookback and untouched: the nightly rules record nothing; what is still
        # pending there is never issued without a person.
        stranded = [s for s in result.stranded if s.period == context.partition_key]
        return dg.MaterializeResult(metadata={
            "outcome": "untouched", "mode": "none", "revisions_issued": 0,
            **amount("amount_stranded", sum((s.amount for s in stranded), Decimal(0))),
            TABLE_NAME: "period_adjustments"})
    (adjusted,) = result.periods
    return dg.MaterializeResult(metadata=adjustment_metadata(adjusted))


def adjustment_metadata(adjusted: PeriodAdjusted) -> dict[str, object]:
    """What the run did, for the UI: outcome, revisions by kind, the net issued (exact text and
    cents; the invoices' currencies added as numbers, as rating's totals are), what is pending
    by why, the usage the re-rate held. No row count: the table keeps every run's revisions."""
    result = adjusted.adjustment
    kinds = Counter(revision.document_kind for revision in result.issued)
    pending = [{"why": total.why.value, "invoices": total.invoices, "lines": total.lines,
                "amount": total.amount, "needs_a_person": "no" if total.why.carried else "yes"}
               for total in result.pending]
    issued = [{"key": r.adjustment_key, "kind": r.document_kind, "net": r.amount_net,
               "document": r.amount_document, "currency": r.currency, "reason": r.reason}
              for r in result.issued]
    return {
        "outcome": result.outcome,
        "mode": result.mode,
        "revisions_issued": len(result.issued),
        **{f"revisions_{kind.value}": kinds[kind.value] for kind in DocumentKind},
        **amount("amount_issued_net", sum((r.amount_net for r in result.issued), Decimal(0))),
        **amount("amount_pending", sum((t.amount for t in result.pending), Decimal(0))),
        "pending_by_why": table(pending, {"why": "why", "invoices": "invoices",
                                          "lines": "lines", "amount": "amount",
                                          "needs_a_person": "needs a person"}),
        "issued_first_20": table(issued[:20], {"key": "adjustment key", "kind": "kind",
                                               "net": "net", "document": "document",
                                               "currency": "currency", "reason": "reason"}),
        "late_rows_held": adjusted.late_held_rows,
        "held_usage": table([{"reason": h.reason, "rows": h.rows, "late_rows": h.late_rows}
                             for h in adjusted.held_usage],
                            {"reason": "reason", "rows": "rows", "late_rows": "late rows"}),
        "findings": result.findings or "",
        TABLE_NAME: "period_adjustments",
    }


@dg.asset_check(asset="period_adjustments", blocking=True, partitions_def=billing_periods,
                description="Per line of the re-rated period, original + issued + pending = "
                            "re-rated, to the cent, and every revision's lines add up to its "
                            "net (view adjustment_balance).")
def adjustments_balance(context: dg.AssetCheckExecutionContext,
                        rating: RatingResource) -> dg.AssetCheckResult:
    return balance(rating.warehouse, context.partition_key)


def balance(database: str, period: str) -> dg.AssetCheckResult:
    """adjustments_balance on one period: each break of the invariant, the first twenty."""
    con = reports.open_when_free(database)
    try:
        found = [row for row in unbalanced_lines(con) if row["billing_period"] == period]
    finally:
        con.close()
    return mismatches_found(found, {"problem": "problem", "invoice_key": "invoice or revision",
                                    "charge_id": "charge", "line_kind": "line",
                                    "expected": "expected", "found": "found"})


@dg.asset_check(asset="period_adjustments", blocking=False, partitions_def=billing_periods,
                description="No difference of the period waits for a person (beyond the "
                            "lookback, a changed catalog, no snapshot, the guard, an unpriced "
                            "charge) or for a posting, and its latest re-rate held no usage "
                            "that came after the close (no subscription, no account link); "
                            "amounts carried below the threshold or netting to zero are not "
                            "counted, unless the period is beyond the lookback: there nothing "
                            "pending is issued without a person (stranded).")
def adjustments_held(context: dg.AssetCheckExecutionContext,
                     rating: RatingResource) -> dg.AssetCheckResult:
    period = {"billing_period": context.partition_key}
    held = [row for row in reports.records(rating.warehouse, "adjust/pending_by_why", period)
            if not Why(row["why"]).carried]
    late = reports.records(rating.warehouse, "adjust/late_held_usage", period)
    stranded = [row for row in reports.records(
        rating.warehouse, "adjust/pending_beyond_lookback",
        {"lookback": AdjustSettings.from_environment().lookback})
        if row["billing_period"] == context.partition_key]
    return dg.AssetCheckResult(
        passed=not held and not late and not stranded, severity=dg.AssetCheckSeverity.WARN,
        metadata={**amount("amount_stranded_beyond_lookback",
                           sum((row["amount"] for row in stranded), Decimal(0))),
                  "stranded_beyond_lookback": table(stranded, {
                      "why": "why", "lines": "lines", "amount": "amount"}),
                  "invoices_held": sum(row["invoices"] for row in held),
                  **amount("amount_held", sum((row["amount"] for row in held), Decimal(0))),
                  "held_by_why": table(held, {"why": "why", "invoices": "invoices",
                                              "lines": "lines", "amount": "amount"}),
                  "late_rows_held": sum(row["late_rows"] for row in late),
                  "late_usage_held": table(late, {"reason": "reason", "late_rows": "late rows",
                                                  "late_files": "files"})})
