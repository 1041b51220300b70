"""The ledger of postings and what a run tells: odoo_postings, odoo_outbox, reconciliation_odoo.

`odoo_postings` records each step of each key (pending before a create, draft, posted, or why it
is held); Odoo, searched before any create, decides what exists. Steps are noted as they happen
and written in one statement per batch (`PostingLedger.flush`). A dry run writes the payloads
into `odoo_outbox`; every run ends by rewriting the period's `reconciliation_odoo`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from rating import warehouse
from rating.odoo.documents import Unpostable
from rating.odoo.payload import InvoiceDocument
from rating.odoo.plan import Hold, LedgerEntry, PostingState
from rating.webhooks.events import write_events

log = logging.getLogger(__name__)

MONEY = pa.decimal128(38, 2)
READBACK_COLUMNS = (
    ("invoice_key", pa.string()), ("odoo_move_id", pa.int64()), ("odoo_number", pa.string()),
    ("odoo_state", pa.string()), ("odoo_untaxed", MONEY), ("odoo_tax", MONEY),
    ("odoo_total", MONEY), ("odoo_reversed_entry_id", pa.int64()),
    ("odoo_currency", pa.string()), ("odoo_invoice_date", pa.date32()),
    ("odoo_due_date", pa.date32()))
OUTBOX_COLUMNS = (
    ("invoice_key", pa.string()), ("customer_key", pa.string()), ("service", pa.string()),
    ("content_hash", pa.string()), ("amount_untaxed", MONEY), ("line_count", pa.int32()),
    ("payload", pa.string()), ("problem", pa.string()))
LEDGER_STEP_COLUMNS = (
    ("invoice_key", pa.string()), ("customer_key", pa.string()), ("service", pa.string()),
    ("content_hash", pa.string()), ("amount_untaxed", MONEY), ("odoo_move_id", pa.int64()),
    ("odoo_number", pa.string()), ("state", pa.string()), ("attempts", pa.int32()),
    ("last_error", pa.string()), ("document_kind", pa.string()),
    ("original_move_id", pa.int64()), ("move_gone", pa.bool_()))


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
    webhook_events: int = 0  # invoice.posted / invoice.adjusted written by the read-back

    def summary_of_states(self) -> str:
        """`posted 48, held_amount_mismatch 2`: the invoices done so far, by state."""
        return ", ".join(f"{k} {v:,}" for k, v in sorted(self.states.items()))

    def summary(self) -> str:
        states = self.summary_of_states()
        return (f"{self.period}: {self.invoices:,} invoices ({states}); created "
                f"{self.created:,}, updated {self.updated:,}, posted {self.posted:,}, already "
                f"posted {self.already_posted:,}; {self.odoo_calls:,} Odoo calls; "
                f"{self.webhook_events:,} webhook events")

    def count(self, state: PostingState) -> None:
        self.states[state.value] = self.states.get(state.value, 0) + 1

    def hold(self, key: str, state: PostingState, reason: str) -> None:
        self.held.append((key, state.value, reason))
        self.count(state)


def ledger_entries(con: Any, period: str) -> dict[str, LedgerEntry]:
    """What the ledger says of the period's keys, read once when a run starts."""
    return {row["invoice_key"]: LedgerEntry(
        invoice_key=row["invoice_key"], content_hash=row["content_hash"],
        odoo_move_id=row["odoo_move_id"], state=_state(row["invoice_key"], row["state"]),
        attempts=row["attempts"], updated_at=row["updated_at"],
        settled_untaxed=row["settled_untaxed"])
        for row in warehouse.rows(con, "odoo/postings_for_period", {"billing_period": period})}


def _state(key: str, written: str) -> PostingState:
    try:
        return PostingState(written)
    except ValueError:
        known = ", ".join(state.value for state in PostingState)
        raise ValueError(
            f"odoo_postings holds the state {written!r} for {key}, which fusion-rating never "
            f"writes (its states: {known}); nothing was posted. Correct that row of "
            "odoo_postings to the state it had, then post again.") from None


