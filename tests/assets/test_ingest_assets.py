"""The ingestion asset and the ingest_usage job in Dagster."""

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.ingest import landed_usage
from pipelines.definitions import from_environment
from pipelines.resources import RatingResource
from tests.ingest.test_s3 import CATALOG, closed_port, point_at
from tests.support.usage_builder import Landing, usage_row


@pytest.mark.engine
def test_an_unreachable_s3_landing_zone_fails_the_ingestion_with_the_engines_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = f"127.0.0.1:{closed_port()}"
    point_at(monkeypatch, endpoint)
    rating = RatingResource(landing="s3://bucket/landing", catalog=str(CATALOG),
                            warehouse=str(tmp_path / "wh" / "wh.duckdb"))

    result = dg.materialize([landed_usage], resources={"rating": rating},
                            raise_on_error=False)

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error = failure.step_failure_data.error
    assert "s3://bucket/landing" in error.message and f"http://{endpoint}" in error.message
    assert "connection refused" in error.message
    assert error.cause is None  # no DuckDB traceback chained under it
    assert not (tmp_path / "wh").exists()


@pytest.mark.engine
def test_the_ingest_usage_job_alone_leaves_the_analysts_copy_fresh(
        landing: Landing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing.usage("a.parquet", [usage_row(value=5), usage_row(counter_id="c-2", value=7)])
    wh = tmp_path / "wh.duckdb"
    for name, value in (("FUSION_LANDING", landing.root), ("FUSION_CATALOG", CATALOG),
                        ("FUSION_WAREHOUSE", wh)):
        monkeypatch.setenv(name, str(value))
    defs = from_environment()

    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("ingest_usage").execute_in_process(instance=instance)

    assert result.success
    copy = Path(result.asset_materializations_for_node("analyst_copy")[0]
                .metadata["path"].value)
    assert copy == tmp_path / "wh-analysts.duckdb"
    reader = duckdb.connect(str(copy), read_only=True)
    try:
        assert reader.execute("SELECT file_path, rows_in_file FROM landed_files").fetchall() == [
            ("usage/a.parquet", 2)]
    finally:
        reader.close()


@pytest.mark.fast
def test_every_job_ends_with_the_analysts_copy() -> None:
    """Each job writes the warehouse, so each publishes the copy, after all it writes."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    copy = dg.AssetKey("analyst_copy")
    upstream = graph.get_ancestor_asset_keys(copy)
    for name in ("ingest_usage", "rate_period", "close_period", "adjust_periods"):
        selected = set(defs.resolve_job_def(name).asset_layer.selected_asset_keys)
        assert copy in selected, name
        assert selected - {copy} <= upstream, (name, selected - {copy} - upstream)
