"""The DuckDB adapter: statements by path, rows by column name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rating import warehouse

pytestmark = pytest.mark.fast


@pytest.fixture
def con() -> Iterator[Any]:
    connection = warehouse.connect(":memory:")
    warehouse.create_schema(connection)
    yield connection
    connection.close()


def test_rows_are_read_by_column_name(con: Any) -> None:
    found = warehouse.rows(con, "warehouse/schema_version")
    assert found == [{"version": warehouse.SCHEMA_VERSION}]
    assert warehouse.first_row(con, "warehouse/schema_version") == found[0]


def test_a_single_value_is_refused_when_the_statement_answers_more(con: Any) -> None:
    assert warehouse.value(con, "warehouse/schema_version") == warehouse.SCHEMA_VERSION
    with pytest.raises(ValueError, match=r"existing_tables\.sql answers \d+ rows, not one"):
        warehouse.value(con, "warehouse/existing_tables")


def test_a_statement_without_rows_has_no_first_row(con: Any) -> None:
    params = {"billing_period": "2026-10"}
    assert warehouse.first_row(con, "odoo/postings_for_period", params) is None
    assert warehouse.rows(con, "odoo/postings_for_period", params) == []
