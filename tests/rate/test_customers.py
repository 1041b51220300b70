"""The customers view: one row per customer key, so that naming customers beside amounts
never multiplies them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating.samples.usage import write_sample
from tests.support.usage_builder import rate_landing, rows, scalar

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample month (customers with accounts in several services), rated."""
    root = tmp_path_factory.mktemp("customers")
    sample = write_sample(root / "sample", rows=1000)
    rate_landing(sample.landing, root / "wh.duckdb", catalog=sample.catalog)
    return root / "wh.duckdb"


def test_joining_invoice_lines_to_customers_keeps_the_revenue(rated: Path) -> None:
    revenue = scalar(rated, "SELECT sum(amount) FROM invoice_lines")
    named = rows(rated, "SELECT c.name, sum(l.amount) FROM invoice_lines l "
                        "JOIN customers c USING (customer_key) GROUP BY ALL")
    by_account = scalar(rated, "SELECT sum(l.amount) FROM invoice_lines l "
                               "JOIN validated_accounts a USING (customer_key)")
    assert revenue > 0
    assert sum(amount for _, amount in named) == revenue
    assert by_account > revenue  # the plain join to the account links counts it per account


def test_there_is_one_customer_per_key_with_its_services_and_accounts(rated: Path) -> None:
    assert scalar(rated, "SELECT count(*) FROM customers") == scalar(
        rated, "SELECT count(DISTINCT customer_key) FROM validated_accounts")
    several = rows(rated, "SELECT services, accounts FROM customers WHERE accounts > 1")
    assert several and all(len(services) >= 1 for services, _ in several)
    assert scalar(rated, "SELECT sum(accounts) FROM customers") == scalar(
        rated, "SELECT count(*) FROM validated_accounts")
    assert scalar(rated, "SELECT count(*) FROM customers WHERE name IS NULL") == 0
