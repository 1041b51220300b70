"""Adjust closed periods: ingest what is new, then per period re-rate it (rating.adjust.rerate)
and compare, decide and issue (rating.adjust.run), in ONE writer transaction per period. The
command line's `adjust` and the Dagster adjustments asset both run `adjust_periods`.

A period's transaction ends with the blocking invariant (original + issued + pending =
re-rated, per line, to the cent; a revision's lines add up to its net): if it breaks, the
period's transaction is rolled back and AdjustmentUnbalanced raised, so a bug never issues an
unbalanced document. A dry run computes the same and rolls each period back.

Nightly (no period named): the latest `lookback` closed periods are re-rated when touched (an
ingestion changed them, their catalog fingerprint moved) or when a pending difference may be
decided otherwise without a touch (what it waited for in Odoo changed, or a threshold no longer
holds it); else an 'unchanged' run is recorded in milliseconds. Older closed periods are re-rated
only when touched, in a 'hold_only' run (their differences held, beyond_lookback); untouched,
nothing is recorded for them (unless a catalog edit made the run fingerprint them again: an
'unchanged' run records it). Whether a period is untouched is decided by rating.adjust.nightly
without building its references while the catalog is the one its last run had. A named
period is adjusted on purpose: always re-rated, issued whatever its place. `only_period`
runs the nightly rules for one closed period alone (Dagster's partitioned schedule: one run per
period, each recorded as nightly, not on purpose).

Usage held by the re-rate (no subscription, no account link...) has no invoice line to be
pending on: it is reported per reason on the run (adjustment_runs.held_usage, `held_usage`
here); what of it arrived after the close needs a person (`adjust --period P
--current-references` once the references are fixed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rating import warehouse
from rating.adjust import nightly, rerate
from rating.adjust.decide import period_hold
from rating.adjust.rerate import RerateResult, rerate_period
from rating.adjust.run import (
    AdjustRequest,
    AdjustResult,
    AdjustSettings,
    IssuedRevision,
    PeriodNotClosed,
    adjust_period,
    unbalanced_lines,
)
from rating.catalog import load_catalog
from rating.ingest import landing
from rating.ingest.usage import PUSHED_AT_TOLERANCE, IngestResult, ingest
from rating.odoo.gateway import settings_from_environment
from rating.periods import DEFAULT_TIME_ZONE, billing_period
from rating.progress import SILENT, Progress
from rating.rate import snapshots
from rating.rate.catalog_tables import fingerprint as catalog_digest
from rating.rate.engine import RateRequest, open_connection
from rating.rate.guard import GuardSettings
from rating.rate.params import period_params
from rating.warehouse import WarehouseSettings


@dataclass(frozen=True)
class AdjustPeriodsRequest:
    """Where to read and write (as rating.rate.engine.RateRequest), and what to adjust.

    period: a closed period to adjust on purpose; None: the nightly run (module docstring).
    only_period: the nightly run restricted to this closed period (its place among the
        closed periods decides as the nightly run would); excludes `period`.
    dry_run: compute and report, then roll each period back (what is new is still ingested).
    accept_changes: let the guard's objections and a period hold (catalog changed, no
        snapshot) through; needs a named period.
    ignore_threshold: issue every difference, however small.
    current_references: re-rate with the subscriptions and account links in force today
        instead of the period's snapshot; needs a named period.
    settings: threshold, lookback, guard (AdjustSettings.from_environment for the variables).
    outbox_counts_as_posted: an invoice in odoo_outbox counts as posted (posting is a dry
        run); None: so when ODOO_URL is not set.
    """

    landing: str
    catalog: Path
    warehouse: Path
    period: str | None = None
    only_period: str | None = None
    time_zone: str = DEFAULT_TIME_ZONE
    warehouse_settings: WarehouseSettings = field(default_factory=WarehouseSettings)
    ledger: Path | None = None
    pushed_at_tolerance: dt.timedelta = PUSHED_AT_TOLERANCE
    dry_run: bool = False
    accept_changes: bool = False
    ignore_threshold: bool = False
    current_references: bool = False
    settings: AdjustSettings = field(default_factory=AdjustSettings)
    outbox_counts_as_posted: bool | None = None

    def rate_request(self) -> RateRequest:
        """The same places as a rating's, to open the warehouse as a rating does."""
        return RateRequest(landing=self.landing, catalog=self.catalog, warehouse=self.warehouse,
                           period=self.period or "", time_zone=self.time_zone,
                           settings=self.warehouse_settings, ledger=self.ledger,
                           pushed_at_tolerance=self.pushed_at_tolerance)

    def adjust_settings(self) -> AdjustSettings:
        """The settings as the flags change them."""
        guard = GuardSettings(max_drop_percent=self.settings.guard.max_drop_percent,
                              accept_changes=self.accept_changes)
        threshold = Decimal("0.00") if self.ignore_threshold else self.settings.threshold
        return dataclasses.replace(self.settings, threshold=threshold, guard=guard)

    def check(self) -> None:
        """ValueError naming the fix for a request that cannot be run."""
        if self.period is not None and self.only_period is not None:
            raise ValueError("name the period to adjust on purpose or the one the nightly run "
                             "looks at alone, not both")
        if self.period is None and (self.accept_changes or self.current_references):
            flag = "--accept-changes" if self.accept_changes else "--current-references"
            raise ValueError(f"{flag} applies to one period a person has checked: name it "
                             "with --period YYYY-MM")
        for named in (self.period, self.only_period):
            if named is not None:
                billing_period(named, self.time_zone)


