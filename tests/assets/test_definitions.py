"""The Dagster definitions load, and the rating graph materializes in process."""

import importlib
import pkgutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

import assets
from assets.ingest import landed_usage
from assets.rating import period_summary, rated_period
from pipelines.partitions import billing_periods
from pipelines.resources import RatingResource
from rating.samples.usage import SampleSummary, write_sample
from tests.support.usage_builder import snapshot

ASSETS = [landed_usage, rated_period, period_summary]
CHECKS = dg.load_asset_checks_from_package_module(assets)
# The checks about one billing period; the others (every ingestion, every held input file,
# every held cost) look at the whole warehouse.
PERIOD_CHECKS = {"period_conservation", "quarantine_share", "every_line_priced",
                 "invoices_match_rated", "every_service_has_usage", "odoo_amounts_match",
                 "adjustments_balance", "adjustments_held"}


def sample_without_the_corrupt_file(folder: Path) -> SampleSummary:
    """The sample month with its bad rows but without its unreadable file, which would hold
    the month close until a person removes or releases it."""
    sample = write_sample(folder, rows=3000)
    (sample.landing / "usage" / "corrupt" / "garbage.parquet").unlink()
    return sample


@pytest.mark.fast
def test_definitions_load() -> None:
    from pipelines.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"landed_usage", "usage_rollups", "rated_charges", "invoice_lines",
                    "period_summary", "closed_period", "odoo_invoices", "reconciliation_odoo",
                    "legacy_billing", "provider_costs", "reconciliation_legacy",
                    "cutover_readiness", "margin_daily", "margin_monthly", "analyst_copy",
                    "period_adjustments", "odoo_payment_states", "webhook_deliveries"}
    for job in ("ingest_usage", "rate_period", "close_period", "adjust_periods",
                "poll_payments", "deliver_webhooks"):
        assert defs.resolve_job_def(job) is not None


@pytest.mark.fast
def test_every_asset_and_check_module_is_loaded() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    modules = {info.name: importlib.import_module(f"assets.{info.name}")
               for info in pkgutil.iter_modules(assets.__path__)}
    assert set(modules) == {"ingest", "rating", "close", "odoo", "finance", "adjust",
                            "payments", "webhooks"}
    checks_by_module = {}
    for name, module in modules.items():
        defined = {key for found in dg.load_assets_from_modules([module])
                   for key in found.keys}
        assert defined and defined <= graph.get_all_asset_keys(), name
        checks = {key for found in dg.load_asset_checks_from_modules([module])
                  for key in found.check_keys}
        assert checks <= graph.asset_check_keys, name
        checks_by_module[name] = {key.name for key in checks}
    assert checks_by_module == {
        "ingest": {"conservation"},
        "rating": {"period_conservation", "inputs_complete", "quarantine_share",
                   "every_line_priced", "invoices_match_rated", "every_service_has_usage"},
        "close": set(),
        "odoo": {"odoo_amounts_match"},
        "finance": {"costs_all_converted"},
        "adjust": {"adjustments_balance", "adjustments_held"},
        "payments": set(),
        "webhooks": {"no_failed_webhook_deliveries"},
    }
    assert {key.name for key in graph.asset_check_keys} == set().union(
        *checks_by_module.values())


@pytest.mark.fast
def test_the_checks_about_one_period_are_partitioned_by_billing_period() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    partitioned = {key.name for key in graph.asset_check_keys
                   if graph.get(key).partitions_def == billing_periods}
    assert partitioned == PERIOD_CHECKS
    assert all(graph.get(key).partitions_def is None
               for key in graph.asset_check_keys if key.name not in PERIOD_CHECKS)


def materialize(resource: RatingResource) -> dg.ExecuteInProcessResult:
    return dg.materialize([*ASSETS, *CHECKS], partition_key="2026-10",
                          resources={"rating": resource}, raise_on_error=False)


def materialized_keys(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.all_events
            if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key}


