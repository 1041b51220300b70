"""Ingest landed usage into the ledger, and rate one billing period from it.

The same code backs the command line and the Dagster assets. Two stages, each its own
transaction (docs/ledger.md, docs/rating.md):

1. ingestion (rating.ingest.usage): each new usage file, once, into the ledger;
2. rating one period, in ONE warehouse transaction: bring new usable versions of the
   subscriptions and account links into force (rating.ingest.references); classify the period's
   accepted ledger rows as rated or held (account links, subscriptions); check that every
   accepted row is one or the other; replace the period's usage_rollups, rated_charges and
   invoice_lines (delete, then insert); let the guard compare them with what the period had
   (rating.rate.guard), which rolls everything back when the month would change for no visible
   reason. A closed period keeps its rows and records its late usage instead.

The month close, which a person decides once a period is rated (release a held input,
summarise, close), is rating.rate.close; this module still exports its functions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rating import warehouse
from rating.catalog import Catalog, load_catalog
from rating.ingest import landing, ledger, references
from rating.ingest import tables as accounts
from rating.ingest.held import HeldFile
from rating.ingest.usage import PUSHED_AT_TOLERANCE, ConservationError, IngestResult, ingest, sync
from rating.periods import DEFAULT_TIME_ZONE, BillingPeriod, billing_period
from rating.progress import SILENT, Progress, amounts, count
from rating.rate import close, guard, pricing, snapshots
from rating.rate.catalog_tables import fingerprint, load_catalog_tables
from rating.rate.close import close_period, release_input, summarise_period
from rating.rate.guard import GuardSettings, RatingStopped
from rating.rate.params import period_params
from rating.warehouse import WarehouseSettings
from rating.webhooks.events import tell_rejected

__all__ = ["ConservationError", "PeriodResult", "RateRequest", "RateResult", "RatingStopped",
           "close_period", "ingest_landing", "open_connection", "period_params", "rate",
           "rate_period", "release_input", "summarise_period"]


@dataclass(frozen=True)
class RateRequest:
    """Where to read and write, and how.

    ledger: the ledger folder (default: `<warehouse>.ledger` beside the warehouse file).
    guard: when a re-rating may change the month (rating.rate.guard).
    rebuild: empty the ledger and ingest every landed file again (closed periods keep their
        rows; open ones are rated from the rebuilt ledger).
    pushed_at_tolerance: how far past its file's ingestion a pushed_at may be.
    """

    landing: str
    catalog: Path
    warehouse: Path
    period: str
    time_zone: str = DEFAULT_TIME_ZONE
    settings: WarehouseSettings = field(default_factory=WarehouseSettings)
    ledger: Path | None = None
    guard: GuardSettings = field(default_factory=GuardSettings)
    rebuild: bool = False
    pushed_at_tolerance: dt.timedelta = PUSHED_AT_TOLERANCE

    @property
    def ledger_folder(self) -> Path:
        return self.ledger if self.ledger is not None else ledger.default_folder(self.warehouse)


@dataclass(frozen=True, kw_only=True)
class PeriodResult:
    """One rating of one period, from the ledger (built by field name: no count depends on
    its position among the others)."""

    run_id: str
    period: str
    rows_landed: int          # the period's ledger rows = accepted + superseded + quarantined
    rows_accepted: int        # = rated + held
    rows_superseded: int
    rows_quarantined: int     # at ingestion
    rows_rated: int
    rows_held: int            # at rating: account links, subscriptions, catalog changes
    held_by_reason: tuple[tuple[str, int], ...]
    rated_lines: int
    invoice_lines: int
    unpriced_lines: int
    amount_total: Decimal
    amount_by_currency: tuple[tuple[str, Decimal], ...]  # the total in each currency
    previous_total: Decimal | None  # what the period came to before (None: never rated)
    held_files: tuple[HeldFile, ...]  # reference files held (usage files: IngestResult.held)
    guard_findings: str | None      # what the guard found when it let a change through
    closed: bool = False
    late_rows: int = 0
    reference_changes: tuple[references.Change, ...] = ()  # versions that came into force


@dataclass(frozen=True, kw_only=True)
class RateResult:
    ingestion: IngestResult
    period: PeriodResult
    seconds: float


def open_connection(con: Any, request: RateRequest, catalog: Catalog) -> None:
    """Schema, ledger, landing root and the catalog's cat_* tables, once per connection."""
    warehouse.create_schema(con)
    ledger.attach(con, request.ledger_folder)
    landing.open_root(con, request.landing)
    load_catalog_tables(con, catalog)


def ingest_landing(request: RateRequest, progress: Progress = SILENT) -> IngestResult:
    """The ingestion stage alone (the Dagster `landed_usage` asset)."""
    catalog = load_catalog(request.catalog)
    landing.require_reachable(request.landing)
    with warehouse.writer(request.warehouse, request.settings) as con:
        open_connection(con, request, catalog)
        return ingest(con, request.landing, catalog, request.time_zone,
                      rebuild=request.rebuild, accept_changes=request.guard.accept_changes,
                      pushed_at_tolerance=request.pushed_at_tolerance, progress=progress)


