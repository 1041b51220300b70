"""A run's calls on Odoo's customer invoices (account.move): search by key and read, then
create, rewrite and post, each write noted in the ledger as it happens.

A call Odoo refuses for several invoices is split in halves until the invoice it refuses is
alone (held as `rejected`), so one bad invoice blocks no other. A write whose answer is lost is
never sent blindly again: Odoo is read (reads are retried) and what it holds is recorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from rating.odoo.gateway import Gateway, OdooError, OdooUnreachable
from rating.odoo.ledger import PostingLedger
from rating.odoo.payload import InvoiceDocument
from rating.odoo.plan import Hold, OdooMove, PostingState, Rewrite
from rating.odoo.records import OdooRecords
from rating.odoo.setup import KEY_FIELD

MOVE_FIELDS = ["id", KEY_FIELD, "ref", "state", "name", "amount_untaxed", "amount_tax",
               "amount_total", "currency_id", "move_type", "reversed_entry_id", "invoice_date",
               "invoice_date_due"]
# Invoices and adjustments (supplementary invoices are invoices, credit notes out_refund): a key
# is searched among both, so that a move of the wrong type under it is seen, never duplicated.
MOVE_TYPES = ["out_invoice", "out_refund"]
READ_CHUNK = 200


def moves_by_key(odoo: Gateway, keys: list[str]) -> dict[str, list[OdooMove]]:
    """Odoo's customer invoices and credit notes per key: by x_fc_billing_key, or by `ref`
    for one posted before the field existed."""
    rows = odoo.call("account.move", "search_read",
                     domain=[["move_type", "in", MOVE_TYPES], "|",
                             [KEY_FIELD, "in", keys], ["ref", "in", keys]],
                     fields=MOVE_FIELDS, order="id")
    wanted = set(keys)
    found: dict[str, list[OdooMove]] = {}
    for row in rows:
        key = row[KEY_FIELD] if row[KEY_FIELD] in wanted else row["ref"]
        found.setdefault(key, []).append(odoo_move(row))
    return found


def read_moves(odoo: Gateway, ids: list[int]) -> list[dict[str, Any]]:
    """The invoices' MOVE_FIELDS as Odoo answers them."""
    if not ids:
        return []
    rows: list[dict[str, Any]] = odoo.call("account.move", "read", ids, fields=MOVE_FIELDS)
    return rows


def odoo_move(row: dict[str, Any]) -> OdooMove:
    currency = row.get("currency_id")  # [id, name], or False
    return OdooMove(id=int(row["id"]), key=row[KEY_FIELD] or None, state=row["state"],
                    number=invoice_number(row["name"]), untaxed=money(row["amount_untaxed"]),
                    currency=currency[1] if isinstance(currency, list) else None,
                    move_type=row.get("move_type") or "out_invoice",
                    reversed_entry_id=many2one_id(row.get("reversed_entry_id")))


def many2one_id(value: Any) -> int | None:
    """A many2one as Odoo reads it ([id, display name], a bare id, or False): its id."""
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    return None if value in (False, None) else int(value)


def read_back(key: str, row: dict[str, Any]) -> dict[str, Any]:
    """An invoice as the period's reconciliation takes it (ledger.READBACK_COLUMNS)."""
    return {"invoice_key": key, "odoo_move_id": row["id"],
            "odoo_number": invoice_number(row["name"]), "odoo_state": row["state"],
            "odoo_untaxed": money(row["amount_untaxed"]), "odoo_tax": money(row["amount_tax"]),
            "odoo_total": money(row["amount_total"]),
            "odoo_reversed_entry_id": many2one_id(row.get("reversed_entry_id")),
            "odoo_currency": odoo_move(row).currency,
            "odoo_invoice_date": odoo_date(row.get("invoice_date")),
            "odoo_due_date": odoo_date(row.get("invoice_date_due"))}


def odoo_date(value: Any) -> dt.date | None:
    """A date as Odoo reads it ("2026-10-31", or False when unset)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def lines_are_ours(odoo: Gateway, records: OdooRecords, doc: InvoiceDocument,
                   move_id: int) -> bool:
    """Odoo's lines of a posted invoice are ours: the same products with the same amounts
    (the descriptions aside; rating.odoo.plan compares the currency first). Only reads."""
    codes = {ln.product_code for ln in doc.lines}
    products = records.known_products(sorted(codes))
    if len(products) != len(codes):
        return False  # a product Odoo does not hold cannot be on its invoice
    rows = odoo.call("account.move.line", "search_read",
                     domain=[["move_id", "=", move_id], ["display_type", "=", "product"]],
                     fields=["product_id", "price_subtotal"])
    theirs = sorted((row["product_id"][0] if row["product_id"] else 0,
                     money(row["price_subtotal"])) for row in rows)
    return theirs == sorted((products[ln.product_code], ln.subtotal) for ln in doc.lines)


def invoice_number(name: Any) -> str | None:
    """Odoo's name of an invoice; "/" (or nothing) until it is posted."""
    return None if name in ("/", False) else str(name)


