"""Rating end to end: aggregation rules, prices, proration, lineage, rewrites and determinism.

Expected quantities and amounts are computed by hand from catalog/*.yaml. Period 2026-10 in
America/Toronto is 2026-10-01T04:00Z to 2026-11-01T04:00Z: 31 days exactly (DST ends on
2026-11-01 at 02:00 local, after the period).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import warehouse
from rating.catalog import CatalogError
from rating.ingest.landing import file_id_for
from rating.samples.usage import write_sample
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    RATED_TABLES,
    Landing,
    counts,
    quarantine,
    rate_landing,
    rows,
    scalar,
    snapshot,
    table,
    usage_row,
)

PERIOD_DAYS = 31
D = Decimal


def half_up(x: Decimal, places: int) -> Decimal:
    return x.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def prorate(x: str | Decimal, active_days: int, places: int) -> Decimal:
    """x * active / period, half-up (9 places for units, 18 for amounts), as the engine does."""
    with localcontext() as ctx:
        ctx.prec = 60
        return half_up(D(x) * active_days / PERIOD_DAYS, places)


def charges(wh: Path, metric: str, period: str = "2026-10") -> list[tuple[Any, ...]]:
    """(line_kind, quantity, included_units, billable_units, amount_unrounded, amount)."""
    return table(wh, "rated_charges", "line_kind, quantity, included_units, billable_units,"
                 " amount_unrounded, amount", "metric = $metric AND billing_period = $period",
                 {"metric": metric, "period": period})


def amounts(wh: Path, metric: str, period: str = "2026-10") -> list[tuple[str, Decimal]]:
    return [(kind, amount) for kind, *_, amount in charges(wh, metric, period)]


def rounded_charges(wh: Path, metric: str) -> list[tuple[Any, ...]]:
    """(line_kind, quantity, included_units, billable_units, amount) of 2026-10."""
    return [(k, q, i, b, a) for k, q, i, b, _, a in charges(wh, metric)]


def breakdown_amounts(wh: Path, metric: str) -> list[Decimal]:
    """The exact amount of every tier of the metric's 2026-10 usage lines."""
    found = table(wh, "rated_charges", "breakdown",
                  "metric = $metric AND billing_period = '2026-10' AND line_kind = 'usage'",
                  {"metric": metric})
    return [part["amount"] for (parts,) in found for part in parts]


def rollup(wh: Path, metric: str) -> list[tuple[Any, ...]]:
    return table(wh, "usage_rollups", "quantity, counter_rows", "metric = $metric",
                 {"metric": metric})


# --- aggregation rules ----------------------------------------------------------------------------

@pytest.mark.engine
def test_sum(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=100, start="2026-10-02T10:00Z"),
                                usage_row(value="150.5", start="2026-10-30T10:00Z")])
    landing.rate(wh)
    assert rollup(wh, "vcpu_hours") == [(D("250.5"), 2)]
    # per_unit 0.045 above 100 included: 150.5 * 0.045 = 6.7725 -> 6.77
    assert charges(wh, "vcpu_hours") == [
        ("usage", D("250.5"), D(100), D("150.5"), D("6.7725"), D("6.77"))]
    assert table(wh, "rated_charges", "description", "metric = 'vcpu_hours'") == [
        ("vCPU usage, October 2026: 250.5 vCPU-h (100 included)",)]


@pytest.mark.engine
def test_max_with_volume_tiers(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(metric="peak_instances", value=v,
                                          start=f"2026-10-1{i}T10:00Z")
                                for i, v in enumerate((3, 7, 5))], value="int64")
    landing.rate(wh)
    assert rollup(wh, "peak_instances") == [(D(7), 3)]
    # volume: all 7 units in tier (5, 20]: 7 * 7.00 + 5.00 flat = 54.00; minimum 25 met.
    assert amounts(wh, "peak_instances") == [("usage", D("54.00"))]
    assert table(wh, "rated_charges", "breakdown", "metric = 'peak_instances'") == [
        ([{"tier": 2, "units": D(7), "unit_price": D(7), "flat_fee": D(5), "amount": D(54)}],)]


