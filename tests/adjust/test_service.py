"""What the adjust service (rating.adjust.service) adds around one period's re-rate and
decisions: a transaction per period that is rolled back when the balance breaks, the guard and
the catalog holding the nightly run until a person adjusts the period on purpose, and the
flags that only make sense for a named period."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating.adjust import service
from rating.adjust.service import AdjustmentUnbalanced, AdjustPeriodsRequest
from tests.support.adjust_month import Month
from tests.support.usage_builder import CATALOG, usage_row

D = Decimal
COUNTS = ("SELECT (SELECT count(*) FROM period_adjustments), "
          "(SELECT count(*) FROM pending_adjustments), (SELECT count(*) FROM adjustment_runs)")


@pytest.mark.engine
def test_a_broken_balance_rolls_the_period_back_and_names_the_first_break(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    planted = [{"problem": "line", "invoice_key": "C1/nexacloud/2026-10",
                "billing_period": "2026-10", "expected": D("8.62"), "found": D("8.63")}]

    def broken(con: Any, period: str | None = None) -> list[dict[str, Any]]:
        return planted

    monkeypatch.setattr(service, "unbalanced_lines", broken)
    with pytest.raises(AdjustmentUnbalanced, match=r"rolled back: 1 break.*line "
                       r"C1/nexacloud/2026-10 \(2026-10\) expects 8.62 and finds 8.63"):
        month.adjust()
    assert month.rows(COUNTS) == [(0, 0, 0)]
    monkeypatch.undo()
    assert [d.revision.amount_net for d in month.adjust().periods[0].documents] == [D("1.80")]


@pytest.mark.engine
def test_a_fall_beyond_the_guard_stops_the_nightly_run_until_accepted_on_purpose(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 2000, counter_id="c-1"),
                             usage_row("nexamaps", "map_tiles", 1_000_000)])
    month.late("correction.parquet", usage_row("nexacloud", "vcpu_hours", 100,
                                               counter_id="c-1", start="2026-10-05T10:00Z",
                                               pushed_at="2026-10-25T00:00Z"))
    stopped = month.adjust()
    assert (stopped.stopped_by_guard, stopped.periods[0].documents) == (True, ())
    assert [p.why.value for p in stopped.periods[0].adjustment.pending] == ["guard"]
    accepted = month.adjust("2026-10", accept_changes=True).periods[0]
    assert [(d.revision.document_kind, d.revision.amount_net) for d in accepted.documents] == [
        ("credit_note", D("-85.50"))]


@pytest.mark.engine
def test_a_catalog_edited_after_the_close_holds_the_period_until_accepted_on_purpose(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 1100)])  # 1,000 billable
    edited = tmp_path / "catalog"
    edited.mkdir()
    for path in CATALOG.iterdir():
        (edited / path.name).write_text(path.read_text(encoding="utf-8").replace(
            'unit_price: "0.045"', 'unit_price: "0.046"'), encoding="utf-8")
    # Nothing landed: the catalog alone touches the period.
    held = month.adjust(catalog=edited).periods[0]
    assert (held.outcome, held.needs_a_person) == ("held", True)
    assert [(p.why.value, p.amount) for p in held.adjustment.pending] == [
        ("catalog_changed", D("1.00"))]
    # The next night finds nothing new: the difference stays held.
    assert month.adjust(catalog=edited).periods[0].outcome == "unchanged"
    accepted = month.adjust("2026-10", catalog=edited, accept_changes=True).periods[0]
    assert [d.revision.amount_net for d in accepted.documents] == [D("1.00")]


@pytest.mark.fast
@pytest.mark.parametrize("flag", ["accept_changes", "current_references"])
def test_a_flag_for_a_checked_period_needs_the_period_named(flag: str) -> None:
    request = AdjustPeriodsRequest(landing="l", catalog=CATALOG, warehouse=Path("w"),
                                   **{flag: True})
    with pytest.raises(ValueError, match="name it with --period YYYY-MM"):
        request.check()


@pytest.mark.engine
def test_an_invoice_the_re_rate_cannot_price_stays_pending_as_unpriced(tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 1100),
                             usage_row("nexamaps", "map_tiles", 1_000_000)])
    edited = tmp_path / "catalog"
    edited.mkdir()
    for path in CATALOG.iterdir():  # vCPU hours have no price in force for 2026-10 any more
        (edited / path.name).write_text(path.read_text(encoding="utf-8").replace(
            '{effective_from: 2025-01-01, model: per_unit, unit_price: "0.045"',
            '{effective_from: 2026-10-15, model: per_unit, unit_price: "0.045"'),
            encoding="utf-8")
    adjusted = month.adjust("2026-10", catalog=edited, accept_changes=True).periods[0]
    assert adjusted.rerate is not None and adjusted.rerate.unpriced_lines == 1
    assert (adjusted.documents, adjusted.needs_a_person) == ((), True)
    assert month.rows("SELECT DISTINCT invoice_key, why FROM pending_adjustments") == [
        ("C1/nexacloud/2026-10", "unpriced")]


@pytest.mark.engine
def test_the_nightly_rules_run_for_one_period_alone_hold_it_beyond_the_lookback(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200, start=start)
                             for start in ("2026-10-05T10:00Z", "2026-11-05T10:00Z",
                                           "2026-12-05T10:00Z")],
                  periods=("2026-10", "2026-11", "2026-12"))
    month.late("late-october.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    [quiet] = month.adjust(only_period="2026-11").periods
    assert (quiet.period, quiet.adjustment.mode, quiet.outcome) == (
        "2026-11", "nightly", "unchanged")
    [held] = month.adjust(only_period="2026-10").periods
    assert (held.adjustment.mode, held.outcome, held.documents) == ("hold_only", "held", ())
    assert [(p.why.value, p.amount) for p in held.adjustment.pending] == [
        ("beyond_lookback", D("1.80"))]
    assert month.adjust(only_period="2026-10").periods == ()
    assert month.rows(COUNTS) == [(0, 1, 2)]


@pytest.mark.engine
def test_the_nightly_rules_refuse_an_open_period(tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    with pytest.raises(service.PeriodNotClosed, match="2026-11 is not closed"):
        month.adjust(only_period="2026-11")


@pytest.mark.fast
def test_a_period_cannot_be_named_both_on_purpose_and_for_the_nightly_rules() -> None:
    request = AdjustPeriodsRequest(landing="landing", catalog=Path("catalog"),
                                   warehouse=Path("w.duckdb"), period="2026-10",
                                   only_period="2026-10")
    with pytest.raises(ValueError, match="not both"):
        request.check()
