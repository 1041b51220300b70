"""The Dagster definitions load and the rating asset materializes in process."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parent.parent


def test_definitions_load() -> None:
    from pipelines.definitions import defs

    assert defs.resolve_asset_graph().get_all_asset_keys()


def test_rated_period_materializes(tmp_path: Path) -> None:
    import dagster as dg

    from assets.rating import rated_period
    from rating.sample import write_sample

    sample = write_sample(tmp_path / "sample", rows=3000)
    config = {"landing": str(sample.landing), "catalog": str(sample.catalog),
              "warehouse": str(tmp_path / "wh.duckdb")}
    result = dg.materialize([rated_period], partition_key="2026-10",
                            run_config={"ops": {"rated_period": {"config": config}}})
    assert result.success
    metadata = result.asset_materializations_for_node("rated_period")[0].metadata
    read = metadata["rows_read"].value
    assert read == (metadata["rows_accepted"].value + metadata["rows_superseded"].value
                    + metadata["rows_quarantined"].value)
    assert metadata["invoice_lines"].value > 0
