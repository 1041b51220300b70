"""The adjustments asset bills a closed period's late file (the nightly rules unless a person
asks for it on purpose), its checks read the result back, the nightly schedule asks for the
closed periods within the lookback, and its job posts what was issued."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.adjust import adjustments_balance, adjustments_held, balance, period_adjustments
from assets.close import closed_period
from assets.odoo import odoo_amounts_match, odoo_posting
from pipelines.definitions import from_environment
from pipelines.resources import OdooResource, RatingResource
from pipelines.schedules import NIGHTLY_ADJUSTMENTS, nightly_adjustments
from rating.odoo.posting import post_period
from tests.support.adjust_month import Month
from tests.support.posting import CATALOG, PERIOD, rated_period
from tests.support.usage_builder import Landing, usage_row

ADJUSTMENTS = [period_adjustments, adjustments_balance, adjustments_held]
LATE_HOURS = Decimal(1000)
VCPU_PRICE = Decimal("0.045")  # 2026-10's price, beyond the 100 included hours already billed


def closed_with_a_late_file(root: Path, *, originals_posted: bool) -> RatingResource:
    """2026-10 rated and closed for four customers, then a late file of 1,000 vCPU hours for
    C1 lands (not yet ingested: the asset ingests it)."""
    warehouse = rated_period(root)
    if originals_posted:
        mark_originals_posted(warehouse)
    Landing(root / "landing", accounts=False, subscriptions=False).usage(
        "late/vcpu.parquet",
        [usage_row("nexacloud", "vcpu_hours", LATE_HOURS, account_id="nexacloud-C1")])
    return RatingResource(landing=str(root / "landing"), catalog=str(CATALOG),
                          warehouse=str(warehouse))


def mark_originals_posted(warehouse: Path) -> None:
    """Odoo holds every original invoice of the period posted (as a posting run leaves it)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO odoo_postings (invoice_key, billing_period, customer_key, service, "
            "content_hash, amount_untaxed, odoo_move_id, odoo_number, state, attempts, "
            "first_attempt_at, updated_at, posted_at) "
            "SELECT DISTINCT invoice_key, billing_period, customer_key, service, 'hash', 0, 1, "
            "'INV/1', 'posted', 1, TIMESTAMP '2026-11-01', TIMESTAMP '2026-11-01', "
            "TIMESTAMP '2026-11-01' FROM invoice_lines")


def adjust(resource: RatingResource, **config: bool) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ADJUSTMENTS, partition_key=PERIOD, raise_on_error=False,
        resources={"rating": resource, "odoo": OdooResource()},
        run_config={"ops": {"period_adjustments": {"config": config}}} if config else None)


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.mark.engine
def test_a_late_file_becomes_one_supplementary_invoice_and_the_checks_pass(
        tmp_path: Path) -> None:
    resource = closed_with_a_late_file(tmp_path, originals_posted=True)
    result = adjust(resource)
    assert result.success
    metadata = result.asset_materializations_for_node("period_adjustments")[0].metadata
    assert (metadata["outcome"].value, metadata["mode"].value) == ("issued", "nightly")
    assert metadata["revisions_issued"].value == 1
    assert metadata["revisions_supplementary_invoice"].value == 1
    assert metadata["revisions_credit_note"].value == 0
    issued = LATE_HOURS * VCPU_PRICE
    assert metadata["amount_issued_net"].value == f"{issued:,.2f}"
    assert metadata["amount_issued_net_cents"].value == issued * 100
    assert metadata["amount_pending_cents"].value == 0
    assert metadata["dagster/table_name"].value == "period_adjustments"
    assert "C1/nexacloud/2026-10/r1" in str(metadata["issued_first_20"].value)
    found = checks(result)
    assert found["adjustments_balance"].passed
    assert found["adjustments_held"].passed

    with duckdb.connect(resource.warehouse) as con:
        con.execute("UPDATE period_adjustment_lines SET amount_delta = amount_delta + 0.01")
    broken = balance(resource.warehouse, PERIOD)
    # The line no longer balances, nor do the revision's lines add up to its net.
    assert not broken.passed and broken.metadata["mismatches"].value == 2
    with duckdb.connect(resource.warehouse) as con:
        con.execute("UPDATE period_adjustment_lines SET amount_delta = amount_delta - 0.01")

    again = adjust(resource)
    assert again.success
    rerun = again.asset_materializations_for_node("period_adjustments")[0].metadata
    assert rerun["revisions_issued"].value == 0
    # Nothing touched the period since: the nightly rules do not re-rate it.
    assert rerun["outcome"].value == "unchanged"
    on_purpose = adjust(resource, on_purpose=True)
    assert on_purpose.success
    rerated = on_purpose.asset_materializations_for_node("period_adjustments")[0].metadata
    assert (rerated["outcome"].value, rerated["mode"].value) == ("no_difference", "on_purpose")