@pytest.mark.engine
def test_minimum_true_up(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(metric="peak_instances", value=3)], value="int64")
    landing.rate(wh)
    # 3 * 8.00 = 24.00, below the 25.00 minimum: a 1.00 true-up line.
    assert amounts(wh, "peak_instances") == [("minimum_true_up", D("1.00")),
                                             ("usage", D("24.00"))]


@pytest.mark.engine
def test_last_is_the_value_of_the_window_ending_last(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [
        usage_row("apps", "app_users", 50, start="2026-10-09T12:00Z", hours=24),
        usage_row("apps", "app_users", 30, start="2026-10-19T12:00Z", hours=24),
        # Pushed last, but its window ends before the one above.
        usage_row("apps", "app_users", 80, start="2026-10-14T12:00Z", hours=24,
                  pushed_at="2026-10-31T00:00Z"),
    ], value="int64", timestamps="naive")
    landing.rate(wh)
    assert rollup(wh, "app_users") == [(D(30), 3)]
    # graduated: 10 users at 0 + 49.00 flat, then 20 users at 3.50 = 119.00
    assert amounts(wh, "app_users") == [("usage", D("119.00"))]


@pytest.mark.engine
@pytest.mark.parametrize(("rows_", "expected"), [
    pytest.param([dict(value=30, start="2026-10-19T12:00Z", hours=24),
                  dict(value=12, start="2026-10-20T11:00Z", hours=1)], 12,
                 id="same-end-later-start-wins"),
    pytest.param([dict(value=30, pushed_at="2026-10-21T00:00Z", counter_id="z"),
                  dict(value=12, pushed_at="2026-10-22T00:00Z", counter_id="a")], 12,
                 id="same-window-later-pushed_at-wins"),
    pytest.param([dict(value=30, counter_id="b"), dict(value=12, counter_id="a")], 30,
                 id="same-window-and-push-greater-counter_id-wins"),
])
def test_last_ties(landing: Landing, wh: Path, rows_: list[dict[str, Any]], expected: int
                   ) -> None:
    # The rule documented in the SQL: latest window end, then later start, then later pushed_at,
    # then the greater counter_id.
    base: dict[str, Any] = dict(start="2026-10-20T10:00Z", hours=2, pushed_at="2026-10-21T00:00Z")
    built = [usage_row("apps", "app_users", **{**base, **r}) for r in rows_]
    landing.usage("a.parquet", built, value="int64")
    landing.rate(wh)
    assert rollup(wh, "app_users") == [(D(expected), 2)]


@pytest.mark.engine
def test_unique_count_counts_distinct_keys_across_the_period(landing: Landing, wh: Path) -> None:
    agents = [usage_row("nexadesk", "agents", None, start=start, hours=24, unique_key=key)
              for start, key in (("2026-10-03T04:00Z", "a1"), ("2026-10-03T04:00Z", "a2"),
                                 ("2026-10-20T04:00Z", "a2"), ("2026-10-20T04:00Z", "a3"))]
    landing.usage("a.parquet", agents, value="int64")
    landing.rate(wh)
    assert rollup(wh, "agents") == [(D(3), 4)]
    # 3 * 19.00 = 57.00, above the 38.00 minimum.
    assert amounts(wh, "agents") == [("usage", D("57.00"))]


@pytest.mark.engine
@pytest.mark.parametrize(("value", "start", "hours", "expected_quantity", "expected_amount"), [
    # 310 GB for one day of a 31-day month = 10 GB-month: 10 * 0.10 + 2.00 flat = 3.00
    pytest.param(310, "2026-10-10T04:00Z", 24, D(10), D("3.00"), id="one-day"),
    # 1000 GB all month: 100 * 0.10 + 2.00, then 900 * 0.08 = 84.00
    pytest.param(1000, "2026-10-01T04:00Z", 24 * 31, D(1000), D("84.00"), id="whole-month"),
    # 1 GB for one hour: 1/744 = 0.0013440860... -> 0.001344086 (half-up, 9 places)
    pytest.param(1, "2026-10-10T04:00Z", 1, D("0.001344086"), D("2.00"), id="rounding"),
])
def test_time_weighted_avg(landing: Landing, wh: Path, value: int, start: str, hours: int,
                           expected_quantity: Decimal, expected_amount: Decimal) -> None:
    landing.usage("a.parquet", [usage_row(metric="storage_gb", value=value, start=start,
                                          hours=hours)])
    landing.rate(wh)
    assert rollup(wh, "storage_gb") == [(expected_quantity, 1)]
    assert amounts(wh, "storage_gb") == [("usage", expected_amount)]