@dataclass(frozen=True)
class HeldUsage:
    """Usage of the period the re-rate held for one reason; late: arrived after the close."""

    reason: str
    rows: int
    late_rows: int
    late_files: tuple[str, ...]


@dataclass(frozen=True)
class RevisionLine:
    line_number: int
    product_code: str
    description: str
    old_quantity: Decimal
    new_quantity: Decimal
    old_amount: Decimal
    new_amount: Decimal
    amount_delta: Decimal


@dataclass(frozen=True)
class Document:
    """A revision issued (or, in a dry run, that would be) and its lines."""

    revision: IssuedRevision
    lines: tuple[RevisionLine, ...]


@dataclass(frozen=True, kw_only=True)
class PeriodAdjusted:
    """One period's adjust run: what it decided (`adjustment`: outcome, issued, pending by
    why with amounts), its re-rate (None: not touched, not re-rated), the documents with
    their lines, the usage held, and how long it took."""

    adjustment: AdjustResult
    rerate: RerateResult | None
    documents: tuple[Document, ...]
    held_usage: tuple[HeldUsage, ...]
    seconds: float

    @property
    def period(self) -> str:
        return self.adjustment.period

    @property
    def outcome(self) -> str:
        return self.adjustment.outcome

    @property
    def late_held_rows(self) -> int:
        return sum(held.late_rows for held in self.held_usage)

    @property
    def needs_a_person(self) -> bool:
        """A difference waits for a person or a posting, or usage that came late is held."""
        return self.adjustment.needs_a_person or self.late_held_rows > 0

    @property
    def stopped_by_guard(self) -> bool:
        return self.outcome == "stopped_by_guard"


@dataclass(frozen=True)
class StrandedPending:
    """What is pending in a closed period beyond the lookback the nightly run did not re-rate:
    never issued without a person (`adjust --period P`), whatever its why."""

    period: str
    why: str
    lines: int
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class AdjustPeriodsResult:
    ingestion: IngestResult
    periods: tuple[PeriodAdjusted, ...]
    dry_run: bool
    seconds: float
    stranded: tuple[StrandedPending, ...] = ()

    @property
    def needs_a_person(self) -> bool:
        return bool(self.stranded) or any(period.needs_a_person for period in self.periods)

    @property
    def stopped_by_guard(self) -> bool:
        return any(period.stopped_by_guard for period in self.periods)


class AdjustmentUnbalanced(RuntimeError):
    """The blocking invariant broke in a period's run: it was rolled back, nothing issued."""