@pytest.mark.engine
def test_the_graph_materializes_with_its_checks(tmp_path: Path) -> None:
    sample = sample_without_the_corrupt_file(tmp_path / "sample")
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    result = materialize(resource)
    assert result.success
    landed = result.asset_materializations_for_node("landed_usage")[0].metadata
    assert landed["rows_read"].value == (landed["rows_accepted"].value
                                         + landed["rows_superseded"].value
                                         + landed["rows_quarantined"].value)
    by_asset = {m.asset_key.to_user_string(): m.metadata
                for m in result.asset_materializations_for_node("rated_period")}
    rated = by_asset["usage_rollups"]
    assert rated["rows_accepted"].value == rated["rows_rated"].value + rated["rows_held"].value
    invoices = by_asset["invoice_lines"]
    assert invoices["dagster/table_name"].value == "invoice_lines"
    assert invoices["dagster/row_count"].value == invoices["invoice_lines"].value > 0
    exact = Decimal(str(invoices["amount_cad"].value).replace(",", ""))
    assert invoices["amount_cad_cents"].value == exact * 100
    # Every deliberately bad row is quarantined at ingestion or held at rating (no account
    # link, no subscription, filtered out); the sample's bad rows all fall in 2026-10 or are
    # unplaceable, bar the ones quarantined at ingestion.
    assert landed["rows_quarantined"].value + rated["rows_held"].value == sample.bad_rows
    # The sample's file without a metric column: every row quarantined, flagged with why.
    assert landed["files_flagged"].value >= 1
    [row] = [line for line in landed["flagged_files"].value.splitlines()
             if line.startswith("| usage/bad/missing-metric.parquet |")]
    assert "| missing_column " in row
    assert row.endswith("| the file lacks metric, which the contract requires |")
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["conservation"] and evaluations["period_conservation"]
    assert evaluations["every_line_priced"] and evaluations["inputs_complete"]
    assert evaluations["invoices_match_rated"]
    assert not evaluations["quarantine_share"]      # the sample's bad rows are concentrated
    partitions = {e.check_name: e.partition for e in result.get_asset_check_evaluations()}
    assert partitions == {name: "2026-10" if name in PERIOD_CHECKS else None
                          for name in partitions}
    assert "period_summary" in materialized_keys(result)


@pytest.mark.engine
def test_a_held_input_file_stops_the_summary_until_released(tmp_path: Path) -> None:
    from rating.rate.engine import release_input

    sample = write_sample(tmp_path / "sample", rows=3000)
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    held = materialize(resource)
    evaluations = {e.check_name: e for e in held.get_asset_check_evaluations()}
    assert evaluations["inputs_complete"].passed is False
    assert "usage/corrupt/garbage.parquet" in str(
        evaluations["inputs_complete"].metadata["held"].value)
    assert "invoice_lines" in materialized_keys(held)      # rated, provisionally
    assert "period_summary" not in materialized_keys(held)  # so no close, no posting
    assert release_input(tmp_path / "wh.duckdb", "usage", "usage/corrupt/garbage.parquet",
                         "the app re-sent these counters in part-0009")
    released = materialize(resource)
    assert released.success
    assert "period_summary" in materialized_keys(released)


@pytest.mark.engine
def test_a_failing_blocking_check_stops_what_is_downstream(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample", rows=3000)
    plans = sample.catalog / "plans.yaml"
    plans.write_text(plans.read_text(encoding="utf-8").replace(
        '{effective_from: 2025-01-01, model: per_unit, unit_price: "0.045"',
        '{effective_from: 2026-12-01, model: per_unit, unit_price: "0.045"'), encoding="utf-8")
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    result = materialize(resource)
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["every_line_priced"] is False
    materialized = materialized_keys(result)
    assert "invoice_lines" in materialized
    assert "period_summary" not in materialized


@pytest.mark.fast
def test_nightly_schedule_asks_for_the_current_and_the_open_previous_period(
        tmp_path: Path) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from pipelines.schedules import nightly_rating

    resource = RatingResource(warehouse=str(tmp_path / "none.duckdb"))
    when = dt.datetime(2026, 11, 2, 2, 0, tzinfo=ZoneInfo("America/Toronto"))
    context = dg.build_schedule_context(scheduled_execution_time=when,
                                        resources={"rating": resource})
    requests = nightly_rating(context)
    assert [r.partition_key for r in requests] == ["2026-10", "2026-11"]


@pytest.mark.fast
def test_month_close_waits_for_the_grace_period_then_closes_once(tmp_path: Path) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from pipelines.schedules import month_close

    resource = RatingResource(warehouse=str(tmp_path / "none.duckdb"))
    zone = ZoneInfo("America/Toronto")
    early = month_close(dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 11, 3, 3, tzinfo=zone),
        resources={"rating": resource}))
    assert isinstance(early, dg.SkipReason)
    due = month_close(dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 11, 4, 3, tzinfo=zone),
        resources={"rating": resource}))
    assert isinstance(due, dg.RunRequest)
    assert (due.partition_key, due.run_key) == ("2026-10", "close-2026-10")