@pytest.mark.engine
def test_time_weighted_avg_sums_windows(landing: Landing, wh: Path) -> None:
    # 200 GB for 15.5 days + 400 GB for 15.5 days = 300 GB-month
    landing.usage("a.parquet", [
        usage_row(metric="storage_gb", value=200, start="2026-10-01T04:00Z", hours=372),
        usage_row(metric="storage_gb", value=400, start="2026-10-16T16:00Z", hours=372),
    ])
    landing.rate(wh)
    assert rollup(wh, "storage_gb") == [(D(300), 2)]
    # 100 * 0.10 + 2.00 + 200 * 0.08 = 28.00
    assert amounts(wh, "storage_gb") == [("usage", D("28.00"))]


@pytest.mark.engine
def test_group_by_dimension_gives_one_line_per_group(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [
        usage_row(metric="egress_gb", value=80, dimensions='{"region": "ca-east"}'),
        usage_row(metric="egress_gb", value=20, dimensions='{"region": "ca-east"}'),
        usage_row(metric="egress_gb", value=60, dimensions='{"region": "us-west"}'),
        usage_row(metric="egress_gb", value=5),
    ])
    landing.rate(wh)
    assert table(wh, "usage_rollups", "group_value, quantity", "metric = 'egress_gb'") == [
        ("ca-east", D(100)), ("us-west", D(60)), (None, D(5))]
    descriptions = table(wh, "rated_charges", "description", "metric = 'egress_gb'")
    assert ("Network egress, unspecified, October 2026: 5 GB",) in descriptions


# --- proration and price versions -----------------------------------------------------------------

@pytest.mark.engine
def test_subscription_starting_mid_period_is_prorated(landing: Landing, wh: Path) -> None:
    # Starts 2026-10-16 (Toronto midnight = 04:00Z): active 16 of the 31 days.
    landing.subscriptions([("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2026-10-16", "")])
    landing.usage("a.parquet", [usage_row(value=100, start="2026-10-20T10:00Z")])
    landing.rate(wh)
    assert table(wh, "rated_charges", "DISTINCT active_us, period_us") == [
        (16 * 86_400_000_000, 31 * 86_400_000_000)]

    # vCPU: 100 included units * 16/31 = 51.612903226 (half-up, 9 places)
    included = prorate("100", 16, 9)
    assert included == D("51.612903226")
    billable = D(100) - included
    vcpu_amount = billable * D("0.045")  # 2.17741935483
    assert rounded_charges(wh, "vcpu_hours") == [
        ("usage", D(100), included, billable, D("2.18"))]
    assert breakdown_amounts(wh, "vcpu_hours") == [vcpu_amount]

    # Storage, no usage: tier 1's 2.00 flat fee * 16/31 = 1.032258064516129032
    flat = prorate("2.00", 16, 18)
    assert rounded_charges(wh, "storage_gb") == [("usage", D(0), D(0), D(0), D("1.03"))]
    assert breakdown_amounts(wh, "storage_gb") == [flat]

    # Peak instances, no usage: 0, then the 25.00 minimum * 16/31 = 12.9032..., in cents
    minimum = prorate("25.00", 16, 18)
    assert charges(wh, "peak_instances") == [
        ("minimum_true_up", D(0), D(0), D(0), half_up(minimum, 2), D("12.90")),
        ("usage", D(0), D(0), D(0), D(0), D("0.00"))]
    assert table(wh, "rated_charges", "description",
                 "metric = 'peak_instances' AND line_kind = 'minimum_true_up'") == [
        ("Minimum charge for Peak instances, October 2026: 12.90 CAD",)]


