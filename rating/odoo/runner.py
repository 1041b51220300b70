"""One posting run: gathers what the ledger, the rating and Odoo say of each key, asks
rating.odoo.plan what to do, and does it.

The run first resolves what the period's invoices need from Odoo's setup (rating.odoo.setup)
and stops, naming what is missing, before any invoice when something is. Then, source after
source (rating.odoo.sources: the invoices, then the adjustments issued for the period), per
batch: the documents, one search of Odoo for the batch's keys (and an adjustment's original
invoice), one decision per key, then the writes in order (rating.odoo.moves): create the new
invoices, rewrite the drafts whose content changed, verify every draft's total (and a credit
note's link), post the verified ones. Last, every invoice the ledger knows is read back into
reconciliation_odoo (rating.odoo.ledger).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from rating import warehouse
from rating.odoo.documents import Unpostable, product_specs
from rating.odoo.gateway import Gateway, OdooError, OdooUnreachable
from rating.odoo.ledger import (
    PostingLedger,
    PostingReport,
    ledger_entries,
    moves_to_read_back,
    write_read_back,
)
from rating.odoo.moves import (
    READ_CHUNK,
    InvoiceWriter,
    lines_are_ours,
    moves_by_key,
    odoo_move,
    read_back,
    read_moves,
)
from rating.odoo.options import PostingOptions
from rating.odoo.payload import InvoiceDocument
from rating.odoo.plan import (
    AlreadyPosted,
    CompareLines,
    Create,
    Hold,
    LedgerEntry,
    OdooMove,
    PostingState,
    Rated,
    Rewrite,
    Verify,
    decide,
    hold_carrying_unpostable,
    hold_not_postable,
    judge_posted,
    link_original,
    verify_draft,
)
from rating.odoo.records import OdooRecords, accounting_date, read_lock_date
from rating.odoo.setup import NOT_SET_UP, UNITS, Needs, Step, blocking, plan
from rating.odoo.sources import INVOICES, DocumentSource
from rating.periods import billing_period
from rating.progress import SILENT, Progress, count

log = logging.getLogger(__name__)
T = TypeVar("T")


class PostingRun:
    """One posting run; holds the warehouse writer connection and the Odoo id caches."""

    def __init__(self, con: Any, gateway: Gateway, period: str, options: PostingOptions,
                 now: Callable[[], dt.datetime] | None = None) -> None:
        self.con = con
        self.odoo = gateway
        self.period = period
        self.options = options
        self.now = now or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
        self.report = PostingReport(period, dry_run=False)
        self.ledger = PostingLedger(con, period, self.report, self.now)
        self.entries: dict[str, LedgerEntry] = {}
        self.records = OdooRecords(gateway, lambda codes: product_specs(con, options, codes),
                                   options.create_missing_products)
        self.writer = InvoiceWriter(gateway, self.records, self.ledger)
        self.reworded = 0  # posted invoices whose descriptions this version words otherwise
        self.finished = 0  # keys whose batch is done
        self.source = INVOICES

    def run(self, sources: Sequence[tuple[DocumentSource, list[str]]],
            progress: Progress = SILENT) -> PostingReport:
        """Post each source's keys in turn; Odoo refusing a call every invoice needs, or not
        answering, stops the run (OdooError, OdooUnreachable) with what was done written
        down."""
        self.report.invoices = sum(len(source_keys) for _, source_keys in sources)
        # Read before any call: a state no version writes stops the run before it changes
        # anything.
        self.entries = ledger_entries(self.con, self.period)
        customers = [row["customer_key"] for row in warehouse.rows(
            self.con, "odoo/customer_keys", {"billing_period": self.period})]
        try:
            with progress.step("Odoo's setup and partners") as step:
                self.check_setup()
                for chunk in chunks(customers, READ_CHUNK):
                    self.records.find_partners(chunk)  # one search for many batches' partners
                step.report(count(len(customers), "customers"))
            for source, source_keys in sources:
                if not source_keys:
                    continue
                # Each key is in one batch only: what the ledger said when its source started
                # is what it says when its batch comes (an adjustment's original invoice was
                # posted by the sources before).
                if self.source is not source:
                    self.entries = ledger_entries(self.con, self.period)
                self.source = source
                _post_batches(self, source_keys, progress)
            with progress.step("reading the invoices back from Odoo"):
                self._read_back()
            if self.reworded:
                self.report.notes.append(
                    f"{self.reworded} posted invoices read otherwise in this version (their "
                    "descriptions or booking settings) with the same lines and amounts: "
                    "recorded as posted, nothing to adjust")
        except (OdooUnreachable, OdooError):
            self.ledger.flush()
            self.report.odoo_calls = self.odoo.calls
            raise
        self.report.odoo_calls = self.odoo.calls
        return self.report

    def check_setup(self) -> None:
        """Resolve what the period needs from Odoo's setup, or stop before any invoice."""
        _check_setup(self)

    def batch(self, keys: list[str]) -> None:
        """One search of Odoo for the batch's keys, a decision per key, then the writes:
        create the new, rewrite the changed drafts, verify every draft, post."""
        docs: list[InvoiceDocument] = []
        unpostable: list[Unpostable] = []
        for doc in self.source.build(self.con, self.period, keys, self.options,
                                     lambda currency: self.records.currency(currency)[0]):
            if isinstance(doc, InvoiceDocument):
                docs.append(doc)
            else:
                unpostable.append(doc)
        found = _search(self, docs, unpostable)
        for held in unpostable:
            _not_postable(self, held, found.get(held.key, []))
        if not docs:
            return
        docs = _linked(self, docs, found)
        new: list[InvoiceDocument] = []
        drafts: dict[str, tuple[InvoiceDocument, Rewrite | Verify]] = {}
        for doc in docs:
            decision = self._decide(doc, found.get(doc.key, []))
            if isinstance(decision, Create):
                new.append(doc)
            elif isinstance(decision, Rewrite | Verify):
                drafts[doc.key] = (doc, decision)
            elif isinstance(decision, AlreadyPosted):
                self._already_posted(doc, decision)
            else:
                self.ledger.hold(doc, decision)
        for doc, move_id in self.writer.create(new):
            drafts[doc.key] = (doc, Verify(move_id))
        self.writer.rewrite([(d, step) for d, step in drafts.values()
                             if isinstance(step, Rewrite)])
        verified = self._verify([(d, step.move_id) for d, step in drafts.values()])
        if self.options.post:
            for group in one_credit_note_per_original(verified):
                self.writer.post(group)
        else:
            for doc, move_id in verified:
                self.ledger.note(doc, PostingState.DRAFT, move_id=move_id)
                self.report.count(PostingState.DRAFT)

    def _decide(self, doc: InvoiceDocument, moves: list[OdooMove]
                ) -> Create | Rewrite | Verify | AlreadyPosted | Hold:
        entry = self.entries.get(doc.key)
        rated = _rated(doc)
        decision = decide(entry, rated, moves, self.now(), self.options.settle_seconds)
        if isinstance(decision, CompareLines):
            return judge_posted(entry, rated, decision.move, lines_are_ours(
                self.odoo, self.records, doc, decision.move.id))
        return decision

    def _already_posted(self, doc: InvoiceDocument, posted: AlreadyPosted) -> None:
        if posted.reworded:
            self.reworded += 1  # worded otherwise (descriptions, booking settings)
        self.ledger.note(doc, posted.state, move_id=posted.move_id, number=posted.number)
        self.report.already_posted += 1
        self.report.count(posted.state)

    def _verify(self, drafts: list[tuple[InvoiceDocument, int]]
                ) -> list[tuple[InvoiceDocument, int]]:
        """Drafts whose untaxed total in Odoo is ours; the others stay in draft, flagged."""
        candidates = [(doc, move_id) for doc, move_id in drafts
                      if doc.key not in self.ledger.held_keys]
        if not candidates:
            return []
        moves = {row["id"]: row for row in read_moves(self.odoo, [i for _, i in candidates])}
        verified = []
        for doc, move_id in candidates:
            row = moves.get(move_id)
            outcome = verify_draft(_rated(doc), move_id,
                                   None if row is None else odoo_move(row))
            if isinstance(outcome, Hold):
                self.ledger.hold(doc, outcome)
            else:
                verified.append((doc, outcome.move_id))
        return verified

    def _read_back(self) -> None:
        keys = moves_to_read_back(self.con, self.period)
        rows = [row for chunk in chunks(list(keys), READ_CHUNK)
                for row in read_moves(self.odoo, chunk)]
        self.report.webhook_events += write_read_back(
            self.con, self.period, [read_back(keys[row["id"]], row) for row in rows])