def money(value: Any) -> Decimal:
    """Odoo's JSON numbers are floats: their shortest repr is the decimal Odoo stored."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


class InvoiceWriter:
    """Creates, rewrites and posts a batch's invoices; each step noted in the ledger."""

    def __init__(self, odoo: Gateway, records: OdooRecords, ledger: PostingLedger) -> None:
        self.odoo = odoo
        self.records = records
        self.ledger = ledger

    def create(self, docs: list[InvoiceDocument]) -> list[tuple[InvoiceDocument, int]]:
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
                self.ledger.hold(doc, Hold(PostingState.REJECTED, str(exc)))
        for doc, _ in ready:
            self.ledger.note(doc, PostingState.PENDING, attempts=1)
        self.ledger.flush()
        return self._create_split(ready)

    def _create_split(self, ready: list[tuple[InvoiceDocument, dict[str, Any]]]
                      ) -> list[tuple[InvoiceDocument, int]]:
        if not ready:
            return []
        try:
            ids = self.odoo.call("account.move", "create", vals_list=[v for _, v in ready])
        except OdooError as exc:
            if len(ready) == 1:
                self.ledger.hold(ready[0][0], Hold(PostingState.REJECTED, str(exc)))
                return []
            half = len(ready) // 2
            return self._create_split(ready[:half]) + self._create_split(ready[half:])
        except OdooUnreachable:
            return self._adopt_after_lost_answer([doc for doc, _ in ready])
        created = [(doc, int(move_id)) for (doc, _), move_id in zip(ready, ids, strict=True)]
        self._drafts(created)
        return created

    def _adopt_after_lost_answer(self, docs: list[InvoiceDocument]
                                 ) -> list[tuple[InvoiceDocument, int]]:
        """The create's answer was lost: Odoo may hold the invoices, or may still be creating
        them. Search (a read, retried) and adopt what it holds; the others are never created
        again in this run (they could land a moment later: two invoices for one key), so the
        run stops and a later run creates them once `settle_seconds` have passed."""
        found = moves_by_key(self.odoo, [doc.key for doc in docs])
        adopted = [(doc, found[doc.key][0].id) for doc in docs if doc.key in found]
        self._drafts(adopted)
        unconfirmed = [doc for doc in docs if doc.key not in found]
        for doc in unconfirmed:
            self.ledger.hold(doc, Hold(PostingState.CREATE_UNCONFIRMED,
                                       "the create's answer was lost and Odoo does not show "
                                       "the invoice yet"))
        if unconfirmed:
            raise OdooUnreachable(f"the answer to creating {len(unconfirmed)} invoices was "
                                  f"lost; they are created again once Odoo has settled")
        return adopted

    def _drafts(self, created: list[tuple[InvoiceDocument, int]]) -> None:
        for doc, move_id in created:
            self.ledger.note(doc, PostingState.DRAFT, move_id=move_id)
        self.ledger.report.created += len(created)

    def rewrite(self, drafts: list[tuple[InvoiceDocument, Rewrite]]) -> None:
        """A draft whose content changed gets all its lines replaced (one call each: the
        values differ per invoice). Rewriting the same values twice is harmless."""
        if not drafts:
            return
        partners = self.records.partners([d.customer for d, _ in drafts])
        for doc, rewrite in drafts:
            try:
                values = self.records.move_values(doc, partners[doc.customer.ref])
                values.pop("move_type")
                values["invoice_line_ids"] = [[5, 0, 0], *values["invoice_line_ids"]]
                if rewrite.moves_key:  # the key leaves the customer's reference
                    values["ref"] = False
                self.ledger.note(doc, PostingState.DRAFT, move_id=rewrite.move_id, attempts=1,
                                 content_hash="rewriting")
                self.odoo.call("account.move", "write", [rewrite.move_id], vals=values)
            except OdooError as exc:
                # Odoo still holds the old content: the next run writes it again.
                self.ledger.hold(doc, Hold(PostingState.REJECTED, str(exc), rewrite.move_id,
                                           content_hash="rewriting"))
                continue
            self.ledger.note(doc, PostingState.DRAFT, move_id=rewrite.move_id)
            self.ledger.report.updated += 1

    def post(self, drafts: list[tuple[InvoiceDocument, int]]) -> None:
        if not drafts:
            return
        for doc, move_id in drafts:
            self.ledger.note(doc, PostingState.DRAFT, move_id=move_id, attempts=1)
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
                doc, move_id = drafts[0]
                self.ledger.hold(doc, Hold(PostingState.REJECTED, str(exc), move_id))
                return
            half = len(drafts) // 2
            self._post_split(drafts[:half])
            self._post_split(drafts[half:])
            return
        except OdooUnreachable:
            # Posted or not, Odoo's state says (a read, retried): record it, then stop the
            # run, since Odoo is failing; the rerun posts the rest.
            states = {m["id"]: m["state"] for m in read_moves(self.odoo,
                                                              [i for _, i in drafts])}
            self._posted([(d, i) for d, i in drafts if states.get(i) == "posted"])
            raise
        self._posted(drafts)

    def _posted(self, drafts: list[tuple[InvoiceDocument, int]]) -> None:
        report = self.ledger.report
        for doc, move_id in drafts:
            # Its number comes with the read-back.
            self.ledger.note(doc, PostingState.POSTED, move_id=move_id)
            report.posted += 1
            report.amount_posted += doc.untaxed
            report.count(PostingState.POSTED)