@pytest.mark.engine
def test_amount_unrounded_is_exact_and_rounded_to_cents_once(landing: Landing, wh: Path
                                                             ) -> None:
    # 100.111111111 vCPU-h, 100 included: 0.111111111 * 0.045 = 0.004999999995 -> 0.00.
    # Rounded to 9 places first it would be 0.005000000 -> 0.01.
    landing.usage("a.parquet", [usage_row(value="100.111111111")], value="string")
    landing.rate(wh)
    assert charges(wh, "vcpu_hours") == [
        ("usage", D("100.111111111"), D(100), D("0.111111111"), D("0.004999999995"),
         D("0.00"))]


@pytest.mark.engine
def test_subscription_ending_mid_period_prorates_the_minimum_against_usage(
        landing: Landing, wh: Path) -> None:
    # Ends 2026-10-11 (Toronto): active 10 of 31 days; minimum 25.00 * 10/31 = 8.0645...
    landing.subscriptions([("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2025-01-01",
                            "2026-10-11")])
    landing.usage("a.parquet", [usage_row(metric="peak_instances", value=1,
                                          start="2026-10-05T10:00Z")], value="int64")
    landing.rate(wh)
    # In cents, as the invoice shows them: 8.06 - 8.00.
    shortfall = half_up(prorate("25.00", 10, 18), 2) - D(8)
    assert charges(wh, "peak_instances") == [
        ("minimum_true_up", D(0), D(0), D(0), shortfall, half_up(shortfall, 2)),
        ("usage", D(1), D(0), D(1), D(8), D("8.00"))]
    assert half_up(shortfall, 2) == D("0.06")


@pytest.mark.engine
@pytest.mark.parametrize(("value", "usage", "true_up"), [
    ("2.500625", D("20.01"), D("4.99")),    # 20.005 rounds up: the true-up takes the cent off
    ("3.12475", D("25.00"), None),          # 24.998 rounds to the minimum: no 0.00 line
])
def test_line_and_true_up_add_up_to_the_minimum_in_cents(landing: Landing, wh: Path,
                                                         value: str, usage: Decimal,
                                                         true_up: Decimal | None) -> None:
    # peak_instances: volume 8.00 per instance up to 5, minimum 25.00 a period.
    landing.usage("a.parquet", [usage_row(metric="peak_instances", value=value)],
                  value="string")
    landing.rate(wh)
    amounts_by_kind = dict(table(wh, "rated_charges", "line_kind, amount",
                                 "charge_id = 'cloud-standard:peak_instances'"))
    assert amounts_by_kind.get("usage") == usage
    assert amounts_by_kind.get("minimum_true_up") == true_up
    assert usage + (true_up or 0) == D("25.00")


@pytest.mark.engine
def test_a_later_price_version_does_not_change_an_earlier_period(landing: Landing, wh: Path
                                                                 ) -> None:
    # vcpu_hours: 0.045 from 2025-01-01, 0.042 from 2026-11-01 (100 units included in both).
    landing.usage("a.parquet", [usage_row(value=200, start="2026-10-31T10:00Z"),
                                usage_row(value=300, start="2026-11-10T10:00Z")])
    landing.rate(wh, "2026-10")
    october = table(wh, "rated_charges", where="billing_period = '2026-10'")
    landing.rate(wh, "2026-11")
    assert table(wh, "rated_charges", where="billing_period = '2026-10'") == october
    found = table(wh, "rated_charges", "billing_period, price_effective_from, quantity, amount",
                  "metric = 'vcpu_hours'")
    assert [(p, str(f), q, a) for p, f, q, a in found] == [
        ("2026-10", "2025-01-01", D(200), D("4.50")),
        ("2026-11", "2026-11-01", D(300), D("8.40"))]


# --- lineage and invoices -------------------------------------------------------------------------