class _RolledBack(Exception):
    """Carries a dry run's outcome out of the transaction it rolls back."""

    def __init__(self, outcome: PeriodAdjusted) -> None:
        super().__init__(outcome.period)
        self.outcome = outcome


def adjust_periods(request: AdjustPeriodsRequest,
                   progress: Progress = SILENT) -> AdjustPeriodsResult:
    """Ingest what is new, then adjust the named period, or every closed period the nightly
    run looks at (module docstring), each in its own transaction, holding the warehouse's
    lock throughout."""
    started = time.perf_counter()
    request.check()
    catalog = load_catalog(request.catalog)
    landing.require_reachable(request.landing)
    with warehouse.writer(request.warehouse, request.warehouse_settings) as con:
        open_connection(con, request.rate_request(), catalog)
        ingested = ingest(con, request.landing, catalog, request.time_zone,
                          pushed_at_tolerance=request.pushed_at_tolerance, progress=progress)
        outcomes: list[PeriodAdjusted] = []
        digest = catalog_digest(catalog)
        for period, position in _periods(con, request):
            with progress.step(f"adjusting {period}") as step:
                outcome = _adjust_one(con, request, period, position, digest)
                step.report(outcome.outcome if outcome else "untouched, beyond the lookback")
            if outcome is not None:
                outcomes.append(outcome)
        stranded = () if request.period is not None else _stranded(
            con, request, {outcome.period for outcome in outcomes
                       if outcome.rerate is not None})
    return AdjustPeriodsResult(ingestion=ingested, periods=tuple(outcomes),
                               dry_run=request.dry_run, seconds=time.perf_counter() - started,
                               stranded=stranded)


def _stranded(con: Any, request: AdjustPeriodsRequest,
              adjusted: set[str]) -> tuple[StrandedPending, ...]:
    """Pending differences of the periods beyond the lookback this run did not re-rate."""
    return tuple(StrandedPending(row["billing_period"], row["why"], int(row["lines"]),
                                 row["amount"])
                 for row in warehouse.rows(con, "adjust/pending_beyond_lookback",
                                           {"lookback": request.adjust_settings().lookback})
                 if row["billing_period"] not in adjusted)


def _periods(con: Any, request: AdjustPeriodsRequest) -> list[tuple[str, int | None]]:
    """(period, its place among the closed periods, 1: the latest; None: on purpose)."""
    if request.period is not None:
        return [(request.period, None)]
    closed: list[tuple[str, int | None]] = [
        (row["billing_period"], position) for position, row in enumerate(
            warehouse.rows(con, "adjust/closed_periods"), start=1)]
    if request.only_period is None:
        return closed
    only = [(period, position) for period, position in closed if period == request.only_period]
    if not only:
        raise PeriodNotClosed(f"period {request.only_period} is not closed: rate it instead "
                              "(fusion-rating rate), adjustments are for closed periods")
    return only


def _adjust_one(con: Any, request: AdjustPeriodsRequest, period: str,
                position: int | None, digest: str) -> PeriodAdjusted | None:
    """One period in one transaction; None: beyond the lookback and untouched."""
    started = time.perf_counter()
    params = period_params(billing_period(period, request.time_zone))
    settings = request.adjust_settings()
    base = AdjustRequest(period, run_id=uuid.uuid4().hex, time_zone=request.time_zone,
                         settings=settings, on_purpose=position is None,
                         dry_run=request.dry_run, catalog_digest=digest,
                         outbox_counts_as_posted=_outbox_posts(request))
    try:
        # No sync of the ledger's mirror here: ingest() mirrored it, and the writer lock held
        # since keeps any other ingestion out (per period, it cost as much as the rest of an
        # untouched period's look).
        with warehouse.transaction(con):
            if position is not None:
                skip, quiet = nightly.fast_path(con, base, params,
                                         within=position <= settings.lookback)
                if skip:
                    return None if quiet is None else _finish(request, PeriodAdjusted(
                        adjustment=quiet, rerate=None, documents=(), held_usage=(),
                        seconds=_since(started)))
            return _finish(request, _rerate_and_adjust(con, request, base, params, started))
    except _RolledBack as dry:
        return dry.outcome