def rate_period(request: RateRequest, progress: Progress = SILENT) -> PeriodResult:
    """The rating stage alone (the Dagster rating assets): rate the period from the ledger."""
    catalog = load_catalog(request.catalog)
    period = billing_period(request.period, request.time_zone)
    landing.require_reachable(request.landing)
    with warehouse.writer(request.warehouse, request.settings) as con:
        open_connection(con, request, catalog)
        held = _held_usage(con)
        return _rate(con, request, catalog, period, held, progress)


def rate(request: RateRequest, progress: Progress = SILENT) -> RateResult:
    """Ingest what is new, then rate the period (the command line's `rate`), holding the
    warehouse's lock throughout; each step reported to `progress`."""
    started = warehouse.utc_now()
    catalog = load_catalog(request.catalog)
    period = billing_period(request.period, request.time_zone)
    landing.require_reachable(request.landing)
    with warehouse.writer(request.warehouse, request.settings) as con:
        open_connection(con, request, catalog)
        ingested = ingest(con, request.landing, catalog, request.time_zone,
                          rebuild=request.rebuild,
                          accept_changes=request.guard.accept_changes,
                          pushed_at_tolerance=request.pushed_at_tolerance, progress=progress)
        rated = _rate(con, request, catalog, period, ingested.held, progress)
    return RateResult(ingestion=ingested, period=rated,
                      seconds=(warehouse.utc_now() - started).total_seconds())


def _held_usage(con: Any) -> tuple[HeldFile, ...]:
    return tuple(HeldFile(**row) for row in warehouse.rows(con, "rate/held_usage_files"))


def _rate(con: Any, request: RateRequest, catalog: Catalog, period: BillingPeriod,
          held_usage: tuple[HeldFile, ...], progress: Progress) -> PeriodResult:
    started = warehouse.utc_now()
    params = period_params(period)
    run_id = uuid.uuid4().hex
    context: guard.Context | None = None
    try:
        with warehouse.transaction(con):
            # Catch the mirror up with the ledger (an ingestion may have died after its
            # commit): the rating's held rows and late usage name their files from it.
            tell_rejected(con, sync(con))
            with progress.step("reference files in force") as step:
                refresh = references.refresh(con, request.landing,
                                             retire_missing=request.guard.accept_changes)
                step.report(f"{len(refresh.changes):,} new version(s), "
                            f"{len(refresh.held):,} file(s) held")
            context = guard.Context(held=[*held_usage, *refresh.held], changes=refresh.changes,
                                    catalog_fingerprint=fingerprint(catalog))
            with progress.step(f"classifying {period.code}'s usage") as step:
                counts = _classify(con, request, params)
                step.report(f"{count(counts.get('accepted', 0), 'accepted rows')}: rated "
                            f"{counts['rated']:,}, held {counts['held']:,}")
            closed = close.is_closed(con, params)
            verdict = _write_period(con, params, closed, request.guard, context, progress)
            with progress.step("recording the run") as step:
                _write_run_tables(con, refresh.held)
                result = _period_result(con, run_id, params, counts, refresh, verdict, closed)
                _record_run(con, run_id, params, started, context, verdict, result,
                            None if closed else snapshots.catalog_fingerprint(con, params))
                step.report(f"total {amounts(result.amount_by_currency)}")
        return result
    except RatingStopped as stopped:
        # Rolled back; the stop itself is recorded, with what was held.
        assert context is not None
        with warehouse.transaction(con):
            references.record_held(con, tuple(h for h in context.held if h.kind != "usage"))
            _record_run(con, run_id, params, started, context, stopped.verdict, None)
        raise


def _classify(con: Any, request: RateRequest, params: dict[str, Any]) -> dict[str, int]:
    """The period's accepted ledger rows, each rated or held (account links, subscriptions)."""
    accounts.check_reference(con, request.time_zone)
    warehouse.run(con, "rate/create_account_links")
    return pricing.classify_usage(con, params, close.closed_through(con, params))


def _write_period(con: Any, params: dict[str, Any], closed: bool, settings: GuardSettings,
                  context: guard.Context, progress: Progress) -> guard.Verdict | None:
    """Replace the period's rows (caller's transaction), or for a closed period touch none of
    them and record its late usage; the guard's verdict on an open period. An open period's
    references are kept with its rows (rating.rate.snapshots)."""
    # A leaked re-rate search_path would send the deletes and inserts below to its scratch
    # copies (or, its schema gone, silently to main): never write through one.
    warehouse.require_main_tables(con)
    if closed:
        with progress.step("recording late usage (the period is closed)"):
            close.record_late_usage(con, params)
        return None
    warehouse.run(con, "rate/guard/create_previous_invoices", params)
    warehouse.run(con, "rate/guard/create_previous_subscriptions", params)
    for statement in ("rate/delete_period_invoice_lines", "rate/delete_period_rated_charges",
                      "rate/delete_period_usage_rollups"):
        warehouse.run(con, statement, params)
    pricing.price_period(con, params, progress)
    snapshots.write(con, params)
    with progress.step("guard") as step:
        verdict = guard.judge(con, params, settings, context)
        if verdict.objections and not settings.accept_changes:
            raise RatingStopped(params["billing_period"], verdict)
        step.report("changes accepted (--accept-changes)" if verdict.objections
                    else "no objection")
    warehouse.run(con, "rate/delete_period_rating_holds", params)
    warehouse.run(con, "rate/insert_rating_holds", params)
    return verdict