@pytest.mark.engine
def test_rated_charges_have_lineage(landing: Landing, wh: Path) -> None:
    repushed = usage_row(value=1, counter_id="again", pushed_at="2026-10-05T12:00Z")
    first = landing.usage("a.parquet", [usage_row(value=10), usage_row(value=20), repushed])
    second = landing.usage("b.parquet", [usage_row(value=30),
                                         dict(repushed, value=5, pushed_at="2026-10-06T00:00Z")])
    landing.usage("c.parquet", [usage_row(metric="storage_gb", value=31)])
    landing.rate(wh)
    ids = sorted([file_id_for(first), file_id_for(second)])
    assert table(wh, "rated_charges", "quantity, counter_rows, source_file_count,"
                 " source_file_ids", "metric = 'vcpu_hours'") == [(D(65), 4, 2, ids)]
    assert table(wh, "usage_rollups", "counter_rows, source_file_ids",
                 "metric = 'vcpu_hours'") == [(4, ids)]
    # Every file id in the lineage is a landed file; lines without usage have none.
    assert rows(wh, "SELECT count(*) FROM (SELECT unnest(source_file_ids) AS f"
                    " FROM rated_charges) WHERE f NOT IN (SELECT file_id FROM landed_files)"
                ) == [(0,)]
    assert scalar(wh, "SELECT count(*) FROM rated_charges WHERE counter_rows = 0"
                      " AND (source_file_count <> 0 OR len(source_file_ids) <> 0)") == 0
    assert scalar(wh, "SELECT sum(counter_rows) FROM rated_charges") == 5


def many_services_landing(landing: Landing) -> None:
    """Usage in every service, two accounts of customer C1 in nexacloud."""
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-2", "C1")])
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-NC-2", "nexacloud", "nc-2", "cloud-standard", "2026-10-20", "")])
    landing.usage("cloud.parquet", [
        usage_row(value=250), usage_row(value=333, account_id="nc-2", start="2026-10-25T00:00Z"),
        usage_row(metric="storage_gb", value=5000, hours=100),
        usage_row(metric="egress_gb", value="70.5", dimensions='{"region": "ca-east"}'),
        usage_row(metric="peak_instances", value=25)])
    landing.usage("desk.parquet", [
        usage_row("nexadesk", "agents", 0, unique_key="a1"),
        usage_row("nexadesk", "conversations", 2750),
        usage_row("nexadesk", "ai_tokens", 1_500_000)], value="int64")
    landing.usage("maps.parquet", [
        usage_row("nexamaps", "map_tiles", 123_456),
        usage_row("nexamaps", "geocodes", 15_000),
        usage_row("nexamaps", "routes_ca", 250, dimensions='{"region": "ca"}')], value="int64")
    landing.usage("apps.parquet", [
        usage_row("apps", "app_users", 120), usage_row("apps", "api_calls", 300_000)],
        value="int64", timestamps="naive")
    landing.usage("members.parquet", [
        usage_row("memberships", "members", 30),
        usage_row("memberships", "ticket_sales", "15000.55")], value="decimal")


@pytest.mark.engine
def test_invoice_lines_total_equals_rated_charges_total(landing: Landing, wh: Path) -> None:
    many_services_landing(landing)
    result = landing.rate(wh)
    assert quarantine(wh) == []
    rated = dict((k[:3], k[3]) for k in rows(wh, """
        SELECT customer_key, service, billing_period, sum(amount) FROM rated_charges
        GROUP BY ALL"""))
    invoiced = dict((k[:3], k[3]) for k in rows(wh, """
        SELECT customer_key, service, billing_period, sum(amount) FROM invoice_lines
        GROUP BY ALL"""))
    assert invoiced == rated
    assert set(rated) == {("C1", "nexacloud", "2026-10"), ("C1", "nexadesk", "2026-10"),
                          ("C2", "nexamaps", "2026-10"), ("C3", "apps", "2026-10"),
                          ("C4", "memberships", "2026-10")}
    assert sum(rated.values()) == result.period.amount_total
    # One invoice per customer, service and period, its lines numbered 1..n.
    numbering = rows(wh, """
        SELECT invoice_key, list(line_number ORDER BY line_number), count(*)
        FROM invoice_lines GROUP BY invoice_key ORDER BY invoice_key""")
    for key, numbers, count in numbering:
        assert key.count("/") == 2
        assert numbers == list(range(1, count + 1))
    # C1's two nexacloud subscriptions share one invoice.
    assert scalar(wh, "SELECT count(DISTINCT subscription_id) FROM invoice_lines"
                      " WHERE invoice_key = 'C1/nexacloud/2026-10'") == 2


