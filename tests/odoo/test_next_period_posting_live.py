"""FUSION_ADJUST_DELIVERY=next_period against Odoo, read back through the gateway alone, so that
the same test runs on the Odoo test server and on a real Odoo 19: October posted, late usage
and a correction of it issued onto November's invoices, November closed and posted; Odoo's
untaxed total of each November invoice is what we rated, its adjustment lines included, and a
rerun creates nothing. A November invoice whose draft was written before it fell below the
credit it carries is held naming the draft; once the draft is deleted in Odoo, the nightly run
makes the credit a credit note of its own and both post.

Params `jsonrpc` and `json2` post to the test server; `live-jsonrpc` and `live-json2` (marker
odoo_live, `pytest -m odoo_live`) to the real Odoo named by ODOO_URL and ODOO_DB, as
tests/odoo/test_adjustment_posting_live.py does, under customer keys of their own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating.odoo import gateway as odoo
from rating.odoo.options import PostingOptions
from rating.odoo.posting import post_period
from rating.rate.engine import close_period
from tests.support.next_period import (
    NEXT,
    adjust,
    correct_tiles,
    landing,
    late_vcpu,
    rate_november,
    rated,
    revisions,
)
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, apply_setup, gateway_for, money, rated_period
from tests.support.usage_builder import table

pytestmark = pytest.mark.slow
D = Decimal
LIVE = pytest.mark.odoo_live
LABEL = "Adjustment for October 2026: "


@dataclass(frozen=True)
class Target:
    gateway: odoo.Gateway
    prefix: str  # this run's customer keys: prefix + 1, prefix + 2


@pytest.fixture(params=["jsonrpc", "json2", pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    where, _, transport = str(request.param).rpartition("-")
    if where != "live":
        with OdooTestServer() as server:
            yield Target(gateway_for(server, transport), "C")
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    gateway = odoo.connect(settings)
    apply_setup(gateway)  # idempotent: what an operator runs once per database
    yield Target(gateway, f"FN{uuid.uuid4().hex[:8].upper()}-")


def read_moves(gateway: odoo.Gateway, prefix: str) -> dict[str, dict[str, Any]]:
    """This run's invoices and credit notes in Odoo by key; a key found twice fails."""
    found: list[dict[str, Any]] = gateway.call(
        "account.move", "search_read",
        domain=[["x_fc_billing_key", "=like", f"{prefix}%"],
                ["move_type", "in", ["out_invoice", "out_refund"]]],
        fields=["id", "x_fc_billing_key", "move_type", "state", "amount_untaxed"], order="id")
    by_key: dict[str, dict[str, Any]] = {}
    for move in found:
        assert move["x_fc_billing_key"] not in by_key, "two moves under one key"
        by_key[move["x_fc_billing_key"]] = move
    return by_key


def adjustment_lines(gateway: odoo.Gateway, move_id: int) -> list[tuple[str, Decimal]]:
    lines = gateway.call("account.move.line", "search_read",
                         domain=[["move_id", "=", move_id], ["display_type", "=", "product"]],
                         fields=["name", "price_subtotal"], order="id")
    return [(line["name"], money(line["price_subtotal"])) for line in lines
            if line["name"].startswith(LABEL)]