@pytest.mark.engine
def test_a_period_beyond_the_lookback_is_held_unless_adjusted_on_purpose(tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200, start=start)
                             for start in ("2026-10-05T10:00Z", "2026-11-05T10:00Z",
                                           "2026-12-05T10:00Z")],
                  periods=("2026-10", "2026-11", "2026-12"))
    resource = RatingResource(landing=str(month.landing.root), catalog=str(CATALOG),
                              warehouse=str(month.warehouse))

    def outcome(**config: bool) -> tuple[str, str, int]:
        result = adjust(resource, **config)
        metadata = result.asset_materializations_for_node("period_adjustments")[0].metadata
        return (metadata["outcome"].value, metadata["mode"].value,
                metadata["revisions_issued"].value)

    assert outcome() == ("untouched", "none", 0)
    month.late("late-october.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    assert outcome() == ("held", "hold_only", 0)
    assert outcome(on_purpose=True) == ("issued", "on_purpose", 1)


@pytest.mark.engine
def test_accepting_changes_needs_the_period_adjusted_on_purpose(tmp_path: Path) -> None:
    resource = closed_with_a_late_file(tmp_path, originals_posted=True)
    refused = adjust(resource, accept_changes=True)
    assert not refused.success
    failure = refused.failure_data_for_node("period_adjustments")
    assert failure is not None and failure.user_failure_data is not None
    assert "set on_purpose too" in str(failure.user_failure_data.description)
    assert not refused.asset_materializations_for_node("period_adjustments")
    assert adjust(resource, accept_changes=True, on_purpose=True).success


@pytest.mark.engine
def test_an_original_not_posted_holds_the_difference_and_the_warning_check_says_how_much(
        tmp_path: Path) -> None:
    resource = closed_with_a_late_file(tmp_path, originals_posted=False)
    # Without ODOO_URL an original counts as posted once its payload is in odoo_outbox;
    # nothing was posted here, not even as a dry run.
    result = adjust(resource, ignore_threshold=True)
    assert result.success
    metadata = result.asset_materializations_for_node("period_adjustments")[0].metadata
    assert metadata["outcome"].value == "held"
    assert metadata["revisions_issued"].value == 0
    assert "original_not_posted" in str(metadata["pending_by_why"].value)
    found = checks(result)
    assert found["adjustments_balance"].passed
    held = found["adjustments_held"]
    assert not held.passed and held.severity == dg.AssetCheckSeverity.WARN
    assert held.metadata["amount_held_cents"].value == LATE_HOURS * VCPU_PRICE * 100
    assert held.metadata["invoices_held"].value == 1


@pytest.mark.engine
def test_late_usage_the_re_rate_holds_is_named_by_the_warning_check(tmp_path: Path) -> None:
    resource = closed_with_a_late_file(tmp_path, originals_posted=True)
    Landing(tmp_path / "landing", accounts=False, subscriptions=False).usage(
        "late/stranger.parquet",
        [usage_row("nexacloud", "vcpu_hours", LATE_HOURS, account_id="nexacloud-NOBODY")])
    result = adjust(resource)
    assert result.success
    metadata = result.asset_materializations_for_node("period_adjustments")[0].metadata
    assert metadata["revisions_issued"].value == 1
    assert metadata["late_rows_held"].value == 1
    held = checks(result)["adjustments_held"]
    assert not held.passed
    assert held.metadata["late_rows_held"].value == 1
    assert held.metadata["amount_held_cents"].value == 0
    assert "late/stranger.parquet" in str(held.metadata["late_usage_held"].value)


@pytest.mark.engine
def test_the_nightly_schedule_asks_for_the_closed_periods_within_the_lookback(
        tmp_path: Path) -> None:
    resource = RatingResource(warehouse=str(rated_period(tmp_path)))
    tick = dt.datetime(2026, 12, 2, 2, 30, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick,
                                   resources={"rating": resource}) as context:
        requests = nightly_adjustments(context)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        (PERIOD, f"adjust-{PERIOD}-2026-12-02")]
    assert requests[0].run_config == NIGHTLY_ADJUSTMENTS