class PostingLedger:
    """The steps of a run, noted per key and written per batch, and the keys held."""

    def __init__(self, con: Any, period: str, report: PostingReport,
                 now: Callable[[], dt.datetime]) -> None:
        self.con = con
        self.period = period
        self.report = report
        self.now = now
        self.pending: dict[str, dict[str, Any]] = {}  # steps not yet written
        self.held_keys: set[str] = set()

    def note(self, doc: InvoiceDocument, state: PostingState, *, move_id: int | None = None,
             number: str | None = None, attempts: int = 0, error: str | None = None,
             content_hash: str | None = None) -> None:
        """Note a step of the invoice; `content_hash`: what Odoo's invoice holds when it is
        not today's content (a refused rewrite, an invoice out of our hands)."""
        self._note(doc.key, doc.customer.ref, doc.service, content_hash or doc.content_hash,
                   doc.untaxed, move_id, number, state, attempts, error,
                   (doc.document_kind, doc.original[0] if doc.original else None))

    def hold(self, doc: InvoiceDocument, hold: Hold) -> None:
        """Note a held invoice (unless the ledger keeps what it says) and report it."""
        if hold.recorded:
            self.note(doc, hold.state, move_id=hold.move_id, number=hold.number,
                      error=hold.reason, content_hash=hold.content_hash)
        self.report_held(doc.key, hold.state, hold.reason)

    def not_postable(self, doc: Unpostable, hold: Hold) -> None:
        if hold.recorded:
            self._note(doc.key, doc.customer, doc.service, "", doc.amount, hold.move_id, None,
                       hold.state, 0, hold.reason, move_gone=hold.no_move_in_odoo)
        self.report_held(doc.key, hold.state, hold.reason)

    def report_held(self, key: str, state: PostingState, reason: str) -> None:
        self.report.hold(key, state, reason)
        self.held_keys.add(key)
        log.warning("invoice %s held (%s): %s", key, state.value, reason)

    def _note(self, key: str, customer: str, service: str, content_hash: str,
              amount: Decimal, move_id: int | None, number: str | None, state: PostingState,
              attempts: int, error: str | None,
              adjustment: tuple[str | None, int | None] = (None, None),
              move_gone: bool = False) -> None:
        """One step per key is written: the last state, the attempts summed, the last known
        id and number (forgotten when `move_gone`: Odoo holds no move under the key).
        `adjustment`: an adjustment's kind and original Odoo move."""
        earlier = self.pending.get(key)
        if earlier is not None:
            attempts += earlier["attempts"]
        if earlier is not None and not move_gone:
            move_id = move_id if move_id is not None else earlier["odoo_move_id"]
            number = number if number is not None else earlier["odoo_number"]
        self.pending[key] = {"invoice_key": key, "customer_key": customer, "service": service,
                             "content_hash": content_hash, "amount_untaxed": amount,
                             "odoo_move_id": move_id, "odoo_number": number,
                             "state": state.value, "attempts": attempts, "last_error": error,
                             "document_kind": adjustment[0],
                             "original_move_id": adjustment[1], "move_gone": move_gone}

    def flush(self) -> None:
        """Write the noted steps in one statement. Flushed before every create (so a key's
        `pending` step precedes its invoice) and after every batch; a crash in between loses
        notes, never an invoice: Odoo is searched by key before anything is created."""
        if not self.pending:
            return
        steps = [step for _, step in sorted(self.pending.items())]
        self.pending.clear()
        with warehouse.registered(self.con, "ledger_steps",
                                  arrow_table(LEDGER_STEP_COLUMNS, steps)):
            warehouse.run(self.con, "odoo/upsert_postings",
                          {"billing_period": self.period, "now": self.now()})
            warehouse.run(self.con, "odoo/forget_gone_moves")

    def count(self, state: PostingState) -> int:
        """The period's keys in `state`, as written."""
        return sum(int(row["invoices"]) for row in warehouse.rows(
            self.con, "odoo/posting_states", {"billing_period": self.period})
            if row["state"] == state.value)


def moves_to_read_back(con: Any, period: str) -> dict[int, str]:
    """Every Odoo invoice the ledger knows for the period: its key per move id."""
    return {row["odoo_move_id"]: row["invoice_key"] for row in warehouse.rows(
        con, "odoo/ledger_moves", {"billing_period": period})}


def write_outbox(con: Any, period: str, rows: list[dict[str, Any]]) -> None:
    """A batch of the dry run's payloads (OUTBOX_COLUMNS by name)."""
    with warehouse.registered(con, "outbox_rows", arrow_table(OUTBOX_COLUMNS, rows)):
        warehouse.run(con, "odoo/insert_outbox", {"billing_period": period})


def write_read_back(con: Any, period: str, rows: list[dict[str, Any]]) -> int:
    """What Odoo holds (READBACK_COLUMNS by name): the invoice numbers into the ledger, the
    events of the documents now known posted (invoice.posted, invoice.adjusted), and the
    period's reconciliation, in one transaction: no number recorded without its event. The
    number of events written."""
    with warehouse.transaction(con), \
            warehouse.registered(con, "readback_rows", arrow_table(READBACK_COLUMNS, rows)):
        warehouse.run(con, "odoo/create_readback")
        warehouse.run(con, "odoo/update_numbers", {"billing_period": period})
        written = write_events(con, "webhooks/stage_invoice_events", {"billing_period": period})
        write_reconciliation(con, period, dry_run=False)
    return written


def write_reconciliation(con: Any, period: str, dry_run: bool) -> None:
    if dry_run:
        with warehouse.registered(con, "readback_rows", arrow_table(READBACK_COLUMNS, [])):
            warehouse.run(con, "odoo/create_readback")
    warehouse.run(con, "odoo/delete_period_reconciliation", {"billing_period": period})
    warehouse.run(con, "odoo/insert_reconciliation", {
        "billing_period": period, "dry_run": dry_run,
        "now": dt.datetime.now(dt.UTC).replace(tzinfo=None)})


def arrow_table(columns: Sequence[tuple[str, Any]], rows: list[dict[str, Any]]) -> Any:
    """Rows as an Arrow table of the given (name, type) columns, to register as a view."""
    return pa.table({name: pa.array([row[name] for row in rows], kind)
                     for name, kind in columns})
