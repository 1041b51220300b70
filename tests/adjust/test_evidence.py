"""Issue 13's evidence, end to end: real Parquet files landed late for a rated, closed and
posted period, then `adjust_periods` (rating.adjust.service) ingests them, re-rates the period
from the ledger, compares, decides and issues, as the command line and Dagster do.

The bundled catalog (catalog/), its default accounts and subscriptions
(tests/support/usage_builder.py): C1 has NexaCloud and NexaDesk, C2 NexaMaps, C3 the custom apps.
Amounts are checked against the pure pricing reference (rating.rate.oracle) where a model's
rule is the point.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating.adjust.service import AdjustPeriodsResult
from rating.catalog import load_catalog
from rating.rate import oracle
from tests.support.adjust_month import PERIOD, Month
from tests.support.usage_builder import CATALOG, DEFAULT_SUBSCRIPTIONS, snapshot, usage_row

pytestmark = pytest.mark.engine

D = Decimal
ADJUST_TABLES = ("rerated_lines", "adjustment_runs", "period_adjustments",
                 "period_adjustment_lines", "pending_adjustments")


def only(result: AdjustPeriodsResult) -> Any:
    """The one period the run adjusted."""
    assert len(result.periods) == 1, result.periods
    return result.periods[0]


def price_of(plan: str, metric: str) -> Any:
    """The price in force for 2026-10 of a charge of the bundled catalog."""
    for candidate in load_catalog(CATALOG).plans:
        for charge in candidate.charges:
            if candidate.code == plan and charge.metric == metric:
                return max((p for p in charge.prices if p.effective_from <= dt.date(2026, 10, 1)),
                           key=lambda p: p.effective_from)
    raise KeyError(f"{plan}:{metric}")


def key(customer: str, service: str, period: str = PERIOD) -> str:
    return f"{customer}/{service}/{period}"


DELTAS = "SELECT adjustment_key, charge_id, line_kind, amount_delta FROM " \
         "period_adjustment_lines ORDER BY ALL"
PENDING = "SELECT invoice_key, charge_id, line_kind, amount_delta, why FROM " \
          "pending_adjustments ORDER BY ALL"


def test_a_late_file_across_a_graduated_boundary_is_billed_at_the_marginal_tiers(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexadesk", "ai_tokens", 1_000_000)])
    late = month.late("late-ai.parquet", usage_row("nexadesk", "ai_tokens", 200_000))
    ai = price_of("desk-team", "ai_tokens")
    marginal = (oracle.price(ai, D(1_200_000)).amount - oracle.price(ai, D(1_000_000)).amount)
    assert marginal == D("3.50") != D("4.00")  # 100k at 0.000020 + 100k at 0.000015, no average

    dry = only(month.adjust(dry_run=True))
    assert [(d.revision.adjustment_key, d.revision.amount_net) for d in dry.documents] == [
        (f"{key('C1', 'nexadesk')}/r1", marginal)]
    assert month.rows("SELECT count(*) FROM period_adjustments") == [(0,)]  # rolled back

    adjusted = only(month.adjust())
    assert (adjusted.outcome, adjusted.adjustment.mode, adjusted.rerate.rows_rerated) == (
        "issued", "nightly", 2)
    [document] = adjusted.documents
    assert (document.revision.document_kind, document.revision.amount_net,
            document.revision.currency, document.revision.source_files) == (
        "supplementary_invoice", D("3.50"), "CAD", (late,))
    assert [(line.old_amount, line.new_amount, line.amount_delta, line.new_quantity)
            for line in document.lines] == [(D("18.00"), D("21.50"), D("3.50"),
                                             D(1_200_000))]
    assert month.invoiced(key("C1", "nexadesk"), "desk-team:ai_tokens") + marginal == D("21.50")


def test_a_correction_lowering_a_volume_charge_below_a_boundary_is_a_credit_note(
        tmp_path: Path) -> None:
    pushed = dt.datetime(2026, 10, 5, 11, 5, tzinfo=dt.UTC)
    month = Month(tmp_path, [
        usage_row("nexamaps", "geocodes", 12_000, counter_id="geo-1", pushed_at=pushed),
        usage_row("nexamaps", "map_tiles", 5_000_000)])
    fixed = month.late("correction.parquet", usage_row(
        "nexamaps", "geocodes", 9_000, counter_id="geo-1",
        pushed_at=pushed + dt.timedelta(days=20)))
    geocodes = price_of("maps-payg", "geocodes")
    delta = oracle.price(geocodes, D(9_000)).amount - oracle.price(geocodes, D(12_000)).amount
    assert delta == D("-3.00")  # all 9,000 at 0.005 against all 12,000 at 0.004

    adjusted = only(month.adjust())
    [document] = adjusted.documents
    assert (document.revision.document_kind, document.revision.amount_net,
            document.revision.amount_document, document.revision.reason,
            document.revision.source_files) == (
        "credit_note", delta, D("3.00"), "correction", (fixed,))
    assert month.rows(DELTAS) == [(f"{key('C2', 'nexamaps')}/r1", "maps-payg:geocodes",
                                   "usage", delta)]


def test_a_late_unique_count_key_already_counted_changes_nothing(tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexadesk", "agents", 1, unique_key=agent)
                             for agent in ("a1", "a2", "a3")])
    month.late("late-agent.parquet", usage_row("nexadesk", "agents", 1, unique_key="a2",
                                               start="2026-10-20T10:00Z"))
    adjusted = only(month.adjust())
    assert (adjusted.outcome, adjusted.documents, adjusted.adjustment.pending) == (
        "no_difference", (), ())
    assert adjusted.rerate.rows_rerated == 4
    assert month.rows("SELECT count(*) FROM period_adjustments") == [(0,)]
    assert month.rows(PENDING) == []


def test_a_minimum_true_up_absorbing_a_late_file_is_net_zero_without_a_document(
        tmp_path: Path) -> None:
    # One agent: 19.00 of usage, 19.00 of true-up to the 38.00 minimum.
    month = Month(tmp_path, [usage_row("nexadesk", "agents", 1, unique_key="a1")])
    month.late("late-agent.parquet", usage_row("nexadesk", "agents", 1, unique_key="a2"))
    adjusted = only(month.adjust())
    assert (adjusted.outcome, adjusted.documents, adjusted.needs_a_person) == (
        "carried", (), False)
    assert [(p.why.value, p.amount) for p in adjusted.adjustment.pending] == [
        ("net_zero", D("0.00"))]
    assert month.rows(PENDING) == [
        (key("C1", "nexadesk"), "desk-team:agents", "minimum_true_up", D("-19.00"), "net_zero"),
        (key("C1", "nexadesk"), "desk-team:agents", "usage", D("19.00"), "net_zero")]


def test_a_subscription_that_ended_mid_period_bills_late_usage_inside_it_and_holds_the_rest(
        tmp_path: Path) -> None:
    ended = tuple((*row[:5], "2026-10-16") if row[1] == "nexacloud" else row
                  for row in DEFAULT_SUBSCRIPTIONS)
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)], subscriptions=ended)
    before = month.invoiced(key("C1", "nexacloud"), "cloud-standard:vcpu_hours")
    inside = month.late("late-inside.parquet",
                        usage_row("nexacloud", "vcpu_hours", 40, start="2026-10-10T10:00Z"))
    after = month.late("late-after.parquet",
                       usage_row("nexacloud", "vcpu_hours", 70, start="2026-10-25T10:00Z"))
    adjusted = only(month.adjust())
    [document] = adjusted.documents
    # Both before and after, the usage is beyond the prorated included units: 40 more
    # vCPU-hours at 0.045 each, nothing of the 70 after the subscription's end.
    assert document.revision.amount_net == D("1.80")
    assert document.lines[0].old_amount == before
    assert document.revision.source_files == (inside,)
    assert [(h.reason, h.rows, h.late_rows, h.late_files) for h in adjusted.held_usage] == [
        ("no_subscription", 1, 1, (after,))]
    assert adjusted.needs_a_person  # late usage held: a person fixes the references
    assert month.rows("SELECT held_usage FROM adjustment_runs") == [(
        [{"reason": "no_subscription", "rows": 1, "late_rows": 1, "late_files": [after]}],)]


def test_two_late_files_on_two_nights_make_revision_2_once_revision_1_is_posted(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("night-1.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    first = only(month.adjust())
    assert [d.revision.adjustment_key for d in first.documents] == [
        f"{key('C1', 'nexacloud')}/r1"]
    second_file = month.late("night-2.parquet", usage_row("nexacloud", "vcpu_hours", 60))
    waiting = only(month.adjust())
    assert (waiting.documents, waiting.needs_a_person) == ((), True)
    assert [(p.why.value, p.amount) for p in waiting.adjustment.pending] == [
        ("earlier_revision_not_posted", D("2.70"))]
    month.post()
    # Nothing landed since: the posting alone lets the pending revision go.
    posted = only(month.adjust())
    [document] = posted.documents
    assert (document.revision.revision, document.revision.amount_net,
            document.revision.source_files) == (2, D("2.70"), (second_file,))
    assert (document.lines[0].old_amount, document.lines[0].new_amount) == (
        month.invoiced(key("C1", "nexacloud"), "cloud-standard:vcpu_hours") + D("1.80"),
        month.invoiced(key("C1", "nexacloud"), "cloud-standard:vcpu_hours") + D("4.50"))
    month.post()
    rerun = only(month.adjust())
    assert (rerun.outcome, rerun.rerate, rerun.documents) == ("unchanged", None, ())
    assert month.rows("SELECT adjustment_key FROM period_adjustments ORDER BY 1") == [
        (f"{key('C1', 'nexacloud')}/r1",), (f"{key('C1', 'nexacloud')}/r2",)]


def test_usage_beyond_the_lookback_is_held_with_its_amount_then_billed_on_purpose(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200, start=start)
                             for start in ("2026-10-05T10:00Z", "2026-11-05T10:00Z",
                                           "2026-12-05T10:00Z")],
                  periods=("2026-10", "2026-11", "2026-12"))
    month.late("late-october.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    nightly = month.adjust()
    # Within the lookback: 2026-12 and 2026-11, untouched; 2026-10 held.
    assert [(p.period, p.adjustment.mode, p.outcome) for p in nightly.periods] == [
        ("2026-12", "nightly", "unchanged"), ("2026-11", "nightly", "unchanged"),
        ("2026-10", "hold_only", "held")]
    held = nightly.periods[2]
    assert [(p.why.value, p.amount) for p in held.adjustment.pending] == [
        ("beyond_lookback", D("1.80"))]
    assert (held.documents, nightly.needs_a_person) == ((), True)
    # An untouched period beyond the lookback is not re-rated again, nor recorded.
    assert [p.period for p in month.adjust().periods] == ["2026-12", "2026-11"]
    on_purpose = only(month.adjust("2026-10"))
    assert (on_purpose.adjustment.mode, [d.revision.amount_net for d in on_purpose.documents]) == (
        "on_purpose", [D("1.80")])
    assert month.rows(PENDING) == []


def test_last_and_max_metrics_re_rate_from_every_row_of_the_period(tmp_path: Path) -> None:
    month = Month(tmp_path, [
        usage_row("apps", "app_users", 30, start="2026-10-05T10:00Z"),
        usage_row("nexacloud", "peak_instances", 8)])
    month.late("late-gauges.parquet",
               # last: the window ending last wins, whenever it arrived; an earlier one does not.
               usage_row("apps", "app_users", 40, start="2026-10-20T10:00Z"),
               usage_row("apps", "app_users", 99, start="2026-10-02T10:00Z"),
               # max: a lower peak changes nothing, a higher one does.
               usage_row("nexacloud", "peak_instances", 6),
               usage_row("nexacloud", "peak_instances", 12))
    users, peaks = price_of("apps-business", "app_users"), price_of("cloud-standard",
                                                                     "peak_instances")
    adjusted = only(month.adjust())
    assert {d.revision.invoice_key: d.revision.amount_net for d in adjusted.documents} == {
        key("C3", "apps"): oracle.price(users, D(40)).amount - oracle.price(users, D(30)).amount,
        key("C1", "nexacloud"): (oracle.price(peaks, D(12)).amount
                                 - oracle.price(peaks, D(8)).amount)}
    assert [(line.old_quantity, line.new_quantity) for d in adjusted.documents
            for line in d.lines] == [(D(8), D(12)), (D(30), D(40))]


def test_the_adjust_tables_are_the_same_whatever_the_thread_count(tmp_path: Path) -> None:
    found = []
    for threads in (1, 3):
        month = Month(tmp_path / str(threads), [
            usage_row("nexacloud", "vcpu_hours", 200, counter_id="c-1"),
            usage_row("nexadesk", "ai_tokens", 1_000_000),
            usage_row("apps", "app_users", 30)])
        month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40),
                   usage_row("nexadesk", "ai_tokens", 250_000),
                   usage_row("apps", "app_users", 41, start="2026-10-21T10:00Z"))
        month.adjust(threads=threads)
        found.append(snapshot(month.warehouse, ADJUST_TABLES))
    assert found[0] == found[1]
    assert len(found[0]["period_adjustments"]) == 3