@pytest.mark.engine
def test_sensor_requests_the_periods_new_files_touch(tmp_path: Path) -> None:
    from pipelines.sensors import new_usage_files
    from rating.rate.engine import ingest_landing

    sample = write_sample(tmp_path / "sample", rows=3000)
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    first = new_usage_files(dg.build_sensor_context(resources={"rating": resource}))
    assert isinstance(first, dg.SensorResult)
    # The sample's bad rows include windows that start in September (Toronto time).
    assert [r.partition_key for r in first.run_requests] == ["2026-09", "2026-10"]
    assert {r.job_name for r in first.run_requests} == {"rate_period"}
    ingest_landing(resource.request("2026-10"))
    # The manifest is the high-water mark: what it holds is not new, whatever the cursor. The
    # sample's unreadable file is tried again: one ingestion run, under a run key that stays
    # the same while the file does (Dagster launches it once).
    retry = new_usage_files(dg.build_sensor_context(resources={"rating": resource}))
    assert isinstance(retry, dg.SensorResult)
    assert [(r.job_name, r.partition_key) for r in retry.run_requests] == [
        ("ingest_usage", None)]
    again_retry = new_usage_files(dg.build_sensor_context(resources={"rating": resource}))
    assert isinstance(again_retry, dg.SensorResult)
    assert again_retry.run_requests[0].run_key == retry.run_requests[0].run_key
    (sample.landing / "usage" / "corrupt" / "garbage.parquet").unlink()
    quiet = new_usage_files(dg.build_sensor_context(resources={"rating": resource}))
    assert isinstance(quiet, dg.SkipReason)
    novel = sample.landing / "usage" / "late" / "more.parquet"
    novel.parent.mkdir(parents=True, exist_ok=True)
    import shutil

    shutil.copy(next((sample.landing / "usage").rglob("part-*.parquet")), novel)
    again = new_usage_files(dg.build_sensor_context(resources={"rating": resource}))
    assert isinstance(again, dg.SensorResult)
    assert [r.partition_key for r in again.run_requests] == ["2026-10"]
    junk = sample.landing / "usage" / "late" / "junk.parquet"
    junk.write_bytes(b"not parquet")
    novel.unlink()
    only_junk = new_usage_files(dg.build_sensor_context(resources={"rating": resource}))
    assert isinstance(only_junk, dg.SensorResult)
    assert [(r.job_name, r.partition_key) for r in only_junk.run_requests] == [
        ("ingest_usage", None)]


def warehouse_tables(database: Path) -> dict[str, list[tuple[object, ...]]]:
    tables = snapshot(database)
    tables.pop("rating_runs")
    return tables


@pytest.mark.engine
def test_rematerializing_gives_identical_tables_and_the_cli_totals(tmp_path: Path) -> None:
    from rating.rate.engine import RateRequest, rate

    sample = sample_without_the_corrupt_file(tmp_path / "sample")
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    assert materialize(resource).success
    first = warehouse_tables(tmp_path / "wh.duckdb")
    assert materialize(resource).success
    assert warehouse_tables(tmp_path / "wh.duckdb") == first
    cli = rate(RateRequest(landing=str(sample.landing), catalog=sample.catalog,
                           warehouse=tmp_path / "cli.duckdb", period="2026-10"))
    summaries = first["period_summaries"]
    assert sum(row[5] for row in summaries) == cli.period.amount_total  # type: ignore[misc]
    assert first["invoice_lines"] == warehouse_tables(tmp_path / "cli.duckdb")["invoice_lines"]


@pytest.mark.engine
def test_a_closed_period_is_not_changed_by_a_rerun(tmp_path: Path) -> None:
    from assets.close import closed_period

    sample = sample_without_the_corrupt_file(tmp_path / "sample")
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    closing = dg.materialize([*ASSETS, closed_period, *CHECKS], partition_key="2026-10",
                             resources={"rating": resource})
    assert closing.success
    before = warehouse_tables(tmp_path / "wh.duckdb")
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    late = sample.landing / "usage" / "late" / "after-close.parquet"
    late.parent.mkdir(parents=True)
    original = pq.read_table(next((sample.landing / "usage").rglob("part-*.parquet")))
    renamed = pc.binary_join_element_wise(original.column("counter_id"), "late", ":")
    pq.write_table(original.set_column(original.schema.get_field_index("counter_id"),
                                       "counter_id", renamed), late)
    assert materialize(resource).success
    after = warehouse_tables(tmp_path / "wh.duckdb")
    for name in ("usage_rollups", "rated_charges", "invoice_lines", "period_summaries"):
        assert after[name] == before[name], name
    assert after["late_usage"]
