"""A period closed before snapshots existed (no rated_subscriptions, rated_account_links or
period fingerprint of its own) gets one from an adjust run: the references a person accepted
with `adjust --period P --accept-changes`, or, when today's reproduce its invoices exactly, those
of them that produced an invoice line; later runs re-rate it from that snapshot instead of
holding it no_snapshot every time."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.adjust_month import Month
from tests.support.usage_builder import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    rate_landing,
    usage_row,
)

D = Decimal
# A second pay-as-you-go maps account, C5's at the close, with no October usage.
NM_2 = ("SUB-NM-2", "nexamaps", "nm-2", "maps-payg", "2025-01-01", "")


def closed_before_snapshots(root: Path, **month: Any) -> Month:
    """2026-10 closed and posted, its snapshot removed as if rated before snapshots existed."""
    month = Month(root, [usage_row("nexacloud", "vcpu_hours", 200)], **month)
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


@pytest.mark.engine
def test_references_kept_without_a_person_leave_out_accounts_the_invoices_did_not_verify(
        tmp_path: Path) -> None:
    month = closed_before_snapshots(
        tmp_path, subscriptions=(*DEFAULT_SUBSCRIPTIONS, NM_2),
        accounts=(*DEFAULT_ACCOUNTS, ("nexamaps", "nm-2", "C5")))
    month.landing.accounts((*DEFAULT_ACCOUNTS, ("nexamaps", "nm-2", "C2")))  # re-linked since
    rate_landing(month.landing.root, month.warehouse, "2026-11")  # brings the link into force
    kept = month.adjust("2026-10").periods[0]  # nothing landed: the invoices reproduced
    assert (kept.outcome, kept.adjustment.findings) == ("no_difference", None)
    # Only what produced an October line (usage, minimums, flat fees): neither maps account.
    assert month.rows("SELECT subscription_id FROM rated_subscriptions "
                      "WHERE billing_period = '2026-10' ORDER BY ALL") == [
        ("SUB-AP-1",), ("SUB-MB-1",), ("SUB-NC-1",), ("SUB-ND-1",)]
    assert month.rows("SELECT account_id, customer_key FROM rated_account_links "
                      "WHERE billing_period = '2026-10' ORDER BY ALL") == [
        ("ap-1", "C3"), ("mb-1", "C4"), ("nc-1", "C1"), ("nd-1", "C1")]
    month.late("late.parquet", usage_row("nexamaps", "map_tiles", 400_000, account_id="nm-2"))
    nightly = month.adjust().periods[0]
    assert nightly.rerate is not None and nightly.rerate.from_snapshot
    assert (nightly.documents, nightly.adjustment.pending) == ((), ())
    assert [(h.reason, h.late_rows) for h in nightly.held_usage] == [("unknown_account", 1)]
    assert nightly.needs_a_person
    # A person who checked the link bills it on purpose with today's references (and their
    # plans: maps-payg is in no kept subscription).
    billed = month.adjust("2026-10", current_references=True, accept_changes=True).periods[0]
    assert [(d.revision.adjustment_key, d.revision.amount_net) for d in billed.documents] == [
        ("C2/nexamaps/2026-10/r1", D("4.88"))]
