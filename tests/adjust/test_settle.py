"""What settling an invoice a person changed in Odoo does (rating.adjust.settle.settlement),
from plain values: per product, what Odoo billed over the key's documents (a credit note
counting negative) brought to what we rated; the document follows the net's sign."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rating.adjust.decide import DocumentKind
from rating.adjust.settle import (
    CannotSettle,
    LedgerDocument,
    OdooLine,
    SettledDocument,
    SettlementLine,
    settlement,
)
from rating.odoo.plan import OdooMove, PostingState

pytestmark = pytest.mark.fast
D = Decimal
KEY = "C1/nexacloud/2026-10"
POSTED, CHANGED = PostingState.POSTED, PostingState.CHANGED_AFTER_POSTING


def original(state: PostingState | None = CHANGED) -> LedgerDocument:
    return LedgerDocument(KEY, None, state, 10)


def move(move_id: int, move_type: str = "out_invoice", state: str = "posted") -> OdooMove:
    return OdooMove(move_id, None, state, f"INV/{move_id}", D("0"), "CAD", move_type)


def line(move_id: int, code: str | None, subtotal: str) -> OdooLine:
    return OdooLine(move_id, code, D(subtotal))


def test_a_raised_original_is_brought_back_by_a_credit_note_per_product() -> None:
    settled = settlement(KEY, [original()], {10: move(10)},
                         [line(10, "NC-VCPU", "95.50"), line(10, "NC-STORAGE", "2.00")],
                         {KEY: {"NC-VCPU": D("90.00"), "NC-STORAGE": D("2.00")}})
    assert settled.lines == (SettlementLine("NC-VCPU", D("95.50"), D("90.00")),)
    assert (settled.kind, settled.net) == (DocumentKind.CREDIT_NOTE, D("-5.50"))
    assert settled.settled == (SettledDocument(KEY, move(10)),)


def test_revisions_count_as_odoo_billed_them_and_a_product_odoo_lacks_is_billed() -> None:
    # The original lowered by a person; r1 a credit note Odoo holds positive.
    documents = [original(), LedgerDocument(f"{KEY}/r1", "credit_note", POSTED, 11)]
    settled = settlement(KEY, documents, {10: move(10), 11: move(11, "out_refund")},
                         [line(10, "NC-VCPU", "80.00"), line(11, "NC-VCPU", "4.00")],
                         {KEY: {"NC-VCPU": D("90.00"), "NC-EGRESS": D("1.00")},
                          f"{KEY}/r1": {"NC-VCPU": D("-4.00")}})
    assert settled.lines == (SettlementLine("NC-EGRESS", D("0.00"), D("1.00")),
                             SettlementLine("NC-VCPU", D("76.00"), D("86.00")))
    assert (settled.kind, settled.net) == (DocumentKind.SUPPLEMENTARY_INVOICE, D("11.00"))
    assert [d.key for d in settled.settled] == [KEY]  # r1 was not changed


def test_amounts_moved_between_products_net_to_zero_and_make_no_document() -> None:
    settled = settlement(KEY, [original()], {10: move(10)},
                         [line(10, "NC-VCPU", "91.00"), line(10, "NC-STORAGE", "1.00")],
                         {KEY: {"NC-VCPU": D("90.00"), "NC-STORAGE": D("2.00")}})
    assert (len(settled.lines), settled.net, settled.kind) == (2, D("0.00"), None)


def test_a_revision_not_posted_yet_counts_on_neither_side() -> None:
    # A credit note issued before the change, held until the original is settled.
    held = LedgerDocument(f"{KEY}/r1", "credit_note", PostingState.ORIGINAL_CHANGED_IN_ODOO,
                          None)
    settled = settlement(KEY, [original(), held], {10: move(10)},
                         [line(10, "NC-VCPU", "95.00")],
                         {KEY: {"NC-VCPU": D("90.00")}, f"{KEY}/r1": {"NC-VCPU": D("-3.50")}})
    assert settled.lines == (SettlementLine("NC-VCPU", D("95.00"), D("90.00")),)


@pytest.mark.parametrize(("documents", "moves", "lines", "refusal"), [
    ([], {}, [], "is not an invoice of its period"),
    ([original(POSTED)], {10: move(10)}, [], "nothing to settle"),
    ([original(), LedgerDocument(f"{KEY}/r1", "credit_note", None, None, settlement=True)],
     {10: move(10)}, [], "the earlier settlement .* is not posted"),
    ([original()], {10: move(10, state="draft")}, [], "in state draft"),
    ([original()], {}, [], "is not in Odoo"),
    ([original()], {10: move(10)}, [line(10, None, "5.00")], "without an internal reference"),
])
def test_a_key_that_cannot_be_settled_as_it_stands_is_refused_with_the_reason(
        documents: list[LedgerDocument], moves: dict[int, OdooMove], lines: list[OdooLine],
        refusal: str) -> None:
    with pytest.raises(CannotSettle, match=refusal):
        settlement(KEY, documents, moves, lines, {KEY: {"NC-VCPU": D("90.00")}})


@pytest.mark.parametrize("state", [PostingState.CANCELLED_IN_ODOO,
                                   PostingState.RESET_TO_DRAFT_IN_ODOO,
                                   PostingState.DELETED_IN_ODOO])
def test_a_key_with_a_document_taken_out_of_our_hands_in_odoo_is_refused_naming_it(
        state: PostingState) -> None:
    # Left out, r1's 10.00 would never be billed again while compare_lines counts it.
    taken = LedgerDocument(f"{KEY}/r1", "supplementary_invoice", state, 11)
    with pytest.raises(CannotSettle, match=f"^{KEY}/r1 is {state.value} in odoo_postings"):
        settlement(KEY, [original(), taken], {10: move(10)}, [line(10, "NC-VCPU", "90.00")],
                   {KEY: {"NC-VCPU": D("100.00")}, f"{KEY}/r1": {"NC-VCPU": D("10.00")}})
