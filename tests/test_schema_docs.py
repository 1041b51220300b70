"""The warehouse documents itself: COMMENT ON every table, view and column, from the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import schema_docs, warehouse
from rating.finance.run import publish_analyst_copy
from rating.schema_docs import UndocumentedSchema, parse
from tests.support.usage_builder import Landing, rate_landing, usage_row

TABLE = """\
-- What the table holds,
-- on two lines.
CREATE TABLE IF NOT EXISTS things (
    thing_id   BIGINT PRIMARY KEY,  -- stable id
    parts      STRUCT(tier INTEGER,
                      amount DECIMAL(38, 18))[],  -- one per tier:
                                                  -- units and amount
    owner      VARCHAR,
    PRIMARY KEY (thing_id)
)
"""

VIEW = """\
-- Things by owner.
CREATE OR REPLACE VIEW things_by_owner AS
SELECT t.owner,                                  -- who
       CAST(round(sum(x), 2) AS DECIMAL(38, 2)) AS total,  -- summed, cents
       rank() OVER (ORDER BY sum(x) DESC) AS place
                                                 -- 1 = the most
FROM things t
GROUP BY t.owner
"""


@pytest.fixture
def con() -> Iterator[Any]:
    connection = warehouse.connect(":memory:")
    warehouse.create_schema(connection)
    yield connection
    connection.close()


@pytest.mark.fast
def test_a_table_is_documented_by_the_comment_above_it_and_its_columns_by_theirs() -> None:
    documented = parse(TABLE)
    assert documented is not None
    assert (documented.kind, documented.name) == ("TABLE", "things")
    assert documented.comment == "What the table holds, on two lines."
    assert documented.columns == (("thing_id", "stable id"),
                                  ("parts", "one per tier: units and amount"),
                                  ("owner", ""))


@pytest.mark.fast
def test_a_view_column_is_named_by_the_last_word_of_its_line() -> None:
    documented = parse(VIEW)
    assert documented is not None
    assert documented.kind == "VIEW"
    assert documented.columns == (("owner", "who"), ("total", "summed, cents"),
                                  ("place", "1 = the most"))


@pytest.mark.fast
def test_a_statement_that_creates_no_table_documents_nothing() -> None:
    assert parse("-- why\nALTER TABLE things ADD COLUMN IF NOT EXISTS x VARCHAR") is None


@pytest.mark.fast
def test_a_create_without_a_comment_above_it_is_refused_naming_the_file() -> None:
    with pytest.raises(UndocumentedSchema, match=r"sql/x/schema/01_things\.sql: no comment"):
        parse(TABLE.split("\n", 2)[2], "sql/x/schema/01_things.sql")


@pytest.mark.fast
def test_a_comment_keeps_its_quotes_through_the_sql_literal(con: Any) -> None:
    text = "the customer's key -- not 'ours'"
    con.execute(f"COMMENT ON TABLE schema_version IS {schema_docs.literal(text)}")
    found = con.execute("SELECT comment FROM duckdb_tables() "
                        "WHERE table_name = 'schema_version'").fetchone()
    assert found == (text,)


@pytest.mark.fast
def test_every_table_view_and_column_of_a_fresh_warehouse_has_a_comment(con: Any) -> None:
    held = warehouse.rows(con, "warehouse/comments")
    assert len(held) > 400
    assert [(row["table_name"], row["column_name"]) for row in held
            if not (row["comment"] or "").strip()] == []


@pytest.mark.fast
def test_every_documented_column_is_a_column_of_the_warehouse(con: Any) -> None:
    held = {(row["table_name"], row["column_name"])
            for row in warehouse.rows(con, "warehouse/comments")}
    documented = {(item.name, column) for item in schema_docs.schema_documentation()
                  for column, _ in item.columns}
    assert documented - held == set()


@pytest.mark.fast
def test_a_comment_changed_since_the_schema_ran_is_given_back(con: Any) -> None:
    con.execute("COMMENT ON TABLE schema_version IS 'changed by hand'")
    assert schema_docs.statements(con) == ["COMMENT ON TABLE schema_version IS "
                                           + schema_docs.literal(_comment("schema_version"))]
    warehouse.create_schema(con)
    assert schema_docs.statements(con) == []


@pytest.mark.fast
def test_changed_schema_files_bring_the_comments_back(con: Any) -> None:
    con.execute("COMMENT ON TABLE schema_version IS 'changed by hand'")
    warehouse.run(con, "warehouse/clear_schema_applied")
    warehouse.create_schema(con)
    assert schema_docs.statements(con) == []


def _comment(table: str) -> str:
    return next(item.comment for item in schema_docs.schema_documentation()
                if item.name == table)


@pytest.mark.engine
def test_a_rated_warehouse_and_its_analysts_copy_keep_every_comment(
        landing: Landing, wh: Path) -> None:
    landing.usage("usage/a.parquet", [usage_row()])
    rate_landing(landing.root, wh)
    copy = publish_analyst_copy(wh)

    for database in (wh, copy):
        with duckdb.connect(str(database), read_only=True) as con:
            held = warehouse.rows(con, "warehouse/comments")
        assert {"catalog_prices", "validated_accounts", "margin_by_service"} <= {
            row["table_name"] for row in held}
        assert [(row["table_name"], row["column_name"]) for row in held
                if not (row["comment"] or "").strip()] == []
