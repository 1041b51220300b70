"""Settling an invoice that carries next_period adjustments of an earlier period: Odoo holds
their lines on it, so what we rated for it holds them too (sql/adjust/settle_rated.sql)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rating.adjust.decide import DocumentKind
from rating.adjust.settle import SettleRequest, settle_invoice
from rating.odoo.posting import post_period
from rating.rate.engine import close_period
from tests.support.adjustments import ISSUED, change_in_odoo, flag_changed, move_of
from tests.support.next_period import NEXT, adjust, landing, rate_november, revisions
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, gateway_for, money, rated_period
from tests.support.usage_builder import usage_row

pytestmark = pytest.mark.slow
D = Decimal


def test_settling_an_invoice_carrying_late_usage_counts_the_carried_lines_as_ours(
        tmp_path: Path) -> None:
    wh = rated_period(tmp_path, count=2)
    with OdooTestServer() as server:
        gateway = gateway_for(server, "json2")
        assert post_period(wh, PERIOD, gateway).held == []
        rate_november(tmp_path, wh, tiles={"C2": 1_010_000}, vcpu={})  # C2's maps: 12.50
        landing(tmp_path).usage("late-tiles.parquet", [usage_row(
            "nexamaps", "map_tiles", 400_000, account_id="nexamaps-C2")])  # +5.00
        adjust(tmp_path)
        assert ("C2/nexamaps/2026-10/r1", "supplementary_invoice", D("5.00"), "next_period",
                NEXT) in revisions(wh)
        close_period(wh, NEXT)
        assert post_period(wh, NEXT, gateway).held == []
        key = f"C2/nexamaps/{NEXT}"
        move = move_of(server, key)
        assert money(move["amount_untaxed"]) == D("17.50")
        change_in_odoo(gateway, move["id"], D("1.00"))  # a person lowers it to 16.50
        flag_changed(wh, key)

        settled = settle_invoice(SettleRequest(wh, NEXT, key, "tiles lowered by hand",
                                               issue_date=ISSUED), gateway)
    assert (settled.kind, settled.old_amount, settled.new_amount, settled.net) == (
        DocumentKind.SUPPLEMENTARY_INVOICE, D("16.50"), D("17.50"), D("1.00"))
