"""A period closed before snapshots existed (no rated_subscriptions, rated_account_links or
period fingerprint of its own) gets one from an adjust run: the references a person accepted
with `adjust --period P --accept-changes`, or today's when they reproduce its invoices exactly;
later runs re-rate it from that snapshot instead of holding it no_snapshot every time."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.support.adjust_month import Month
from tests.support.usage_builder import usage_row

D = Decimal


def closed_before_snapshots(root: Path) -> Month:
    """2026-10 closed and posted, its snapshot removed as if rated before snapshots existed."""
    month = Month(root, [usage_row("nexacloud", "vcpu_hours", 200)])
    with duckdb.connect(str(month.warehouse)) as con:
        con.execute("DELETE FROM rated_subscriptions")
        con.execute("DELETE FROM rated_account_links")
        con.execute("UPDATE rating_runs SET period_catalog_fingerprint = NULL")
    return month


def snapshot_rows(month: Month) -> tuple[int, int]:
    [(subscriptions, links)] = month.rows(
        "SELECT (SELECT count(*) FROM rated_subscriptions WHERE billing_period = '2026-10'), "
        "(SELECT count(*) FROM rated_account_links WHERE billing_period = '2026-10')")
    return subscriptions, links


@pytest.mark.engine
def test_references_accepted_on_purpose_become_the_periods_snapshot(tmp_path: Path) -> None:
    month = closed_before_snapshots(tmp_path)
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    held = month.adjust().periods[0]
    assert [(t.why.value, t.amount) for t in held.adjustment.pending] == [
        ("no_snapshot", D("1.80"))]
    accepted = month.adjust("2026-10", accept_changes=True).periods[0]
    assert [d.revision.amount_net for d in accepted.documents] == [D("1.80")]
    assert snapshot_rows(month)[0] > 0 and snapshot_rows(month)[1] > 0
    month.post()
    month.late("later.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    nightly = month.adjust().periods[0]
    assert nightly.rerate is not None and nightly.rerate.from_snapshot
    assert [(d.revision.revision, d.revision.amount_net) for d in nightly.documents] == [
        (2, D("1.80"))]


@pytest.mark.engine
def test_todays_references_that_reproduce_the_invoices_are_kept_without_a_person(
        tmp_path: Path) -> None:
    month = closed_before_snapshots(tmp_path)
    rerated = month.adjust("2026-10").periods[0]  # nothing landed: the invoices reproduced
    assert (rerated.outcome, rerated.adjustment.findings) == ("no_difference", None)
    assert snapshot_rows(month)[0] > 0
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    nightly = month.adjust().periods[0]
    assert nightly.rerate is not None and nightly.rerate.from_snapshot
    assert [d.revision.amount_net for d in nightly.documents] == [D("1.80")]


@pytest.mark.engine
def test_a_re_rate_that_differs_keeps_no_snapshot_and_stays_held(tmp_path: Path) -> None:
    month = closed_before_snapshots(tmp_path)
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    assert [t.why.value for t in month.adjust().periods[0].adjustment.pending] == [
        "no_snapshot"]
    assert snapshot_rows(month) == (0, 0)
    again = month.adjust("2026-10").periods[0]  # on purpose, not accepted: still held
    assert [t.why.value for t in again.adjustment.pending] == ["no_snapshot"]
    assert snapshot_rows(month) == (0, 0)


@pytest.mark.engine
def test_a_dry_run_keeps_no_snapshot(tmp_path: Path) -> None:
    month = closed_before_snapshots(tmp_path)
    month.adjust("2026-10", dry_run=True)
    assert snapshot_rows(month) == (0, 0)
