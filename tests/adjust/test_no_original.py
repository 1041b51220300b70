"""Late usage of a customer and service the period had no invoice for at the close (all of its
usage came after it): a supplementary invoice standing alone bills it, revision after
revision; a credit is a credit note reversing its first one (with none, it is kept and netted
against later usage); a customer whose account link came
after the close stays held, as every reference that changed after the close does."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating.adjust.run import AdjustSettings
from rating.adjust.service import PeriodAdjusted
from tests.support.adjust_month import Month
from tests.support.usage_builder import DEFAULT_ACCOUNTS, DEFAULT_SUBSCRIPTIONS, usage_row

pytestmark = pytest.mark.engine
D = Decimal
KEY = "C2/nexamaps/2026-10"  # C2 has NexaMaps only; the base file bills C1's NexaCloud


def only(month: Month) -> PeriodAdjusted:
    [period] = month.adjust().periods
    return period


def tiles(value: int, **fields: object) -> dict[str, object]:
    return usage_row("nexamaps", "map_tiles", value, **fields)


def test_a_customer_whose_whole_month_came_late_gets_one_supplementary_invoice_alone(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    late = month.late("late.parquet", tiles(1_000_000))
    first = only(month)
    [document] = first.documents
    # 990,000 billable tiles at 0.0000125; nothing to wait for: there is no original.
    assert (document.revision.adjustment_key, document.revision.document_kind,
            document.revision.amount_net, document.revision.source_files) == (
        f"{KEY}/r1", "supplementary_invoice", D("12.38"), (late,))
    assert (first.needs_a_person, first.adjustment.pending) == (False, ())
    assert month.rows("SELECT old_amount, new_amount, reason_text FROM period_adjustments") == [
        (D("0.00"), D("12.38"), "Usage for October 2026 received after its close (no invoice "
                                f"for October 2026 at its close), revision 1 of {KEY}")]
    rerun = only(month)
    assert (rerun.outcome, rerun.documents) == ("unchanged", ())

    # A second late file: revision 2 on top of revision 1, once revision 1 is posted.
    month.late("later.parquet", tiles(3_000_000))
    waiting = only(month)
    assert [(t.why.value, t.amount) for t in waiting.adjustment.pending] == [
        ("earlier_revision_not_posted", D("37.50"))]
    month.post()
    [second] = only(month).documents
    assert (second.revision.revision, second.revision.document_kind,
            second.revision.amount_net, second.lines[0].old_amount) == (
        2, "supplementary_invoice", D("37.50"), D("12.38"))
    month.post()
    assert only(month).documents == ()
    assert month.rows("SELECT adjustment_key FROM period_adjustments ORDER BY 1") == [
        (f"{KEY}/r1",), (f"{KEY}/r2",)]


def test_a_credit_after_a_supplementary_invoice_alone_is_a_credit_note_reversing_it(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", tiles(1_000_000, counter_id="t-1"))
    assert [d.revision.amount_net for d in only(month).documents] == [D("12.38")]
    # The same counter pushed again, lower: a credit, once revision 1 is posted.
    month.late("correction.parquet", tiles(410_000, counter_id="t-1",
                                           pushed_at="2026-10-25T00:00Z"))
    assert [(t.why.value, t.amount) for t in only(month).adjustment.pending] == [
        ("earlier_revision_not_posted", D("-7.38"))]
    month.post()
    corrected = only(month)
    [credit] = corrected.documents
    assert (credit.revision.adjustment_key, credit.revision.document_kind,
            credit.revision.amount_net, corrected.adjustment.pending) == (
        f"{KEY}/r2", "credit_note", D("-7.38"), ())
    month.post()
    # Later usage is billed on its own: the credit is not netted into it a second time.
    month.late("later.parquet", tiles(400_000, counter_id="t-2"))
    [later] = only(month).documents
    assert (later.revision.adjustment_key, later.revision.amount_net) == (
        f"{KEY}/r3", D("5.00"))
    # What the documents bill together is what the period's usage rates at.
    assert month.rows("SELECT sum(amount_net) FROM period_adjustments") == [(D("10.00"),)]


def test_a_credit_with_no_supplementary_invoice_of_its_own_is_kept_for_later_usage(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", tiles(1_000_000, counter_id="t-1"))
    assert [d.revision.amount_net for d in only(month).documents] == [D("12.38")]
    with duckdb.connect(str(month.warehouse)) as con:
        # As FUSION_ADJUST_DELIVERY=next_period leaves it: on a later invoice, no document
        # of the key's own in Odoo for a credit note to reverse.
        con.execute("UPDATE period_adjustments SET delivery = 'next_period', "
                    "target_period = '2026-11'")
    month.post()
    month.late("correction.parquet", tiles(410_000, counter_id="t-1",
                                           pushed_at="2026-10-25T00:00Z"))
    kept = only(month)
    assert kept.documents == ()
    assert [(t.why.value, t.amount) for t in kept.adjustment.pending] == [
        ("no_original_invoice", D("-7.38"))]
    [detail] = month.rows("SELECT DISTINCT detail FROM pending_adjustments")
    assert detail == (f"-7.38 CAD kept: {KEY} had no invoice at the close and none has been "
                      "issued since, so there is nothing in Odoo for a credit note to reverse; "
                      "it is netted against the period's later usage of the service (nothing "
                      "to do in Odoo)",)


def test_a_difference_an_earlier_version_held_without_an_original_is_billed_the_next_night(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", tiles(1_000_000))
    month.adjust(settings=AdjustSettings(threshold=D("100.00")))
    with duckdb.connect(str(month.warehouse)) as con:
        # As a version that could not bill it alone left it: pending, nothing issued.
        con.execute("UPDATE pending_adjustments SET why = 'no_original_invoice'")
    # Nothing landed since: what waited for this version is re-rated and billed.
    [document] = only(month).documents
    assert (document.revision.adjustment_key, document.revision.amount_net) == (
        f"{KEY}/r1", D("12.38"))


def test_a_customer_whose_account_link_came_after_the_close_stays_held(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.landing.accounts([*DEFAULT_ACCOUNTS, ("nexamaps", "nm-9", "C9")])
    month.landing.subscriptions([*DEFAULT_SUBSCRIPTIONS, (
        "SUB-NM-9", "nexamaps", "nm-9", "maps-payg", "2025-01-01", "")])
    late = month.late("late.parquet", tiles(1_000_000, account_id="nm-9"))
    held = only(month)
    assert (held.documents, held.needs_a_person) == ((), True)
    assert [(h.rows, h.late_files) for h in held.held_usage] == [(1, (late,))]


def test_a_credit_an_earlier_version_held_after_an_invoice_alone_is_credited_the_next_night(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", tiles(1_000_000, counter_id="t-1"))
    only(month)
    month.post()
    month.late("correction.parquet", tiles(410_000, counter_id="t-1",
                                           pushed_at="2026-10-25T00:00Z"))
    month.adjust(settings=AdjustSettings(threshold=D("100.00")))
    with duckdb.connect(str(month.warehouse)) as con:
        # As a version that asked a person to credit it left it: pending, nothing issued.
        con.execute("UPDATE pending_adjustments SET why = 'no_original_invoice'")
    # Nothing landed since: revision 1 is in Odoo to reverse, so the credit is issued.
    [credit] = only(month).documents
    assert (credit.revision.adjustment_key, credit.revision.document_kind,
            credit.revision.amount_net) == (f"{KEY}/r2", "credit_note", D("-7.38"))