def _check_setup(run: PostingRun) -> None:
    """Resolve what the period needs from Odoo's setup, or stop before any invoice."""
    steps = plan(run.odoo, _period_needs(run.con, run.period, run.options))
    missing = blocking(steps)
    if missing:
        raise OdooError(NOT_SET_UP, _not_set_up(missing))
    run.records.setup_ids = {(s.kind, s.name): s.record_id for s in steps
                            if s.status == "ok" and s.record_id is not None}
    run.records.lock_date = read_lock_date(run.odoo)
    last_day = billing_period(run.period).last_day
    moved = accounting_date(last_day, run.records.lock_date)
    if moved != last_day:
        note = (f"{run.period} is inside Odoo's lock date ({run.records.lock_date}): "
                f"invoices dated {last_day} are booked on {moved}, the first open date")
        run.report.notes.append(note)
        log.warning(note)


def _search(run: PostingRun, docs: list[InvoiceDocument], unpostable: list[Unpostable]
            ) -> dict[str, list[OdooMove]]:
    """One search of Odoo for the batch: its documents, an adjustment's original invoice, and
    an unpostable invoice carrying adjustments (whether Odoo holds a move of it decides
    whether the adjust run may deliver them otherwise)."""
    originals = sorted({d.original_key for d in docs
                        if d.original_key is not None and not d.standalone})
    keys = [d.key for d in docs] + originals + [u.key for u in unpostable
                                                if u.carries_adjustments]
    return moves_by_key(run.odoo, keys) if keys else {}


