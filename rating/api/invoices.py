"""A customer's invoices in Lago's shape: `GET /customers/{external_id}/invoices`, Lago's own
`GET /invoices?external_customer_id=` and `GET /invoices/{lago_id}`.

What is shown is what the customer was billed: the documents Odoo numbered (our invoices, the
supplementary invoices and credit notes of closed periods: rating.adjust), with Odoo's
amounts and taxes as read back after posting, as of the analysts' copy (rating.api.analysts).
A month not yet posted is not an invoice yet: `current_usage` answers for it. The SQL and why
it shows what it shows: sql/api/invoices.sql.

Mapped to Lago's fields (docs/api.md says the same to the apps' developers):
- lago_id: uuid3(NAMESPACE_URL, the document's key), stable; sequential_id: Odoo's move id.
- invoice_type: `subscription` for an invoice or a supplementary invoice (both bill the
  subscription's usage), `credit_note` for a credit note (not one of Lago's values: Lago keeps
  credit notes apart; its own `credit` is a wallet top-up, which this is not). Amounts of a
  credit note are positive, as on the document (and in Lago's credit note object).
- status: Odoo's state: posted is `finalized`, cancelled `voided`, set back to draft `draft`.
- payment_status: from Odoo's payment_state as the payment poll last read it
  (odoo_payment_states, rating.webhooks.payments, of the document's current move): `paid` and
  `reversed` (a credit note settled it) are Lago's `succeeded`, nothing is owed; anything else
  (not read yet, not_paid, partial, in_payment, blocked) `pending`: Lago has no partial.
  Odoo's own value is beside it as `payment_state` (null: not read yet).
- total_due_amount_cents: what Odoo had left to pay at that read, else the total; 0 on a credit
  note and on a voided document (nothing is owed on it). payment_overdue `false` and
  net_payment_term 0: terms are Odoo's and not read back. Lago's Python client requires these
  fields, so they are there.
- Ours beside Lago's: billing_period, document_kind, customer_key, odoo_move_id, payment_state,
  adjustment.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import uuid
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel

from rating import warehouse
from rating.api import analysts, customers, errors
from rating.api.auth import Service

router = APIRouter(tags=["invoices"])

MAX_PER_PAGE = 100
"""Lago's default page size; a larger per_page is served as this (as Lago's pagination caps)."""

Status = Literal["draft", "finalized", "voided"]
_INVOICE_TYPES = {"invoice": "subscription", "supplementary_invoice": "subscription",
                  "credit_note": "credit_note"}


def document_id(key: str) -> str:
    """The document's id in Lago's form (sql/api/invoices.sql computes the same)."""
    return str(uuid.uuid3(uuid.NAMESPACE_URL, key))


class AdjustedInvoice(BaseModel):
    """The document an adjustment corrects: the invoice (or for a credit note, the move it
    reverses in Odoo)."""

    lago_id: str
    number: str | None


class Adjustment(BaseModel):
    """Why a supplementary invoice or credit note exists (period_adjustments)."""

    revision: int
    reason: str
    reason_text: str
    adjusted_invoice: AdjustedInvoice


class Invoice(BaseModel):
    """Lago's invoice object, as much of it as applies, and our fields after."""

    lago_id: str
    sequential_id: int
    number: str
    issuing_date: dt.date
    payment_due_date: dt.date | None = None
    net_payment_term: int = 0
    payment_overdue: bool = False
    invoice_type: str
    status: Status
    payment_status: str = "pending"
    currency: str
    fees_amount_cents: int
    coupons_amount_cents: int = 0
    credit_notes_amount_cents: int = 0
    prepaid_credit_amount_cents: int = 0
    progressive_billing_credit_amount_cents: int = 0
    sub_total_excluding_taxes_amount_cents: int
    taxes_amount_cents: int
    sub_total_including_taxes_amount_cents: int
    total_amount_cents: int
    total_due_amount_cents: int
    file_url: str | None = None
    version_number: int = 4
    created_at: str
    updated_at: str
    billing_period: str
    document_kind: Literal["invoice", "supplementary_invoice", "credit_note"]
    customer_key: str
    odoo_move_id: int
    payment_state: str | None = None
    adjustment: Adjustment | None = None


class Meta(BaseModel):
    """Lago's pagination."""

    current_page: int
    next_page: int | None
    prev_page: int | None
    total_pages: int
    total_count: int


class InvoiceList(BaseModel):
    invoices: list[Invoice]
    meta: Meta


class OneInvoice(BaseModel):
    invoice: Invoice


@router.get("/customers/{external_id}/invoices", response_model=InvoiceList)
def customer_invoices(request: Request, external_id: str, service: Service,
                      page: int = Query(1, ge=1), per_page: int = Query(MAX_PER_PAGE, ge=1),
                      status: Status | None = None) -> InvoiceList:
    """The customer's invoices, supplementary invoices and credit notes of the key's service,
    newest first; 404 customer_not_found for an account the service does not know."""
    return _listed(request, service, external_id, page, per_page, status)


