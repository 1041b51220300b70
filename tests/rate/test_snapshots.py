"""What an open period was rated with is kept beside its rows (rating.rate.snapshots): its
subscriptions, account links and the fingerprint of the catalog rows it used."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating.rate.engine import close_period
from tests.support.usage_builder import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    rows,
    table,
    usage_row,
    utc,
)


@pytest.mark.engine
def test_a_rating_keeps_the_subscriptions_active_in_the_period_and_every_link(
        landing: Landing, wh: Path) -> None:
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-OLD", "nexacloud", "nc-1", "cloud-standard", "2024-01-01",
                            "2025-01-01"),
                           ("SUB-NEXT", "nexamaps", "nm-1", "maps-payg", "2026-11-01", "")])
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexamaps", "nm-2", "C7"), ("nexamaps", "nm-2", "C8")])
    landing.usage("a.parquet", [usage_row(value=500)])
    landing.rate(wh)
    assert table(wh, "rated_subscriptions", "billing_period, subscription_id, end_at") == [
        ("2026-10", f"SUB-{account.upper()}", None) for _, account, _ in sorted(
            DEFAULT_ACCOUNTS, key=lambda a: f"SUB-{a[1].upper()}")]
    assert table(wh, "rated_subscriptions", "start_at", "subscription_id = 'SUB-NC-1'") == [
        (utc("2025-01-01T05:00Z"),)]
    assert table(wh, "rated_account_links", "service, account_id, customer_key, ambiguous") == \
        sorted([*((s, a, c, False) for s, a, c in DEFAULT_ACCOUNTS),
                ("nexamaps", "nm-2", None, True)])


@pytest.mark.engine
def test_a_rerating_replaces_the_snapshot_and_a_closed_period_keeps_it(
        landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=500)])
    landing.rate(wh)
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-2", "C1")])
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-NC-2", "nexacloud", "nc-2", "cloud-standard", "2026-10-15", "")])
    landing.rate(wh)
    kept = table(wh, "rated_subscriptions")
    assert len(kept) == len(DEFAULT_SUBSCRIPTIONS) + 1
    close_period(wh, "2026-10")
    landing.subscriptions()
    landing.rate(wh)
    assert table(wh, "rated_subscriptions") == kept
    fingerprints = [f for (f,) in rows(wh, "SELECT period_catalog_fingerprint FROM rating_runs "
                                           "ORDER BY finished_at")]
    assert fingerprints[0] is not None and len(fingerprints[0]) == 32
    assert fingerprints[1:] == [fingerprints[0], None]  # the closed period's run rated nothing
