"""What the adjust run decides for one invoice key (rating.adjust.decide), from plain values:
no warehouse, no Odoo."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rating.adjust.decide import (
    DocumentKind,
    Issue,
    KeyDifference,
    Pending,
    PeriodState,
    Why,
    decide,
    judge_period,
    period_hold,
)
from rating.rate.guard import GuardSettings

pytestmark = pytest.mark.fast

KEY = "C1/nexacloud/2026-10"
NIGHTLY = PeriodState()


def key(*deltas: str, original_posted: bool = True, revisions_issued: int = 0,
        revisions_posted: bool = True, unpriced: bool = False) -> KeyDifference:
    return KeyDifference(KEY, "CAD", tuple(Decimal(d) for d in deltas),
                         original_posted=original_posted, revisions_issued=revisions_issued,
                         revisions_posted=revisions_posted, unpriced=unpriced)


def why(decision: object) -> Why:
    assert isinstance(decision, Pending)
    return decision.why


def test_an_increase_is_issued_as_a_supplementary_invoice_of_the_next_revision() -> None:
    decision = decide(key("54.18", "0.00"), NIGHTLY)
    assert decision == Issue(DocumentKind.SUPPLEMENTARY_INVOICE, 1, Decimal("54.18"),
                             (Decimal("54.18"),))


def test_a_decrease_is_a_credit_note_whose_lines_credit_each_delta_negated() -> None:
    decision = decide(key("-16.20", "2.00"), NIGHTLY)
    assert isinstance(decision, Issue)
    assert decision.kind is DocumentKind.CREDIT_NOTE
    assert decision.lines == (Decimal("16.20"), Decimal("-2.00"))
    assert decision.amount_document == Decimal("14.20")


def test_the_kind_follows_the_net_amount_not_the_largest_line() -> None:
    # Usage fell on one line (a volume boundary) but the amount of the key went up.
    decision = decide(key("-30.00", "45.00"), NIGHTLY)
    assert isinstance(decision, Issue) and decision.kind is DocumentKind.SUPPLEMENTARY_INVOICE
    assert decision.lines == (Decimal("-30.00"), Decimal("45.00"))


def test_a_revision_on_top_of_earlier_ones_takes_the_next_number() -> None:
    decision = decide(key("3.00", revisions_issued=2), NIGHTLY)
    assert isinstance(decision, Issue) and decision.revision == 3


def test_a_key_whose_amounts_do_not_differ_needs_no_decision() -> None:
    assert decide(key("0.00", "0.00"), NIGHTLY) is None
    assert decide(key(), PeriodState(beyond_lookback=True)) is None


def test_opposite_deltas_that_cancel_out_are_net_zero_and_make_no_document() -> None:
    # A minimum true-up absorbing late usage: +12.00 usage, -12.00 true-up.
    assert why(decide(key("12.00", "-12.00"), NIGHTLY)) is Why.NET_ZERO


def test_a_net_below_the_threshold_is_carried_forward_and_says_so() -> None:
    decision = decide(key("0.40"), NIGHTLY)
    assert isinstance(decision, Pending) and decision.why is Why.BELOW_THRESHOLD
    assert decision.detail == "+0.40 CAD below the threshold of 1.00: carried forward"
    assert why(decide(key("-0.99"), NIGHTLY)) is Why.BELOW_THRESHOLD


def test_a_net_at_the_threshold_is_issued_and_a_zero_threshold_issues_every_cent() -> None:
    assert isinstance(decide(key("1.00"), NIGHTLY), Issue)
    assert isinstance(decide(key("0.01"), PeriodState(threshold=Decimal(0))), Issue)


def test_an_original_not_posted_holds_the_difference_before_the_threshold_is_looked_at() -> None:
    assert why(decide(key("0.40", original_posted=False), NIGHTLY)) is Why.ORIGINAL_NOT_POSTED
    assert why(decide(key("50.00", original_posted=False), NIGHTLY)) is Why.ORIGINAL_NOT_POSTED


def late_only(net: str, revisions_issued: int = 0, revisions_posted: bool = True,
              has_standalone_revision: bool = False) -> KeyDifference:
    """A key the period had no invoice for at the close: all of its usage came late."""
    return KeyDifference(KEY, "CAD", (Decimal(net),), original_posted=False,
                         revisions_issued=revisions_issued, revisions_posted=revisions_posted,
                         has_original=False, has_standalone_revision=has_standalone_revision)


def test_an_invoice_the_period_did_not_have_at_the_close_is_billed_by_a_supplementary_one(
        ) -> None:
    # Its original is never posted (there is none): the revision stands alone.
    assert decide(late_only("12.00"), NIGHTLY) == Issue(
        DocumentKind.SUPPLEMENTARY_INVOICE, 1, Decimal("12.00"), (Decimal("12.00"),))
    assert why(decide(late_only("0.40"), NIGHTLY)) is Why.BELOW_THRESHOLD


def test_a_second_late_file_without_an_original_waits_for_the_first_revision_to_be_posted(
        ) -> None:
    assert why(decide(late_only("5.00", revisions_issued=1, revisions_posted=False),
                      NIGHTLY)) is Why.EARLIER_REVISION_NOT_POSTED
    issued = decide(late_only("5.00", revisions_issued=1), NIGHTLY)
    assert isinstance(issued, Issue) and (issued.kind, issued.revision) == (
        DocumentKind.SUPPLEMENTARY_INVOICE, 2)


def test_a_credit_with_nothing_in_odoo_to_reverse_is_kept_for_later_usage() -> None:
    # No original and no supplementary invoice of its own: nothing for a credit note to
    # reverse; kept (and netted against later usage), never credited by hand.
    decision = decide(late_only("-12.00"), NIGHTLY)
    assert why(decision) is Why.NO_ORIGINAL_INVOICE and not Why.NO_ORIGINAL_INVOICE.carried
    assert isinstance(decision, Pending) and decision.detail.startswith("-12.00 CAD kept")
    assert "netted against the period's later usage" in decision.detail
    assert "credits it" not in decision.detail


def test_a_credit_of_a_key_billed_by_a_supplementary_invoice_alone_is_a_credit_note() -> None:
    alone = {"revisions_issued": 1, "has_standalone_revision": True}
    assert decide(late_only("-4.00", **alone), NIGHTLY) == Issue(
        DocumentKind.CREDIT_NOTE, 2, Decimal("-4.00"), (Decimal("4.00"),))
    # As a key with an original: its revisions posted first, the threshold.
    assert why(decide(late_only("-4.00", revisions_posted=False, **alone),
                      NIGHTLY)) is Why.EARLIER_REVISION_NOT_POSTED
    assert why(decide(late_only("-0.40", **alone), NIGHTLY)) is Why.BELOW_THRESHOLD


def test_an_earlier_revision_not_posted_holds_the_next_one() -> None:
    decision = decide(key("5.00", revisions_issued=1, revisions_posted=False), NIGHTLY)
    assert why(decision) is Why.EARLIER_REVISION_NOT_POSTED
    # The original comes first: its revision could not have been posted either.
    assert why(decide(key("5.00", original_posted=False, revisions_issued=1,
                          revisions_posted=False), NIGHTLY)) is Why.ORIGINAL_NOT_POSTED


def test_a_period_beyond_the_lookback_holds_every_difference_with_its_amount_first() -> None:
    period = PeriodState(beyond_lookback=True, lookback_detail="(3rd closed period)",
                         hold=(Why.CATALOG_CHANGED, "catalog"), guard_objections=("x",))
    decision = decide(key("25.00", original_posted=False), period)
    assert decision == Pending(Why.BEYOND_LOOKBACK, "+25.00 CAD (3rd closed period)")


def test_a_problem_of_the_whole_period_comes_before_the_key_s_own() -> None:
    for hold in (Why.CATALOG_CHANGED, Why.NO_SNAPSHOT):
        period = PeriodState(hold=(hold, "what changed"), guard_objections=("x",))
        assert why(decide(key("25.00", original_posted=False, unpriced=True), period)) is hold


def test_an_unpriced_key_is_held_as_unpriced_and_the_others_by_the_guard() -> None:
    period = PeriodState(guard_objections=("1 invoice(s) would vanish whole: K",))
    assert why(decide(key("-25.00", unpriced=True), period)) is Why.UNPRICED
    decision = decide(key("25.00"), period)
    assert isinstance(decision, Pending) and decision.why is Why.GUARD
    assert decision.detail.endswith("would vanish whole: K")


def test_only_net_zero_and_below_threshold_are_carried_without_a_person() -> None:
    assert {w for w in Why if w.carried} == {Why.NET_ZERO, Why.BELOW_THRESHOLD}


def test_the_guard_objects_to_a_fall_beyond_the_allowed_percent_and_to_a_vanished_invoice(
        ) -> None:
    settings = GuardSettings()
    assert judge_period(Decimal(100), Decimal(95), [], settings) == ()
    fall = judge_period(Decimal(100), Decimal("94.99"), [], settings)
    assert len(fall) == 1 and "from 100.00 to 94.99 (-5.0%" in fall[0]
    vanished = judge_period(Decimal(100), Decimal(100), ["C1/nexamaps/2026-10"], settings)
    assert vanished == ("1 invoice(s) would vanish whole: C1/nexamaps/2026-10",)


def test_accepted_changes_silence_the_guard() -> None:
    accepted = GuardSettings(accept_changes=True)
    assert judge_period(Decimal(100), Decimal(0), ["K"], accepted) == ()


def hold(fingerprint_matches: bool | None = True, from_snapshot: bool = True,
         current_references: bool = False, accept_changes: bool = False) -> Why | None:
    found = period_hold(fingerprint_matches=fingerprint_matches, from_snapshot=from_snapshot,
                        current_references=current_references, accept_changes=accept_changes)
    return None if found is None else found[0]


def test_a_re_rate_from_its_snapshot_with_the_same_catalog_holds_nothing() -> None:
    assert hold() is None
    assert hold(fingerprint_matches=None) is None  # rated before fingerprints: nothing to say


def test_a_changed_catalog_or_a_missing_snapshot_holds_the_period_until_accepted() -> None:
    assert hold(fingerprint_matches=False) is Why.CATALOG_CHANGED
    assert hold(from_snapshot=False) is Why.NO_SNAPSHOT
    assert hold(from_snapshot=False, current_references=True) is None  # asked for
    assert hold(fingerprint_matches=False, from_snapshot=False,
                accept_changes=True) is None


def test_an_original_or_revision_changed_in_odoo_after_posting_waits_for_a_person() -> None:
    changed = KeyDifference(KEY, "CAD", (Decimal("-90.00"),), original_posted=False,
                            revisions_issued=0, revisions_posted=True,
                            changed_after_posting=True)
    decision = decide(changed, NIGHTLY)
    assert why(decision) is Why.ORIGINAL_CHANGED_AFTER_POSTING
    assert not Why.ORIGINAL_CHANGED_AFTER_POSTING.carried
