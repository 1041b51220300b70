"""What posting decides for one key (rating.odoo.plan), from plain values: no Odoo, no warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

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
    Verified,
    Verify,
    decide,
    hold_carrying_unpostable,
    hold_not_postable,
    judge_posted,
    link_original,
    verify_draft,
)

pytestmark = pytest.mark.fast

KEY = "C1/nexamaps/2026-10"
NOW = dt.datetime(2026, 11, 1, 12, 0)
SETTLE = 300.0
RATED = Rated(KEY, "hash-today", Decimal("100.00"), "CAD")


def entry(state: PostingState, content_hash: str = "hash-today", move_id: int | None = 7,
          updated_at: dt.datetime = NOW) -> LedgerEntry:
    return LedgerEntry(KEY, content_hash, move_id, state, 1, updated_at)


def move(state: str = "draft", move_id: int = 7, untaxed: str = "100.00",
         key: str | None = KEY, number: str | None = None,
         currency: str | None = "CAD", move_type: str = "out_invoice",
         reversed_entry_id: int | None = None) -> OdooMove:
    return OdooMove(move_id, key, state, number, Decimal(untaxed), currency, move_type,
                    reversed_entry_id)


def posted(untaxed: str = "100.00", currency: str | None = "CAD") -> OdooMove:
    return move("posted", untaxed=untaxed, number="INV/2026/00001", currency=currency)


def decision(ledger: LedgerEntry | None, *moves: OdooMove, now: dt.datetime = NOW) -> object:
    return decide(ledger, RATED, moves, now, SETTLE)


# -- nothing in Odoo under the key ---------------------------------------------------------


def test_a_key_neither_the_ledger_nor_odoo_knows_is_created() -> None:
    assert decision(None) == Create()


def test_a_key_the_ledger_knows_only_as_pending_is_created_since_odoo_holds_nothing() -> None:
    assert decision(entry(PostingState.PENDING, move_id=None)) == Create()


@pytest.mark.parametrize("state", [PostingState.POSTED, PostingState.CHANGED_AFTER_POSTING])
def test_an_invoice_we_posted_that_odoo_no_longer_holds_is_held_as_deleted(
        state: PostingState) -> None:
    assert decision(entry(state)) == Hold(
        PostingState.DELETED_IN_ODOO, "posted as Odoo invoice 7, no longer in Odoo")


def test_a_lost_create_is_not_sent_again_before_odoo_has_settled_nor_recorded_again() -> None:
    lost = entry(PostingState.CREATE_UNCONFIRMED, move_id=None,
                 updated_at=NOW - dt.timedelta(seconds=SETTLE - 1))
    assert decision(lost) == Hold(
        PostingState.CREATE_UNCONFIRMED,
        "a create whose answer was lost may still land in Odoo; created again 300 s after it "
        "at the earliest", recorded=False)


def test_a_lost_create_odoo_does_not_show_once_settled_is_created_again() -> None:
    lost = entry(PostingState.CREATE_UNCONFIRMED, move_id=None,
                 updated_at=NOW - dt.timedelta(seconds=SETTLE))
    assert decision(lost) == Create()


# -- one invoice or more in Odoo --------------------------------------------------------------


def test_two_odoo_invoices_under_one_key_are_held_as_duplicates_without_a_guess() -> None:
    assert decision(None, move(move_id=7), move(move_id=8)) == Hold(
        PostingState.DUPLICATE_IN_ODOO, "Odoo invoices 7, 8 carry this key")


def test_a_cancelled_invoice_is_held_and_the_ledger_keeps_the_hash_odoo_holds() -> None:
    assert decision(entry(PostingState.DRAFT, "hash-before"), move("cancel")) == Hold(
        PostingState.CANCELLED_IN_ODOO, "Odoo invoice 7 is cancelled", 7,
        content_hash="hash-before")


@pytest.mark.parametrize("state", [PostingState.POSTED, PostingState.CHANGED_AFTER_POSTING,
                                   PostingState.RESET_TO_DRAFT_IN_ODOO,
                                   PostingState.CANCELLED_IN_ODOO])
def test_a_draft_again_after_we_posted_it_or_it_was_cancelled_is_left_to_accounting(
        state: PostingState) -> None:
    assert decision(entry(state, "hash-posted"), move("draft")) == Hold(
        PostingState.RESET_TO_DRAFT_IN_ODOO,
        "Odoo invoice 7 was posted or cancelled and is a draft again: left to accounting", 7,
        content_hash="hash-posted")


def test_our_draft_with_todays_content_is_verified_without_a_rewrite() -> None:
    assert decision(entry(PostingState.DRAFT), move("draft")) == Verify(7)


def test_a_draft_created_by_a_run_killed_before_recording_it_is_verified_not_created() -> None:
    assert decision(entry(PostingState.PENDING, move_id=None), move("draft")) == Verify(7)


def test_our_draft_whose_content_changed_is_rewritten() -> None:
    assert decision(entry(PostingState.DRAFT, "hash-before"), move("draft")) == Rewrite(7)


def test_a_draft_found_without_a_ledger_entry_is_rewritten_with_todays_content() -> None:
    assert decision(None, move("draft")) == Rewrite(7)


def test_a_draft_carrying_the_key_in_ref_is_rewritten_and_its_key_moved() -> None:
    assert decision(entry(PostingState.DRAFT), move("draft", key=None)) == Rewrite(
        7, moves_key=True)


@pytest.mark.parametrize("state", [PostingState.REJECTED, PostingState.AMOUNT_MISMATCH,
                                   PostingState.DUPLICATE_IN_ODOO])
def test_a_draft_whose_last_rewrite_or_total_went_wrong_is_rewritten_first(
        state: PostingState) -> None:
    assert decision(entry(state), move("draft")) == Rewrite(7)


# -- a posted invoice under the key ---------------------------------------------------------


def test_an_invoice_we_posted_with_todays_content_is_already_posted() -> None:
    assert decision(entry(PostingState.POSTED), posted()) == AlreadyPosted(
        7, "INV/2026/00001", reworded=False)


def test_a_posted_invoice_with_our_total_not_recorded_as_ours_has_its_lines_compared() -> None:
    assert decision(entry(PostingState.DRAFT), posted()) == CompareLines(posted())


def test_a_posted_invoice_with_another_total_is_flagged_and_never_edited() -> None:
    assert decision(entry(PostingState.POSTED, "hash-posted"), posted("90.00")) == Hold(
        PostingState.CHANGED_AFTER_POSTING,
        "Odoo invoice INV/2026/00001 is posted with 90.00; rated content changed since (now "
        "100.00): adjust with a credit note", 7, "INV/2026/00001", content_hash="hash-posted")


def test_a_posted_invoice_in_another_currency_is_not_ours_whatever_its_lines() -> None:
    assert decision(None, posted(currency="USD")) == Hold(
        PostingState.CHANGED_AFTER_POSTING,
        "Odoo invoice INV/2026/00001 is posted with 100.00; its lines are no longer the rated "
        "ones: adjust with a credit note", 7, "INV/2026/00001", content_hash="not the rated")


def test_a_posted_invoice_with_our_lines_worded_otherwise_is_ours_and_counted_reworded() -> None:
    assert judge_posted(entry(PostingState.POSTED, "hash-before"), RATED, posted(),
                        lines_are_ours=True) == AlreadyPosted(7, "INV/2026/00001",
                                                              reworded=True)


def test_our_draft_posted_by_a_person_with_our_lines_is_ours_and_not_reworded() -> None:
    assert judge_posted(entry(PostingState.DRAFT), RATED, posted(),
                        lines_are_ours=True) == AlreadyPosted(7, "INV/2026/00001",
                                                              reworded=False)


def test_a_posted_invoice_with_our_total_but_other_lines_is_flagged() -> None:
    assert judge_posted(entry(PostingState.DRAFT, "hash-before"), RATED, posted(),
                        lines_are_ours=False) == Hold(
        PostingState.CHANGED_AFTER_POSTING,
        "Odoo invoice INV/2026/00001 is posted with 100.00; its lines are no longer the rated "
        "ones: adjust with a credit note", 7, "INV/2026/00001", content_hash="hash-before")


# -- before posting: the draft's total as Odoo computes it --------------------------------------


def test_a_draft_odoo_totals_as_we_rated_it_is_verified_for_posting() -> None:
    assert verify_draft(RATED, 7, move("draft")) == Verified(7)


def test_a_draft_odoo_totals_otherwise_is_left_in_draft_as_an_amount_mismatch() -> None:
    assert verify_draft(RATED, 7, move("draft", untaxed="99.99")) == Hold(
        PostingState.AMOUNT_MISMATCH,
        "Odoo computes 99.99 untaxed, we rated 100.00: left in draft", 7)


def test_a_draft_gone_from_odoo_before_posting_is_held_as_deleted() -> None:
    assert verify_draft(RATED, 7, None) == Hold(PostingState.DELETED_IN_ODOO,
                                                "Odoo invoice 7 disappeared")


# -- an invoice we cannot build at Odoo's precision ---------------------------------------------


def test_an_invoice_we_cannot_build_exactly_is_recorded_as_not_postable() -> None:
    assert hold_not_postable(entry(PostingState.DRAFT), "a price needs 3 digits") == Hold(
        PostingState.NOT_POSTABLE, "a price needs 3 digits")


def test_a_posted_invoice_we_can_no_longer_build_stays_recorded_as_posted() -> None:
    assert hold_not_postable(entry(PostingState.POSTED), "a price needs 3 digits") == Hold(
        PostingState.NOT_POSTABLE, "a price needs 3 digits", recorded=False)


# -- the states -----------------------------------------------------------------------------


def test_the_states_are_the_strings_the_ledger_and_its_documentation_have_always_used() -> None:
    assert [state.value for state in PostingState] == [
        "pending", "draft", "posted", "changed_after_posting", "amount_mismatch",
        "duplicate_in_odoo", "cancelled_in_odoo", "deleted_in_odoo", "reset_to_draft_in_odoo",
        "rejected", "not_postable", "create_unconfirmed", "unreachable", "dry_run",
        "original_not_posted", "wrong_type_in_odoo", "link_mismatch", "settled_by_adjustment",
        "original_changed_in_odoo"]


# -- adjustments: supplementary invoices and credit notes (issue 13) ----------------------------

ORIGINAL = "C1/nexamaps/2026-10"
CREDIT_KEY = "C1/nexamaps/2026-10/r1"
CREDIT = Rated(CREDIT_KEY, "hash-credit", Decimal("12.00"), "CAD", "out_refund", 41)


def credit_note(state: str = "draft", reversed_entry_id: int | None = 41,
                untaxed: str = "12.00") -> OdooMove:
    return move(state, move_id=52, untaxed=untaxed, key=CREDIT_KEY,
                number="RINV/2026/00001" if state == "posted" else None,
                move_type="out_refund", reversed_entry_id=reversed_entry_id)


def test_a_credit_note_under_a_key_where_odoo_holds_an_invoice_is_held_as_the_wrong_type(
        ) -> None:
    assert decide(None, CREDIT, [move("draft", key=CREDIT_KEY)], NOW, SETTLE) == Hold(
        PostingState.WRONG_TYPE_IN_ODOO,
        "Odoo move 7 under this key is a customer invoice, we issue a credit note: left to a "
        "person", 7)


def test_an_invoice_under_a_key_where_odoo_holds_a_credit_note_is_held_as_the_wrong_type(
        ) -> None:
    assert decision(entry(PostingState.POSTED), move("posted", move_type="out_refund")) == Hold(
        PostingState.WRONG_TYPE_IN_ODOO,
        "Odoo move 7 under this key is a credit note, we issue a customer invoice: left to a "
        "person", 7, content_hash="hash-today")


def test_a_credit_note_odoo_does_not_hold_is_created_like_an_invoice() -> None:
    assert decide(None, CREDIT, [], NOW, SETTLE) == Create()


def test_our_draft_credit_note_with_todays_content_is_verified() -> None:
    ledger = LedgerEntry(CREDIT_KEY, "hash-credit", 52, PostingState.DRAFT, 1, NOW)
    assert decide(ledger, CREDIT, [credit_note()], NOW, SETTLE) == Verify(52)


def test_a_draft_credit_note_linked_to_the_invoice_it_corrects_is_verified_for_posting(
        ) -> None:
    assert verify_draft(CREDIT, 52, credit_note()) == Verified(52)


def test_a_draft_credit_note_linked_to_another_move_is_left_in_draft_as_a_link_mismatch(
        ) -> None:
    assert verify_draft(CREDIT, 52, credit_note(reversed_entry_id=40)) == Hold(
        PostingState.LINK_MISMATCH,
        "Odoo move 52 reverses move 40, it should reverse move 41: left in draft", 52)


def test_a_draft_credit_note_that_lost_its_link_is_left_in_draft_as_a_link_mismatch() -> None:
    assert verify_draft(CREDIT, 52, credit_note(reversed_entry_id=None)) == Hold(
        PostingState.LINK_MISMATCH,
        "Odoo move 52 reverses no move, it should reverse move 41: left in draft", 52)


def test_an_invoice_draft_that_reverses_a_move_is_left_in_draft_as_a_link_mismatch() -> None:
    assert verify_draft(RATED, 7, move("draft", reversed_entry_id=3)) == Hold(
        PostingState.LINK_MISMATCH,
        "Odoo move 7 reverses move 3, it should reverse no move: left in draft", 7)


def original(state: PostingState) -> LedgerEntry:
    return LedgerEntry(ORIGINAL, "hash-original", 41, state, 1, NOW)


def posted_original(state: str = "posted", move_type: str = "out_invoice") -> OdooMove:
    return move(state, move_id=41, key=ORIGINAL, number="INV/2026/00047", move_type=move_type)


def test_an_original_we_posted_and_odoo_holds_posted_is_linked_to() -> None:
    assert link_original(ORIGINAL, original(PostingState.POSTED), posted_original()) == \
        posted_original()


def test_an_original_settled_by_an_adjustment_is_still_linked_to() -> None:
    assert link_original(ORIGINAL, original(PostingState.SETTLED_BY_ADJUSTMENT),
                         posted_original()) == posted_original()


def test_an_adjustment_of_an_original_a_person_changed_in_odoo_waits_for_its_settlement(
        ) -> None:
    # Issued before the change, computed against what we invoiced: a credit note could
    # credit more than Odoo billed. Once settled, the original is linked to again (above).
    assert link_original(ORIGINAL, original(PostingState.CHANGED_AFTER_POSTING),
                         posted_original()) == Hold(
        PostingState.ORIGINAL_CHANGED_IN_ODOO,
        f"the original invoice {ORIGINAL} was changed in Odoo after we posted it: the "
        "adjustment waits until `fusion-rating adjust --period 2026-10 --settle "
        f"{ORIGINAL} --reason TEXT` settles it")


def test_an_adjustment_of_an_invoice_never_posted_waits_for_it() -> None:
    assert link_original(ORIGINAL, None, None) == Hold(
        PostingState.ORIGINAL_NOT_POSTED,
        f"the original invoice {ORIGINAL} is never posted in odoo_postings: the adjustment "
        "waits until it is posted")


def test_an_adjustment_of_an_invoice_still_in_draft_waits_for_it() -> None:
    assert link_original(ORIGINAL, original(PostingState.DRAFT), posted_original("draft")) == \
        Hold(PostingState.ORIGINAL_NOT_POSTED,
             f"the original invoice {ORIGINAL} is draft in odoo_postings: the adjustment waits "
             "until it is posted")


def test_an_adjustment_of_an_invoice_reset_to_draft_in_odoo_waits_for_it() -> None:
    assert link_original(ORIGINAL, original(PostingState.POSTED), posted_original("draft")) == \
        Hold(PostingState.ORIGINAL_NOT_POSTED,
             f"the original invoice {ORIGINAL} is a customer invoice in state draft (Odoo move "
             "41): the adjustment waits until it is posted there")


def test_an_adjustment_of_an_invoice_gone_from_odoo_waits() -> None:
    assert link_original(ORIGINAL, original(PostingState.POSTED), None) == Hold(
        PostingState.ORIGINAL_NOT_POSTED,
        f"the original invoice {ORIGINAL} is not in Odoo: the adjustment waits until it is "
        "posted there")


def test_an_original_key_holding_a_credit_note_in_odoo_is_not_linked_to() -> None:
    found = link_original(ORIGINAL, original(PostingState.POSTED),
                          posted_original(move_type="out_refund"))
    assert isinstance(found, Hold) and found.state is PostingState.ORIGINAL_NOT_POSTED


def test_an_invoice_settled_by_an_adjustment_is_already_posted_whatever_its_content() -> None:
    settled = entry(PostingState.SETTLED_BY_ADJUSTMENT, "hash-before")
    assert decision(settled, posted(untaxed="90.00")) == AlreadyPosted(
        7, "INV/2026/00001", state=PostingState.SETTLED_BY_ADJUSTMENT)


def test_a_settled_invoice_a_person_changed_again_since_is_flagged_again() -> None:
    settled = replace(entry(PostingState.SETTLED_BY_ADJUSTMENT, "hash-before"),
                      settled_untaxed=Decimal("90.00"))
    assert decision(settled, posted(untaxed="90.00")) == AlreadyPosted(
        7, "INV/2026/00001", state=PostingState.SETTLED_BY_ADJUSTMENT)
    found = decision(settled, posted(untaxed="88.00"))
    assert isinstance(found, Hold)
    assert (found.state, found.move_id, found.content_hash) == (
        PostingState.CHANGED_AFTER_POSTING, 7, "hash-before")
    assert found.reason == ("Odoo invoice INV/2026/00001 is posted with 88.00, settled with "
                            "90.00: changed again since; settle it again "
                            "(`fusion-rating adjust --settle`)")


def test_an_invoice_settled_by_an_adjustment_counts_as_posted_by_us() -> None:
    assert PostingState.SETTLED_BY_ADJUSTMENT.posted_by_us


# -- an invoice held below zero with the adjustments it carries ------------------------------

BELOW_ZERO = "C1/nexamaps/2026-11: ... total -2.37, and Odoo refuses a negative invoice: held"


def carrying(ledger: LedgerEntry | None, *moves: OdooMove,
             now: dt.datetime = NOW) -> Hold:
    return hold_carrying_unpostable(ledger, BELOW_ZERO, "2026-11", moves, now, SETTLE)


def test_a_carrying_invoice_odoo_holds_no_move_of_is_recorded_so_its_known_draft_is_forgotten(
) -> None:
    assert carrying(entry(PostingState.DRAFT)) == Hold(
        PostingState.NOT_POSTABLE, BELOW_ZERO, no_move_in_odoo=True)
    assert carrying(None).no_move_in_odoo


def test_a_carrying_invoice_whose_draft_odoo_holds_names_the_draft_and_keeps_it() -> None:
    held = carrying(entry(PostingState.DRAFT), move("draft", move_id=57))
    assert (held.state, held.move_id, held.no_move_in_odoo) == (
        PostingState.NOT_POSTABLE, 57, False)
    assert held.reason == (f"{BELOW_ZERO}; Odoo holds a draft of it (move 57), written before "
                           "it fell below zero: delete that draft in Odoo, and the next "
                           "posting of 2026-11 records it gone")
    several = carrying(None, move("draft", move_id=57), move("posted", move_id=58))
    assert several.reason.endswith("; Odoo holds move 57 (draft), move 58 (posted) under this "
                                   "key: left to a person")
    assert not several.no_move_in_odoo


def test_a_carrying_invoice_whose_create_may_still_land_is_not_recorded_as_without_a_move(
) -> None:
    lost = entry(PostingState.CREATE_UNCONFIRMED, move_id=None,
                 updated_at=NOW - dt.timedelta(seconds=60))
    held = carrying(lost)
    assert (held.state, held.recorded, held.no_move_in_odoo) == (
        PostingState.CREATE_UNCONFIRMED, False, False)
    assert carrying(lost, now=NOW + dt.timedelta(seconds=SETTLE)).no_move_in_odoo


def test_a_posted_carrying_invoice_stays_recorded_as_posted() -> None:
    held = carrying(entry(PostingState.POSTED))
    assert (held.recorded, held.no_move_in_odoo) == (False, False)
