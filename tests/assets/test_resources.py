"""A half-set Odoo environment stops the posting when it starts, never the code location."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._utils.error import SerializableErrorInfo

from assets.odoo import odoo_posting
from pipelines.definitions import from_environment
from pipelines.resources import RatingResource, odoo_resource_from_environment
from rating.samples.usage import write_sample

SECRET = "pw-that-must-never-show"


@pytest.fixture
def half_set_odoo(monkeypatch: pytest.MonkeyPatch) -> None:
    """ODOO_URL and a password, but no ODOO_DB and no ODOO_USER (this stopped the whole code
    location from loading, rating included)."""
    for name in ("ODOO_DB", "ODOO_USER", "ODOO_API_KEY", "ODOO_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ODOO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ODOO_PASSWORD", SECRET)


def messages(error: SerializableErrorInfo | None) -> Iterator[str]:
    while error is not None:
        yield error.message
        error = error.cause


@pytest.mark.slow
@pytest.mark.usefixtures("half_set_odoo")
def test_a_half_set_odoo_environment_loads_and_the_rating_job_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = write_sample(tmp_path / "sample", rows=3000)
    (sample.landing / "usage" / "corrupt" / "garbage.parquet").unlink()
    monkeypatch.setenv("FUSION_LANDING", str(sample.landing))
    monkeypatch.setenv("FUSION_CATALOG", str(sample.catalog))
    monkeypatch.setenv("FUSION_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    defs = from_environment()
    assert {job.name for job in defs.resolve_all_job_defs()} >= {
        "ingest_usage", "rate_period", "close_period"}
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("rate_period").execute_in_process(
            partition_key="2026-10", instance=instance)
        assert result.success
        assert result.asset_materializations_for_node("rated_period")


@pytest.mark.fast
@pytest.mark.usefixtures("half_set_odoo")
def test_a_posting_run_with_a_half_set_odoo_environment_fails_naming_what_to_set(
        tmp_path: Path) -> None:
    odoo = odoo_resource_from_environment()
    rating = RatingResource(warehouse=str(tmp_path / "wh.duckdb"))
    with dg.instance_for_test() as instance:
        result = dg.materialize([odoo_posting], partition_key="2026-10", instance=instance,
                                resources={"rating": rating, "odoo": odoo},
                                raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        said = " ".join(messages(failure.event_specific_data.error))
        assert "ODOO_DB" in said and "ODOO_USER" in said
        assert "unset ODOO_URL for a dry run" in said
        assert not result.asset_materializations_for_node("odoo_posting")
        logged = [str(record) for record in instance.all_logs(result.run_id)]
        assert logged and not [line for line in logged if SECRET in line]


@pytest.mark.fast
@pytest.mark.parametrize(("name", "value", "said"), [
    ("ODOO_TIMEOUT", "abc", "ODOO_TIMEOUT is 'abc', not a number"),
    ("FUSION_ODOO_BATCH_SIZE", "ten", "FUSION_ODOO_BATCH_SIZE is 'ten', not an integer")])
def test_a_variable_that_is_not_a_number_loads_and_stops_the_posting_run_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
        said: str) -> None:
    monkeypatch.setenv("ODOO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ODOO_DB", "nexa")
    monkeypatch.setenv("ODOO_API_KEY", SECRET)
    monkeypatch.setenv(name, value)
    defs = from_environment()
    assert defs.resolve_job_def("rate_period") is not None
    rating = RatingResource(warehouse=str(tmp_path / "wh.duckdb"))
    with dg.instance_for_test() as instance:
        result = dg.materialize([odoo_posting], partition_key="2026-10", instance=instance,
                                resources={"rating": rating,
                                           "odoo": odoo_resource_from_environment()},
                                raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        assert said in " ".join(messages(failure.event_specific_data.error))
