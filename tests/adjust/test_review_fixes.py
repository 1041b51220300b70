"""Money holes an adversarial review of the adjust run found: rows ingested before a close
that its last rating never saw, originals a person changed in Odoo, an accepted catalog
change, and the balance check's reach (late usage without an original invoice:
test_no_original.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating.adjust.run import unbalanced_lines
from rating.rate.engine import close_period
from tests.support.adjust_month import Month
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    rate_landing,
    usage_row,
)

D = Decimal


@pytest.mark.engine
def test_rows_ingested_after_the_last_rating_but_before_the_close_are_billed_by_the_nightly(
        tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing", subscriptions=False)
    landing.subscriptions(DEFAULT_SUBSCRIPTIONS)
    landing.usage("base.parquet", [usage_row("nexacloud", "vcpu_hours", 200)])
    month = Month.__new__(Month)
    month.landing, month.warehouse = landing, tmp_path / "warehouse.duckdb"
    rate_landing(landing.root, month.warehouse, "2026-10")
    # October rows land after October's last rating; November's rating ingests them.
    landing.usage("late.parquet", [usage_row("nexacloud", "vcpu_hours", 400)])
    rate_landing(landing.root, month.warehouse, "2026-11")
    assert close_period(month.warehouse, "2026-10")
    month.post()
    nightly = month.adjust().periods
    october = [p for p in nightly if p.period == "2026-10"]
    assert [(d.revision.document_kind, d.revision.amount_net)
            for p in october for d in p.documents] == [("supplementary_invoice", D("18.00"))]


@pytest.mark.engine
def test_a_difference_on_an_original_changed_in_odoo_after_posting_waits_for_a_person(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 2000, counter_id="c-1")])
    with duckdb.connect(str(month.warehouse)) as con:
        con.execute("UPDATE odoo_postings SET state = 'changed_after_posting', "
                    "amount_untaxed = 10.00 WHERE invoice_key = 'C1/nexacloud/2026-10'")
    month.late("correction.parquet", usage_row("nexacloud", "vcpu_hours", 1, counter_id="c-1",
                                               start="2026-10-05T10:00Z",
                                               pushed_at="2026-10-25T00:00Z"))
    period = month.adjust("2026-10", accept_changes=True).periods[0]
    assert period.documents == ()
    assert [(t.why.value, t.amount) for t in period.adjustment.pending] == [
        ("original_changed_after_posting", D("-85.50"))]
    assert period.needs_a_person


@pytest.mark.engine
def test_a_revision_changed_in_odoo_after_posting_holds_the_next_one(tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    assert [d.revision.amount_net for d in month.adjust().periods[0].documents] == [D("1.80")]
    month.post()
    with duckdb.connect(str(month.warehouse)) as con:
        con.execute("UPDATE odoo_postings SET state = 'changed_after_posting' "
                    "WHERE invoice_key = 'C1/nexacloud/2026-10/r1'")
    month.late("later.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    period = month.adjust().periods[0]
    assert period.documents == ()
    assert [t.why.value for t in period.adjustment.pending] == ["original_changed_after_posting"]


@pytest.mark.engine
def test_a_catalog_change_accepted_on_purpose_does_not_hold_later_late_usage(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 1100)])
    edited = tmp_path / "catalog"
    edited.mkdir()
    for path in CATALOG.iterdir():
        (edited / path.name).write_text(path.read_text(encoding="utf-8").replace(
            'unit_price: "0.045"', 'unit_price: "0.046"'), encoding="utf-8")
    accepted = month.adjust("2026-10", catalog=edited, accept_changes=True).periods[0]
    assert [d.revision.document_kind for d in accepted.documents] == ["supplementary_invoice"]
    month.post()
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 500))
    nightly = month.adjust(catalog=edited).periods[0]
    assert [t.why.value for t in nightly.adjustment.pending] == []
    assert [(d.revision.revision, d.revision.amount_net) for d in nightly.documents] == [
        (2, D("23.00"))]


@pytest.mark.engine
def test_a_break_in_another_period_neither_rolls_this_one_back_nor_hides_from_the_check(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    with duckdb.connect(str(month.warehouse)) as con:
        # A re-rated September line that nothing invoiced: a break of September only.
        con.execute("INSERT INTO rerated_lines BY NAME SELECT * REPLACE ('2026-09' AS "
                    "billing_period), 'planted' AS run_id FROM invoice_lines LIMIT 1")
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    assert [d.revision.amount_net for d in month.adjust().periods[0].documents] == [D("1.80")]
    with duckdb.connect(str(month.warehouse)) as con:
        assert unbalanced_lines(con, "2026-10") == []
        assert [row["billing_period"] for row in unbalanced_lines(con)] == ["2026-09"]


@pytest.mark.engine
def test_what_is_pending_in_a_period_that_left_the_lookback_needs_a_person(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200),
                             usage_row("nexacloud", "vcpu_hours", 1000,
                                       start="2026-09-05T10:00Z")],
                  periods=("2026-09", "2026-10"))
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 20,
                                         start="2026-09-06T10:00Z"))
    carried = month.adjust()
    assert carried.needs_a_person is False  # 0.90 below the threshold, carried
    # November closes: September leaves the lookback of 2, untouched, never re-rated again.
    month.late("nov.parquet", usage_row("nexacloud", "vcpu_hours", 10,
                                        start="2026-11-05T10:00Z"))
    rate_landing(month.landing.root, month.warehouse, "2026-11")
    assert close_period(month.warehouse, "2026-11")
    month.post()
    nightly = month.adjust()
    assert "2026-09" not in [p.period for p in nightly.periods]
    assert nightly.needs_a_person
    assert [(s.period, s.why, s.amount) for s in nightly.stranded] == [
        ("2026-09", "below_threshold", D("0.90"))]
