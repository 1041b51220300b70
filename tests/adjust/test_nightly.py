"""The nightly run's look at each closed period before any re-rate (rating.adjust.nightly):
what an untouched period costs does not grow with history (no references built, no catalog
fingerprint computed while the catalog is the one its last run had), and a pending difference
is looked at again when what it waits for may have changed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating.adjust import rerate
from rating.adjust.run import AdjustSettings
from tests.support.adjust_month import Month
from tests.support.usage_builder import CATALOG, usage_row

D = Decimal


def edited_catalog(root: Path, old: str, new: str) -> Path:
    edited = root / "catalog"
    edited.mkdir()
    for path in CATALOG.iterdir():
        text = path.read_text(encoding="utf-8")
        (edited / path.name).write_text(text.replace(old, new), encoding="utf-8")
    return edited


def count_reference_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every period whose references are built (the costly part of the nightly look)."""
    built: list[str] = []
    real: Callable[..., bool] = rerate.load_references

    def counting(con: Any, params: dict[str, Any], **options: Any) -> bool:
        built.append(params["billing_period"])
        return real(con, params, **options)

    monkeypatch.setattr(rerate, "load_references", counting)
    return built


@pytest.mark.engine
def test_an_untouched_period_is_decided_without_building_its_references(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    built = count_reference_builds(monkeypatch)
    assert [p.outcome for p in month.adjust().periods] == ["unchanged"]
    assert [p.outcome for p in month.adjust().periods] == ["unchanged"]
    assert built == []
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    touched = month.adjust().periods[0]
    assert [d.revision.amount_net for d in touched.documents] == [D("1.80")]
    assert built == ["2026-10"]  # the re-rate's own


@pytest.mark.engine
def test_a_catalog_edit_elsewhere_is_fingerprinted_once_then_the_period_is_cheap_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    # November's price: not one 2026-10 uses, but the catalog changed.
    edited = edited_catalog(tmp_path, 'unit_price: "0.042"', 'unit_price: "0.043"')
    built = count_reference_builds(monkeypatch)
    assert [p.outcome for p in month.adjust(catalog=edited).periods] == ["unchanged"]
    assert built == ["2026-10"]
    assert [p.outcome for p in month.adjust(catalog=edited).periods] == ["unchanged"]
    assert built == ["2026-10"]


@pytest.mark.engine
def test_a_catalog_edit_the_period_uses_is_still_held_and_then_cheap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 1100)])
    edited = edited_catalog(tmp_path, 'unit_price: "0.045"', 'unit_price: "0.046"')
    built = count_reference_builds(monkeypatch)
    held = month.adjust(catalog=edited).periods[0]
    assert [(p.why.value, p.amount) for p in held.adjustment.pending] == [
        ("catalog_changed", D("1.00"))]
    built.clear()
    assert month.adjust(catalog=edited).periods[0].outcome == "unchanged"
    assert built == []
    # Back to the catalog it was rated with: touched again, re-rated, nothing to bill.
    back = month.adjust().periods[0]
    assert (back.outcome, back.adjustment.pending) == ("no_difference", ())


@pytest.mark.engine
def test_beyond_the_lookback_a_catalog_edit_is_fingerprinted_once_and_nothing_is_issued(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200),
                             usage_row("nexacloud", "vcpu_hours", 200,
                                       start="2026-09-05T10:00Z")],
                  periods=("2026-09", "2026-10"))
    edited = edited_catalog(tmp_path, 'unit_price: "0.042"', 'unit_price: "0.043"')
    built = count_reference_builds(monkeypatch)
    one = AdjustSettings(lookback=1)
    first = month.adjust(catalog=edited, settings=one).periods
    assert [(p.period, p.adjustment.mode, p.outcome) for p in first] == [
        ("2026-10", "nightly", "unchanged"), ("2026-09", "hold_only", "unchanged")]
    assert sorted(built) == ["2026-09", "2026-10"]
    built.clear()
    assert [p.period for p in month.adjust(catalog=edited, settings=one).periods] == [
        "2026-10"]
    assert built == []


def execute(month: Month, sql: str) -> None:
    with duckdb.connect(str(month.warehouse)) as con:
        con.execute(sql)


@pytest.mark.engine
def test_a_difference_waiting_for_its_original_to_be_posted_is_issued_once_it_is(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    execute(month, "DELETE FROM odoo_postings")
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    waiting = month.adjust().periods[0]
    assert [t.why.value for t in waiting.adjustment.pending] == ["original_not_posted"]
    # Nothing was posted since: not re-rated again.
    assert month.adjust().periods[0].outcome == "unchanged"
    month.post()
    issued = month.adjust().periods[0]
    assert [d.revision.amount_net for d in issued.documents] == [D("1.80")]


@pytest.mark.engine
def test_a_difference_waiting_for_an_earlier_revision_is_issued_once_it_is_posted(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    assert [d.revision.revision for d in month.adjust().periods[0].documents] == [1]
    month.late("later.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    waiting = month.adjust().periods[0]
    assert [t.why.value for t in waiting.adjustment.pending] == ["earlier_revision_not_posted"]
    assert month.adjust().periods[0].outcome == "unchanged"
    month.post()
    assert [d.revision.revision for d in month.adjust().periods[0].documents] == [2]


@pytest.mark.engine
def test_an_original_changed_in_odoo_is_looked_at_again_once_odoo_holds_it_as_posted(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    execute(month, "UPDATE odoo_postings SET state = 'changed_after_posting'")
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    waiting = month.adjust().periods[0]
    assert [t.why.value for t in waiting.adjustment.pending] == [
        "original_changed_after_posting"]
    assert month.adjust().periods[0].outcome == "unchanged"
    # A person put Odoo's invoice back as we posted it; the read-back sees it posted.
    execute(month, "UPDATE odoo_postings SET state = 'posted'")
    issued = month.adjust().periods[0]
    assert [d.revision.amount_net for d in issued.documents] == [D("1.80")]


@pytest.mark.engine
def test_late_usage_without_an_original_is_billed_alone_and_its_next_revision_once_posted(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", usage_row("nexamaps", "map_tiles", 1_000_000))
    [alone] = month.adjust().periods[0].documents
    assert (alone.revision.revision, alone.revision.document_kind) == (
        1, "supplementary_invoice")
    assert "no invoice for October 2026 at its close" in alone.revision.reason_text
    month.late("later.parquet", usage_row("nexamaps", "map_tiles", 1_000_000))
    waiting = month.adjust().periods[0]
    assert [t.why.value for t in waiting.adjustment.pending] == ["earlier_revision_not_posted"]
    assert month.adjust().periods[0].outcome == "unchanged"
    # Revision 1 was posted in Odoo after the last run: decide the key again.
    month.post()
    assert [d.revision.revision for d in month.adjust().periods[0].documents] == [2]