def _rerate_and_adjust(con: Any, request: AdjustPeriodsRequest, base: AdjustRequest,
                       params: dict[str, Any], started: float) -> PeriodAdjusted:
    without_snapshot = not rerate.has_snapshot(con, params)
    rerated = rerate_period(con, params, run_id=base.run_id, time_zone=request.time_zone,
                            current_references=request.current_references)
    # A period rated before snapshots existed keeps the references it is re-rated with when a
    # person accepted them, or, when they reproduce its invoices exactly, those of them its
    # invoice lines verified: later runs then use them (from_snapshot) instead of holding it
    # no_snapshot on every run.
    keep = without_snapshot and (request.accept_changes
                                 or rerate.reproduces_invoices(con, params))
    hold = None if keep else period_hold(fingerprint_matches=rerated.fingerprint_matches,
                                         from_snapshot=rerated.from_snapshot,
                                         current_references=request.current_references,
                                         accept_changes=request.accept_changes)
    fingerprint = rerated.catalog_fingerprint
    if keep and request.accept_changes:
        snapshots.write(con, params)
    elif keep:
        fingerprint = rerate.keep_verified_references(con, params)
    unpriced = frozenset(row["invoice_key"] for row in warehouse.rows(
        con, "adjust/unpriced_invoice_keys"))
    result = adjust_period(con, dataclasses.replace(
        base, catalog_fingerprint=fingerprint, period_hold=hold,
        unpriced_keys=unpriced, snapshot_kept=keep))
    place = warehouse.first_row(con, "adjust/lookback_position", params)
    assert place is not None  # one row of scalar subqueries, always
    run = {"run_id": base.run_id, "closed_through": place["closed_through"]}
    warehouse.run(con, "adjust/record_held_usage", run)
    broken = unbalanced_lines(con, base.period)
    if broken:
        first = broken[0]
        raise AdjustmentUnbalanced(
            f"period {base.period}: nothing issued, the run was rolled back: {len(broken)} "
            f"break(s) of original + issued + pending = re-rated, the first {first['problem']} "
            f"{first['invoice_key']} ({first['billing_period']}) expects {first['expected']} "
            f"and finds {first['found']}; this is a bug: report it with the warehouse")
    return PeriodAdjusted(
        adjustment=result, rerate=rerated, documents=_documents(con, result),
        held_usage=tuple(HeldUsage(row["reason"], int(row["held_rows"]), int(row["late_rows"]),
                                   tuple(row["late_files"]))
                         for row in warehouse.rows(con, "adjust/run_held_usage", run)),
        seconds=_since(started))


def _documents(con: Any, result: AdjustResult) -> tuple[Document, ...]:
    lines: dict[str, list[RevisionLine]] = {}
    for row in warehouse.rows(con, "adjust/revision_lines", {"run_id": result.run_id}):
        lines.setdefault(row["adjustment_key"], []).append(RevisionLine(
            line_number=row["line_number"], product_code=row["product_code"],
            description=row["description"], old_quantity=row["old_quantity"],
            new_quantity=row["new_quantity"], old_amount=row["old_amount"],
            new_amount=row["new_amount"], amount_delta=row["amount_delta"]))
    return tuple(Document(revision, tuple(lines.get(revision.adjustment_key, ())))
                 for revision in result.issued)


def _finish(request: AdjustPeriodsRequest, outcome: PeriodAdjusted) -> PeriodAdjusted:
    """A dry run leaves the transaction by rolling it back."""
    if request.dry_run:
        raise _RolledBack(outcome)
    return outcome


def _outbox_posts(request: AdjustPeriodsRequest) -> bool:
    if request.outbox_counts_as_posted is not None:
        return request.outbox_counts_as_posted
    return settings_from_environment() is None


def _since(started: float) -> float:
    return time.perf_counter() - started