@pytest.mark.engine
def test_hand_computed_amounts_across_models(landing: Landing, wh: Path) -> None:
    many_services_landing(landing)
    landing.rate(wh)
    got = dict(((m, k), a) for m, k, a in rows(wh, """
        SELECT metric, line_kind, sum(amount) FROM rated_charges GROUP BY ALL"""))
    # package: ceil((2750 - 500 free) / 1000) = 3 packages * 15.00
    assert got[("conversations", "usage")] == D("45.00")
    # graduated after 100000 included: 1000000 * 0.00002 + 400000 * 0.000015 = 26.00
    assert got[("ai_tokens", "usage")] == D("26.00")
    # per_unit: (123456 - 10000) * 0.0000125 = 1.4182 -> 1.42
    assert got[("map_tiles", "usage")] == D("1.42")
    # volume: 15000 in (10000, 100000]: 15000 * 0.004 = 60.00
    assert got[("geocodes", "usage")] == D("60.00")
    # package of 100 at 0.75: 3 packages
    assert got[("routes_ca", "usage")] == D("2.25")
    # graduated: 49.00 flat for the first 10, 90 * 3.50, 20 * 2.75 = 419.00
    assert got[("app_users", "usage")] == D("419.00")
    # per_unit: (300000 - 250000) * 0.0002 = 10.00
    assert got[("api_calls", "usage")] == D("10.00")
    # per_unit 30 * 0.50 = 15.00, minimum 20.00: 5.00 true-up
    assert got[("members", "usage")] == D("15.00")
    assert got[("members", "minimum_true_up")] == D("5.00")
    # percentage: (15000.55 - 1000 free) * 2.5 % = 350.01375 -> 350.01
    assert got[("ticket_sales", "usage")] == D("350.01")
    # agents: 1 * 19.00 + 19.00 true-up to the 38.00 minimum
    assert got[("agents", "usage")] == D("19.00")
    assert got[("agents", "minimum_true_up")] == D("19.00")


# --- rewrites -------------------------------------------------------------------------------------

@pytest.mark.engine
def test_rerating_a_period_replaces_its_rows(landing: Landing, wh: Path) -> None:
    many_services_landing(landing)
    landing.rate(wh)
    first = snapshot(wh)
    landing.rate(wh)
    second = snapshot(wh)
    assert len(second.pop("rating_runs")) == 2
    first.pop("rating_runs")
    assert second == first
    assert scalar(wh, "SELECT count(*) FROM (SELECT subscription_id, charge_id, group_value,"
                      " line_kind FROM rated_charges GROUP BY ALL HAVING count(*) > 1)") == 0


@pytest.mark.engine
def test_rerating_picks_up_new_usage_without_duplicates(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=150)])
    landing.rate(wh)
    landing.usage("b.parquet", [usage_row(value=50)])
    landing.rate(wh)
    assert charges(wh, "vcpu_hours") == [
        ("usage", D(200), D(100), D(100), D("4.5"), D("4.50"))]


@pytest.mark.engine
def test_rating_another_period_leaves_the_first_intact(landing: Landing, wh: Path) -> None:
    many_services_landing(landing)
    landing.usage("november.parquet", [usage_row(value=999, start="2026-11-03T10:00Z")])
    landing.rate(wh, "2026-10")
    before = snapshot(wh)
    landing.rate(wh, "2026-11")
    after = snapshot(wh)
    for name in ("usage_rollups", "rated_charges", "invoice_lines"):
        october = [r for r in after[name] if "2026-10" in r]
        assert october == before[name], name
        assert any("2026-11" in r for r in after[name]), name
    assert sorted(r[0] for r in after["rating_runs"]) == ["2026-10", "2026-11"]


