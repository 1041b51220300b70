"""Odoo's payment states, read on a schedule: `invoice.payment_status_updated` (docs/webhooks.md).

Odoo is the billing system of record: payments are registered there (by an accountant, a bank
statement), and nothing tells us. `poll_payments` reads, in batches of READ_CHUNK ids, Odoo's
`payment_state` of the documents we posted whose state can still change (sql/webhooks/
payment_documents.sql: never read, or last read neither paid, reversed nor invoicing_legacy;
in_payment and blocked are read again), so its cost follows the open documents, not the
history. Each batch is recorded in odoo_payment_states with its events, in ONE warehouse
transaction: a change recorded without its event, or an event without its change, cannot be.

The warehouse writer is NOT held while Odoo answers: the documents are listed under it, then
each batch is read from Odoo with no lock, then written under the writer for a moment. Posting
holds it through its calls because each call's outcome must be noted before the next; a read
has no outcome to note, and a slow or dead Odoo (30 s timeouts, retried) must not hold the
nightly rating back. A read older than the one recorded (two polls at once) writes nothing.

- The first read `not_paid` is the baseline (invoice.posted implies it): no event. A first read
  in another state, and every change after, is one event, keyed by the move, the change's
  number and the state (sql/webhooks/payment_stage_events.sql).
- A move Odoo holds in draft (reset by accounting) or cancelled, or no longer has: its
  odoo_state is recorded, no event (its payment state is kept as last read posted). A cancelled
  or deleted one is no longer read, until a posting run records the key again; a draft is read
  again (accounting posts it again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from rating import warehouse
from rating.odoo.gateway import Gateway
from rating.odoo.moves import READ_CHUNK, money
from rating.odoo.runner import chunks
from rating.webhooks.events import write_events

FIELDS = ["payment_state", "amount_residual", "amount_total", "state", "currency_id"]
"""What the poll reads of each move (account.move.read): nothing more."""

FINAL = frozenset({"paid", "reversed", "invoicing_legacy"})
"""Payment states never read again (sql/webhooks/payment_documents.sql says the same)."""

_READS = pa.schema([("invoice_key", pa.string()), ("odoo_move_id", pa.int64()),
                    ("odoo_state", pa.string()), ("payment_state", pa.string()),
                    ("amount_residual", pa.decimal128(38, 2)),
                    ("amount_total", pa.decimal128(38, 2)), ("currency", pa.string()),
                    ("read_at", pa.timestamp("us"))])


@dataclass(frozen=True)
class PaymentReport:
    """One poll: documents read (checked), payment states that changed, events written (a
    rerun writes none again), and how many of those read are now final (never read again)."""

    checked: int
    changed: int
    events: int
    final: int


def poll_payments(database: Path | str, gateway: Gateway,
                  settings: warehouse.WarehouseSettings | None = None,
                  now: dt.datetime | None = None) -> PaymentReport:
    """Read the open documents' payment states from Odoo and record them with their events.
    OdooError / OdooUnreachable stop the poll; the batches written before stay written."""
    with warehouse.writer(database, settings) as con:
        warehouse.create_schema(con)
        documents = [(row["invoice_key"], int(row["odoo_move_id"]))
                     for row in warehouse.rows(con, "webhooks/payment_documents")]
    checked = changed = events = final = 0
    for batch in chunks(documents, READ_CHUNK):
        read_at = now or warehouse.utc_now()
        reads = _read(gateway, batch, read_at)  # no warehouse lock held meanwhile
        with warehouse.writer(database, settings) as con:
            written, recorded = _record(con, reads, read_at)
        checked += len(batch)
        events += written
        changed += recorded
        final += sum(1 for row in reads if row["odoo_state"] == "posted"
                     and row["payment_state"] in FINAL)
    return PaymentReport(checked=checked, changed=changed, events=events, final=final)


def _read(gateway: Gateway, batch: list[tuple[str, int]],
          read_at: dt.datetime) -> list[dict[str, Any]]:
    """One `read` of the batch's moves; a move Odoo no longer has is read as `deleted`."""
    rows = gateway.call("account.move", "read", [move_id for _, move_id in batch],
                        fields=FIELDS)
    by_id = {int(row["id"]): row for row in rows}
    reads = []
    for key, move_id in batch:
        row = by_id.get(move_id)
        currency = row.get("currency_id") if row else None
        reads.append({
            "invoice_key": key, "odoo_move_id": move_id,
            "odoo_state": str(row["state"]) if row else "deleted",
            "payment_state": str(row["payment_state"]) if row else None,
            "amount_residual": _amount(row, "amount_residual"),
            "amount_total": _amount(row, "amount_total"),
            "currency": currency[1] if isinstance(currency, list) else None,
            "read_at": read_at})
    return reads


def _amount(row: dict[str, Any] | None, name: str) -> Decimal | None:
    return None if row is None or row.get(name) is None else money(row[name])


def _record(con: Any, reads: list[dict[str, Any]], read_at: dt.datetime) -> tuple[int, int]:
    """The batch's events and states in one transaction: (events written, changes recorded)."""
    table = pa.Table.from_pylist(reads, schema=_READS)
    with warehouse.registered(con, "payment_reads_arrow", table), warehouse.transaction(con):
        warehouse.run(con, "webhooks/payment_create_reads")
        before = int(warehouse.value(con, "webhooks/payment_changes"))
        written = write_events(con, "webhooks/payment_stage_events", now=read_at)
        warehouse.run(con, "webhooks/payment_update_states")
        warehouse.run(con, "webhooks/payment_insert_states")
        recorded = int(warehouse.value(con, "webhooks/payment_changes")) - before
        warehouse.run(con, "webhooks/payment_drop_reads")
    return written, recorded