def _write_run_tables(con: Any, held: tuple[HeldFile, ...]) -> None:
    """What the latest rating used: the catalog, the references in force, their problems."""
    warehouse.run(con, "rate/clear_reference_quarantine")
    warehouse.run(con, "rate/insert_reference_quarantine")
    for problem in held:
        warehouse.run(con, "rate/insert_reference_file_problem", {
            "kind": problem.kind, "reason": problem.reason, "file_path": problem.file_path,
            "detail": problem.detail})
    references.record_held(con, held)
    for statement in ("rate/clear_catalog_services", "rate/insert_catalog_services",
                      "rate/clear_catalog_metrics", "rate/insert_catalog_metrics",
                      "rate/clear_catalog_plans", "rate/insert_catalog_plans",
                      "rate/clear_catalog_charges", "rate/insert_catalog_charges",
                      "rate/clear_catalog_prices", "rate/insert_catalog_prices",
                      "rate/clear_catalog_price_tiers", "rate/insert_catalog_price_tiers",
                      "rate/clear_validated_subscriptions", "rate/insert_validated_subscriptions",
                      "rate/clear_validated_accounts", "rate/insert_validated_accounts"):
        warehouse.run(con, statement)


def _period_result(con: Any, run_id: str, params: dict[str, Any], counts: dict[str, int],
                   refresh: references.Refresh, verdict: guard.Verdict | None,
                   closed: bool) -> PeriodResult:
    totals = warehouse.first_row(con, "rate/period_totals", params)
    assert totals is not None  # one row of scalar subqueries, always
    late = warehouse.value(con, "rate/late_rows", params)
    by_reason = tuple((str(row["reason"]), int(row["row_count"]))
                      for row in warehouse.rows(con, "rate/held_by_reason"))
    accepted, superseded = counts.get("accepted", 0), counts.get("superseded", 0)
    quarantined = counts.get("quarantined", 0)
    return PeriodResult(
        run_id=run_id, period=params["billing_period"],
        rows_landed=accepted + superseded + quarantined, rows_accepted=accepted,
        rows_superseded=superseded, rows_quarantined=quarantined, rows_rated=counts["rated"],
        rows_held=counts["held"], held_by_reason=by_reason,
        rated_lines=int(totals["rated_lines"]), invoice_lines=int(totals["invoice_lines"]),
        unpriced_lines=int(totals["unpriced_lines"]),
        amount_total=(totals["amount_total"] if totals["amount_total"] is not None
                      else Decimal("0.00")),
        amount_by_currency=tuple((str(row["currency"]), row["amount"]) for row in warehouse.rows(
            con, "rate/period_amount_by_currency", params)),
        previous_total=verdict.before if verdict else None, held_files=refresh.held,
        guard_findings=verdict.text if verdict and verdict.objections else None,
        closed=closed, late_rows=int(late), reference_changes=refresh.changes)


def _record_run(con: Any, run_id: str, params: dict[str, Any], started: dt.datetime,
                context: guard.Context, verdict: guard.Verdict | None,
                result: PeriodResult | None, period_catalog: str | None = None) -> None:
    """The rating_runs row of this run; `result` None: the guard stopped it (nothing written,
    its counts are zero, the totals and findings are the guard's). `period_catalog`: the
    fingerprint of the catalog rows the period's rows were rated with (None: none written)."""
    findings: str | None
    if result is None:
        assert verdict is not None
        outcome, findings, total = "stopped_by_guard", verdict.text, verdict.after
    else:
        outcome = "closed_unchanged" if result.closed else (
            "rated_with_accepted_changes" if result.guard_findings else "rated")
        findings, total = result.guard_findings, result.amount_total
    counts = {name: getattr(result, name, 0) if result else 0 for name in (
        "rows_landed", "rows_accepted", "rows_superseded", "rows_quarantined", "rows_rated",
        "rows_held", "rated_lines", "invoice_lines")}
    warehouse.run(con, "rate/insert_rating_run", {
        **params, **counts, "run_id": run_id, "started_at": started,
        "finished_at": warehouse.utc_now(),
        "through_ingestion_id": warehouse.value(con, "rate/through_ingestion"),
        "files_held": len(context.held), "amount_total": total,
        "previous_amount_total": verdict.before if verdict else None,
        "catalog_fingerprint": context.catalog_fingerprint, "outcome": outcome,
        "guard_findings": findings, "period_catalog_fingerprint": period_catalog})