@pytest.mark.engine
def test_a_failure_mid_write_leaves_the_previous_result(landing: Landing, wh: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    many_services_landing(landing)
    landing.rate(wh)
    before = snapshot(wh)
    landing.usage("more.parquet", [usage_row(value=1000)])
    landing.corrupt()

    original = warehouse.run
    reached: list[str] = []

    def failing(con: Any, name: str, params: Any = None) -> Any:
        if name == "rate/insert_invoice_lines":
            reached.append(name)
            raise RuntimeError("disk full")
        return original(con, name, params)

    monkeypatch.setattr(warehouse, "run", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        landing.rate(wh)
    assert reached == ["rate/insert_invoice_lines"]
    monkeypatch.undo()
    # The ingestion before it committed on its own (the new files are in the ledger, once);
    # everything the rating writes is as it was.
    after = snapshot(wh)
    assert len(after["landed_files"]) == len(before["landed_files"]) + 2
    for name in (*RATED_TABLES, "rating_runs", "usage_quarantine", "reference_files",
                 "validated_subscriptions", "catalog_charges"):
        if name != "usage_quarantine":
            assert after[name] == before[name], name
    assert [r for r in after["usage_quarantine"] if r[-2] == "rating"] == [
        r for r in before["usage_quarantine"] if r[-2] == "rating"]


@pytest.mark.engine
def test_an_invalid_catalog_raises_and_writes_nothing(landing: Landing, wh: Path, tmp_path: Path
                                                      ) -> None:
    broken = tmp_path / "catalog"
    shutil.copytree(CATALOG, broken)
    plans = broken / "plans.yaml"
    plans.write_text(plans.read_text(encoding="utf-8").replace('unit_price: "0.045"',
                                                               "unit_price: 0.045"),
                     encoding="utf-8")
    landing.usage("a.parquet", [usage_row(value=500)])

    with pytest.raises(CatalogError) as raised:
        rate_landing(landing.root, wh, catalog=broken)
    assert any("binary float" in p for p in raised.value.problems)
    assert not wh.exists()

    rate_landing(landing.root, wh)
    before = snapshot(wh)
    landing.usage("b.parquet", [usage_row(value=700)])
    with pytest.raises(CatalogError):
        rate_landing(landing.root, wh, catalog=broken)
    assert snapshot(wh) == before


@pytest.mark.engine
def test_large_time_weighted_avg_does_not_overflow(landing: Landing, wh: Path) -> None:
    # 40,000,000 GB all month (or 40 GB sent in bytes by mistake, ~4.3e10).
    landing.usage("a.parquet", [usage_row(metric="storage_gb", value=40_000_000,
                                          start="2026-10-01T04:00Z", hours=24 * 31)])
    landing.rate(wh)
    assert rollup(wh, "storage_gb") == [(D(40_000_000), 1)]
    # 100 * 0.10 + 2.00 + 900 * 0.08 + 39,999,000 * 0.05 = 2,000,034.00
    assert amounts(wh, "storage_gb") == [("usage", D("2000034.00"))]


@pytest.mark.engine
def test_one_huge_counter_does_not_abort_the_run(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=1e25),
                                usage_row("nexadesk", "conversations", 2750)])
    result = landing.rate(wh)
    read, accepted, superseded, quarantined = counts(result)
    assert read == accepted + superseded + quarantined
    assert amounts(wh, "conversations") == [("usage", D("45.00"))]
    con = duckdb.connect(str(wh), read_only=True)
    try:
        reasons = con.execute("SELECT reason FROM usage_quarantine").fetchall()
    finally:
        con.close()
    assert reasons == [("value_out_of_range",)]


# --- determinism ----------------------------------------------------------------------------------

def table_digests(wh: Path) -> dict[str, str]:
    digests: dict[str, str] = {}
    for name, content in snapshot(wh).items():
        if name != "rating_runs":
            digests[name] = hashlib.sha256(repr(content).encode("utf-8")).hexdigest()
    return digests


def big_landing(root: Path) -> tuple[Path, Path]:
    """(landing, catalog) with about 20,000 rows: rating.samples.usage when present, else the
    builder."""
    try:
        from rating.samples.usage import write_sample
    except ImportError:
        landing = Landing(root / "landing")
        batch = []
        for i in range(4000):
            service, metric = [("nexacloud", "vcpu_hours"), ("nexacloud", "storage_gb"),
                               ("nexadesk", "conversations"), ("apps", "app_users"),
                               ("nexamaps", "map_tiles")][i % 5]
            batch.append(usage_row(service, metric, (i * 37) % 1000 + 0.125,
                                   start=f"2026-10-{1 + i % 30:02d}T{4 + i % 20:02d}:00Z",
                                   counter_id=f"c{i % 3500}"))
        landing.usage("bulk.parquet", batch)
        landing.corrupt()
        return landing.root, CATALOG
    summary = write_sample(root / "sample", rows=20_000)
    return summary.landing, summary.catalog


