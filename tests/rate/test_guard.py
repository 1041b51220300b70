"""The guard: a rated month changes only for a reason a person can see.

A re-rating that would make the period's total fall by more than the allowed share (5% by
default) or make one of its invoices vanish stops before anything is written, names what would
vanish and why, and leaves the month as it was; --accept-changes (Dagster: accept_changes) lets
it through and records what the guard found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rating.cli import main
from rating.rate.engine import RateRequest, RatingStopped, rate
from rating.rate.guard import GuardSettings
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_SUBSCRIPTIONS,
    RATED_TABLES,
    Landing,
    rows,
    snapshot,
    usage_row,
)

pytestmark = pytest.mark.engine


def rated_month(landing: Landing, wh: Path) -> dict[str, list[tuple[object, ...]]]:
    landing.usage("a.parquet", [usage_row(value=1100, counter_id="vcpu"),
                                usage_row("nexadesk", "conversations", 2750),
                                usage_row("nexamaps", "map_tiles", 90_000)], value="int64")
    landing.rate(wh)
    return snapshot(wh, RATED_TABLES)


def cli_rate(landing: Landing, wh: Path, *extra: str) -> int:
    return main(["rate", "--landing", str(landing.root), "--catalog", str(CATALOG),
                 "--warehouse", str(wh), "--period", "2026-10", *extra])


def test_a_vanishing_invoice_stops_the_rating_and_names_why(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = rated_month(landing, wh)
    # A new, readable version of the subscriptions file that lost nexadesk's line.
    landing.subscriptions([s for s in DEFAULT_SUBSCRIPTIONS if s[1] != "nexadesk"])
    assert cli_rate(landing, wh) == 4
    err = capsys.readouterr().err
    assert "period 2026-10 was not rated" in err
    assert "invoices would vanish: C1/nexadesk" in err
    assert ("subscriptions file subscriptions/subscriptions.csv: a new version comes into "
            "force (5 rows -> 4 rows)") in err
    assert "SUB-ND-1 (C1/nexadesk): in no file in force" in err
    assert "usage rows of the period held at rating: no_subscription 1" in err
    assert "rerun with --accept-changes" in err
    assert snapshot(wh, RATED_TABLES) == before
    # The stop itself is on record; the old version of the file stays in force.
    [(outcome, findings)] = rows(wh, "SELECT outcome, guard_findings FROM rating_runs"
                                     " WHERE outcome <> 'rated'")
    assert outcome == "stopped_by_guard" and "C1/nexadesk" in findings
    assert rows(wh, "SELECT rows_in_file FROM reference_files WHERE kind = 'subscriptions'"
                ) == [(5,)]


def test_a_fall_above_the_allowed_share_stops_and_accepting_records_why(
        landing: Landing, wh: Path) -> None:
    before = rated_month(landing, wh)
    correction = usage_row(value=100, counter_id="vcpu", pushed_at="2026-10-20T00:00Z")
    landing.usage("b-correction.parquet", [correction], value="int64")
    with pytest.raises(RatingStopped) as stopped:
        landing.rate(wh)
    verdict = stopped.value.verdict
    assert verdict.after < verdict.before
    assert "the total would fall from" in verdict.text
    assert "1 ingestion(s) since the last rating changed the period's rows" in verdict.text
    assert snapshot(wh, RATED_TABLES) == before
    accepted = rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                                period="2026-10", guard=GuardSettings(accept_changes=True)))
    assert accepted.period.amount_total == verdict.after
    assert accepted.period.previous_total == verdict.before
    assert accepted.period.guard_findings == verdict.text
    assert rows(wh, "SELECT outcome, guard_findings FROM rating_runs"
                    " ORDER BY finished_at DESC LIMIT 1") == [
        ("rated_with_accepted_changes", verdict.text)]


def test_a_larger_allowed_share_lets_a_smaller_fall_through(landing: Landing, wh: Path) -> None:
    rated_month(landing, wh)
    landing.usage("b-correction.parquet", [usage_row(value=100, counter_id="vcpu",
                                                     pushed_at="2026-10-20T00:00Z")],
                  value="int64")
    result = rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                              period="2026-10", guard=GuardSettings(max_drop_percent=90)))
    assert result.period.guard_findings is None
    assert result.period.amount_total < result.period.previous_total  # type: ignore[operator]


def test_growth_and_small_corrections_need_no_person(landing: Landing, wh: Path) -> None:
    rated_month(landing, wh)
    landing.usage("b.parquet", [usage_row(value=1090, counter_id="vcpu",
                                          pushed_at="2026-10-20T00:00Z"),
                                usage_row("apps", "api_calls", 5000)], value="int64")
    result = landing.rate(wh)
    assert result.period.guard_findings is None
    assert rows(wh, "SELECT outcome FROM rating_runs ORDER BY finished_at") == [
        ("rated",), ("rated",)]


def test_the_first_rating_of_a_period_has_nothing_to_compare(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=0)], value="int64")
    result = landing.rate(wh)
    assert (result.period.previous_total, result.period.guard_findings) == (None, None)
