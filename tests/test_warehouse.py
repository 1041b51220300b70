"""The DuckDB adapter: statements by path, rows by column name, the schema applied once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rating import schema_docs, warehouse
from rating.cli import main


@pytest.fixture
def con() -> Iterator[Any]:
    connection = warehouse.connect(":memory:")
    warehouse.create_schema(connection)
    yield connection
    connection.close()


@pytest.mark.fast
def test_rows_are_read_by_column_name(con: Any) -> None:
    found = warehouse.rows(con, "warehouse/schema_version")
    assert found == [{"version": warehouse.SCHEMA_VERSION}]
    assert warehouse.first_row(con, "warehouse/schema_version") == found[0]


@pytest.mark.fast
def test_a_single_value_is_refused_when_the_statement_answers_more(con: Any) -> None:
    assert warehouse.value(con, "warehouse/schema_version") == warehouse.SCHEMA_VERSION
    with pytest.raises(ValueError, match=r"existing_tables\.sql answers \d+ rows, not one"):
        warehouse.value(con, "warehouse/existing_tables")


@pytest.mark.fast
def test_a_statement_without_rows_has_no_first_row(con: Any) -> None:
    params = {"billing_period": "2026-10"}
    assert warehouse.first_row(con, "odoo/postings_for_period", params) is None
    assert warehouse.rows(con, "odoo/postings_for_period", params) == []


def _columns_of(con: Any, view: str) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [view]).fetchall()]


@pytest.mark.fast
def test_a_view_an_older_version_replaced_after_the_schema_ran_is_put_back(con: Any) -> None:
    # What an older fusion-rating's run does: its own view, without billing_month or comments,
    # and the schema fingerprint of this version left in place.
    con.execute("CREATE OR REPLACE VIEW margin_by_service AS SELECT billing_period, service, "
                "sum(revenue) AS revenue FROM margin_monthly GROUP BY ALL")
    warehouse.create_schema(con)
    assert "billing_month" in _columns_of(con, "margin_by_service")
    assert schema_docs.statements(con) == []


@pytest.mark.fast
def test_a_view_an_older_version_dropped_is_created_again(con: Any) -> None:
    con.execute("DROP VIEW customers")
    warehouse.create_schema(con)
    assert "customer_key" in _columns_of(con, "customers")


@pytest.mark.fast
def test_comments_an_older_version_dropped_are_given_again(con: Any) -> None:
    con.execute("COMMENT ON TABLE schema_version IS NULL")
    con.execute("COMMENT ON COLUMN invoice_lines.amount IS NULL")
    warehouse.create_schema(con)
    assert schema_docs.statements(con) == []


@pytest.mark.fast
def test_a_warehouse_left_as_the_schema_made_it_skips_the_schema_files(
        con: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: Any) -> int:
        raise AssertionError("the schema files ran again")

    monkeypatch.setattr(schema_docs, "document", refuse)
    warehouse.create_schema(con)


@pytest.mark.fast
def test_a_warehouse_that_recorded_no_catalog_digest_records_it_on_its_next_run(
        con: Any) -> None:
    con.execute("ALTER TABLE schema_applied DROP COLUMN catalog_digest")
    con.execute("UPDATE schema_applied SET fingerprint = 'of the schema files before'")
    warehouse.create_schema(con)
    assert warehouse.value(con, "warehouse/schema_catalog_digest") \
        == warehouse.catalog_digest(con)


def _written_by_a_newer_version(path: Path) -> Path:
    con = warehouse.connect(path)
    try:
        warehouse.create_schema(con)
        con.execute("UPDATE schema_revision SET revision = revision + 1")
        con.execute("CREATE OR REPLACE VIEW margin_by_service AS SELECT 'newer' AS layout")
    finally:
        con.close()
    return path


@pytest.mark.fast
def test_the_newest_writers_schema_revision_is_recorded(con: Any) -> None:
    assert warehouse.value(con, "warehouse/schema_revision") == warehouse.SCHEMA_REVISION


@pytest.mark.fast
def test_a_warehouse_a_newer_version_wrote_is_refused_naming_it_and_left_as_it_is(
        tmp_path: Path) -> None:
    wh = _written_by_a_newer_version(tmp_path / "w.duckdb")
    con = warehouse.connect(wh)
    try:
        with pytest.raises(warehouse.WarehouseFromNewerVersion) as refused:
            warehouse.create_schema(con)
        assert con.execute("SELECT * FROM margin_by_service").fetchall() == [("newer",)]
    finally:
        con.close()
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{wh} was written by a newer fusion-rating (schema revision "
                              f"{warehouse.SCHEMA_REVISION + 1}; this one writes "
                              f"{warehouse.SCHEMA_REVISION})")
    assert "rate into a new warehouse file with this one" in message


@pytest.mark.engine
def test_a_command_on_a_warehouse_a_newer_version_wrote_says_so_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wh = _written_by_a_newer_version(tmp_path / "w.duckdb")
    assert main(["close", "--warehouse", str(wh), "--period", "2026-10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fusion-rating: {wh} was written by a newer fusion-rating")
    assert err.count("\n") == 1 and "Traceback" not in err