def test_a_november_invoice_carrying_october_adjustments_posts_at_the_total_we_rated(
        target: Target, tmp_path: Path) -> None:
    first, second = f"{target.prefix}1", f"{target.prefix}2"
    wh = rated_period(tmp_path, count=2, prefix=target.prefix)
    assert post_period(wh, PERIOD, target.gateway).held == []
    rate_november(tmp_path, wh, tiles={first: 1_010_000, second: 1_010_000}, vcpu={first: 300})
    late_vcpu(tmp_path, first, 40, "late.parquet")         # +1.80
    correct_tiles(tmp_path, second, 200_000, "fix.parquet")  # -2.50
    adjust(tmp_path)
    raised, lowered = f"{first}/nexacloud/{NEXT}", f"{second}/nexamaps/{NEXT}"
    assert [(key, delivery, period) for key, _, _, delivery, period in revisions(wh)] == [
        (f"{first}/nexacloud/{PERIOD}/r1", "next_period", NEXT),
        (f"{second}/nexamaps/{PERIOD}/r1", "next_period", NEXT)]
    expected = {raised: rated(wh, raised) + D("1.80"), lowered: rated(wh, lowered) - D("2.50")}

    close_period(wh, NEXT)
    report = post_period(wh, NEXT, target.gateway)
    assert report.held == []
    moves = read_moves(target.gateway, target.prefix)
    assert {key: (moves[key]["move_type"], moves[key]["state"], money(
        moves[key]["amount_untaxed"])) for key in expected} == {
        key: ("out_invoice", "posted", total) for key, total in expected.items()}
    assert [amount for _, amount in adjustment_lines(target.gateway, moves[raised]["id"])] \
        == [D("1.80")]
    [(name, amount)] = adjustment_lines(target.gateway, moves[lowered]["id"])
    assert (name.startswith(f"{LABEL}Corrected usage for October 2026"), amount) == (
        True, D("-2.50"))
    assert table(wh, "reconciliation_odoo", "invoice_key, rated_untaxed, odoo_untaxed, status",
                 f"invoice_key IN ('{raised}', '{lowered}')") == [
        (key, total, total, "match") for key, total in sorted(expected.items())]
    # No adjustment of its own in Odoo, and nothing created again by a rerun.
    assert not [key for key in moves if key.endswith("/r1")]
    again = post_period(wh, NEXT, target.gateway)
    assert (again.created, again.held) == (0, [])
    assert post_period(wh, PERIOD, target.gateway).created == 0
    assert read_moves(target.gateway, target.prefix) == moves


def test_a_held_invoice_whose_draft_is_deleted_in_odoo_posts_with_its_credit_redelivered(
        target: Target, tmp_path: Path) -> None:
    first, second = f"{target.prefix}1", f"{target.prefix}2"
    wh = rated_period(tmp_path, count=2, prefix=target.prefix)
    assert post_period(wh, PERIOD, target.gateway).held == []
    # The first's large cloud invoice keeps the guard quiet when the second's maps fall.
    rate_november(tmp_path, wh, tiles={first: 1_010_000, second: 1_010_000},
                  vcpu={first: 100_000})
    correct_tiles(tmp_path, second, 200_000, "fix.parquet")  # -2.50, onto November
    adjust(tmp_path)
    assert post_period(wh, NEXT, target.gateway, PostingOptions(post=False)).held == []
    held_key = f"{second}/nexamaps/{NEXT}"
    draft = read_moves(target.gateway, target.prefix)[held_key]["id"]
    correct_tiles(tmp_path, second, 990_000, "fix-november.parquet", month=NEXT)
    landing(tmp_path).rate(wh, NEXT)
    close_period(wh, NEXT)

    held = {key: why for key, _, why in post_period(wh, NEXT, target.gateway).held}
    assert f"Odoo holds a draft of it (move {draft})" in held[held_key]
    target.gateway.call("account.move", "unlink", [draft])
    assert post_period(wh, NEXT, target.gateway).held[0][0] == held_key
    adjust(tmp_path)
    assert (f"{second}/nexamaps/{PERIOD}/r1", "separate") in [
        (key, delivery) for key, _, _, delivery, _ in revisions(wh)]
    assert post_period(wh, NEXT, target.gateway).held == []
    assert post_period(wh, PERIOD, target.gateway).held == []
    moves = read_moves(target.gateway, target.prefix)
    credit = moves[f"{second}/nexamaps/{PERIOD}/r1"]
    assert (moves[held_key]["state"], money(moves[held_key]["amount_untaxed"])) == (
        "posted", D("0.13"))
    assert (credit["move_type"], credit["state"], money(credit["amount_untaxed"])) == (
        "out_refund", "posted", D("2.50"))
