"""Reference files with `version_at` (the API's): the latest usable version of a key is in
force, the earlier ones superseded (not problems); rows that tie on version_at are compared as
files without the column always were; a file without the column behaves as before."""

from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.usage_builder import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    SUBSCRIPTION_HEADER,
    Landing,
    quarantine,
    table,
    usage_row,
    utc,
    write_csv,
)

pytestmark = pytest.mark.engine

ACCOUNT_VERSION = ("service", "account_id", "customer_key", "name", "version_at")
OTHER_ACCOUNTS = [a for a in DEFAULT_ACCOUNTS if a[1] != "nc-1"]


def link_versions(landing: Landing, name: str, *rows: tuple[str, ...]) -> None:
    write_csv(landing.root / "accounts" / name, ACCOUNT_VERSION, rows)


def subscription_versions(landing: Landing, name: str, *rows: tuple[str, ...]) -> None:
    write_csv(landing.root / "subscriptions" / name, (*SUBSCRIPTION_HEADER, "version_at"), rows)


def rate(landing: Landing, wh: Path) -> None:
    if not (landing.root / "usage").exists():
        landing.usage("u.parquet", [usage_row(value=1)])
    landing.rate(wh)


def in_force(wh: Path) -> list[tuple[object, ...]]:
    return table(wh, "validated_accounts", "customer_key, name", "account_id = 'nc-1'")


def reference_quarantine(wh: Path) -> list[tuple[object, ...]]:
    return table(wh, "reference_quarantine", "kind, reason, file_path, record")


def test_the_latest_link_is_in_force_and_the_earlier_is_not_a_problem(landing: Landing,
                                                                       wh: Path) -> None:
    landing.accounts(OTHER_ACCOUNTS)
    link_versions(landing, "a.csv", ("nexacloud", "nc-1", "C1", "Old", "2026-10-01T00:00:00Z"))
    link_versions(landing, "b.csv", ("nexacloud", "nc-1", "C7", "New", "2026-10-02 00:00:00"))
    landing.usage("u.parquet", [usage_row(value=4)])
    rate(landing, wh)
    assert in_force(wh) == [("C7", "New")]
    assert reference_quarantine(wh) == []
    assert table(wh, "rated_charges", "DISTINCT customer_key", "account_id = 'nc-1'") == [
        ("C7",)]


def test_the_latest_version_wins_whatever_its_file_is_called(landing: Landing, wh: Path) -> None:
    landing.accounts(OTHER_ACCOUNTS)
    link_versions(landing, "z.csv", ("nexacloud", "nc-1", "C1", "Old", "2026-10-01T00:00:00Z"))
    link_versions(landing, "a.csv", ("nexacloud", "nc-1", "C1", "New", "2026-10-01T00:00:01Z"))
    rate(landing, wh)
    assert in_force(wh) == [("C1", "New")]


def test_links_tied_on_version_at_are_still_ambiguous(landing: Landing, wh: Path) -> None:
    landing.accounts(OTHER_ACCOUNTS)
    link_versions(landing, "a.csv", ("nexacloud", "nc-1", "C1", "Old", "2026-10-01T00:00:00Z"),
                  ("nexacloud", "nc-1", "C7", "A", "2026-10-02T00:00:00Z"))
    link_versions(landing, "b.csv", ("nexacloud", "nc-1", "C8", "B", "2026-10-02T00:00:00Z"))
    held = usage_row(value=4)
    path = landing.usage("u.parquet", [held])
    rate(landing, wh)
    assert in_force(wh) == []
    # The superseded version is not in force and not a problem either.
    assert reference_quarantine(wh) == [
        ("accounts", "ambiguous_account", "accounts/a.csv", "nexacloud,nc-1,C7"),
        ("accounts", "ambiguous_account", "accounts/b.csv", "nexacloud,nc-1,C8"),
        ("subscriptions", "unknown_account", "subscriptions/subscriptions.csv",
         "SUB-NC-1,nexacloud,nc-1,cloud-standard,2025-01-01")]
    assert quarantine(wh) == [("ambiguous_account", path, 0, held["counter_id"])]


