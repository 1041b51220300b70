"""Ingestion: every landed row is accepted, superseded or quarantined with a reason.

Follows docs/usage-counters.md. Each test writes a tiny landing folder (see
usage_builder), rates 2026-10 (America/Toronto: 2026-10-01T04:00Z to 2026-11-01T04:00Z) and reads
the warehouse back. Row numbers are 0-based positions in the file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from rating.ingest.landing import file_id_for
from rating.ingest.usage import LandingError
from rating.rate.engine import RateResult
from tests.support.usage_builder import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    counts,
    quarantine,
    rate_landing,
    rows,
    scalar,
    table,
    usage_row,
    usage_table,
    utc,
)

pytestmark = pytest.mark.engine


def quantity(wh: Path, metric: str, account: str | None = None) -> Decimal | None:
    """The 2026-10 rolled-up quantity of one metric (None: no accepted usage)."""
    where = "billing_period = '2026-10' AND metric = $metric"
    params: dict[str, Any] = {"metric": metric}
    if account is not None:
        where += " AND account_id = $account"
        params["account"] = account
    found = table(wh, "usage_rollups", "quantity", where, params)
    assert len(found) <= 1
    return found[0][0] if found else None


def assert_conserved(result: RateResult) -> None:
    read, accepted, superseded, quarantined = counts(result)
    assert read == accepted + superseded + quarantined


def rate_one_bad_row(landing: Landing, wh: Path, bad: dict[str, Any], reason: str,
                     **file_kwargs: Any) -> None:
    """A file of [good, bad]: the bad row (row 1) alone is quarantined, with `reason`."""
    good = usage_row(value=2)
    path = landing.usage("batch/part-0.parquet", [good, bad], **file_kwargs)
    result = landing.rate(wh)
    assert quarantine(wh) == [(reason, path, 1, bad["counter_id"])]
    assert (counts(result).read, counts(result).accepted, counts(result).quarantined) == (2, 1, 1)
    assert_conserved(result)


# --- one test per quarantine reason ---------------------------------------------------------------

def test_missing_metric_column_quarantines_every_row_of_the_file(landing: Landing, wh: Path
                                                                 ) -> None:
    good = landing.usage("good.parquet", [usage_row(value=1)])
    bad_rows = [usage_row(value=1), usage_row(value=2)]
    bad = landing.usage("bad/no-metric.parquet", bad_rows, omit=["metric"])
    result = landing.rate(wh)
    assert quarantine(wh) == [("missing_column", bad, 0, bad_rows[0]["counter_id"]),
                              ("missing_column", bad, 1, bad_rows[1]["counter_id"])]
    assert table(wh, "usage_quarantine", "DISTINCT detail") == [
        ("the file lacks metric, which the contract requires",)]
    assert table(wh, "landed_files", "file_path, missing_columns") == [
        (bad, ["metric"]), (good, [])]
    assert counts(result).accepted == 1
    assert quantity(wh, "vcpu_hours") == Decimal(1)


def test_missing_value_column_on_a_sum_metric(landing: Landing, wh: Path) -> None:
    bad_row = usage_row(value=None)
    path = landing.usage("no-value.parquet", [bad_row], omit=["value"])
    landing.rate(wh)
    assert quarantine(wh) == [("missing_column", path, 0, bad_row["counter_id"])]
    assert table(wh, "usage_quarantine", "detail") == [
        ("the file has no value column, which metric vcpu_hours needs (only a unique_count "
         "metric goes without)",)]


def test_missing_value_column_is_fine_for_a_unique_count_metric(landing: Landing, wh: Path
                                                                ) -> None:
    agents = [usage_row("nexadesk", "agents", None, unique_key=f"agent-{i}") for i in range(3)]
    landing.usage("agents.parquet", agents, omit=["value"])
    result = landing.rate(wh)
    assert quarantine(wh) == []
    assert counts(result).accepted == 3
    assert quantity(wh, "agents") == Decimal(3)


@pytest.mark.parametrize("bad", [
    pytest.param(usage_row(account_id=None), id="null-account_id"),
    pytest.param(usage_row(value=None), id="null-value-on-sum-metric"),
    pytest.param(usage_row("nexadesk", "agents", None, unique_key=None),
                 id="null-unique_key-on-unique_count-metric"),
    pytest.param(usage_row(counter_id=None), id="null-counter_id"),
    pytest.param(usage_row(pushed_at=None), id="null-pushed_at"),
])
def test_null_required(landing: Landing, wh: Path, bad: dict[str, Any]) -> None:
    rate_one_bad_row(landing, wh, bad, "null_required")


def test_null_value_is_fine_for_a_unique_count_metric(landing: Landing, wh: Path) -> None:
    landing.usage("agents.parquet", [usage_row("nexadesk", "agents", None, unique_key="a1")],
                  value="int64")
    result = landing.rate(wh)
    assert (counts(result).accepted, quarantine(wh)) == (1, [])


def test_bad_timestamp_in_a_string_column(landing: Landing, wh: Path) -> None:
    bad = usage_row(period_start="garbage")
    rate_one_bad_row(landing, wh, bad, "bad_timestamp", timestamps="string")


def test_string_timestamps_with_offsets_are_converted_to_utc(landing: Landing, wh: Path) -> None:
    row = usage_row(period_start="2026-10-05T06:00:00-04:00", period_end="2026-10-05T11:00:00Z",
                    pushed_at="2026-10-05 12:00:00")
    landing.usage("text-times.parquet", [row], timestamps="string")
    landing.rate(wh)
    assert quarantine(wh) == []
    assert table(wh, "usage_rollups", "first_window_start, last_window_end") == [
        (utc("2026-10-05T10:00"), utc("2026-10-05T11:00"))]


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_not_a_number_double(landing: Landing, wh: Path, value: float) -> None:
    rate_one_bad_row(landing, wh, usage_row(value=value), "not_a_number")


def test_not_a_number_in_a_string_value_column(landing: Landing, wh: Path) -> None:
    texts = ["12.5", "abc", " 3 ", "NaN", "0.25"]
    batch = [usage_row(value=text) for text in texts]
    path = landing.usage("text/values.parquet", batch, value="string")
    result = landing.rate(wh)
    assert quarantine(wh) == [("not_a_number", path, 1, batch[1]["counter_id"]),
                              ("not_a_number", path, 3, batch[3]["counter_id"])]
    assert counts(result).accepted == 3
    assert quantity(wh, "vcpu_hours") == Decimal("15.75")


@pytest.mark.parametrize("kind", ["double", "int64", "decimal", "string"])
def test_value_column_types_are_all_read_exactly(landing: Landing, wh: Path, kind: str) -> None:
    values = {"double": [1.5, 2.25], "int64": [1, 3], "decimal": ["1.125000", "2.000001"],
              "string": ["1.5", "2.25"]}[kind]
    expected = sum((Decimal(str(v)) for v in values), Decimal(0))
    landing.usage(f"{kind}.parquet", [usage_row(value=v) for v in values], value=kind)
    landing.rate(wh)
    assert quarantine(wh) == []
    assert quantity(wh, "vcpu_hours") == expected


def test_negative_value(landing: Landing, wh: Path) -> None:
    rate_one_bad_row(landing, wh, usage_row(value=-1), "negative_value", value="int64")


@pytest.mark.parametrize("hours", [0, -1], ids=["empty", "reversed"])
def test_bad_window(landing: Landing, wh: Path, hours: int) -> None:
    rate_one_bad_row(landing, wh, usage_row(hours=hours), "bad_window")


def test_unknown_service(landing: Landing, wh: Path) -> None:
    rate_one_bad_row(landing, wh, usage_row("nexaspace", account_id="nc-1"), "unknown_service")


@pytest.mark.parametrize("metric", ["gpu_hours", "agents"],
                         ids=["unknown", "metric-of-another-service"])
def test_unknown_metric(landing: Landing, wh: Path, metric: str) -> None:
    rate_one_bad_row(landing, wh, usage_row(metric=metric), "unknown_metric")


@pytest.mark.parametrize("dimensions", ['{"region": "ca"', '["ca"]', '{"region": 5}',
                                        '{"region": null}', '{"region": {"a": "b"}}',
                                        '"ca"'],
                         ids=["invalid", "array", "number", "null", "nested", "scalar"])
def test_bad_dimensions_json(landing: Landing, wh: Path, dimensions: str) -> None:
    bad = usage_row(metric="egress_gb", dimensions=dimensions)
    rate_one_bad_row(landing, wh, bad, "bad_dimensions_json")


def test_good_dimensions_are_accepted(landing: Landing, wh: Path) -> None:
    landing.usage("dims.parquet", [usage_row(metric="egress_gb", dimensions=d)
                                   for d in ('{"region": "ca-east"}', "{}", None,
                                             '{"region": "ca-east", "zone": "b"}')])
    result = landing.rate(wh)
    assert (counts(result).accepted, quarantine(wh)) == (4, [])


def test_window_crossing_the_toronto_month_boundary(landing: Landing, wh: Path) -> None:
    # 2026-11-01T04:00Z is midnight in Toronto (EDT): the end of period 2026-10.
    crossing = usage_row(start="2026-11-01T03:00Z", hours=2)
    up_to_boundary = usage_row(start="2026-11-01T03:00Z", hours=1, value=4)
    path = landing.usage("edge.parquet", [up_to_boundary, crossing])
    result = landing.rate(wh)
    assert quarantine(wh) == [("window_crosses_period", path, 1, crossing["counter_id"])]
    assert table(wh, "usage_quarantine", "billing_period") == [("2026-10",)]
    assert counts(result).accepted == 1
    assert quantity(wh, "vcpu_hours") == Decimal(4)


def test_unknown_account(landing: Landing, wh: Path) -> None:
    rate_one_bad_row(landing, wh, usage_row(account_id="nc-404"), "unknown_account")


def test_ambiguous_account(landing: Landing, wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-2", "C7"), ("nexacloud", "nc-2", "C8")])
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-NC-2", "nexacloud", "nc-2", "cloud-standard", "2025-01-01", "")])
    rate_one_bad_row(landing, wh, usage_row(account_id="nc-2"), "ambiguous_account")


def test_no_subscription(landing: Landing, wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-2", "C7")])
    rate_one_bad_row(landing, wh, usage_row(account_id="nc-2"), "no_subscription")


def test_no_subscription_usage_is_rated_once_the_subscription_lands(landing: Landing,
                                                                    wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-2", "C7")])
    row = usage_row(account_id="nc-2", value=150)
    landing.usage("late/part-0.parquet", [row])
    first = landing.rate(wh)
    assert (counts(first).accepted, counts(first).quarantined) == (0, 1)
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-NC-2", "nexacloud", "nc-2", "cloud-standard", "2025-01-01", "")],
                          name="subscriptions-2.csv")
    second = landing.rate(wh)
    # The usage waited in the ledger: nothing is read again, the rating finds it a home.
    assert second.ingestion.rows_read == 0
    assert (second.period.rows_rated, second.period.rows_held) == (1, 0)
    assert quarantine(wh) == []
    assert table(wh, "usage_rollups", "subscription_id, metric, quantity") == [
        ("SUB-NC-2", "vcpu_hours", Decimal(150))]


def test_usage_outside_the_subscription_is_no_subscription(landing: Landing, wh: Path) -> None:
    # 2026-10-10 .. 2026-10-20 in Toronto: 2026-10-10T04:00Z .. 2026-10-20T04:00Z.
    landing.subscriptions([("SUB-NC-1", "nexacloud", "nc-1", "cloud-standard", "2026-10-10",
                            "2026-10-20")])
    before = usage_row(start="2026-10-10T03:00Z")
    first = usage_row(start="2026-10-10T04:00Z", value=5)
    last = usage_row(start="2026-10-20T03:00Z", value=7)
    after = usage_row(start="2026-10-20T04:00Z")
    path = landing.usage("window.parquet", [before, first, last, after])
    result = landing.rate(wh)
    assert quarantine(wh) == [("no_subscription", path, 0, before["counter_id"]),
                              ("no_subscription", path, 3, after["counter_id"])]
    assert counts(result).accepted == 2
    assert quantity(wh, "vcpu_hours") == Decimal(12)


def test_filtered_out_by_the_metric_filter(landing: Landing, wh: Path) -> None:
    ca = usage_row("nexamaps", "routes_ca", 100, dimensions='{"region": "ca"}')
    us = usage_row("nexamaps", "routes_ca", 50, dimensions='{"region": "us"}')
    bare = usage_row("nexamaps", "routes_ca", 25)
    path = landing.usage("routes.parquet", [ca, us, bare], value="int64")
    landing.rate(wh)
    assert quarantine(wh) == [("filtered_out", path, 1, us["counter_id"]),
                              ("filtered_out", path, 2, bare["counter_id"])]
    assert quantity(wh, "routes_ca") == Decimal(100)


def test_unreadable_file_is_quarantined_by_name_and_the_run_goes_on(landing: Landing, wh: Path
                                                                    ) -> None:
    good = landing.usage("a/good.parquet", [usage_row(value=3)])
    bad = landing.corrupt("b/garbage.parquet")
    later = landing.usage("c/good.parquet", [usage_row(value=4)])
    result = landing.rate(wh)
    assert quarantine(wh) == [("unreadable_file", bad, None, None)]
    detail = scalar(wh, "SELECT detail FROM usage_quarantine")
    assert detail
    assert (result.ingestion.files_found, result.ingestion.files_unreadable,
            counts(result).read) == (3, 1, 2)
    assert table(wh, "landed_files", "file_path, status, rows_in_file") == [
        (good, "ingested", 1), (bad, "unreadable", None), (later, "ingested", 1)]
    assert quantity(wh, "vcpu_hours") == Decimal(7)
    assert scalar(wh, "SELECT files_unreadable FROM ingestions") == 1
    assert table(wh, "held_inputs", "kind, file_path, reason") == [
        ("usage", bad, "unreadable_file")]


# --- how files are read ---------------------------------------------------------------------------

def test_hive_service_folder_supplies_the_service(landing: Landing, wh: Path) -> None:
    tiles = [usage_row("nexamaps", "map_tiles", 1000, start=f"2026-10-0{d}T12:00Z")
             for d in (1, 2)]
    path = landing.usage("service=nexamaps/date=2026-10-01/part-0.parquet", tiles,
                         value="int64", omit=["service"])
    result = landing.rate(wh)
    assert quarantine(wh) == []
    assert table(wh, "landed_files", "file_path, missing_columns") == [(path, [])]
    assert counts(result).accepted == 2
    assert table(wh, "usage_rollups", "service, metric, quantity") == [
        ("nexamaps", "map_tiles", Decimal(2000))]


def test_service_column_wins_over_the_hive_folder(landing: Landing, wh: Path) -> None:
    landing.usage("service=nexamaps/part-0.parquet", [usage_row(value=3)])
    landing.rate(wh)
    assert quarantine(wh) == []
    assert quantity(wh, "vcpu_hours") == Decimal(3)


def test_files_at_any_depth_are_found(landing: Landing, wh: Path) -> None:
    landing.usage("top.parquet", [usage_row(value=1)])
    landing.usage("a/b/c/d/deep.parquet", [usage_row(value=2)])
    landing.write_table("notes/readme.txt", pa.table({"x": [1]}))  # not *.parquet: ignored
    result = landing.rate(wh)
    assert result.ingestion.files_found == 2
    assert quantity(wh, "vcpu_hours") == Decimal(3)


def test_empty_file_is_listed_with_no_rows(landing: Landing, wh: Path) -> None:
    path = landing.usage("empty.parquet", [])
    result = landing.rate(wh)
    assert (result.ingestion.files_found, counts(result).read) == (1, 0)
    assert table(wh, "landed_files", "file_path, status, rows_in_file") == [(path, "ingested", 0)]


@pytest.mark.parametrize("name", ["x[1].parquet", "x*.parquet", "x?.parquet", "x{1}.parquet",
                                  "x]1[.parquet", "d[1]/x.parquet"])
def test_file_names_with_glob_characters_are_read_literally_and_once(landing: Landing, wh: Path,
                                                                     name: str) -> None:
    # DuckDB reads every path as a pattern: x[1].parquet would read x1.parquet instead, and
    # x*.parquet both files.
    odd = landing.usage(name, [usage_row(value=5), usage_row(value=1)])
    plain = landing.usage("x1.parquet", [usage_row(value=7)])
    nested = landing.usage("d1/x.parquet", [usage_row(value=9)])
    result = landing.rate(wh)
    assert (*counts(result), result.ingestion.files_unreadable) == (4, 4, 0, 0, 0)
    assert table(wh, "landed_files", "file_path, status, rows_in_file") == sorted([
        (odd, "ingested", 2), (plain, "ingested", 1), (nested, "ingested", 1)])
    assert quantity(wh, "vcpu_hours") == Decimal(22)
    assert landing.rate(wh).ingestion.ingestion_id is None  # nothing new: each file once
    assert quantity(wh, "vcpu_hours") == Decimal(22)


def test_timestamps_in_another_zone_are_instants(landing: Landing, wh: Path) -> None:
    toronto = pa.timestamp("us", tz="America/Toronto")
    september = usage_row(start="2026-10-01T03:00Z", hours=1, value=5)
    october = usage_row(start="2026-10-01T04:00Z", value=7)
    landing.usage("toronto.parquet", [september, october],
                  types={c: toronto for c in ("period_start", "period_end", "pushed_at")})
    landing.rate(wh)
    assert quarantine(wh) == []
    assert quantity(wh, "vcpu_hours") == Decimal(7)
    assert table(wh, "usage_rollups", "first_window_start") == [(utc("2026-10-01T04:00"),)]


def test_naive_timestamps_are_utc(landing: Landing, wh: Path) -> None:
    # 03:30 naive is 03:30Z: still September in Toronto (period 2026-10 starts at 04:00Z).
    september = usage_row(start="2026-10-01T03:00", hours=0.5, value=5)
    october = usage_row(start="2026-10-01T04:00", value=7)
    crossing = usage_row(start="2026-10-01T03:30", value=11)
    path = landing.usage("naive.parquet", [september, october, crossing], timestamps="naive")
    result = landing.rate(wh)
    assert table(wh, "usage_quarantine", "reason, billing_period, file_path, file_row_number") == [
        ("window_crosses_period", "2026-09", path, 2)]
    assert counts(result).accepted == 2
    assert quantity(wh, "vcpu_hours") == Decimal(7)
    assert table(wh, "usage_rollups", "first_window_start") == [(utc("2026-10-01T04:00"),)]


def test_extra_columns_are_ignored_and_reported(landing: Landing, wh: Path) -> None:
    path = landing.usage("extra.parquet", [usage_row(value=2)],
                         extra={"zz_note": ["hello"], "app_version": [3]})
    result = landing.rate(wh)
    assert (counts(result).accepted, quarantine(wh)) == (1, [])
    assert table(wh, "landed_files", "file_path, missing_columns, extra_columns") == [
        (path, [], ["app_version", "zz_note"])]


def test_files_with_the_same_types_in_another_column_order(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=5)])
    other = usage_row(metric="peak_instances", value=7)
    landing.write_table("b.parquet", landing_table_reversed(other))
    landing.rate(wh)
    assert quarantine(wh) == []
    assert table(wh, "usage_rollups", "metric, quantity") == [
        ("peak_instances", Decimal(7)), ("vcpu_hours", Decimal(5))]


def landing_table_reversed(row: dict[str, Any]) -> pa.Table:
    from tests.support.usage_builder import usage_table

    built = usage_table([row])
    return built.select(list(reversed(built.column_names)))


def test_nested_extra_columns_are_reported_by_their_top_level_name(landing: Landing, wh: Path
                                                                  ) -> None:
    path = landing.usage("nested.parquet", [usage_row(value=2)],
                         extra={"meta": [{"k": "v"}], "tags": [["a", "b"]]})
    landing.rate(wh)
    assert table(wh, "landed_files", "file_path, extra_columns") == [(path, ["meta", "tags"])]


def test_nested_field_named_like_a_missing_column_does_not_abort_the_run(landing: Landing,
                                                                         wh: Path) -> None:
    good = landing.usage("good.parquet", [usage_row(value=2)])
    bad_row = usage_row(value=1)
    bad = landing.usage("nested.parquet", [bad_row], omit=["metric"],
                        extra={"meta": [{"metric": "vcpu_hours"}]})
    landing.rate(wh)
    assert quarantine(wh) == [("missing_column", bad, 0, bad_row["counter_id"])]
    assert table(wh, "landed_files", "file_path, missing_columns") == [
        (good, []), (bad, ["metric"])]


@pytest.mark.parametrize(("start", "reason"), [
    ("0001-01-01T00:00:00Z", "outside_billing_periods"),
    ("9999-12-31T22:00:00Z", "outside_billing_periods"),
    ("infinity", "bad_timestamp"),
])
def test_absurd_timestamps_are_quarantined_not_fatal(landing: Landing, wh: Path, start: str,
                                                     reason: str) -> None:
    bad = usage_row(period_start=start, period_end="9999-12-31T23:00:00Z")
    path = landing.usage("times.parquet", [usage_row(value=2), bad], timestamps="string")
    result = landing.rate(wh)
    assert quarantine(wh) == [(reason, path, 1, bad["counter_id"])]
    assert counts(result).accepted == 1
    assert quantity(wh, "vcpu_hours") == Decimal(2)


# --- re-pushes ------------------------------------------------------------------------------------

def test_repush_latest_pushed_at_wins(landing: Landing, wh: Path) -> None:
    first = usage_row(value=10, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    correction = dict(first, value=30, pushed_at="2026-10-06T12:00Z")
    # The correction sits in the file whose path sorts first: pushed_at decides, not the path.
    fixed = landing.usage("a/correction.parquet", [correction])
    landing.usage("b/original.parquet", [first])
    result = landing.rate(wh)
    assert counts(result)[1:] == (1, 1, 0)
    assert table(wh, "usage_rollups", "quantity, counter_rows, source_file_ids") == [
        (Decimal(30), 1, [file_id_for(fixed)])]


def test_repush_tie_on_pushed_at_the_file_whose_path_sorts_last_wins(landing: Landing, wh: Path
                                                                     ) -> None:
    row = usage_row(value=10, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    landing.usage("b/first.parquet", [row])
    winner = landing.usage("c/second.parquet", [dict(row, value=20)])
    landing.usage("a/zeroth.parquet", [dict(row, value=40)])
    result = landing.rate(wh)
    assert (counts(result).accepted, counts(result).superseded) == (1, 2)
    assert table(wh, "usage_rollups", "quantity, source_file_ids") == [
        (Decimal(20), [file_id_for(winner)])]


def test_repush_tie_within_one_file_the_later_row_wins(landing: Landing, wh: Path) -> None:
    row = usage_row(value=10, counter_id="c1")
    landing.usage("same.parquet", [row, dict(row, value=15), dict(row, value=12)])
    result = landing.rate(wh)
    assert (counts(result).accepted, counts(result).superseded) == (1, 2)
    assert quantity(wh, "vcpu_hours") == Decimal(12)


def test_counter_ids_are_unique_within_a_service_only(landing: Landing, wh: Path) -> None:
    landing.usage("ids.parquet", [usage_row(value=3, counter_id="same"),
                                  usage_row("nexadesk", "conversations", 4, counter_id="same")])
    result = landing.rate(wh)
    assert (counts(result).accepted, counts(result).superseded) == (2, 0)


def test_a_bad_latest_push_quarantines_the_counter(landing: Landing, wh: Path) -> None:
    good = usage_row(value=10, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    bad = dict(good, value=-5, pushed_at="2026-10-05T13:00Z")
    landing.usage("a/original.parquet", [good])
    fixed = landing.usage("b/correction.parquet", [bad])
    result = landing.rate(wh)
    assert quarantine(wh) == [("negative_value", fixed, 0, "c1")]
    assert counts(result)[1:] == (0, 1, 1)
    assert quantity(wh, "vcpu_hours") is None


# --- the conservation invariant -------------------------------------------------------------------

def test_rows_read_equals_accepted_plus_superseded_plus_quarantined(landing: Landing, wh: Path
                                                                    ) -> None:
    repushed = usage_row(value=1, counter_id="again")
    landing.usage("a.parquet", [usage_row(value=1), repushed, usage_row(value=-1),
                                usage_row(account_id="nobody"), usage_row(metric="nope")])
    landing.usage("b.parquet", [dict(repushed, pushed_at="2026-10-07T00:00Z"),
                                usage_row(value=None)], value="int64")
    landing.usage("c.parquet", [usage_row()], omit=["metric"])
    landing.corrupt()
    result = landing.rate(wh)
    assert (counts(result).read, counts(result).accepted, counts(result).superseded,
            counts(result).quarantined) == (8, 2, 1, 5)
    assert_conserved(result)
    # At ingestion the unknown account is still accepted; the rating holds it.
    assert rows(wh, "SELECT rows_read, rows_accepted, rows_superseded, rows_quarantined,"
                    " files_new, files_unreadable FROM ingestions") == [(8, 3, 1, 4, 4, 1)]
    assert rows(wh, "SELECT rows_landed, rows_accepted, rows_superseded, rows_quarantined,"
                    " rows_rated, rows_held FROM rating_runs") == [(8, 3, 1, 4, 2, 1)]
    assert scalar(wh, "SELECT count(*) FROM usage_quarantine"
                      " WHERE file_row_number IS NOT NULL") == counts(result).quarantined
    assert scalar(wh, "SELECT sum(rows_in_file) FROM landed_files") == counts(result).read
    assert scalar(wh, "SELECT sum(counter_rows) FROM usage_rollups") == counts(result).accepted


def test_a_landing_root_without_usage_files_is_an_error_not_an_empty_month(tmp_path: Path,
                                                                          wh: Path) -> None:
    with pytest.raises(LandingError, match="holds no usage file"):
        Landing(tmp_path / "landing").rate(wh)
    with pytest.raises(LandingError, match="does not exist"):
        rate_landing(tmp_path / "mistyped", wh)
    assert not wh.exists() or rows(wh, "SELECT count(*) FROM rating_runs") == [(0,)]


# --- reference data: subscriptions and account links ----------------------------------------------

def reference_quarantine(wh: Path) -> list[tuple[Any, ...]]:
    return table(wh, "reference_quarantine", "kind, reason, file_path, record")


def test_subscription_with_an_unknown_plan_is_held(landing: Landing, wh: Path) -> None:
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS[1:],
                           ("SUB-NC-1", "nexacloud", "nc-1", "cloud-gold", "2025-01-01", "")])
    bad = landing.usage("a.parquet", [usage_row(counter_id="c1")])
    landing.rate(wh)
    assert reference_quarantine(wh) == [
        ("subscriptions", "unknown_plan", "subscriptions/subscriptions.csv",
         "SUB-NC-1,nexacloud,nc-1,cloud-gold,2025-01-01")]
    assert quarantine(wh) == [("no_subscription", bad, 0, "c1")]


def test_overlapping_subscriptions_hold_the_later_one(landing: Landing, wh: Path) -> None:
    landing.subscriptions([
        *DEFAULT_SUBSCRIPTIONS,
        ("SUB-NC-1-B", "nexacloud", "nc-1", "cloud-standard", "2026-06-01", ""),
    ])
    landing.usage("a.parquet", [usage_row(value=3)])
    landing.rate(wh)
    assert reference_quarantine(wh) == [
        ("subscriptions", "overlapping_subscription", "subscriptions/subscriptions.csv",
         "SUB-NC-1-B,nexacloud,nc-1,cloud-standard,2026-06-01")]
    assert quarantine(wh) == []
    assert table(wh, "usage_rollups", "subscription_id, quantity") == [("SUB-NC-1", Decimal(3))]


def test_back_to_back_subscriptions_do_not_overlap(landing: Landing, wh: Path) -> None:
    landing.subscriptions([
        ("SUB-A", "nexacloud", "nc-1", "cloud-standard", "2025-01-01", "2026-10-15"),
        ("SUB-B", "nexacloud", "nc-1", "cloud-standard", "2026-10-15", ""),
    ])
    landing.usage("a.parquet", [usage_row(value=3, start="2026-10-15T03:00Z"),
                                usage_row(value=5, start="2026-10-15T04:00Z")])
    landing.rate(wh)
    assert reference_quarantine(wh) == []
    assert table(wh, "usage_rollups", "subscription_id, quantity") == [
        ("SUB-A", Decimal(3)), ("SUB-B", Decimal(5))]


def test_overlap_is_judged_against_kept_subscriptions_only(landing: Landing, wh: Path) -> None:
    landing.subscriptions([
        ("SUB-A", "nexacloud", "nc-1", "cloud-standard", "2025-01-01", "2025-06-01"),
        ("SUB-B", "nexacloud", "nc-1", "cloud-standard", "2025-03-01", "2025-12-01"),
        ("SUB-C", "nexacloud", "nc-1", "cloud-standard", "2025-07-01", ""),
    ])
    landing.usage("a.parquet", [usage_row(value=3)])
    landing.rate(wh)
    # A is kept, B overlaps A and is held; C overlaps only the held B, so it is kept.
    assert [r[1] for r in reference_quarantine(wh)] == ["overlapping_subscription"]
    assert quarantine(wh) == []
    assert table(wh, "usage_rollups", "subscription_id") == [("SUB-C",)]


def test_account_linked_to_two_customers_is_held(landing: Landing, wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexadesk", "nd-2", "C1"), ("nexadesk", "nd-2", "C9")])
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-ND-2", "nexadesk", "nd-2", "desk-team", "2025-01-01", "")])
    held = usage_row("nexadesk", "conversations", 5, account_id="nd-2")
    path = landing.usage("a.parquet", [held])
    landing.rate(wh)
    assert reference_quarantine(wh) == [
        ("accounts", "ambiguous_account", "accounts/accounts.csv", "nexadesk,nd-2,C1"),
        ("accounts", "ambiguous_account", "accounts/accounts.csv", "nexadesk,nd-2,C9"),
        # The subscription needs a usable account link.
        ("subscriptions", "unknown_account", "subscriptions/subscriptions.csv",
         "SUB-ND-2,nexadesk,nd-2,desk-team,2025-01-01"),
    ]
    assert quarantine(wh) == [("ambiguous_account", path, 0, held["counter_id"])]
    assert scalar(wh, "SELECT count(*) FROM rated_charges WHERE account_id = 'nd-2'") == 0


def test_the_same_link_in_two_files_is_not_ambiguous(landing: Landing, wh: Path) -> None:
    landing.accounts([("nexacloud", "nc-1", "C1")], name="more.csv")
    landing.usage("a.parquet", [usage_row(value=3)])
    landing.rate(wh)
    assert reference_quarantine(wh) == []
    assert quantity(wh, "vcpu_hours") == Decimal(3)


@pytest.mark.parametrize("offset", [8, 200])
def test_a_file_with_damaged_pages_is_quarantined_by_name(landing: Landing, wh: Path,
                                                          offset: int) -> None:
    # Metadata (at the end of the file) reads; the pages (at the start) do not decode.
    landing.usage("a/good.parquet", [usage_row(value=3)])
    damaged = landing.usage("a/damaged.parquet", [usage_row(value=n) for n in range(500)])
    target = landing.root / damaged
    data = bytearray(target.read_bytes())
    data[offset:offset + 64] = bytes(range(64))
    target.write_bytes(bytes(data))
    result = landing.rate(wh)
    assert (*counts(result)[:2], result.ingestion.files_unreadable) == (1, 1, 1)
    assert [(r[0], r[1]) for r in quarantine(wh)] == [("unreadable_file", damaged)]
    assert quantity(wh, "vcpu_hours") == Decimal(3)


def test_a_blank_counter_id_is_no_key(landing: Landing, wh: Path) -> None:
    rows_ = [usage_row(counter_id=blank, value=v, start=f"2026-10-0{day}T10:00Z")
             for blank, v, day in (("", 400, 2), ("  ", 500, 3), ("", 600, 4))]
    path = landing.usage("blank.parquet", rows_)
    result = landing.rate(wh)
    assert (counts(result).superseded, counts(result).quarantined) == (0, 3)
    assert {r[0] for r in quarantine(wh)} == {"null_required"}
    assert {r[1] for r in quarantine(wh)} == {path}


def test_float32_values_are_exact(landing: Landing, wh: Path) -> None:
    landing.usage("f32.parquet", [usage_row(value=1100.0), usage_row(value=150.0)],
                  types={"value": pa.float32()})
    landing.rate(wh)
    assert quantity(wh, "vcpu_hours") == Decimal(1250)


def test_a_decimal_wider_than_38_digits_is_quarantined(landing: Landing, wh: Path) -> None:
    landing.usage("d50.parquet", [usage_row(value=Decimal(150))],
                  types={"value": pa.decimal256(50, 12)})
    landing.rate(wh)
    assert [r[0] for r in quarantine(wh)] == ["not_a_number"]
    assert quantity(wh, "vcpu_hours") is None


def test_a_date_beyond_timestamps_quarantines_the_row_not_the_run(landing: Landing,
                                                                  wh: Path) -> None:
    import datetime as dt

    day = (dt.date(2026, 10, 5) - dt.date(1970, 1, 1)).days
    good = usage_row(value=3, start="2026-10-05T04:00Z", hours=24)
    far = usage_row(value=5, start="2026-10-06T04:00Z", hours=24)
    table_ = usage_table([good, far])
    # Day 200,000,000 is a valid Parquet date (year ~549,600) but no DuckDB TIMESTAMP.
    starts = pa.array([day, 200_000_000], pa.int32()).cast(pa.date32())
    table_ = table_.set_column(table_.schema.get_field_index("period_start"), "period_start",
                               starts)
    path = landing.write_table("dates.parquet", table_)
    result = landing.rate(wh)
    assert (counts(result).read, counts(result).accepted, counts(result).quarantined) == (2, 1, 1)
    assert [(r[0], r[1], r[2]) for r in quarantine(wh)] == [("bad_timestamp", path, 1)]


def test_a_blank_account_link_does_not_make_a_good_one_ambiguous(landing: Landing,
                                                                 wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-1", " ")])
    landing.usage("a.parquet", [usage_row(value=2)])
    result = landing.rate(wh)
    assert counts(result).accepted == 1
    assert table(wh, "reference_quarantine", "kind, reason") == [("accounts", "null_required")]