def _not_postable(run: PostingRun, doc: Unpostable, moves: list[OdooMove]) -> None:
    entry = run.entries.get(doc.key)
    if doc.carries_adjustments:
        hold = hold_carrying_unpostable(entry, doc.problem, run.period, moves, run.now(),
                                        run.options.settle_seconds)
    else:
        hold = hold_not_postable(entry, doc.problem)
    run.ledger.not_postable(doc, hold)


def _linked(run: PostingRun, docs: list[InvoiceDocument], found: dict[str, list[OdooMove]]
            ) -> list[InvoiceDocument]:
    """The batch's documents, each adjustment linked to its original invoice as Odoo holds it
    (its id and number); one whose original is not posted is held, unless we posted it
    already (Odoo holds it whatever became of its original since: it is never written
    again, only recorded as it stands). A supplementary invoice standing alone (no invoice at
    the close) has nothing to link to."""
    linked = []
    for doc in docs:
        if doc.original_key is None or doc.standalone:
            linked.append(doc)
            continue
        moves = found.get(doc.original_key, [])
        original = link_original(doc.original_key, run.entries.get(doc.original_key),
                                 moves[0] if len(moves) == 1 else None)
        own = run.entries.get(doc.key)
        if not isinstance(original, Hold):
            linked.append(dataclasses.replace(doc, original=(original.id, original.number)))
        elif own is not None and own.state.posted_by_us:
            linked.append(doc)
        else:
            run.ledger.hold(doc, original)
    return linked


def _post_batches(run: PostingRun, keys: list[str], progress: Progress) -> None:
    """The source's batches, one after the other, each counted when done."""
    unit = run.source.name
    what = "posting" if run.options.post else "writing drafts"
    if unit != INVOICES.name:
        what = f"{what} of {unit}"
    with progress.step(what, total=len(keys), unit=unit) as step:
        done = 0
        for batch in chunks(keys, run.options.batch_size):
            run.batch(batch)
            run.ledger.flush()
            run.finished += len(batch)
            done += len(batch)
            step.advance(len(batch))
            step.detail(f"{done:,} of {len(keys):,} {unit} done: "
                        f"{run.report.summary_of_states()}")
        step.report(f"{count(len(keys), unit)}: {run.report.summary_of_states()}")


def _period_needs(con: Any, period: str, options: PostingOptions) -> Needs:
    """What the period's invoices need from Odoo's setup: their services' bookings, the
    units their lines may carry, French for Quebec."""
    rows = warehouse.rows(con, "odoo/period_needs", {"billing_period": period})
    services = {row["service"]: row["service_name"] for row in rows}
    units = {unit for row in rows for unit in (row["unit"], row["package_unit"]) if unit}
    return Needs(units=frozenset({UNITS, *units}),
                 bookings=tuple(options.booking(s, n) for s, n in services.items()),
                 languages=frozenset({"fr_CA"}))


def _rated(doc: InvoiceDocument) -> Rated:
    return Rated(doc.key, doc.content_hash, doc.untaxed, doc.currency, doc.move_type,
                 doc.reversed_entry_id)


def one_credit_note_per_original(drafts: list[tuple[InvoiceDocument, int]]
                                 ) -> Iterator[list[tuple[InvoiceDocument, int]]]:
    """The drafts in action_post calls that hold at most one credit note per original
    invoice: Odoo 19 pairs the credit notes of one call with their originals by position
    (docs/odoo-credit-notes.md), so a second one of the same invoice would stay unreconciled,
    or be reconciled with another customer's invoice."""
    remaining = list(drafts)
    while remaining:
        group, later, seen = [], [], set()
        for doc, move_id in remaining:
            original = doc.reversed_entry_id
            if original is not None and original in seen:
                later.append((doc, move_id))
                continue
            if original is not None:
                seen.add(original)
            group.append((doc, move_id))
        yield group
        remaining = later


def _not_set_up(missing: list[Step]) -> str:
    listed = "; ".join(f"{s.kind} {s.name} ("
                       + (f"missing: {s.detail}" if s.status == "missing" else
                          "to create" if s.status == "create" else "to change") + ")"
                       for s in missing)
    return (f"Odoo is not set up for these invoices: {listed}. Run `fusion-rating odoo setup` "
            "to see the plan and `fusion-rating odoo setup --apply` to create what it can")


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """The items in slices of `size` (a batch of keys, a read of ids)."""
    for start in range(0, len(items), max(1, size)):
        yield list(items[start:start + size])