@pytest.mark.slow
def test_results_do_not_depend_on_threads(tmp_path: Path) -> None:
    landing, catalog = big_landing(tmp_path)
    one = tmp_path / "one.duckdb"
    two = tmp_path / "two.duckdb"
    first = rate_landing(landing, one, catalog=catalog, threads=1)
    second = rate_landing(landing, two, catalog=catalog, threads=2)
    assert counts(first).read >= 4000
    assert counts(first).accepted > 0 and counts(first).quarantined > 0
    assert (counts(first), first.period.amount_total) == (counts(second),
                                                          second.period.amount_total)
    digests = table_digests(one)
    assert {"landed_files", "usage_quarantine", "usage_rollups", "rated_charges",
            "invoice_lines"} <= set(digests)
    assert table_digests(two) == digests


@pytest.mark.engine
def test_an_invoice_with_an_unpriced_charge_is_left_out_whole(landing: Landing, wh: Path,
                                                                    tmp_path: Path) -> None:
    future = tmp_path / "catalog"
    shutil.copytree(CATALOG, future)
    plans = future / "plans.yaml"
    plans.write_text(plans.read_text(encoding="utf-8").replace(
        '{effective_from: 2025-01-01, model: per_unit, unit_price: "0.045"',
        '{effective_from: 2026-12-01, model: per_unit, unit_price: "0.045"'), encoding="utf-8")
    landing.usage("a.parquet", [usage_row(value=500)])
    result = rate_landing(landing.root, wh, catalog=future)
    assert result.period.unpriced_lines == 1
    con = duckdb.connect(str(wh), read_only=True)
    try:
        unpriced = con.execute(
            "SELECT charge_id, quantity, model, amount FROM rated_charges "
            "WHERE amount_unrounded IS NULL").fetchall()
        invoiced = con.execute(
            "SELECT count(*) FROM invoice_lines WHERE service = 'nexacloud'").fetchone()
    finally:
        con.close()
    assert unpriced == [("cloud-standard:vcpu_hours", Decimal(500), None, None)]
    assert invoiced == (0,)


@pytest.mark.engine
def test_the_two_stages_give_what_one_rate_gives(tmp_path: Path) -> None:
    from rating.rate.engine import RateRequest, ingest_landing, rate_period

    sample = write_sample(tmp_path / "sample", rows=4000)
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    request = RateRequest(landing=str(sample.landing), catalog=sample.catalog, warehouse=one,
                          period="2026-10")
    whole = rate_landing(sample.landing, one, catalog=sample.catalog)
    ingestion = ingest_landing(replace(request, warehouse=two))
    totals = rate_period(replace(request, warehouse=two))
    assert ingestion == whole.ingestion
    assert (totals.invoice_lines, totals.amount_total) == (whole.period.invoice_lines,
                                                           whole.period.amount_total)
    first, second = snapshot(one), snapshot(two)
    for name in ("usage_quarantine", "usage_rollups", "rated_charges", "invoice_lines"):
        assert first[name] == second[name], name


@pytest.mark.engine
def test_a_closed_period_is_not_changed_and_late_usage_is_kept(landing: Landing,
                                                               wh: Path) -> None:
    from rating.rate.engine import close_period

    landing.usage("a.parquet", [usage_row(value=500)])
    landing.rate(wh)
    before = snapshot(wh)
    assert close_period(wh, "2026-10") is True
    assert close_period(wh, "2026-10") is False
    late = usage_row(value=40)
    landing.usage("b-late.parquet", [late])
    result = landing.rate(wh)
    assert (result.period.closed, result.period.late_rows) == (True, 1)
    after = snapshot(wh)
    for name in ("usage_rollups", "rated_charges", "invoice_lines"):
        assert after[name] == before[name], name
    assert table(wh, "late_usage", "metric, file_path, counter_rows, sum_value") == [
        ("vcpu_hours", "usage/b-late.parquet", 1, D(40))]