def test_a_link_without_version_at_is_older_than_one_with_it(landing: Landing, wh: Path) -> None:
    # The hand-landed default file links nc-1 to C1 and has no version_at column.
    link_versions(landing, "api.csv", ("nexacloud", "nc-1", "C9", "From the API",
                                       "2020-01-01T00:00:00Z"))
    rate(landing, wh)
    assert in_force(wh) == [("C9", "From the API")]
    assert reference_quarantine(wh) == []


def test_a_later_version_that_cannot_be_used_leaves_the_earlier_in_force(landing: Landing,
                                                                          wh: Path) -> None:
    landing.accounts(OTHER_ACCOUNTS)
    link_versions(landing, "a.csv", ("nexacloud", "nc-1", "C1", "Good", "2026-10-01T00:00:00Z"),
                  ("nexacloud", "nc-1", "", "No key", "2026-10-03T00:00:00Z"),
                  ("nexacloud", "nc-1", "C5", "Bad time", "the third"))
    rate(landing, wh)
    assert in_force(wh) == [("C1", "Good")]
    assert reference_quarantine(wh) == [
        ("accounts", "bad_timestamp", "accounts/a.csv", "nexacloud,nc-1,C5"),
        ("accounts", "null_required", "accounts/a.csv", "nexacloud,nc-1")]


def test_a_terminated_version_of_a_subscription_replaces_the_open_one(landing: Landing,
                                                                      wh: Path) -> None:
    others = [s for s in DEFAULT_SUBSCRIPTIONS if s[1] != "nexacloud"]
    landing.subscriptions(others)
    subscription_versions(
        landing, "a.csv",
        ("SUB-X", "nexacloud", "nc-1", "cloud-standard", "2025-01-01", "", "2026-01-01T00:00:00Z"),
        ("SUB-X", "nexacloud", "nc-1", "cloud-standard", "2025-01-01", "2026-10-20",
         "2026-10-15T00:00:00Z"))
    landing.usage("u.parquet", [usage_row(value=5, start="2026-10-10T10:00Z"),
                                usage_row(value=9, start="2026-10-21T10:00Z")])
    rate(landing, wh)
    assert table(wh, "validated_subscriptions", "subscription_id, end_at",
                 "service = 'nexacloud'") == [("SUB-X", utc("2026-10-20T04:00"))]
    assert reference_quarantine(wh) == []
    assert table(wh, "usage_rollups", "quantity", "subscription_id = 'SUB-X'") == [
        (Decimal(5),)]
    assert [r[0] for r in quarantine(wh)] == ["no_subscription"]


def test_subscription_versions_tied_on_version_at_are_still_duplicates(landing: Landing,
                                                                        wh: Path) -> None:
    subscription_versions(
        landing, "a.csv",
        ("SUB-X", "nexacloud", "nc-1", "cloud-standard", "2026-01-01", "", "2026-02-01T00:00:00Z"),
        ("SUB-X", "nexacloud", "nc-1", "cloud-standard", "2026-01-01", "2026-10-20",
         "2026-02-01T00:00:00Z"))
    rate(landing, wh)
    assert [r[:2] for r in reference_quarantine(wh)] == [
        ("subscriptions", "duplicate_subscription")] * 2


def test_a_subscriptions_file_without_version_at_still_holds_differing_duplicates(
        landing: Landing, wh: Path) -> None:
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2025-01-01",
                            "2026-10-20")], name="more.csv")
    rate(landing, wh)
    assert [r[:3] for r in reference_quarantine(wh)] == [
        ("subscriptions", "duplicate_subscription", "subscriptions/more.csv"),
        ("subscriptions", "duplicate_subscription", "subscriptions/more.csv"),
        ("subscriptions", "duplicate_subscription", "subscriptions/subscriptions.csv")]
