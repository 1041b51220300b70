"""The ingestion asset and the ingest_usage job in Dagster."""

from pathlib import Path

import dagster as dg
import pytest

from assets.ingest import landed_usage
from pipelines.resources import RatingResource
from tests.ingest.test_s3 import CATALOG, closed_port, point_at


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
