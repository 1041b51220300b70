"""Post a period's invoices to Odoo, once, and read them back (docs/odoo.md).

Exactly one Odoo invoice per key (`<customer>/<service>/<period>`, written in the move's
custom field `x_fc_billing_key`, which the customer does not see; invoices posted before it
existed carry the key in `ref` and are found there too), whatever was interrupted before: every
batch first searches Odoo for its keys, and only a key Odoo does not hold is created. The ledger
(`odoo_postings`) records each step; Odoo decides what exists.

A run starts by planning what the period's invoices need from Odoo (rating.odoo.setup: the key
field, units, income accounts, categories, analytic accounts, journals, payment terms) and
stops, naming what is missing, before any invoice when something is. Per batch:

1. search the keys' moves; classify each invoice: new, draft (same or changed content), posted
   (skipped, or flagged if our content changed: never edited), duplicate, cancelled;
2. resolve partners (by `ref`), products (by `default_code`) and journals, creating the missing
   partners and products the same search-first way;
3. create the new invoices in one call; when Odoo refuses the call, split it in halves until the
   invoice it refuses is alone (held as `rejected`), so one bad invoice blocks no other;
4. rewrite changed drafts, read every draft's `amount_untaxed` back: a difference from our total
   leaves it in draft (`amount_mismatch`); post the others in one `action_post` (split the same
   way);
5. read back number and state.

Odoo not answering (after the gateway's retries of reads) stops the run with `PostingFailed`,
naming what was and was not posted; the next run resumes from Odoo's state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from rating import warehouse
from rating.odoo.documents import Unpostable, documents
from rating.odoo.gateway import Gateway, OdooError, OdooUnreachable
from rating.odoo.options import PostingOptions
from rating.odoo.payload import InvoiceDocument
from rating.odoo.records import OdooRecords, ProductSpec, accounting_date, read_lock_date
from rating.odoo.setup import KEY_FIELD, UNITS, Needs, blocking, plan
from rating.periods import billing_period

log = logging.getLogger(__name__)

# Moved out, still named here for the callers of posting (cli, assets, bench, tests).
__all__ = ["PeriodOpen", "PostingFailed", "PostingOptions", "PostingReport", "Unpostable",
           "documents", "post_period"]

MOVE_FIELDS = ["id", KEY_FIELD, "ref", "state", "name", "amount_untaxed", "amount_tax",
               "amount_total", "currency_id"]
READ_CHUNK = 200
D0 = Decimal(0)
# Ledger states of an invoice we posted: Odoo holds it, whatever happens to our content.
POSTED_STATES = ("posted", "changed_after_posting")
# Keys left to a person: Odoo's invoice was taken out of our hands (reset to draft after we
# posted it, cancelled). Held on every run, never posted by us again, until it is posted in
# Odoo (then its lines are compared with ours) or gone.
PERSON_STATES = ("reset_to_draft_in_odoo", "cancelled_in_odoo")
# Drafts written again before they are verified: a rewrite Odoo refused, a total Odoo computed
# otherwise, duplicates a person resolved.
REWRITE_STATES = ("rejected", "amount_mismatch", "duplicate_in_odoo")
NOT_SET_UP = "fusion_rating.NotSetUp"


class LedgerEntry(NamedTuple):
    """What odoo_postings said of a key when the run started (sql/odoo/postings_for_period)."""

    invoice_key: str
    content_hash: str
    odoo_move_id: int | None
    state: str
    attempts: int
    updated_at: dt.datetime
MONEY = pa.decimal128(38, 2)
READBACK_COLUMNS = (
    ("invoice_key", pa.string()), ("odoo_move_id", pa.int64()), ("odoo_number", pa.string()),
    ("odoo_state", pa.string()), ("odoo_untaxed", MONEY), ("odoo_tax", MONEY),
    ("odoo_total", MONEY))
OUTBOX_COLUMNS = (
    ("invoice_key", pa.string()), ("customer_key", pa.string()), ("service", pa.string()),
    ("content_hash", pa.string()), ("amount_untaxed", MONEY), ("line_count", pa.int32()),
    ("payload", pa.string()), ("problem", pa.string()))
LEDGER_STEP_COLUMNS = (
    ("invoice_key", pa.string()), ("customer_key", pa.string()), ("service", pa.string()),
    ("content_hash", pa.string()), ("amount_untaxed", MONEY), ("odoo_move_id", pa.int64()),
    ("odoo_number", pa.string()), ("state", pa.string()), ("attempts", pa.int32()),
    ("last_error", pa.string()))


@dataclass
class PostingReport:
    """What a run did, per invoice key state, for the CLI and the Dagster metadata."""

    period: str
    dry_run: bool
    invoices: int = 0
    created: int = 0
    updated: int = 0
    posted: int = 0
    already_posted: int = 0
    amount_posted: Decimal = Decimal(0)
    states: dict[str, int] = field(default_factory=dict)
    held: list[tuple[str, str, str]] = field(default_factory=list)  # key, state, reason
    notes: list[str] = field(default_factory=list)  # what a person should know, e.g. lock dates
    odoo_calls: int = 0

    def summary(self) -> str:
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.states.items()))
        return (f"{self.period}: {self.invoices} invoices ({states}); created {self.created}, "
                f"updated {self.updated}, posted {self.posted}, already posted "
                f"{self.already_posted}; {self.odoo_calls} Odoo calls")


class PeriodOpen(RuntimeError):
    """Posting was asked for a period that is not closed: its invoices may still change."""


class PostingFailed(RuntimeError):
    """Odoo stopped answering: the message names what was and was not posted."""

    def __init__(self, message: str, report: PostingReport) -> None:
        super().__init__(message)
        self.report = report


def post_period(database: Path | str, period: str, gateway: Gateway | None,
                options: PostingOptions | None = None,
                settings: warehouse.WarehouseSettings | None = None) -> PostingReport:
    """Post the period's invoice_lines (a dry run into odoo_outbox when `gateway` is None) and
    rewrite reconciliation_odoo for the period."""
    options = options or PostingOptions()
    billing_period(period)  # validates the code
    with warehouse.writer(database, settings) as con:
        warehouse.create_schema(con)
        keys = [k for (k,) in warehouse.run(con, "odoo/invoice_keys",
                                            {"billing_period": period}).fetchall()]
        if gateway is None:
            return _dry_run(con, period, keys, options)
        closed = warehouse.run(con, "rate/period_closed", {"billing_period": period})
        if options.post and not closed.fetchone()[0]:
            raise PeriodOpen(f"{period} is still open: invoices are posted once the period is "
                             f"closed (close it first, or post drafts only)")
        poster = _Poster(con, gateway, period, options)
        return poster.run(keys)


def _dry_run(con: Any, period: str, keys: list[str], options: PostingOptions) -> PostingReport:
    report = PostingReport(period, dry_run=True, invoices=len(keys))
    with warehouse.transaction(con):
        warehouse.run(con, "odoo/delete_period_outbox", {"billing_period": period})
        for batch in _chunks(keys, options.batch_size):
            rows: list[tuple[Any, ...]] = []
            for doc in documents(con, period, batch, options, lambda _: options.precision):
                if isinstance(doc, InvoiceDocument):
                    rows.append((doc.key, doc.customer.ref, doc.service, doc.content_hash,
                                 doc.untaxed, len(doc.lines), json.dumps(doc.as_json()), None))
                    _count(report, "dry_run")
                else:
                    rows.append((doc.key, doc.customer, doc.service, "", None, 0, None,
                                 doc.problem))
                    _count(report, "not_postable")
                    report.held.append((doc.key, "not_postable", doc.problem))
            with warehouse.registered(con, "outbox_rows", _table(OUTBOX_COLUMNS, rows)):
                warehouse.run(con, "odoo/insert_outbox", {"billing_period": period})
        _write_reconciliation(con, period, dry_run=True)
    return report


class _Poster:
    """One posting run; holds the warehouse writer connection and the Odoo id caches."""

    def __init__(self, con: Any, gateway: Gateway, period: str, options: PostingOptions,
                 now: Callable[[], dt.datetime] | None = None) -> None:
        self.con = con
        self.odoo = gateway
        self.period = period
        self.options = options
        self.now = now or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
        self.report = PostingReport(period, dry_run=False)
        self.pending: dict[str, dict[str, Any]] = {}  # ledger steps not yet written
        self.ledger: dict[str, LedgerEntry] = {}
        self.held_keys: set[str] = set()
        self.records = OdooRecords(gateway, self._product_names,
                                   options.create_missing_products)
        self.reworded = 0  # posted invoices whose descriptions this version words otherwise
        self.legacy_drafts: set[int] = set()  # drafts carrying the key in `ref`

    # -- the run -------------------------------------------------------------------------

    def run(self, keys: list[str]) -> PostingReport:
        self.report.invoices = len(keys)
        # Each key is in one batch only: what the ledger said at the start is what it says
        # when its batch comes.
        self.ledger = {row[0]: LedgerEntry(*row) for row in warehouse.run(
            self.con, "odoo/postings_for_period", {"billing_period": self.period}).fetchall()}
        done = 0
        customers = [k for (k,) in warehouse.run(self.con, "odoo/customer_keys",
                                                 {"billing_period": self.period}).fetchall()]
        try:
            self._check_setup()
            for chunk in _chunks(customers, READ_CHUNK):
                self.records.find_partners(chunk)  # one search for many batches' partners
            for batch in _chunks(keys, self.options.batch_size):
                self._batch(batch)
                self._flush()
                done += len(batch)
            self._read_back()
            if self.reworded:
                self.report.notes.append(
                    f"{self.reworded} posted invoices read otherwise in this version (their "
                    "descriptions or booking settings) with the same lines and amounts: "
                    "recorded as posted, nothing to adjust")
        except (OdooUnreachable, OdooError) as exc:
            self._flush()
            self.report.odoo_calls = self.odoo.calls
            if isinstance(exc, OdooError) and exc.name == NOT_SET_UP:
                raise PostingFailed(f"nothing posted for {self.period}: {exc}",
                                    self.report) from None
            what = ("stopped answering" if isinstance(exc, OdooUnreachable)
                    else "refused a call every invoice needs")
            raise PostingFailed(
                f"Odoo {what} ({exc}) while posting {self.period}: "
                f"{self._ledger_count('posted')} of {len(keys)} invoices are posted "
                f"(odoo_postings), {len(keys) - done} were not finished; nothing was posted "
                f"twice, run again to resume.", self.report) from None
        self.report.odoo_calls = self.odoo.calls
        return self.report

    def _check_setup(self) -> None:
        """Resolve what the period needs from Odoo's setup, or stop before any invoice."""
        rows = warehouse.run(self.con, "odoo/period_needs",
                             {"billing_period": self.period}).fetchall()
        services = {service: name for service, name, _, _ in rows}
        units = {unit for _, _, metric_unit, package_unit in rows
                 for unit in (metric_unit, package_unit) if unit}
        needs = Needs(units=frozenset({UNITS, *units}),
                      bookings=tuple(self.options.booking(s, n) for s, n in services.items()),
                      languages=frozenset({"fr_CA"}))
        steps = plan(self.odoo, needs)
        missing = blocking(steps)
        if missing:
            listed = "; ".join(f"{s.kind} {s.name} ("
                               + (f"missing: {s.detail}" if s.status == "missing" else
                                  "to create" if s.status == "create" else "to change") + ")"
                               for s in missing)
            raise OdooError(NOT_SET_UP,
                            f"Odoo is not set up for these invoices: {listed}. Run "
                            "`fusion-rating odoo setup` to see the plan and `fusion-rating odoo "
                            "setup --apply` to create what it can")
        self.records.setup_ids = {(s.kind, s.name): s.record_id for s in steps
                                  if s.status == "ok" and s.record_id is not None}
        self.records.lock_date = read_lock_date(self.odoo)
        last_day = billing_period(self.period).last_day
        moved = accounting_date(last_day, self.records.lock_date)
        if moved != last_day:
            note = (f"{self.period} is inside Odoo's lock date ({self.records.lock_date}): "
                    f"invoices dated {last_day} are booked on {moved}, the first open date")
            self.report.notes.append(note)
            log.warning(note)

    def _batch(self, keys: list[str]) -> None:
        docs: list[InvoiceDocument] = []
        for doc in documents(self.con, self.period, keys, self.options,
                             lambda currency: self.records.currency(currency)[0]):
            if isinstance(doc, InvoiceDocument):
                docs.append(doc)
            else:
                self._unpostable(doc)
        if not docs:
            return
        found = self._moves_by_ref([d.key for d in docs])
        new: list[InvoiceDocument] = []
        drafts: dict[str, tuple[InvoiceDocument, int, bool]] = {}  # key -> doc, id, rewrite
        for doc in docs:
            moves = found.get(doc.key, [])
            entry = self.ledger.get(doc.key)
            if len(moves) > 1:
                ids = ", ".join(str(m["id"]) for m in moves)
                self._hold(doc, "duplicate_in_odoo", f"Odoo invoices {ids} carry this key")
            elif not moves:
                if entry is not None and entry.state in POSTED_STATES:
                    self._hold(doc, "deleted_in_odoo",
                               f"posted as Odoo invoice {entry.odoo_move_id}, no longer in Odoo")
                elif entry is not None and entry.state == "create_unconfirmed" and \
                        self.now() - entry.updated_at < dt.timedelta(
                            seconds=self.options.settle_seconds):
                    # Not recorded again: the wait counts from the lost create.
                    self._report_held(doc.key, "create_unconfirmed",
                                      "a create whose answer was lost may still land in Odoo; "
                                      f"created again {self.options.settle_seconds:.0f} s after "
                                      "it at the earliest")
                else:
                    new.append(doc)
            else:
                move = moves[0]
                same = entry is not None and entry.content_hash == doc.content_hash
                kept = entry.content_hash if entry is not None else None
                if move["state"] == "cancel":
                    self._hold(doc, "cancelled_in_odoo",
                               f"Odoo invoice {move['id']} is cancelled", move["id"],
                               content_hash=kept)
                elif move["state"] == "posted":
                    self._already_posted(doc, move, entry, same)
                elif entry is not None and entry.state in (*POSTED_STATES, *PERSON_STATES):
                    # Accounting reset our posted (or cancelled) invoice to draft, perhaps to
                    # edit it: theirs, until they post it again.
                    self._hold(doc, "reset_to_draft_in_odoo",
                               f"Odoo invoice {move['id']} was posted or cancelled and is a "
                               "draft again: left to accounting", move["id"], content_hash=kept)
                else:
                    # Rewritten when our content changed, when the last rewrite or total went
                    # wrong (its lines may have been laid out by another version or at another
                    # precision), or when it carries the key in `ref` (an earlier version's):
                    # the draft is ours until it is posted.
                    legacy = move[KEY_FIELD] != doc.key
                    if legacy:
                        self.legacy_drafts.add(int(move["id"]))
                    rewrite = (not same or legacy
                               or (entry is not None and entry.state in REWRITE_STATES))
                    drafts[doc.key] = (doc, int(move["id"]), rewrite)
        for doc, move_id in self._create(new):
            drafts[doc.key] = (doc, move_id, False)
        self._rewrite([(d, i) for d, i, rewrite in drafts.values() if rewrite])
        verified = self._verify(list(drafts.values()))
        if self.options.post:
            self._post(verified)
        else:
            for doc, move_id in verified:
                self._ledger(doc, "draft", move_id=move_id)
                _count(self.report, "draft")

    # -- steps ---------------------------------------------------------------------------

    def _already_posted(self, doc: InvoiceDocument, move: dict[str, Any],
                        entry: LedgerEntry | None, same: bool) -> None:
        """A posted invoice under the key: ours when we posted this very content, or when its
        lines are ours (posted by a run killed before it could record it, by another version
        that worded it otherwise, by a person who posted our draft); otherwise flagged."""
        amount = _decimal(move["amount_untaxed"])
        if (same and entry is not None and entry.state == "posted") or (
                amount == doc.untaxed and self._same_lines(move, doc)):
            if not same and entry is not None and entry.state in POSTED_STATES:
                self.reworded += 1  # worded otherwise (descriptions, booking settings)
            self._ledger(doc, "posted", move_id=move["id"], number=move["name"])
            self.report.already_posted += 1
            _count(self.report, "posted")
        else:
            change = (f"rated content changed since (now {doc.untaxed})"
                      if amount != doc.untaxed else "its lines are no longer the rated ones")
            reason = (f"Odoo invoice {move['name']} is posted with {amount}; {change}: adjust "
                      "with a credit note")
            # The ledger keeps the hash of what was posted: the next run flags it again.
            self._ledger(doc, "changed_after_posting", move_id=move["id"], number=move["name"],
                         error=reason, content_hash=(entry.content_hash if entry and
                                                     entry.content_hash else "not the rated"))
            self._report_held(doc.key, "changed_after_posting", reason)

    def _same_lines(self, move: dict[str, Any], doc: InvoiceDocument) -> bool:
        """Odoo's lines of a posted invoice are ours: the same currency, the same products
        with the same amounts (the descriptions aside). Only reads."""
        currency = move.get("currency_id")
        if not isinstance(currency, list) or currency[1] != doc.currency:
            return False
        products = self.records.known_products(sorted({ln.product_code for ln in doc.lines}))
        if len(products) != len({ln.product_code for ln in doc.lines}):
            return False  # a product Odoo does not hold cannot be on its invoice
        rows = self.odoo.call("account.move.line", "search_read",
                              domain=[["move_id", "=", move["id"]],
                                      ["display_type", "=", "product"]],
                              fields=["product_id", "price_subtotal"])
        theirs = sorted((row["product_id"][0] if row["product_id"] else 0,
                         _decimal(row["price_subtotal"])) for row in rows)
        ours = sorted((products[ln.product_code], ln.subtotal) for ln in doc.lines)
        return theirs == ours

    def _create(self, docs: list[InvoiceDocument]) -> list[tuple[InvoiceDocument, int]]:
        """Create the new invoices (one call, halved on refusal); (doc, move id) per success."""
        if not docs:
            return []
        partners = self.records.partners([d.customer for d in docs])
        # Resolve (and create) the batch's products in one go; a failure here is held per
        # invoice below, where each asks for its own.
        with contextlib.suppress(OdooError):
            self.records.products(sorted({ln.product_code for d in docs for ln in d.lines}))
        ready: list[tuple[InvoiceDocument, dict[str, Any]]] = []
        for doc in docs:
            try:
                ready.append((doc, self.records.move_values(doc, partners[doc.customer.ref])))
            except OdooError as exc:
                self._hold(doc, "rejected", str(exc))
        for doc, _ in ready:
            self._ledger(doc, "pending", attempts=1)
        self._flush()
        return self._create_split(ready)

    def _create_split(self, ready: list[tuple[InvoiceDocument, dict[str, Any]]]
                      ) -> list[tuple[InvoiceDocument, int]]:
        if not ready:
            return []
        try:
            ids = self.odoo.call("account.move", "create", vals_list=[v for _, v in ready])
        except OdooError as exc:
            if len(ready) == 1:
                self._hold(ready[0][0], "rejected", str(exc))
                return []
            half = len(ready) // 2
            return self._create_split(ready[:half]) + self._create_split(ready[half:])
        except OdooUnreachable:
            return self._adopt_after_lost_answer(ready)
        created = [(doc, int(move_id)) for (doc, _), move_id in zip(ready, ids, strict=True)]
        for doc, move_id in created:
            self._ledger(doc, "draft", move_id=move_id)
        self.report.created += len(created)
        return created

    def _adopt_after_lost_answer(self, ready: list[tuple[InvoiceDocument, dict[str, Any]]]
                                 ) -> list[tuple[InvoiceDocument, int]]:
        """The create's answer was lost: Odoo may hold the invoices, or may still be creating
        them. Search (a read, retried) and adopt what it holds; the others are never created
        again in this run (they could land a moment later: two invoices for one key), so the
        run stops and a later run creates them once `settle_seconds` have passed."""
        found = self._moves_by_ref([doc.key for doc, _ in ready])
        adopted = [(doc, int(found[doc.key][0]["id"])) for doc, _ in ready if doc.key in found]
        for doc, move_id in adopted:
            self._ledger(doc, "draft", move_id=move_id)
        self.report.created += len(adopted)
        unconfirmed = [doc for doc, _ in ready if doc.key not in found]
        for doc in unconfirmed:
            self._hold(doc, "create_unconfirmed", "the create's answer was lost and Odoo does "
                                                  "not show the invoice yet")
        if unconfirmed:
            raise OdooUnreachable(f"the answer to creating {len(unconfirmed)} invoices was "
                                  f"lost; they are created again once Odoo has settled")
        return adopted

    def _rewrite(self, drafts: list[tuple[InvoiceDocument, int]]) -> None:
        """A draft whose content changed gets all its lines replaced (one call each: the
        values differ per invoice). Rewriting the same values twice is harmless."""
        if not drafts:
            return
        partners = self.records.partners([d.customer for d, _ in drafts])
        for doc, move_id in drafts:
            try:
                values = self.records.move_values(doc, partners[doc.customer.ref])
                values.pop("move_type")
                values["invoice_line_ids"] = [[5, 0, 0], *values["invoice_line_ids"]]
                if move_id in self.legacy_drafts:  # the key leaves the customer's reference
                    values["ref"] = False
                self._ledger(doc, "draft", move_id=move_id, attempts=1,
                             content_hash="rewriting")
                self.odoo.call("account.move", "write", [move_id], vals=values)
            except OdooError as exc:
                # Odoo still holds the old content: the next run writes it again.
                self._hold(doc, "rejected", str(exc), move_id, content_hash="rewriting")
                continue
            self._ledger(doc, "draft", move_id=move_id)
            self.report.updated += 1

    def _verify(self, drafts: list[tuple[InvoiceDocument, int, bool]]
                ) -> list[tuple[InvoiceDocument, int]]:
        """Drafts whose untaxed total in Odoo is ours; the others stay in draft, flagged."""
        candidates = [(doc, move_id) for doc, move_id, _ in drafts
                      if doc.key not in self.held_keys]
        if not candidates:
            return []
        moves = {m["id"]: m for m in self._read([i for _, i in candidates])}
        verified = []
        for doc, move_id in candidates:
            move = moves.get(move_id)
            if move is None:
                self._hold(doc, "deleted_in_odoo", f"Odoo invoice {move_id} disappeared")
                continue
            amount = _decimal(move["amount_untaxed"])
            if amount != doc.untaxed:
                self._hold(doc, "amount_mismatch",
                           f"Odoo computes {amount} untaxed, we rated {doc.untaxed}: left in "
                           f"draft", move_id)
            else:
                verified.append((doc, move_id))
        return verified

    def _post(self, drafts: list[tuple[InvoiceDocument, int]]) -> None:
        if not drafts:
            return
        for doc, move_id in drafts:
            self._ledger(doc, "draft", move_id=move_id, attempts=1)
        self._post_split(drafts)

    def _post_split(self, drafts: list[tuple[InvoiceDocument, int]]) -> None:
        """action_post in one call, halved when Odoo refuses; each success is recorded as it
        happens, so a failure later in the batch loses none of them."""
        if not drafts:
            return
        try:
            self.odoo.call("account.move", "action_post", [i for _, i in drafts])
        except OdooError as exc:
            if len(drafts) == 1:
                self._hold(drafts[0][0], "rejected", str(exc), drafts[0][1])
                return
            half = len(drafts) // 2
            self._post_split(drafts[:half])
            self._post_split(drafts[half:])
            return
        except OdooUnreachable:
            # Posted or not, Odoo's state says (a read, retried): record it, then stop the
            # run, since Odoo is failing; the rerun posts the rest.
            states = {m["id"]: m["state"] for m in self._read([i for _, i in drafts])}
            self._posted([(d, i) for d, i in drafts if states.get(i) == "posted"])
            raise
        self._posted(drafts)

    def _posted(self, drafts: list[tuple[InvoiceDocument, int]]) -> None:
        for doc, move_id in drafts:
            self._ledger(doc, "posted", move_id=move_id)  # its number comes with the read-back
            self.report.posted += 1
            self.report.amount_posted += doc.untaxed
            _count(self.report, "posted")

    def _read_back(self) -> None:
        rows = warehouse.run(self.con, "odoo/ledger_moves",
                             {"billing_period": self.period}).fetchall()
        keys = {move_id: key for key, move_id in rows}
        moves = [m for chunk in _chunks(list(keys), READ_CHUNK) for m in self._read(chunk)]
        table = _table(READBACK_COLUMNS, [
            (keys[m["id"]], m["id"], m["name"] if m["name"] not in ("/", False) else None,
             m["state"], _decimal(m["amount_untaxed"]), _decimal(m["amount_tax"]),
             _decimal(m["amount_total"])) for m in moves])
        with warehouse.transaction(self.con), \
                warehouse.registered(self.con, "readback_rows", table):
            warehouse.run(self.con, "odoo/create_readback")
            warehouse.run(self.con, "odoo/update_numbers", {"billing_period": self.period})
            _write_reconciliation(self.con, self.period, dry_run=False)

    # -- Odoo lookups --------------------------------------------------------------------

    def _product_names(self, codes: list[str]) -> dict[str, ProductSpec]:
        rows = warehouse.run(self.con, "odoo/product_names", {"codes": codes}).fetchall()
        return {code: ProductSpec(name, self.options.booking(service, service_name)
                                  .product_category or service_name, unit or UNITS)
                for code, name, service, service_name, unit in rows}

    def _moves_by_ref(self, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Odoo's customer invoices per key: by x_fc_billing_key, or by `ref` for one posted
        before the field existed."""
        rows = self.odoo.call("account.move", "search_read",
                              domain=[["move_type", "=", "out_invoice"], "|",
                                      [KEY_FIELD, "in", keys], ["ref", "in", keys]],
                              fields=MOVE_FIELDS, order="id")
        wanted = set(keys)
        found: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            key = row[KEY_FIELD] if row[KEY_FIELD] in wanted else row["ref"]
            found.setdefault(key, []).append(row)
        return found

    def _read(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        rows: list[dict[str, Any]] = self.odoo.call("account.move", "read", ids,
                                                     fields=MOVE_FIELDS)
        return rows

    # -- the ledger ----------------------------------------------------------------------

    def _hold(self, doc: InvoiceDocument, state: str, reason: str,
              move_id: int | None = None, number: str | None = None,
              content_hash: str | None = None) -> None:
        """Note a held key; `content_hash`: what Odoo's invoice holds when it is not today's
        content (a refused rewrite, an invoice out of our hands)."""
        self._ledger(doc, state, move_id=move_id, number=number, error=reason,
                     content_hash=content_hash)
        self._report_held(doc.key, state, reason)

    def _report_held(self, key: str, state: str, reason: str) -> None:
        self.report.held.append((key, state, reason))
        self.held_keys.add(key)
        _count(self.report, state)
        log.warning("invoice %s held (%s): %s", key, state, reason)

    def _unpostable(self, doc: Unpostable) -> None:
        entry = self.ledger.get(doc.key)
        if entry is None or entry.state not in POSTED_STATES:
            # (A posted invoice stays recorded as posted: Odoo holds it, whatever we can
            # build today.)
            self._ledger_raw(doc.key, doc.customer, doc.service, "", doc.amount, None, None,
                             "not_postable", 0, doc.problem)
        self._report_held(doc.key, "not_postable", doc.problem)

    def _ledger(self, doc: InvoiceDocument, state: str, *, move_id: int | None = None,
                number: str | None = None, attempts: int = 0, error: str | None = None,
                content_hash: str | None = None) -> None:
        self._ledger_raw(doc.key, doc.customer.ref, doc.service,
                         content_hash or doc.content_hash, doc.untaxed, move_id,
                         number if number not in ("/", False) else None, state, attempts,
                         error)

    def _ledger_raw(self, key: str, customer: str, service: str, content_hash: str,
                    amount: Decimal, move_id: int | None, number: str | None, state: str,
                    attempts: int, error: str | None) -> None:
        """Note a step; `_flush` writes the noted steps (one per key: the last state, the
        attempts summed, the last known id and number)."""
        earlier = self.pending.get(key)
        if earlier is not None:
            attempts += earlier["attempts"]
            move_id = move_id if move_id is not None else earlier["odoo_move_id"]
            number = number if number is not None else earlier["odoo_number"]
        self.pending[key] = {"invoice_key": key, "customer_key": customer, "service": service,
                             "content_hash": content_hash, "amount_untaxed": amount,
                             "odoo_move_id": move_id, "odoo_number": number, "state": state,
                             "attempts": attempts, "last_error": error}

    def _flush(self) -> None:
        """Write the noted steps in one statement. Flushed before every create (so a key's
        `pending` step precedes its invoice) and after every batch; a crash in between loses
        notes, never an invoice: Odoo is searched by key before anything is created."""
        if not self.pending:
            return
        rows = [tuple(step[name] for name, _ in LEDGER_STEP_COLUMNS)
                for _, step in sorted(self.pending.items())]
        self.pending.clear()
        with warehouse.registered(self.con, "ledger_steps", _table(LEDGER_STEP_COLUMNS, rows)):
            warehouse.run(self.con, "odoo/upsert_postings",
                          {"billing_period": self.period, "now": self.now()})

    def _ledger_count(self, state: str) -> int:
        rows = warehouse.run(self.con, "odoo/posting_states",
                             {"billing_period": self.period}).fetchall()
        return sum(int(n) for s, n, _ in rows if s == state)


def _table(columns: Sequence[tuple[str, Any]], rows: list[tuple[Any, ...]]) -> Any:
    """Rows as an Arrow table of the given (name, type) columns, to register as a view."""
    return pa.table({name: pa.array([row[i] for row in rows], kind)
                     for i, (name, kind) in enumerate(columns)})


def _write_reconciliation(con: Any, period: str, dry_run: bool) -> None:
    if dry_run:
        with warehouse.registered(con, "readback_rows", _table(READBACK_COLUMNS, [])):
            warehouse.run(con, "odoo/create_readback")
    warehouse.run(con, "odoo/delete_period_reconciliation", {"billing_period": period})
    warehouse.run(con, "odoo/insert_reconciliation", {
        "billing_period": period, "dry_run": dry_run,
        "now": dt.datetime.now(dt.UTC).replace(tzinfo=None)})


def _count(report: PostingReport, state: str) -> None:
    report.states[state] = report.states.get(state, 0) + 1


def _chunks(items: list[str] | list[int], size: int) -> Iterator[Any]:
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + size]


def _decimal(value: Any) -> Decimal:
    """Odoo's JSON numbers are floats: their shortest repr is the decimal Odoo stored."""
    return Decimal(str(value)).quantize(Decimal("0.01"))
