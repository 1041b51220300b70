"""Money at consistent scales in the warehouse (docs/warehouse.md, "Money"): what is invoiced or
booked in cents, prices, quantities and costs with 9 decimals, exact amounts with 18, never a
float. A new DECIMAL column must be put in one of these classes here."""

from __future__ import annotations

import pytest

from rating import warehouse

pytestmark = pytest.mark.fast

CENTS = "DECIMAL(38,2)"      # invoiced or booked: on an invoice, in Odoo, in the legacy billing
NINE = "DECIMAL(38,9)"       # quantities, prices, costs, FX rates, unrounded margins
EXACT = "DECIMAL(38,18)"     # an amount before rounding to cents; a fraction
BREAKDOWN = ("STRUCT(tier INTEGER, units DECIMAL(38,9), unit_price DECIMAL(38,9), "
             "flat_fee DECIMAL(38,18), amount DECIMAL(38,18))[]")
PERCENT = ("DECIMAL(18,2)", "DECIMAL(7,2)")

SCALES = {
    CENTS: {
        "rated_charges": ("amount",), "invoice_lines": ("amount",),
        "rerated_lines": ("amount",), "invoice_line_charges": ("amount",),
        "period_summaries": ("amount",),
        "rating_runs": ("amount_total", "previous_amount_total"),
        "odoo_postings": ("amount_untaxed",), "odoo_outbox": ("amount_untaxed",),
        "reconciliation_odoo": ("rated_untaxed", "odoo_untaxed", "odoo_tax", "odoo_total",
                                "difference"),
        "legacy_billing": ("amount",),
        "reconciliation_legacy": ("our_amount", "legacy_amount", "difference", "tolerance"),
        "margin_monthly": ("revenue",),
        "margin_by_service": ("revenue", "cost", "margin"),
        "margin_by_customer": ("revenue", "cost", "margin"),
        "negative_margin_customers": ("revenue", "cost", "margin"),
        "adjustment_runs": ("amount_issued", "amount_pending"),
        "period_adjustments": ("old_amount", "new_amount", "amount_net", "amount_document"),
        "period_adjustment_lines": ("old_amount", "new_amount", "amount_delta"),
        "pending_adjustments": ("old_amount", "new_amount", "amount_delta"),
        "settled_documents": ("odoo_untaxed",),
        "adjustment_balance": ("original", "issued", "pending", "rerated"),
        "adjusted_invoices": ("original", "issued_net", "pending", "rerated", "invoiced"),
        "credits_to_redeliver": ("target_total",),
        "odoo_payment_states": ("amount_residual",),
    },
    NINE: {
        "provider_costs": ("cost", "fx_rate", "cost_cad"), "cost_allocations": ("cost_cad",),
        "margin_daily": ("revenue", "cost", "margin"), "margin_monthly": ("cost", "margin"),
        "catalog_prices": ("included_units", "minimum_amount", "package_size", "package_price",
                           "free_units", "rate", "free_amount", "min_amount", "max_amount"),
        "catalog_price_tiers": ("lower_bound", "upper_bound", "unit_price", "flat_fee"),
        "usage_rollups": ("quantity",), "late_usage": ("sum_value", "max_value"),
        "usage_quarantine": ("value",), "finance_quarantine": ("amount",),
        "rated_charges": ("quantity", "included_units", "billable_units"),
        "invoice_lines": ("quantity", "billable_units"),
        "rerated_lines": ("quantity", "billable_units"),
        "invoice_line_charges": ("quantity", "billable_units"),
        "period_adjustment_lines": ("old_quantity", "new_quantity"),
        "pending_adjustments": ("old_quantity", "new_quantity"),
    },
    EXACT: {
        "rated_charges": ("amount_unrounded",), "invoice_lines": ("amount_unrounded",),
        "rerated_lines": ("amount_unrounded",),
        "invoice_line_charges": ("amount_unrounded",), "cost_allocations": ("share",),
    },
    BREAKDOWN: {"rated_charges": ("breakdown",), "invoice_line_charges": ("breakdown",)},
}


def numeric_columns() -> dict[tuple[str, str], str]:
    con = warehouse.connect(":memory:")
    warehouse.create_schema(con)
    found = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND NOT internal "
        "AND (data_type LIKE '%DECIMAL%' OR data_type LIKE '%DOUBLE%' "
        "     OR data_type LIKE '%FLOAT%' OR data_type = 'HUGEINT')").fetchall()
    con.close()
    return {(table, column): data_type for table, column, data_type in found}


def test_every_money_column_has_the_scale_of_its_class() -> None:
    expected = {(table, column): data_type for data_type, tables in SCALES.items()
                for table, columns in tables.items() for column in columns}
    found = numeric_columns()
    unclassified = {key: data_type for key, data_type in found.items()
                    if key not in expected and data_type not in PERCENT}
    assert unclassified == {}
    assert {key: found.get(key) for key in expected} == expected


def test_no_column_of_the_warehouse_is_a_float() -> None:
    assert [key for key, data_type in numeric_columns().items()
            if "DOUBLE" in data_type or "FLOAT" in data_type] == []
