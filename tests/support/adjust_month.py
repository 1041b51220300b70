"""A closed, posted month for the adjust run's tests: 2026-10 (or several months) rated from a
base file with the bundled catalog, closed, every invoice posted in the ledger's odoo_postings;
late files land in the same landing folder and `Month.adjust` runs rating.adjust.service on it,
as the command line does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from rating.adjust.service import AdjustPeriodsRequest, AdjustPeriodsResult, adjust_periods
from rating.rate.engine import close_period
from rating.warehouse import WarehouseSettings
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    rate_landing,
)

PERIOD = "2026-10"


class Month:
    """Closed periods (2026-10 by default) rated from `base`, closed, and their invoices posted;
    late files land in the same landing folder and `adjust` runs the service on it."""

    def __init__(self, root: Path, base: list[dict[str, Any]], *,
                 subscriptions: tuple[tuple[str, ...], ...] = DEFAULT_SUBSCRIPTIONS,
                 accounts: tuple[tuple[str, ...], ...] = DEFAULT_ACCOUNTS,
                 periods: tuple[str, ...] = (PERIOD,)) -> None:
        self.landing = Landing(root / "landing", subscriptions=False)
        self.landing.accounts(accounts)
        self.landing.subscriptions(subscriptions)
        self.landing.usage("base.parquet", base)
        self.warehouse = root / "warehouse.duckdb"
        for period in periods:
            rate_landing(self.landing.root, self.warehouse, period)
            assert close_period(self.warehouse, period)
        self.post()

    def late(self, name: str, *usage: dict[str, Any]) -> str:
        return self.landing.usage(name, list(usage))

    def adjust(self, period: str | None = None, *, threads: int = 2, catalog: Path = CATALOG,
               **options: Any) -> AdjustPeriodsResult:
        return adjust_periods(AdjustPeriodsRequest(
            landing=str(self.landing.root), catalog=catalog, warehouse=self.warehouse,
            period=period, warehouse_settings=WarehouseSettings(threads=threads),
            outbox_counts_as_posted=False, **options))

    def post(self) -> None:
        """Odoo holds every invoice and revision issued so far posted (the ledger's state)."""
        with duckdb.connect(str(self.warehouse)) as con:
            con.execute(
                "INSERT INTO odoo_postings (invoice_key, billing_period, customer_key, "
                "service, content_hash, amount_untaxed, odoo_move_id, odoo_number, state, "
                "attempts, first_attempt_at, updated_at, posted_at) "
                "SELECT invoice_key, billing_period, customer_key, service, 'hash', 0, 1, "
                "'INV/1', 'posted', 1, TIMESTAMP '2026-11-01', TIMESTAMP '2026-11-01', "
                "TIMESTAMP '2026-11-01' FROM (SELECT DISTINCT invoice_key, billing_period, "
                "customer_key, service FROM invoice_lines UNION SELECT adjustment_key, "
                "billing_period, customer_key, service FROM period_adjustments) "
                "WHERE invoice_key NOT IN (SELECT invoice_key FROM odoo_postings)")

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return [tuple(row) for row in con.execute(sql, list(params)).fetchall()]

    def invoiced(self, key: str, charge: str) -> Any:
        found = self.rows("SELECT amount FROM invoice_lines WHERE invoice_key = ? AND "
                          "charge_id = ? AND line_kind = 'usage'", key, charge)
        return found[0][0]
