"""The example queries of docs/warehouse.md answer after a Dagster run as after a CLI run:
the Dagster rating assets record their run in rating_runs too."""

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import assets
from assets.ingest import landed_usage
from assets.rating import period_summary, rated_period
from pipelines.resources import RatingResource
from rating.samples.usage import write_sample

DOCS = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"


def examples() -> list[str]:
    """Every statement of the docs' ```sql blocks, comments included."""
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    return [statement.strip() for block in blocks for statement in block.split(";\n")
            if statement.strip()]


@pytest.mark.engine
def test_the_docs_examples_answer_after_a_dagster_run(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample", rows=1000)
    warehouse = tmp_path / "wh.duckdb"
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(warehouse))
    dg.materialize([landed_usage, rated_period, period_summary,
                    *dg.load_asset_checks_from_package_module(assets)],
                   partition_key="2026-10", resources={"rating": resource},
                   raise_on_error=False)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        answers = {example: con.execute(example).fetchall() for example in examples()}
    runs = [rows for example, rows in answers.items() if "FROM rating_runs" in example]
    assert len(runs) == 1 and len(runs[0]) == 1
    period, outcome, landed, accounted, accepted, accepted_again = runs[0][0]
    assert (period, outcome) == ("2026-10", "rated")
    assert landed == accounted > 0 and accepted == accepted_again > 0
    assert all(rows for example, rows in answers.items() if "FROM invoice_lines" in example)