@pytest.mark.fast
def test_the_nightly_schedule_skips_a_warehouse_not_there_yet(tmp_path: Path) -> None:
    resource = RatingResource(warehouse=str(tmp_path / "none.duckdb"))
    tick = dt.datetime(2026, 12, 2, 2, 30, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick,
                                   resources={"rating": resource}) as context:
        assert isinstance(nightly_adjustments(context), dg.SkipReason)


@pytest.mark.fast
def test_the_adjustments_are_posted_after_they_are_issued_in_both_jobs() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    issued = dg.AssetKey("period_adjustments")
    assert issued in graph.get_ancestor_asset_keys(dg.AssetKey("odoo_invoices"))
    for name in ("adjust_periods", "close_period"):
        selected = {key.to_user_string()
                    for key in defs.resolve_job_def(name).asset_layer.selected_asset_keys}
        assert {"period_adjustments", "odoo_invoices", "reconciliation_odoo",
                "analyst_copy"} <= selected, name
    assert dg.validate_run_config(defs.resolve_job_def("adjust_periods"), NIGHTLY_ADJUSTMENTS)


@pytest.mark.engine
def test_the_nightly_adjust_job_issues_then_posts_the_adjustment_alone_as_a_dry_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resource = closed_with_a_late_file(tmp_path, originals_posted=False)
    post_period(resource.warehouse, PERIOD, None)  # the close's dry run: the outbox
    for name, value in (("FUSION_LANDING", resource.landing), ("FUSION_CATALOG", str(CATALOG)),
                        ("FUSION_WAREHOUSE", resource.warehouse)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ODOO_URL", raising=False)
    with dg.instance_for_test() as instance:
        result = from_environment().resolve_job_def("adjust_periods").execute_in_process(
            partition_key=PERIOD, run_config=NIGHTLY_ADJUSTMENTS, instance=instance)
    assert result.success
    adjusted = result.asset_materializations_for_node("period_adjustments")[0].metadata
    assert (adjusted["mode"].value, adjusted["revisions_issued"].value) == ("nightly", 1)
    posted = {m.asset_key.to_user_string(): m.metadata
              for m in result.asset_materializations_for_node("odoo_posting")}
    assert posted["odoo_invoices"]["invoices"].value == 1  # the adjustment alone
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {
        "adjustments_balance": True, "adjustments_held": True, "odoo_amounts_match": True}
    with duckdb.connect(resource.warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*), count(*) FILTER (invoice_key LIKE '%/r1') "
                           "FROM odoo_outbox").fetchone() == (9, 1)