@router.get("/invoices", response_model=InvoiceList)
def invoices(request: Request, service: Service, external_customer_id: str | None = None,
             page: int = Query(1, ge=1), per_page: int = Query(MAX_PER_PAGE, ge=1),
             status: Status | None = None) -> InvoiceList:
    """Lago's list: one customer's (external_customer_id), or every customer's of the key's
    service."""
    return _listed(request, service, external_customer_id, page, per_page, status)


@router.get("/invoices/{lago_id}", response_model=OneInvoice)
def one_invoice(request: Request, lago_id: str, service: Service) -> OneInvoice:
    """One document by its lago_id; 404 invoice_not_found if the service has no such one."""
    try:
        wanted = str(uuid.UUID(lago_id))
    except ValueError:
        raise errors.not_found("invoice") from None
    with _copy(request).reading() as con:
        _, found = _page(con, service, None, wanted, None, 1, 1)
    if not found:
        raise errors.not_found("invoice")
    return OneInvoice(invoice=found[0])


def _listed(request: Request, service: str, account: str | None, page: int, per_page: int,
            status: str | None) -> InvoiceList:
    per_page = min(per_page, MAX_PER_PAGE)
    with _copy(request).reading() as con:
        # A customer GET /customers finds (landed, not rated yet) has no invoice yet: an
        # empty list, not a 404.
        if account is not None and not warehouse.value(
                con, "api/account_known", {"service": service, "account_id": account}) \
                and customers.store(request).accounts.latest(service, account) is None:
            raise errors.not_found("customer")
        total, found = _page(con, service, account, None, status, page, per_page)
    pages = math.ceil(total / per_page)
    return InvoiceList(
        invoices=found,
        meta=Meta(current_page=page, next_page=page + 1 if page < pages else None,
                  prev_page=page - 1 if page > 1 else None, total_pages=pages,
                  total_count=total))


def _page(con: Any, service: str, account: str | None, wanted: str | None,
          status: str | None, page: int, per_page: int) -> tuple[int, list[Invoice]]:
    """How many documents match, and the page's."""
    found = warehouse.rows(con, "api/invoices", {
        "service": service, "account_id": account, "lago_id": wanted, "status": status,
        "per_page": per_page, "offset": (page - 1) * per_page})
    return found[0]["total_count"], [_invoice(row) for row in found
                                     if row["invoice_key"] is not None]


def _invoice(row: warehouse.Row) -> Invoice:
    kind = row["document_kind"]
    adjustment = None if row["revision"] is None else Adjustment(
        revision=row["revision"], reason=row["reason"], reason_text=row["reason_text"],
        adjusted_invoice=AdjustedInvoice(lago_id=document_id(row["adjusted_key"]),
                                         number=row["adjusted_number"]))
    return Invoice(
        lago_id=document_id(row["invoice_key"]), sequential_id=row["odoo_move_id"],
        number=row["number"], issuing_date=row["issuing_date"],
        invoice_type=_INVOICE_TYPES[kind], status=row["status"], currency=row["currency"],
        fees_amount_cents=row["fees_amount_cents"],
        sub_total_excluding_taxes_amount_cents=row["fees_amount_cents"],
        taxes_amount_cents=row["taxes_amount_cents"],
        sub_total_including_taxes_amount_cents=row["total_amount_cents"],
        total_amount_cents=row["total_amount_cents"],
        payment_status="succeeded" if row["payment_state"] in _SETTLED else "pending",
        total_due_amount_cents=_due(row),
        created_at=_utc(row["created_at"]), updated_at=_utc(row["updated_at"]),
        billing_period=row["billing_period"], document_kind=kind,
        customer_key=row["customer_key"], odoo_move_id=row["odoo_move_id"],
        payment_state=row["payment_state"], adjustment=adjustment)


_SETTLED = frozenset({"paid", "reversed"})
"""Odoo's payment states that leave nothing owed: paid, or settled by a credit note."""


def _due(row: warehouse.Row) -> int:
    """What the customer owes on the document: nothing on a credit note or a voided one; what
    Odoo had left to pay when the payment poll last read it; else its total."""
    if row["document_kind"] == "credit_note" or row["status"] == "voided":
        return 0
    residual: int | None = row["residual_amount_cents"]
    return row["total_amount_cents"] if residual is None else residual


def _utc(moment: dt.datetime) -> str:
    """A ledger timestamp (naive UTC) as Lago writes them: ISO 8601 with Z."""
    return moment.replace(microsecond=0).isoformat() + "Z"


_CREATING = threading.Lock()


def _copy(request: Request) -> analysts.AnalystCopy:
    """The application's reader of the analysts' copy, made on first use (the lifespan starts
    only rating.api.usage)."""
    with _CREATING:
        found: analysts.AnalystCopy | None = getattr(request.app.state, "analyst_copy", None)
        if found is None:
            found = analysts.AnalystCopy(request.app.state.settings.warehouse)
            request.app.state.analyst_copy = found
        return found


def start(app: FastAPI) -> None:
    """Nothing to start: the reader of the analysts' copy is made on first use."""


def stop(app: FastAPI) -> None:
    found: analysts.AnalystCopy | None = getattr(app.state, "analyst_copy", None)
    if found is not None:
        found.close()
