"""Metadata the Dagster UI shows: Markdown tables of rows read by name, amounts in cents.

Money is never a float here. The UI plots numeric metadata, and a float would round amounts,
so each amount is published twice: its exact text (`amount_cad`: "1,234.56") and its integer
number of cents (`amount_cad_cents`: 123456), which plots exactly.
"""

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import dagster as dg

from rating.reports import queries as reports

ROW_COUNT = "dagster/row_count"
TABLE_NAME = "dagster/table_name"
CENT = Decimal("0.01")


def table(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> dg.MetadataValue:
    """A Markdown table of `rows`; `columns` maps each column name to its header."""
    return dg.MetadataValue.md(reports.markdown_table(
        tuple(columns.values()), [[row[name] for name in columns] for row in rows]))


def mismatches_found(found: Sequence[Mapping[str, Any]],
                     columns: Mapping[str, str]) -> dg.AssetCheckResult:
    """A check that passes when nothing was found; else how many, and the first twenty."""
    return dg.AssetCheckResult(passed=not found, metadata={
        "mismatches": len(found), "first": table(found[:20], columns)})


def amount(name: str, value: Decimal) -> dict[str, dg.MetadataValue]:
    """`name` as exact text and `<name>_cents` as an integer; the amounts shown here are
    already whole cents (rounded once, per line), the rounding only keeps the integer whole."""
    cents = int((value / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return {name: dg.MetadataValue.text(f"{value:,}"),
            f"{name}_cents": dg.MetadataValue.int(cents)}
