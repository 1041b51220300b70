"""A Dagster run's log says what each step of the engine did and how long it took (the same
steps the command line shows, through context.log)."""

from pathlib import Path

import dagster as dg
import pytest

from assets.ingest import landed_usage
from assets.rating import rated_period
from pipelines.resources import RatingResource
from rating.samples.usage import write_sample


@pytest.mark.engine
def test_ingestion_and_rating_log_each_step_with_its_counts(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample", rows=1200, bad_rows=False)
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(tmp_path / "wh.duckdb"))
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([landed_usage, rated_period], partition_key="2026-10",
                            resources={"rating": resource}, instance=instance)
    assert result.success
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    for step in ("listing usage files: ", "reading new files: ", "writing the ledger: ",
                 "classifying 2026-10's usage: ", "pricing: ", "guard: ", "recording the run: "):
        assert any(m.startswith(step) and m.endswith(" s)") for m in messages), step
    assert any(m.startswith("reading new files: ") and "1,200 rows" in m for m in messages)
