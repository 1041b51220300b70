"""billing_month: the billing period as a DATE (its first day), in the analysts' tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rating import warehouse
from rating.rate.engine import summarise_period
from rating.samples.usage import write_sample
from tests.support.usage_builder import rate_landing, rows

TABLES = ("rated_charges", "invoice_lines", "period_summaries", "margin_monthly",
          "reconciliation_legacy", "reconciliation_odoo")
VIEWS = ("invoice_line_charges", "margin_by_service", "margin_by_customer",
         "negative_margin_customers")
COPIES = ("rerated_lines",)  # invoice_lines' columns, created after billing_month existed


@pytest.mark.engine
def test_a_rated_period_has_its_first_day_as_billing_month(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample", rows=1000)
    wh = tmp_path / "wh.duckdb"
    rate_landing(sample.landing, wh, catalog=sample.catalog)
    summarise_period(wh, "2026-10")

    for table in ("rated_charges", "invoice_lines", "period_summaries",
                  "invoice_line_charges"):
        assert rows(wh, f"SELECT DISTINCT billing_month FROM {table}") == [
            (dt.date(2026, 10, 1),)], table


@pytest.mark.fast
def test_every_analyst_table_and_view_has_billing_month_as_a_date() -> None:
    con = warehouse.connect(":memory:")
    warehouse.create_schema(con)
    found = dict(con.execute(
        "SELECT table_name, data_type FROM duckdb_columns() "
        "WHERE column_name = 'billing_month'").fetchall())
    assert found == {name: "DATE" for name in TABLES + VIEWS + COPIES}


@pytest.mark.fast
def test_a_warehouse_from_before_billing_month_gets_it_filled_in() -> None:
    con = warehouse.connect(":memory:")
    warehouse.create_schema(con)
    for table in TABLES:
        con.execute(f"ALTER TABLE {table} DROP COLUMN billing_month")
    con.execute("INSERT INTO period_summaries VALUES ('2026-09', 'apps', 1, 1, 1, 2.50, 'CAD')")
    warehouse.run(con, "warehouse/clear_schema_applied")  # the schema files changed since

    warehouse.create_schema(con)
    assert con.execute("SELECT billing_month FROM period_summaries").fetchall() == [
        (dt.date(2026, 9, 1),)]
