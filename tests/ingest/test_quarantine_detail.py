"""usage_quarantine.detail: for every reason, what was found (one value) and what the contract
wants, so a data team can fix the app without reading the engine (docs/rating.md, Quarantine
reasons). Epoch numbers in a timestamp column and a column of the wrong type (an integer
account_id) name the fault instead of passing for something else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from rating.ingest import ledger
from tests.support.usage_builder import (
    DEFAULT_ACCOUNTS,
    Landing,
    quarantine,
    rows,
    table,
    usage_row,
)

pytestmark = pytest.mark.engine

EPOCH = 1790935200  # 2026-10-02T10:00Z


def details(wh: Path) -> list[tuple[Any, ...]]:
    """(reason, file_row_number, detail) of every usage_quarantine row."""
    return table(wh, "usage_quarantine", "reason, file_row_number, detail")


def test_epoch_numbers_in_timestamp_columns_are_bad_timestamp_saying_so(landing: Landing,
                                                                        wh: Path) -> None:
    epochs = [usage_row(period_start=EPOCH + 3600 * n, period_end=EPOCH + 3600 * (n + 1),
                        pushed_at=EPOCH + 3600 * (n + 2)) for n in range(3)]
    landing.usage("epoch.parquet", epochs,
                  types={c: pa.int64() for c in ("period_start", "period_end", "pushed_at")})
    landing.rate(wh)
    assert details(wh) == [("bad_timestamp", n, (
        f"period_start holds epoch numbers, not timestamps (INT64, e.g. {EPOCH + 3600 * n}); "
        "the contract wants a timestamp (UTC)")) for n in range(3)]


def test_epoch_numbers_as_text_are_named_too(landing: Landing, wh: Path) -> None:
    landing.usage("epoch.parquet", [usage_row(period_start=str(EPOCH))], timestamps="string")
    landing.rate(wh)
    assert details(wh) == [("bad_timestamp", 0, (
        f"period_start holds epoch numbers as text, not timestamps (e.g. '{EPOCH}'); the "
        "contract wants a timestamp (UTC)"))]


def test_an_integer_account_id_is_bad_type_not_unknown_account(landing: Landing,
                                                               wh: Path) -> None:
    # An account link for "1000" exists: the row would otherwise be billed through a cast the
    # contract does not make.
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "1000", "C9")])
    landing.usage("ints.parquet", [usage_row(account_id=1000), usage_row(account_id=None)],
                  types={"account_id": pa.int64()})
    result = landing.rate(wh)
    assert details(wh) == [
        ("bad_type", 0, "account_id is INT64 (e.g. 1000); the contract wants a string"),
        ("null_required", 1, "account_id is null; the contract requires it")]
    assert (result.ingestion.rows_quarantined, result.period.rows_held) == (2, 0)


def test_a_struct_dimensions_column_is_bad_type(landing: Landing, wh: Path) -> None:
    landing.usage("structs.parquet", [usage_row(dimensions={"region": "ca"})],
                  types={"dimensions": pa.struct([("region", pa.string())])})
    landing.rate(wh)
    assert details(wh) == [("bad_type", 0, "dimensions is a nested column (e.g. {'region': "
                                           "ca}); the contract wants a string")]


def test_a_dimensions_column_annotated_as_json_is_a_string(landing: Landing, wh: Path) -> None:
    landing.usage("json.parquet", [usage_row(dimensions='{"region": "ca"}')],
                  types={"dimensions": pa.json_()})
    result = landing.rate(wh)
    assert (result.ingestion.rows_accepted, details(wh)) == (1, [])


REASON_CASES = [
    (usage_row(value=-1.5), {}, "negative_value", "value is -1.5; a counter is never negative"),
    (usage_row(value=float("nan")), {}, "not_a_number", "value is nan, not a finite number"),
    (usage_row(value="12 kg"), {"value": "string"}, "not_a_number",
     "value is '12 kg', not a number; the contract wants a decimal, a double or an integer"),
    (usage_row(value="1e30"), {"value": "string"}, "value_out_of_range",
     "value is 1e30, too large for a counter (at most 10^15)"),
    (usage_row(value=2e15), {}, "value_out_of_range",
     "value is 2000000000000000, above 10^15: a unit mix-up (bytes sent as gigabytes?)"),
    (usage_row(period_start="garbage"), {"timestamps": "string"}, "bad_timestamp",
     "period_start is 'garbage', not a timestamp; the contract wants a timestamp (UTC) "
     "(ISO 8601 text is read too)"),
    (usage_row(value=None), {}, "null_required",
     "value is null; metric vcpu_hours is not a unique_count metric, so it needs one; the "
     "contract requires it"),
    (usage_row(counter_id=" "), {}, "null_required",
     "counter_id is blank; the contract requires it"),
    (usage_row(start="2026-10-05T10:00Z", hours=0), {}, "bad_window",
     "period_end 2026-10-05 10:00:00 UTC is not after period_start 2026-10-05 10:00:00 UTC"),
    (usage_row(service="nexaphone"), {}, "unknown_service",
     "service 'nexaphone' is not in the catalog (services.yaml)"),
    (usage_row(metric="gpu_hours"), {}, "unknown_metric",
     "metric 'gpu_hours' is not a metric of service 'nexacloud' in the catalog (metrics.yaml)"),
    (usage_row(dimensions='{"region": 5}'), {}, "bad_dimensions_json",
     "dimensions is '{\"region\": 5}', not a JSON object of string to string"),
    (usage_row(start="1999-06-01T00:00Z"), {}, "outside_billing_periods",
     "period_start 1999-06-01 00:00:00 UTC is outside the billing periods (2000-01 to 2099-12)"),
    (usage_row(start="2026-11-01T03:00Z", hours=2), {}, "window_crosses_period",
     "the window 2026-11-01 03:00:00 to 2026-11-01 05:00:00 UTC ends after its billing period "
     "does: split it at the boundary"),
    (usage_row(pushed_at="2099-01-01T00:00Z"), {}, "pushed_at_in_future",
     "pushed_at 2099-01-01 00:00:00 UTC is later than its file's ingestion plus the tolerance"),
    (usage_row(account_id="nc-404"), {}, "unknown_account",
     "no account link for account 'nc-404' of service nexacloud (accounts/): add one, and a "
     "later rating bills the row"),
]


@pytest.mark.parametrize(("bad", "file_kwargs", "reason", "detail"), REASON_CASES,
                         ids=[case[2] for case in REASON_CASES])
def test_each_reason_says_what_was_found_and_what_is_wanted(
        landing: Landing, wh: Path, bad: dict[str, Any], file_kwargs: dict[str, Any],
        reason: str, detail: str) -> None:
    landing.usage("part-0.parquet", [usage_row(value=2), bad], **file_kwargs)
    landing.rate(wh)
    [(found_reason, row_number, found_detail)] = details(wh)
    assert (found_reason, row_number) == (reason, 1)
    assert found_detail.startswith(detail), found_detail


def test_rating_holds_have_a_detail_too(landing: Landing, wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexacloud", "nc-2", "C7")])
    routes = usage_row("nexamaps", "routes_ca", 50, dimensions='{"region": "us"}')
    landing.usage("a.parquet", [usage_row(account_id="nc-2")])
    landing.usage("b.parquet", [routes], value="int64")
    landing.rate(wh)
    assert [(r[0], r[2]) for r in details(wh)] == [
        ("filtered_out", "dimensions '{\"region\": \"us\"}' do not match the dimension filter "
                         "of metric routes_ca (metrics.yaml)"),
        ("no_subscription", "no subscription of account 'nc-2' of service nexacloud is active "
                            "at 2026-10-05 10:00:00 UTC (subscriptions/)")]


def test_a_ledger_from_before_the_detail_column_gains_it(landing: Landing, wh: Path) -> None:
    earlier = landing.usage("a.parquet", [usage_row(value=2), usage_row(value=-1)])
    landing.rate(wh)
    con = duckdb.connect()
    try:
        ledger.attach(con, ledger.default_folder(wh))
        con.execute("ALTER TABLE ledger.usage_rows DROP COLUMN detail")
    finally:
        con.close()
    later = landing.usage("b.parquet", [usage_row(value="x")], value="string")
    result = landing.rate(wh)
    assert result.ingestion.rows_read == 1
    assert [(q[0], q[1]) for q in quarantine(wh)] == [("negative_value", earlier),
                                                      ("not_a_number", later)]
    assert rows(wh, "SELECT count(*) FROM usage_quarantine WHERE detail IS NULL") == [(0,)]
