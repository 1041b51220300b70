"""Tests for rating.samples.usage: the deterministic sample month of usage."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rating.catalog import load_catalog
from rating.samples.usage import (
    BAD_ROW_REASONS,
    CATALOG_DIR,
    SampleSummary,
    SampleWouldOverwrite,
    write_sample,
)

ROWS = 20_000
PERIOD_START = dt.datetime(2026, 10, 1, 4, tzinfo=dt.UTC)
PERIOD_END = dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC)
START_US = int(PERIOD_START.timestamp()) * 1_000_000
END_US = int(PERIOD_END.timestamp()) * 1_000_000
HOUR_US = 3_600 * 1_000_000
COLUMNS = ("counter_id", "service", "account_id", "metric", "unique_key", "dimensions")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    return write_sample(tmp_path_factory.mktemp("sample") / "out", ROWS)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    return write_sample(tmp_path_factory.mktemp("clean") / "out", ROWS, bad_rows=False)


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _parquet_files(landing: Path) -> list[Path]:
    return sorted((landing / "usage").rglob("*.parquet"))


def _relative(path: Path, landing: Path) -> str:
    return path.relative_to(landing / "usage").as_posix()


def _read(path: Path) -> pl.DataFrame:
    """Every row of one usage file with canonical columns (value as double and as text)."""
    con = duckdb.connect()
    source = f"read_parquet('{path.as_posix()}', hive_partitioning = true)"
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    select = [f'CAST("{c}" AS VARCHAR) AS {c}' if c in present else f"NULL::VARCHAR AS {c}"
              for c in COLUMNS]
    select += [f"epoch_us({c}) AS {c}" for c in ("period_start", "period_end", "pushed_at")]
    select += ["TRY_CAST(value AS DOUBLE) AS value", "CAST(value AS VARCHAR) AS value_text"]
    frame = con.execute(f"SELECT {', '.join(select)} FROM {source}").pl()
    return frame.with_columns(pl.col("value").cast(pl.Float64),
                              pl.col("value_text").cast(pl.String))


def _all_rows(landing: Path) -> pl.DataFrame:
    frames = []
    for path in _parquet_files(landing):
        if "corrupt/" in _relative(path, landing):
            continue
        frames.append(_read(path).with_columns(file=pl.lit(_relative(path, landing))))
    return pl.concat(frames, how="vertical")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _unsubscribed(landing: Path) -> set[tuple[str, str]]:
    accounts = {(r["service"], r["account_id"])
                for r in _csv(landing / "accounts" / "accounts.csv")}
    subscribed = {(r["service"], r["account_id"])
                  for r in _csv(landing / "subscriptions" / "subscriptions.csv")}
    return accounts - subscribed


def _of_accounts(rows: pl.DataFrame, keys: set[tuple[str, str]]) -> pl.DataFrame:
    """The rows whose (service, account_id) is one of `keys`."""
    wanted = pl.DataFrame(sorted(keys), schema=["service", "account_id"], orient="row")
    return rows.join(wanted, on=["service", "account_id"], how="semi")


@pytest.mark.fast
def test_same_seed_gives_the_same_bytes(sample: SampleSummary, tmp_path: Path) -> None:
    again = write_sample(tmp_path / "again", ROWS)
    assert again.usage_rows == sample.usage_rows
    first = _digests(sample.landing.parent)
    assert first == _digests(again.landing.parent)
    assert len(first) == 19  # 4 catalog files, 2 CSV files, 12 usage files, .sample-files
    other = write_sample(tmp_path / "other", ROWS, seed=8)
    different = _digests(other.landing.parent)
    part = "landing/usage/nexacloud/2026-10/part-0000.parquet"
    assert different[part] != first[part]


@pytest.mark.fast
def test_every_file_is_readable_except_the_corrupt_one(sample: SampleSummary) -> None:
    con = duckdb.connect()
    unreadable = []
    for path in _parquet_files(sample.landing):
        try:
            con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
        except duckdb.Error:
            unreadable.append(_relative(path, sample.landing))
    assert unreadable == ["corrupt/garbage.parquet"]
    assert sample.corrupt_files == 1


@pytest.mark.fast
def test_row_and_file_counts_match_the_summary(sample: SampleSummary) -> None:
    rows = _all_rows(sample.landing)
    files = [p for p in _parquet_files(sample.landing)
             if "corrupt/" not in _relative(p, sample.landing)]
    assert sample.usage_files == len(files)
    assert sample.usage_rows == rows.height
    assert abs(sample.usage_rows - ROWS) <= ROWS // 100
    assert 0.003 * ROWS <= sample.bad_rows <= 0.01 * ROWS
    assert 20 <= sample.corrections <= 500


@pytest.mark.fast
def test_good_windows_are_whole_hours_inside_the_period(sample: SampleSummary) -> None:
    good = _all_rows(sample.landing).filter(~pl.col("file").str.starts_with("bad/"))
    assert good.height > 0.99 * ROWS - 200
    assert good.filter(pl.col("period_start").is_null() | pl.col("period_end").is_null()).is_empty()
    assert good["period_start"].min() >= START_US  # type: ignore[operator]
    assert good["period_end"].max() <= END_US  # type: ignore[operator]
    assert (good["period_end"] > good["period_start"]).all()
    assert (good["period_start"] % HOUR_US == 0).all()
    assert (good["period_end"] % HOUR_US == 0).all()
    assert (good["pushed_at"] >= good["period_end"]).all()


@pytest.mark.fast
def test_catalog_copy_loads_and_good_rows_use_its_metrics(sample: SampleSummary) -> None:
    catalog = load_catalog(sample.catalog)
    metrics = {(m.service, m.code): m for m in catalog.metrics}
    good = _all_rows(sample.landing).filter(~pl.col("file").str.starts_with("bad/"))
    used = set(good.select("service", "metric").unique().iter_rows())
    assert used == set(metrics)
    for service, metric in used:
        rows = good.filter((pl.col("service") == service) & (pl.col("metric") == metric))
        if metrics[(service, metric)].aggregation == "unique_count":
            assert rows["value_text"].null_count() == rows.height
            assert rows["unique_key"].str.starts_with("agent-").all()
        else:
            parsed = rows.filter(pl.col("value").is_not_null())
            assert (parsed["value"] >= 0).all()
            assert not parsed["value"].is_nan().any()
        dims = rows["dimensions"].drop_nulls().unique().to_list()
        for text in dims:
            parsed_dims = json.loads(text)
            assert all(isinstance(k, str) and isinstance(v, str)
                       for k, v in parsed_dims.items())
        group_by = metrics[(service, metric)].group_by
        if group_by:
            assert {json.loads(t)[group_by] for t in dims} == {"ca-east", "us-west"}
    assert good.filter(pl.col("metric") == "map_tiles")["value"].sum() > 1_000_000


@pytest.mark.fast
def test_bad_rows_are_counted_honestly(sample: SampleSummary) -> None:
    rows = _all_rows(sample.landing)
    unsubscribed = _unsubscribed(sample.landing)
    assert {service for service, _ in unsubscribed} == {
        "nexacloud", "nexadesk", "nexamaps", "apps", "memberships"}
    assert len(unsubscribed) == 5
    in_bad_files = rows.filter(pl.col("file").str.starts_with("bad/")).height
    good = rows.filter(~pl.col("file").str.starts_with("bad/"))
    not_numbers = good.filter(pl.col("value").is_null() & pl.col("value_text").is_not_null())
    no_subscription = _of_accounts(good, unsubscribed)
    routes_us = good.filter((pl.col("metric") == "routes_ca")
                            & (pl.col("dimensions") != '{"region":"ca"}'))
    assert not_numbers["value_text"].sort().to_list() == ["abc", "twelve"]
    assert no_subscription.height > 0
    assert routes_us.height > 0
    assert set(routes_us["dimensions"].to_list()) == {'{"region":"us"}'}
    overlap = no_subscription.join(routes_us, on=["file", "counter_id"]).height
    expected = (in_bad_files + not_numbers.height + no_subscription.height + routes_us.height
                - overlap)
    assert sample.bad_rows == expected
    assert in_bad_files >= len(BAD_ROW_REASONS)
    missing = pq.read_schema(sample.landing / "usage" / "bad" / "missing-metric.parquet")
    assert "metric" not in missing.names
    bad = _read(sample.landing / "usage" / "bad" / "bad-rows.parquet")
    assert bad["value"].is_nan().any()
    assert (bad["value"] < 0).any()
    assert bad["service"].is_in(["nexaphone"]).any()
    assert bad["account_id"].is_in(["nc-999999"]).any()
    assert set(bad["dimensions"].drop_nulls()) >= {'{"region":', '{"region": 5}'}
    assert (bad["period_start"] > END_US - 2 * HOUR_US).any()


@pytest.mark.fast
def test_corrections_repush_counters_later_with_new_values(sample: SampleSummary) -> None:
    rows = _all_rows(sample.landing).filter(~pl.col("file").str.starts_with("bad/"))
    repeated = rows.filter(pl.len().over("service", "counter_id") > 1)
    assert rows.height - rows.select("service", "counter_id").n_unique() == sample.corrections
    assert repeated.height == 2 * sample.corrections
    pairs = repeated.sort("pushed_at").group_by("service", "counter_id").agg(
        pl.col("file"), pl.col("value"), pl.col("pushed_at"))
    for files, values, pushed in pairs.select("file", "value", "pushed_at").iter_rows():
        assert files[1].startswith("corrections/")
        assert not files[0].startswith("corrections/")
        assert pushed[1] > pushed[0]
        assert values[1] != values[0]


@pytest.mark.fast
def test_layout_has_hive_files_and_mixed_types(sample: SampleSummary) -> None:
    usage = sample.landing / "usage"
    hive = sorted(usage.glob("service=nexamaps/date=*/part-0.parquet"))
    assert [p.parent.name for p in hive] == ["date=2026-10-01", "date=2026-10-02"]
    for path in hive:
        assert "service" not in pq.read_schema(path).names
    types = {_relative(p, sample.landing): pq.read_schema(p)
             for p in _parquet_files(sample.landing) if "corrupt/" not in str(p)}
    assert types["nexacloud/2026-10/part-0000.parquet"].field("value").type == pa.float64()
    assert types["nexamaps/2026-10/part-0000.parquet"].field("value").type == pa.int64()
    assert types["memberships/2026-10/part-0000.parquet"].field("value").type == \
        pa.decimal128(18, 6)
    assert types["text/2026-10/value-as-text.parquet"].field("value").type == pa.string()
    stamps = {str(s.field("period_start").type) for s in types.values()}
    assert stamps == {"timestamp[us]", "timestamp[us, tz=UTC]"}


@pytest.mark.fast
def test_accounts_and_subscriptions(sample: SampleSummary) -> None:
    accounts = _csv(sample.landing / "accounts" / "accounts.csv")
    assert list(accounts[0]) == ["service", "account_id", "customer_key", "name", "email",
                                 "country", "province", "street", "city", "postal_code"]
    assert all(r["street"] and r["city"] and r["postal_code"] for r in accounts)
    assert len(accounts) == 5 * 50
    assert {r["country"] for r in accounts} == {"CA"}
    assert {r["province"] for r in accounts} <= {"ON", "QC", "BC", "AB"}
    c42 = {(r["service"], r["account_id"]) for r in accounts if r["customer_key"] == "C00042"}
    assert {("nexacloud", "nc-000042"), ("nexadesk", "nd-000042")} <= c42
    subscriptions = _csv(sample.landing / "subscriptions" / "subscriptions.csv")
    assert list(subscriptions[0]) == ["subscription_id", "service", "account_id", "plan_code",
                                      "start", "end"]
    plans = {(r["service"], r["plan_code"]) for r in subscriptions}
    assert plans == {("nexacloud", "cloud-standard"), ("nexadesk", "desk-team"),
                     ("nexamaps", "maps-payg"), ("apps", "apps-business"),
                     ("memberships", "members-club")}
    late = {(r["service"], r["account_id"]) for r in subscriptions if r["start"] == "2026-10-15"}
    early = {(r["service"], r["account_id"]) for r in subscriptions if r["end"] == "2026-10-20"}
    assert late and early
    rows = _all_rows(sample.landing).filter(~pl.col("file").str.starts_with("bad/"))
    late_rows = _of_accounts(rows, late)
    early_rows = _of_accounts(rows, early)
    assert late_rows.height > 0 and early_rows.height > 0
    assert late_rows["period_start"].min() >= START_US + 14 * 24 * HOUR_US  # type: ignore[operator]
    assert early_rows["period_end"].max() <= START_US + 19 * 24 * HOUR_US  # type: ignore[operator]


@pytest.mark.fast
def test_clean_sample_has_only_good_rows(clean: SampleSummary) -> None:
    assert (clean.bad_rows, clean.corrections, clean.corrupt_files) == (0, 0, 0)
    assert clean.usage_rows == ROWS
    usage = clean.landing / "usage"
    assert sorted(p.name for p in usage.iterdir()) == [
        "apps", "memberships", "nexacloud", "nexadesk", "nexamaps", "service=nexamaps"]
    rows = _all_rows(clean.landing)
    assert rows.height == ROWS
    assert clean.usage_files == len(_parquet_files(clean.landing))
    unsubscribed = _unsubscribed(clean.landing)
    assert len(unsubscribed) == 5
    assert _of_accounts(rows, unsubscribed).is_empty()
    routes = rows.filter(pl.col("metric") == "routes_ca")
    assert set(routes["dimensions"].to_list()) == {'{"region":"ca"}'}
    assert rows.select("service", "counter_id").n_unique() == rows.height
    assert rows["period_start"].min() >= START_US  # type: ignore[operator]
    assert rows["period_end"].max() <= END_US  # type: ignore[operator]


@pytest.mark.fast
def test_files_sets_the_number_of_bulk_files(tmp_path: Path) -> None:
    summary = write_sample(tmp_path / "seven", 30_000, bad_rows=False, files=7)
    bulk = [p for p in _parquet_files(summary.landing) if "service=" not in str(p)]
    assert len(bulk) == 7
    assert summary.usage_rows == 30_000 == _all_rows(summary.landing).height
    summary = write_sample(tmp_path / "one", 30_000, bad_rows=False, files=1)
    bulk = [p for p in _parquet_files(summary.landing) if "service=" not in str(p)]
    assert len(bulk) == 5


@pytest.mark.fast
def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path, 0)
    with pytest.raises(ValueError):
        write_sample(tmp_path, 1_000, files=0)
    with pytest.raises(ValueError):
        write_sample(tmp_path, 1_000, period="2026-13")


@pytest.mark.fast
def test_other_periods_stay_inside_their_months(tmp_path: Path) -> None:
    # March 2026 loses an hour to daylight saving time in Toronto: 05:00Z to 04:00Z.
    summary = write_sample(tmp_path / "march", 5_000, period="2026-03")
    good = _all_rows(summary.landing).filter(~pl.col("file").str.starts_with("bad/"))
    start = int(dt.datetime(2026, 3, 1, 5, tzinfo=dt.UTC).timestamp()) * 1_000_000
    end = int(dt.datetime(2026, 4, 1, 4, tzinfo=dt.UTC).timestamp()) * 1_000_000
    assert good["period_start"].min() >= start  # type: ignore[operator]
    assert good["period_end"].max() <= end  # type: ignore[operator]
    assert summary.usage_rows == 5_000


@pytest.mark.slow
def test_a_million_rows_in_several_row_groups(tmp_path: Path) -> None:
    summary = write_sample(tmp_path / "big", 1_000_000, files=6)
    assert summary.usage_rows == 1_000_000
    files = [p for p in _parquet_files(summary.landing) if "corrupt/" not in str(p)]
    con = duckdb.connect()
    total = 0
    for path in files:
        total += con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]  # type: ignore[index]
    assert total == summary.usage_rows
    bulk = [str(p) for p in files if "/2026-10/part-" in str(p)]
    assert len(bulk) == 6
    duplicates = con.execute(
        "SELECT count(*) - count(DISTINCT (service, counter_id)) "
        "FROM read_parquet(?, union_by_name = true)", [bulk]).fetchone()
    assert duplicates == (0,)


@pytest.mark.engine
def test_a_changed_catalog_file_is_not_replaced_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_sample(out, 1000)
    plans = out / "catalog" / "plans.yaml"
    plans.write_text(plans.read_text(encoding="utf-8") + "# my change\n", encoding="utf-8")
    with pytest.raises(SampleWouldOverwrite) as refused:
        write_sample(out, 1000)
    assert refused.value.foreign == ["catalog/plans.yaml"]
    assert "catalog/plans.yaml" in str(refused.value) and "--force" in str(refused.value)
    assert plans.read_text(encoding="utf-8").endswith("# my change\n")
    write_sample(out, 1000, force=True)
    assert plans.read_bytes() == (CATALOG_DIR / "plans.yaml").read_bytes()


@pytest.mark.engine
def test_a_landing_folder_from_elsewhere_is_not_replaced(tmp_path: Path) -> None:
    """No list of what a sample wrote: every file there is someone else's."""
    (tmp_path / "landing" / "usage").mkdir(parents=True)
    (tmp_path / "landing" / "usage" / "real.parquet").write_bytes(b"PAR1")
    with pytest.raises(SampleWouldOverwrite, match=r"landing/usage/real\.parquet"):
        write_sample(tmp_path, 1000)
    assert (tmp_path / "landing" / "usage" / "real.parquet").exists()
