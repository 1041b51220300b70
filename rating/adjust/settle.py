"""Settling an invoice a person changed in Odoo after we posted it (`fusion-rating adjust
--period P --settle KEY --reason TEXT`; design §2.6).

Such an invoice (odoo_postings.state changed_after_posting, on the original or one of its
revisions) holds the key's differences pending: they are computed against what we invoiced,
not what Odoo billed. Settling reads what Odoo billed on every posted document of the key,
per product (as rating.odoo.moves.lines_are_ours reads lines: product, untaxed subtotal; a
credit note counts negative), and issues a revision with reason 'settlement' whose lines bring
it to what we rated (the original's lines plus every revision's differences but settlements'):
per product, old = Odoo's, new = ours. A supplementary invoice when that net is positive, a
credit note (linked to the original) when negative; no document when it nets to zero. The
changed documents become settled_by_adjustment (ours as Odoo holds them, flagged again only
when their untaxed total in Odoo changes since) and settled_documents keeps what Odoo held,
so reconciliation compares Odoo with it; later runs compare the key line by line with its
invoice lines again.

`settlement` decides from plain values (no warehouse, no Odoo); `settle_invoice` reads both
and writes the settlement in one transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from rating import warehouse
from rating.adjust.decide import DocumentKind
from rating.odoo.gateway import Gateway
from rating.odoo.moves import money, odoo_move, read_moves
from rating.odoo.plan import OdooMove, PostingState
from rating.periods import DEFAULT_TIME_ZONE, billing_period

ZERO = Decimal("0.00")
MOVE_TYPES = {None: "out_invoice", "supplementary_invoice": "out_invoice",
              "credit_note": "out_refund"}


# A document Odoo no longer holds as we posted it: left out, its amount would never be billed
# again while compare_lines counts it as invoiced.
TAKEN_OUT_OF_OUR_HANDS = (PostingState.CANCELLED_IN_ODOO, PostingState.RESET_TO_DRAFT_IN_ODOO,
                          PostingState.DELETED_IN_ODOO)


class CannotSettle(ValueError):
    """The key cannot be settled as it stands; the message says why and what to do."""


@dataclass(frozen=True)
class LedgerDocument:
    """One document of the key as odoo_postings holds it (state None: never posted)."""

    key: str
    document_kind: str | None  # None: the original invoice
    state: PostingState | None
    move_id: int | None
    settlement: bool = False  # a settlement revision

    @property
    def in_odoo(self) -> bool:
        """Odoo holds it as we posted it (or as settled): it counts on both sides. One not
        posted yet (held, say, until this settlement) counts on neither: posted later, it
        moves Odoo and us alike."""
        return self.state is not None and self.state.posted_by_us and self.move_id is not None


@dataclass(frozen=True)
class OdooLine:
    """A product line of a posted document in Odoo: its move, product code, untaxed
    subtotal (as Odoo shows it: positive on a credit note)."""

    move_id: int
    product_code: str | None
    subtotal: Decimal


@dataclass(frozen=True)
class SettlementLine:
    product_code: str
    old_amount: Decimal  # what Odoo billed for the product over the key's documents
    new_amount: Decimal  # what we rated for it

    @property
    def amount_delta(self) -> Decimal:
        return self.new_amount - self.old_amount


@dataclass(frozen=True)
class SettledDocument:
    """A document changed after posting, as Odoo holds it when settled."""

    key: str
    move: OdooMove


@dataclass(frozen=True)
class Settlement:
    """What settling the key does: its lines (products whose amounts differ), the document
    kind (None: nets to zero, no document) and the changed documents it settles."""

    invoice_key: str
    lines: tuple[SettlementLine, ...]
    settled: tuple[SettledDocument, ...]
    adjustment_key: str | None = None  # set once written

    @property
    def old_amount(self) -> Decimal:
        return sum((line.old_amount for line in self.lines), ZERO)

    @property
    def new_amount(self) -> Decimal:
        return sum((line.new_amount for line in self.lines), ZERO)

    @property
    def net(self) -> Decimal:
        return self.new_amount - self.old_amount

    @property
    def kind(self) -> DocumentKind | None:
        if self.net > 0:
            return DocumentKind.SUPPLEMENTARY_INVOICE
        return DocumentKind.CREDIT_NOTE if self.net < 0 else None


def settlement(invoice_key: str, documents: Sequence[LedgerDocument],
               moves: Mapping[int, OdooMove], lines: Sequence[OdooLine],
               rated: Mapping[str, Mapping[str, Decimal]]) -> Settlement:
    """The settlement of the key, or CannotSettle: it must have an original invoice (or,
    without one, start with a supplementary invoice standing alone) and a
    document changed after posting; every document we posted must be posted in Odoo as its
    type (a draft is a person's work in progress), none cancelled, reset to draft or deleted
    in Odoo after we posted it, each of its product lines with a code, and an earlier
    settlement must be posted. `rated`: per document key, our amount per product
    (settlements have none)."""
    # Without an invoice at the close, the key starts with its supplementary invoice alone.
    if not documents or documents[0].document_kind not in (None, "supplementary_invoice"):
        raise CannotSettle(f"{invoice_key} is not an invoice of its period (no invoice lines): "
                           "nothing to settle")
    changed = [d for d in documents if d.state is PostingState.CHANGED_AFTER_POSTING]
    if not changed:
        raise CannotSettle(f"none of {invoice_key}'s documents is changed_after_posting in "
                           "odoo_postings: nothing to settle")
    for document in documents:
        if document.state in TAKEN_OUT_OF_OUR_HANDS:
            assert document.state is not None
            raise CannotSettle(f"{document.key} is {document.state.value} in odoo_postings: "
                               "what it holds would be left out of both sides; settle once "
                               "it is posted in Odoo again")
        if document.settlement and not document.in_odoo:
            raise CannotSettle(f"the earlier settlement {document.key} is not posted: post "
                               "the period (`fusion-rating post`) before settling again")
    included = [d for d in documents if d.in_odoo]
    for document in included:
        assert document.move_id is not None  # in_odoo
        move = moves.get(document.move_id)
        if move is None or move.state != "posted" or \
                move.move_type != MOVE_TYPES[document.document_kind]:
            found = "not in Odoo" if move is None else f"a {move.move_type} in state {move.state}"
            raise CannotSettle(f"{document.key} (Odoo move {document.move_id}) is {found}: "
                               "settle it once it is posted in Odoo as we issued it")
    signs = {d.move_id: -1 if d.document_kind == "credit_note" else 1 for d in included}
    billed: dict[str, Decimal] = {}
    ours: dict[str, Decimal] = {}
    for document in included:
        for code, amount in rated.get(document.key, {}).items():
            ours[code] = ours.get(code, ZERO) + amount
    for line in lines:
        if line.move_id not in signs:
            continue  # a document not posted yet: counts on neither side
        if line.product_code is None:
            raise CannotSettle(f"Odoo move {line.move_id} has a line of a product without an "
                               "internal reference (default_code): settle it in Odoo")
        billed[line.product_code] = billed.get(line.product_code, ZERO) + \
            signs[line.move_id] * line.subtotal
    products = sorted(set(billed) | set(ours))
    differing = tuple(SettlementLine(p, billed.get(p, ZERO), ours.get(p, ZERO))
                      for p in products if billed.get(p, ZERO) != ours.get(p, ZERO))
    return Settlement(invoice_key, differing, tuple(
        SettledDocument(d.key, moves[d.move_id]) for d in changed if d.move_id is not None))


@dataclass(frozen=True)
class SettleRequest:
    """`adjust --period P --settle KEY --reason TEXT`; dry_run: computed, nothing written."""

    warehouse: Path
    period: str
    invoice_key: str
    reason: str
    time_zone: str = DEFAULT_TIME_ZONE
    dry_run: bool = False
    issue_date: dt.date | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def settle_invoice(request: SettleRequest, gateway: Gateway) -> Settlement:
    """Read the key's documents (warehouse) and what Odoo billed on them, then write the
    settlement in one transaction (nothing on a dry run). Only reads Odoo."""
    if not request.reason.strip():
        raise CannotSettle("a settlement needs a reason (--reason TEXT)")
    params = {"billing_period": request.period, "invoice_key": request.invoice_key}
    with warehouse.writer(request.warehouse) as con:
        warehouse.create_schema(con)
        documents = [LedgerDocument(row["document_key"], row["document_kind"],
                                    None if row["state"] is None else PostingState(row["state"]),
                                    row["odoo_move_id"], row["settlement"])
                     for row in warehouse.rows(con, "adjust/settle_documents", params)]
        rated: dict[str, dict[str, Decimal]] = {}
        for row in warehouse.rows(con, "adjust/settle_rated", params):
            rated.setdefault(row["document_key"], {})[row["product_code"]] = row["amount"]
        ids = [d.move_id for d in documents if d.in_odoo and d.move_id is not None]
        moves = {move.id: move for move in map(odoo_move, read_moves(gateway, ids))}
        result = settlement(request.invoice_key, documents, moves,
                            _odoo_lines(gateway, ids), rated)
        if request.dry_run:
            return result
        with warehouse.transaction(con):
            return _write(con, request, result)


def _odoo_lines(gateway: Gateway, move_ids: list[int]) -> list[OdooLine]:
    if not move_ids:
        return []
    rows = gateway.call("account.move.line", "search_read",
                        domain=[["move_id", "in", move_ids], ["display_type", "=", "product"]],
                        fields=["move_id", "product_id", "price_subtotal"], order="id")
    product_ids = sorted({row["product_id"][0] for row in rows if row["product_id"]})
    codes = {row["id"]: row["default_code"] or None for row in gateway.call(
        "product.product", "read", product_ids, fields=["default_code"])} if product_ids else {}
    return [OdooLine(int(row["move_id"][0]),
                     codes.get(row["product_id"][0]) if row["product_id"] else None,
                     money(row["price_subtotal"])) for row in rows]


def _write(con: Any, request: SettleRequest, result: Settlement) -> Settlement:
    label = billing_period(request.period, request.time_zone).label
    now = warehouse.utc_now()
    params: dict[str, Any] = {"billing_period": request.period,
                              "invoice_key": request.invoice_key, "period_label": label,
                              "reason_text": request.reason, "settled_at": now}
    adjustment_key = None
    if result.kind is not None:
        issued = warehouse.first_row(con, "adjust/issue_settlement", {
            **params, "document_kind": result.kind.value, "old_amount": result.old_amount,
            "new_amount": result.new_amount, "amount_net": result.net,
            "numbers": ", ".join(d.move.number or f"move {d.move.id}" for d in result.settled),
            "run_id": request.run_id, "issued_at": now,
            "issue_date": request.issue_date or dt.datetime.now(dt.UTC).astimezone(
                ZoneInfo(request.time_zone)).date()})
        assert issued is not None  # the key has documents (settlement checked it)
        adjustment_key = issued["adjustment_key"]
        lines = pa.Table.from_pylist(
            [{"product_code": line.product_code, "old_amount": line.old_amount,
              "new_amount": line.new_amount, "amount_delta": line.amount_delta}
             for line in result.lines],
            schema=pa.schema([("product_code", pa.string()),
                              ("old_amount", pa.decimal128(38, 2)),
                              ("new_amount", pa.decimal128(38, 2)),
                              ("amount_delta", pa.decimal128(38, 2))]))
        with warehouse.registered(con, "settle_lines", lines):
            warehouse.run(con, "adjust/insert_settlement_lines", {
                **params, "adjustment_key": adjustment_key, "revision": issued["revision"]})
    settled = pa.Table.from_pylist(
        [{"document_key": d.key, "odoo_move_id": d.move.id, "odoo_number": d.move.number,
          "odoo_untaxed": d.move.untaxed} for d in result.settled],
        schema=pa.schema([("document_key", pa.string()), ("odoo_move_id", pa.int64()),
                          ("odoo_number", pa.string()), ("odoo_untaxed", pa.decimal128(38, 2))]))
    with warehouse.registered(con, "settled", settled):
        warehouse.run(con, "adjust/insert_settled_documents",
                      {**params, "adjustment_key": adjustment_key})
        warehouse.run(con, "adjust/mark_settled", {"settled_at": now})
    return Settlement(result.invoice_key, result.lines, result.settled, adjustment_key)
