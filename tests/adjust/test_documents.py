"""Issued adjustments as Odoo documents (rating.adjust.documents): a credit note credits the
differences negated, lines without a difference are left off, a revision whose lines do not
give its amount_document is never sent, and one of an invoice the period did not have at the
close stands alone (a credit of it reverses its first supplementary invoice)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rating import warehouse
from rating.adjust.documents import adjustment_documents
from rating.odoo.documents import Unpostable
from rating.odoo.options import PostingOptions
from rating.odoo.payload import InvoiceDocument, Precision
from tests.support.adjustments import issue
from tests.support.posting import PERIOD

pytestmark = pytest.mark.engine
D = Decimal
CREDITED = "C2/nexamaps/2026-10"


def built(wh: Path, *keys: str) -> list[InvoiceDocument | Unpostable]:
    with warehouse.writer(wh) as con:
        return list(adjustment_documents(con, PERIOD, list(keys), PostingOptions(),
                                         lambda _: Precision()))


def test_a_credit_note_credits_each_difference_negated_and_leaves_zero_lines_off(
        posting_wh: Path) -> None:
    issue(posting_wh, f"{CREDITED}/r1", CREDITED, "credit_note",
          [("NM-TILES", "-3.50"), ("NM-TILES", "0.00"), ("NM-TILES", "1.25")])
    [doc] = built(posting_wh, f"{CREDITED}/r1")
    assert isinstance(doc, InvoiceDocument)
    assert (doc.move_type, doc.original_key, doc.document_kind) == (
        "out_refund", CREDITED, "credit_note")
    assert [(ln.quantity, ln.price_unit, ln.uom) for ln in doc.lines] == [
        (D(1), D("3.50"), None), (D(1), D("-1.25"), None)]
    assert doc.untaxed == D("2.25")
    assert doc.invoice_date == dt.date(2026, 12, 2)
    assert doc.origin == "NexaMaps API usage, October 2026, revision 1"


def test_a_supplementary_invoice_bills_each_difference_as_it_is(posting_wh: Path) -> None:
    issue(posting_wh, f"{CREDITED}/r1", CREDITED, "supplementary_invoice",
          [("NM-TILES", "5.00"), ("NM-TILES", "-1.25")])
    [doc] = built(posting_wh, f"{CREDITED}/r1")
    assert isinstance(doc, InvoiceDocument) and doc.move_type == "out_invoice"
    assert [ln.subtotal for ln in doc.lines] == [D("5.00"), D("-1.25")]


def test_a_revision_whose_lines_do_not_give_its_amount_is_not_postable(
        posting_wh: Path) -> None:
    issue(posting_wh, f"{CREDITED}/r1", CREDITED, "credit_note", [("NM-TILES", "-3.50")])
    with warehouse.writer(posting_wh) as con:
        con.execute("UPDATE period_adjustments SET amount_document = 3.60")
    [doc] = built(posting_wh, f"{CREDITED}/r1")
    assert isinstance(doc, Unpostable)
    assert doc.problem == f"{CREDITED}/r1: its lines give 3.50, period_adjustments says 3.60"


def test_a_revision_without_a_line_to_post_is_not_postable(posting_wh: Path) -> None:
    issue(posting_wh, f"{CREDITED}/r1", CREDITED, "credit_note", [("NM-TILES", "0.00")])
    [doc] = built(posting_wh, f"{CREDITED}/r1")
    assert isinstance(doc, Unpostable)
    assert doc.problem == f"{CREDITED}/r1: no line with a difference"


def test_a_revision_of_an_invoice_the_period_did_not_have_stands_alone(
        posting_wh: Path) -> None:
    alone = "C9/nexamaps/2026-10"  # no invoice line: all of its usage came after the close
    issue(posting_wh, f"{alone}/r1", alone, "supplementary_invoice", [("NM-TILES", "5.00")])
    issue(posting_wh, f"{CREDITED}/r1", CREDITED, "supplementary_invoice",
          [("NM-TILES", "5.00")])
    issue(posting_wh, f"{alone}/r2", alone, "credit_note", [("NM-TILES", "-1.00")],
          revision=2)
    invoice, linked, credit = built(posting_wh, f"{alone}/r1", f"{CREDITED}/r1", f"{alone}/r2")
    assert isinstance(invoice, InvoiceDocument) and isinstance(linked, InvoiceDocument)
    assert (invoice.standalone, invoice.original_key, invoice.document_kind) == (
        True, alone, "supplementary_invoice")
    assert linked.standalone is False
    # A later credit reverses the key's first supplementary invoice of its own.
    assert isinstance(credit, InvoiceDocument)
    assert (credit.standalone, credit.original_key, credit.move_type) == (
        False, f"{alone}/r1", "out_refund")


def test_a_credit_with_no_supplementary_invoice_of_its_own_to_reverse_is_never_sent(
        posting_wh: Path) -> None:
    alone = "C9/nexamaps/2026-10"
    issue(posting_wh, f"{alone}/r1", alone, "credit_note", [("NM-TILES", "-1.00")])
    [credit] = built(posting_wh, f"{alone}/r1")
    assert isinstance(credit, Unpostable)
    assert credit.problem == f"{alone}/r1: a credit note needs an original invoice to reverse"