@pytest.mark.engine
def test_at_the_close_the_adjustments_find_nothing_to_do_and_the_invoices_are_posted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    resource = RatingResource(landing=str(tmp_path / "landing"), catalog=str(CATALOG),
                              warehouse=str(rated_period(tmp_path, close=False)))
    result = dg.materialize([closed_period, *ADJUSTMENTS, odoo_posting, odoo_amounts_match],
                            partition_key=PERIOD,
                            resources={"rating": resource, "odoo": OdooResource()})
    adjusted = result.asset_materializations_for_node("period_adjustments")[0].metadata
    assert (adjusted["outcome"].value, adjusted["revisions_issued"].value) == ("unchanged", 0)
    posted = {m.asset_key.to_user_string(): m.metadata
              for m in result.asset_materializations_for_node("odoo_posting")}
    assert posted["odoo_invoices"]["invoices"].value == 8


def schedule_tick(resource: RatingResource) -> list[tuple[str | None, str | None]]:
    tick = dt.datetime(2027, 1, 5, 2, 30, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick,
                                   resources={"rating": resource}) as context:
        requests = nightly_adjustments(context)
    assert isinstance(requests, list)
    assert all(r.run_config == NIGHTLY_ADJUSTMENTS for r in requests)
    return [(r.partition_key, r.run_key) for r in requests]


@pytest.mark.engine
def test_the_nightly_schedule_also_asks_to_hold_a_touched_period_beyond_the_lookback(
        tmp_path: Path) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200, start=start)
                             for start in ("2026-10-05T10:00Z", "2026-11-05T10:00Z",
                                           "2026-12-05T10:00Z")],
                  periods=("2026-10", "2026-11", "2026-12"))
    resource = RatingResource(landing=str(month.landing.root), catalog=str(CATALOG),
                              warehouse=str(month.warehouse))
    assert [key for key, _ in schedule_tick(resource)] == ["2026-12", "2026-11"]
    month.late("late-october.parquet", usage_row("nexacloud", "vcpu_hours", 40))
    month.adjust(only_period="2026-12")  # the night's first run ingests it
    assert schedule_tick(resource)[-1] == ("2026-10", "adjust-2026-10-2027-01-05")
    held = dg.materialize(ADJUSTMENTS, partition_key="2026-10",
                          resources={"rating": resource, "odoo": OdooResource()},
                          run_config={"ops": {"period_adjustments": {
                              "config": {"on_purpose": False}}}})
    metadata = held.asset_materializations_for_node("period_adjustments")[0].metadata
    assert (metadata["outcome"].value, metadata["mode"].value,
            metadata["revisions_issued"].value) == ("held", "hold_only", 0)
    assert [key for key, _ in schedule_tick(resource)] == ["2026-12", "2026-11"]


@pytest.mark.engine
def test_the_warning_check_names_an_amount_stranded_beyond_the_lookback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200),
                             usage_row("nexacloud", "vcpu_hours", 1000,
                                       start="2026-09-05T10:00Z")],
                  periods=("2026-09", "2026-10"))
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 20,
                                         start="2026-09-06T10:00Z"))
    month.adjust()  # 0.90 carried below the threshold in September
    monkeypatch.setenv("FUSION_ADJUST_LOOKBACK", "1")
    resource = RatingResource(landing=str(month.landing.root), catalog=str(CATALOG),
                              warehouse=str(month.warehouse))
    result = dg.materialize(ADJUSTMENTS, partition_key="2026-09", raise_on_error=False,
                            resources={"rating": resource, "odoo": OdooResource()})
    metadata = result.asset_materializations_for_node("period_adjustments")[0].metadata
    assert (metadata["outcome"].value, metadata["amount_stranded"].value) == (
        "untouched", "0.90")
    held = checks(result)["adjustments_held"]
    assert not held.passed
    assert held.metadata["amount_stranded_beyond_lookback"].value == "0.90"
    assert "below_threshold" in str(held.metadata["stranded_beyond_lookback"].value)
