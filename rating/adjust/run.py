"""One adjust run of a closed period, after its re-rate (rating.adjust.rerate fills
rerated_lines): compare per line with what was invoiced, decide per invoice key
(rating.adjust.decide), issue the revisions and keep the rest pending, in the caller's
transaction (with the re-rate: all of it is written, or none).

"Invoiced" is the original invoice (invoice_lines, frozen at the close) plus the line deltas of
every revision issued, posted or not: a revision is committed before any posting starts and
posting is once-only, so counting it at once is what keeps a second run from billing it again.
A rerun finds nothing new to issue; a killed run rolls back and its rerun decides the same.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from rating import warehouse
from rating.adjust.decide import (
    Decision,
    Issue,
    KeyDifference,
    Pending,
    PeriodState,
    Why,
    decide,
    judge_period,
)
from rating.odoo.plan import PostingState
from rating.periods import DEFAULT_TIME_ZONE, billing_period
from rating.rate.guard import GuardSettings
from rating.rate.params import period_params

THRESHOLD_VARIABLE = "FUSION_ADJUST_THRESHOLD"
LOOKBACK_VARIABLE = "FUSION_ADJUST_LOOKBACK"
DELIVERY_VARIABLE = "FUSION_ADJUST_DELIVERY"
DELIVERIES = ("separate", "next_period")
FELL_BACK = "; a document of its own: "  # adjust/issue_revisions.sql's reason text


@dataclass(frozen=True)
class AdjustSettings:
    """When a difference becomes a document.

    threshold: the smallest |net| per invoice that is issued, in its currency (0: every
        cent); smaller ones are carried forward in pending_adjustments, never dropped.
    lookback: how many of the latest closed periods are adjusted without a person; older ones
        are re-rated and their differences held (beyond_lookback) until `on_purpose`.
    guard: as for a rating (a fall of the total, an invoice vanishing); accept_changes lets it
        through.
    delivery: 'separate' (each revision its own document, linked to the invoice it corrects)
        or 'next_period' (its lines on the customer's invoice of the first open period, when
        there is one it does not make negative; else separate).
    """

    threshold: Decimal = Decimal("1.00")
    lookback: int = 2
    guard: GuardSettings = field(default_factory=GuardSettings)
    delivery: str = "separate"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ,
                         guard: GuardSettings | None = None) -> AdjustSettings:
        """FUSION_ADJUST_THRESHOLD (default 1.00), FUSION_ADJUST_LOOKBACK (default 2) and
        FUSION_ADJUST_DELIVERY (default separate)."""
        threshold = Decimal(environ.get(THRESHOLD_VARIABLE, "1.00"))
        lookback = int(environ.get(LOOKBACK_VARIABLE, "2"))
        if threshold < 0 or lookback < 0:
            raise ValueError(f"{THRESHOLD_VARIABLE} and {LOOKBACK_VARIABLE} cannot be negative")
        delivery = environ.get(DELIVERY_VARIABLE, "separate").strip() or "separate"
        if delivery not in DELIVERIES:
            raise ValueError(f"{DELIVERY_VARIABLE} is {delivery!r}: it must be 'separate' "
                             "(the default: each adjustment its own document) or "
                             "'next_period' (on the next open period's invoice)")
        return cls(threshold=threshold, lookback=lookback, guard=guard or GuardSettings(),
                   delivery=delivery)


@dataclass(frozen=True)
class AdjustRequest:
    """One closed period to adjust, after its re-rate.

    run_id: the run's id, as the re-rate wrote it in rerated_lines.run_id.
    on_purpose: `adjust --period P`: a period beyond the lookback is issued too.
    dry_run: recorded as the run's mode (the caller rolls the transaction back).
    outbox_counts_as_posted: posting is a dry run (no ODOO_URL): an invoice whose payload is in
        odoo_outbox counts as posted, as odoo_postings' posted states do otherwise.
    catalog_digest: the whole catalog's (rating.rate.catalog_tables.fingerprint), recorded so
        that a later night with the same catalog need not fingerprint the period again.
    snapshot_kept: the re-rate's references were kept as the period's snapshot (it had none).
    period_hold: what the re-rate found that holds the whole period ('catalog_changed',
        'no_snapshot') and its text.
    unpriced_keys: invoices the re-rate left out for a charge without a price in force.
    issue_date: the documents' invoice date (default: today in the billing time zone).
    """

    period: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    time_zone: str = DEFAULT_TIME_ZONE
    settings: AdjustSettings = field(default_factory=AdjustSettings)
    on_purpose: bool = False
    dry_run: bool = False
    outbox_counts_as_posted: bool = False
    catalog_fingerprint: str | None = None
    catalog_digest: str | None = None
    snapshot_kept: bool = False
    period_hold: tuple[Why, str] | None = None
    unpriced_keys: frozenset[str] = frozenset()
    issue_date: dt.date | None = None


@dataclass(frozen=True)
class IssuedRevision:
    adjustment_key: str
    invoice_key: str
    revision: int
    document_kind: str
    currency: str
    amount_net: Decimal
    amount_document: Decimal
    reason: str
    source_files: tuple[str, ...]
    delivery: str = "separate"
    target_period: str | None = None  # next_period: the invoice's period that carries it
    reason_text: str = ""

    @property
    def delivery_note(self) -> str | None:
        """How FUSION_ADJUST_DELIVERY=next_period delivered it (None: separate was asked)."""
        if self.delivery == "next_period":
            return f"on the customer's {self.target_period} invoice"
        _, fell_back, why = self.reason_text.partition(FELL_BACK)
        return f"as a document of its own: {why}" if fell_back else None


@dataclass(frozen=True)
class PendingTotal:
    why: Why
    invoices: int
    lines: int
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class AdjustResult:
    run_id: str
    period: str
    mode: str
    outcome: str
    lookback_position: int
    issued: tuple[IssuedRevision, ...]
    pending: tuple[PendingTotal, ...]
    findings: str | None

    @property
    def needs_a_person(self) -> bool:
        """Something waits for a person (or a posting), not only for more cents."""
        return any(not total.why.carried for total in self.pending)


class PeriodNotClosed(ValueError):
    """Only a closed period is adjusted: an open one is rated again instead."""


DECISIONS = pa.schema([("invoice_key", pa.string()), ("revision", pa.int32()),
                       ("document_kind", pa.string()), ("why", pa.string()),
                       ("detail", pa.string())])


def adjust_period(con: Any, request: AdjustRequest) -> AdjustResult:
    """Compare the period's rerated_lines with what was invoiced, issue and hold (the
    caller's transaction; the ledger attached, the catalog's cat_* tables and the re-rate's
    account_links on the connection)."""
    started = warehouse.utc_now()
    params = period_params(billing_period(request.period, request.time_zone))
    position, closed_through = _place(con, params)
    stale = [row["run_id"] for row in warehouse.rows(con, "adjust/rerate_run_ids", params)
             if row["run_id"] != request.run_id]
    if stale:
        raise ValueError(f"rerated_lines holds {request.period} as re-rated by run "
                         f"{stale[0]}, not by this run ({request.run_id}): re-rate it first")
    beyond = position > request.settings.lookback and not request.on_purpose
    warehouse.run(con, "adjust/redeliver_separately", params)
    warehouse.run(con, "adjust/compare_lines", params)
    state = _period_state(con, request, position, beyond)
    decisions = _decisions(con, request, state)
    run_params = {
        **params, "run_id": request.run_id, "closed_through": closed_through,
        "through_ingestion_id": warehouse.value(con, "rate/through_ingestion"),
        "issued_at": warehouse.utc_now(),
        "issue_date": request.issue_date or dt.datetime.now(
            dt.UTC).astimezone(ZoneInfo(request.time_zone)).date(),
        "fallback_reason": "on_purpose" if request.on_purpose else "late_usage",
        "delivery": request.settings.delivery}
    with warehouse.registered(con, "adjust_decisions", _decision_table(decisions)):
        warehouse.run(con, "adjust/source_files", run_params)
        warehouse.run(con, "adjust/delete_period_pending", run_params)
        warehouse.run(con, "adjust/insert_pending", run_params)
        warehouse.run(con, "adjust/issue_revisions", run_params)
        warehouse.run(con, "adjust/insert_adjustment_lines", run_params)
    findings = "\n".join(state.guard_objections) or (
        state.hold[1] if state.hold is not None else None)
    return _record(con, request, run_params, started, position, beyond, state, findings)


def unchanged(con: Any, request: AdjustRequest) -> AdjustResult | None:
    """The fast path of the nightly run: when no ingestion changed the period since its last
    adjust run (else since the rating that wrote its lines: rows ingested between it and the
    close were never rated) and its catalog fingerprint is that run's, record an 'unchanged'
    run (its pending rows kept as they are) and return it; None: re-rate it."""
    started = warehouse.utc_now()
    params = period_params(billing_period(request.period, request.time_zone))
    position, _ = _place(con, params)
    if warehouse.value(con, "adjust/period_touched", {
            **params, "catalog_fingerprint": request.catalog_fingerprint}):
        return None
    run_params = {**params, "run_id": request.run_id,
                  "through_ingestion_id": warehouse.value(con, "rate/through_ingestion")}
    beyond = position > request.settings.lookback and not request.on_purpose
    return _record(con, request, run_params, started, position, beyond, None, None)


def _place(con: Any, params: dict[str, Any]) -> tuple[int, int]:
    """The period's place among the closed periods (1: the latest) and its close's last
    ingestion; PeriodNotClosed when it is open."""
    place = warehouse.first_row(con, "adjust/lookback_position", params)
    assert place is not None  # one row of scalar subqueries, always
    if not place["closed"]:
        raise PeriodNotClosed(f"period {params['billing_period']} is not closed: rate it "
                              "instead (fusion-rating rate), adjustments are for closed periods")
    return int(place["position"]), int(place["closed_through"])


def _record(con: Any, request: AdjustRequest, run_params: dict[str, Any],
            started: dt.datetime, position: int, beyond: bool, state: PeriodState | None,
            findings: str | None) -> AdjustResult:
    """The adjustment_runs row of the run (state None: not re-rated, 'unchanged') and what
    it did."""
    mode = ("dry_run" if request.dry_run else "on_purpose" if request.on_purpose
            else "hold_only" if beyond else "nightly")
    issued = tuple(_issued(row) for row in warehouse.rows(con, "adjust/issued_in_run",
                                                           run_params))
    pending = tuple(PendingTotal(Why(row["why"]), row["invoices"], row["lines"], row["amount"])
                    for row in warehouse.rows(con, "adjust/pending_by_why", run_params))
    outcome = "unchanged" if state is None else _outcome(state, issued, pending)
    warehouse.run(con, "adjust/insert_adjustment_run", {
        **run_params, "mode": mode, "started_at": started, "finished_at": warehouse.utc_now(),
        "catalog_fingerprint": request.catalog_fingerprint, "lookback_position": position,
        "outcome": outcome, "findings": findings,
        "catalog_accepted": None if state is None else state.hold is None,
        "catalog_digest": request.catalog_digest, "snapshot_kept": request.snapshot_kept})
    return AdjustResult(run_id=request.run_id, period=request.period, mode=mode,
                        outcome=outcome, lookback_position=position, issued=issued,
                        pending=pending, findings=findings)


def _period_state(con: Any, request: AdjustRequest, position: int,
                  beyond: bool) -> PeriodState:
    totals = warehouse.first_row(con, "adjust/period_totals")
    assert totals is not None  # an aggregate without GROUP BY: one row
    vanished = [str(row["invoice_key"]) for row in warehouse.rows(con, "adjust/vanished_invoices")]
    objections = judge_period(totals["invoiced"], totals["rerated"], vanished,
                              request.settings.guard)
    if request.unpriced_keys and not request.settings.guard.accept_changes:
        objections += (f"{len(request.unpriced_keys)} invoice(s) have a charge without a price "
                       "in force",)
    return PeriodState(
        beyond_lookback=beyond,
        lookback_detail=(f"held: {request.period} is closed period {position} counting back, "
                         f"beyond the lookback of {request.settings.lookback}; "
                         f"`fusion-rating adjust --period {request.period}` bills it"),
        hold=request.period_hold, guard_objections=objections,
        threshold=request.settings.threshold)


def posting_params(request: AdjustRequest) -> dict[str, Any]:
    """How adjust/key_differences.sql and adjust/pending_needs_rerun.sql read the postings:
    which states count as posted, which as changed in Odoo, whether the outbox counts."""
    # Odoo no longer holds what we posted: not posted for a delta computed against our lines.
    changed = PostingState.CHANGED_AFTER_POSTING
    return {"posted_states": [s.value for s in PostingState
                              if s.posted_by_us and s is not changed],
            "changed_state": changed.value, "outbox_posts": request.outbox_counts_as_posted}


def _decisions(con: Any, request: AdjustRequest, state: PeriodState) -> dict[str, Decision]:
    keys = warehouse.rows(con, "adjust/key_differences", {
        "billing_period": request.period, **posting_params(request)})
    return {row["invoice_key"]: decide(KeyDifference(
        invoice_key=row["invoice_key"], currency=row["currency"], deltas=tuple(row["deltas"]),
        original_posted=row["original_posted"], revisions_issued=row["revisions_issued"],
        revisions_posted=row["revisions_posted"], has_original=row["has_original"],
        has_standalone_revision=row["has_standalone_revision"],
        changed_after_posting=row["changed_after_posting"],
        unpriced=row["invoice_key"] in request.unpriced_keys), state) for row in keys}


def _decision_table(decisions: dict[str, Decision]) -> pa.Table:
    rows = [{"invoice_key": key,
             "revision": decision.revision if isinstance(decision, Issue) else None,
             "document_kind": decision.kind.value if isinstance(decision, Issue) else None,
             "why": decision.why.value if isinstance(decision, Pending) else None,
             "detail": decision.detail if isinstance(decision, Pending) else None}
            for key, decision in sorted(decisions.items()) if decision is not None]
    return pa.Table.from_pylist(rows, schema=DECISIONS)


def _issued(row: warehouse.Row) -> IssuedRevision:
    return IssuedRevision(
        adjustment_key=row["adjustment_key"], invoice_key=row["invoice_key"],
        revision=row["revision"], document_kind=row["document_kind"], currency=row["currency"],
        amount_net=row["amount_net"], amount_document=row["amount_document"],
        reason=row["reason"], source_files=tuple(row["source_files"]),
        delivery=row["delivery"], target_period=row["target_period"],
        reason_text=row["reason_text"])


def _outcome(state: PeriodState, issued: tuple[IssuedRevision, ...],
             pending: tuple[PendingTotal, ...]) -> str:
    if state.guard_objections and not state.beyond_lookback and state.hold is None:
        return "stopped_by_guard"
    if any(not total.why.carried for total in pending):
        return "held"
    if issued:
        return "issued"
    if pending:
        return "carried"
    return "no_difference"


def unbalanced_lines(con: Any, period: str | None = None) -> list[warehouse.Row]:
    """Every break of original + issued + pending = re-rated (per line, to the cent) and of a
    revision's lines adding up to its net (the blocking check adjustments_balance): of
    `period` only (what an adjust run checks before committing it), else of every period."""
    if period is None:
        return warehouse.rows(con, "adjust/unbalanced_lines")
    return warehouse.rows(con, "adjust/unbalanced_lines_of_period", {"billing_period": period})
