"""The UI's metadata: amounts as exact text and integer cents, tables read by column name."""

from decimal import Decimal

import dagster as dg
import pytest

from pipelines.metadata import amount, table

pytestmark = pytest.mark.fast


def test_an_amount_is_published_as_exact_text_and_integer_cents() -> None:
    published = amount("amount_cad", Decimal("1234567.89"))
    assert published["amount_cad"] == dg.MetadataValue.text("1,234,567.89")
    cents = published["amount_cad_cents"]
    assert isinstance(cents, dg.IntMetadataValue) and cents.value == 123456789


def test_a_negative_amount_keeps_its_sign_in_cents() -> None:
    assert amount("difference", Decimal("-0.05"))["difference_cents"].value == -5


def test_a_table_takes_its_columns_by_name_in_the_order_given() -> None:
    rows = [{"lines": 3, "charge_id": "tiles"}, {"lines": 1, "charge_id": "maps"}]
    shown = table(rows, {"charge_id": "charge", "lines": "lines"})
    assert shown.value.splitlines() == ["| charge | lines |", "|---|---|",  # type: ignore[attr-defined]
                                        "| tiles | 3 |", "| maps | 1 |"]
