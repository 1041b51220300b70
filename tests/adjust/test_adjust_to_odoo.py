"""Issue 13 across its seams: a period rated, posted to the Odoo test server and closed; a late
file raising one invoice and a correction lowering another; `adjust_periods` issues a
supplementary invoice and a credit note, and `post_period` posts them linked to the invoices
they revise (both transports). Then the dry run: without Odoo, posting writes the adjustments'
payloads to odoo_outbox and the adjust run counts the outbox as posted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import cli, warehouse
from rating.adjust.run import unbalanced_lines
from rating.adjust.service import AdjustPeriodsRequest, AdjustPeriodsResult, adjust_periods
from rating.odoo.posting import PostingOptions, post_period
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import CATALOG, PERIOD, gateway_for, money, rated_period
from tests.support.usage_builder import Landing, table, usage_row

pytestmark = pytest.mark.slow
TRANSPORTS = ("jsonrpc", "json2")
D = Decimal

RAISED = "C1/nexacloud/2026-10"
LOWERED = "C2/nexamaps/2026-10"
SUPPLEMENTARY = f"{RAISED}/r1"
CREDIT_NOTE = f"{LOWERED}/r1"


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def land_late_usage(root: Path) -> None:
    """40 more vCPU hours for C1 (a new file) and C2's map tiles corrected down by 200,000
    (the same counter pushed again 20 days later): -2.50 at 0.0000125 a tile."""
    landing = Landing(root / "landing", accounts=False, subscriptions=False)
    original = duckdb.sql(
        f"SELECT counter_id, value, pushed_at FROM read_parquet('{landing.root}/usage/*.parquet')"
        " WHERE account_id = 'nexamaps-C2' AND metric = 'map_tiles'").fetchone()
    assert original is not None
    counter_id, value, pushed_at = original
    landing.usage("late.parquet", [usage_row("nexacloud", "vcpu_hours", 40,
                                             account_id="nexacloud-C1")])
    landing.usage("correction.parquet", [usage_row(
        "nexamaps", "map_tiles", Decimal(value) - 200_000, account_id="nexamaps-C2",
        counter_id=counter_id, pushed_at=pushed_at + dt.timedelta(days=20))])


def adjust(root: Path, outbox_counts_as_posted: bool | None) -> AdjustPeriodsResult:
    """The nightly run, as `fusion-rating adjust` does it."""
    return adjust_periods(AdjustPeriodsRequest(
        landing=str(root / "landing"), catalog=CATALOG, warehouse=root / "warehouse.duckdb",
        outbox_counts_as_posted=outbox_counts_as_posted))


def issued(wh: Path) -> list[tuple[Any, ...]]:
    return table(wh, "period_adjustments", "adjustment_key, document_kind, amount_net, "
                                           "amount_document")


def balance_breaks(wh: Path) -> list[Any]:
    with warehouse.writer(wh) as con:
        return unbalanced_lines(con)


def by_key(server: OdooTestServer) -> dict[str, dict[str, Any]]:
    return {move["x_fc_billing_key"]: move for move in server.records("account.move")}


def creates(server: OdooTestServer) -> int:
    return sum(1 for c in server.calls
               if c.model == "account.move" and c.method == "create" and c.ok)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_late_usage_of_a_posted_period_reaches_odoo_as_linked_adjustments_once(
        server: OdooTestServer, tmp_path: Path, transport: str) -> None:
    wh = rated_period(tmp_path, count=2)
    gateway = gateway_for(server, transport)
    assert post_period(wh, PERIOD, gateway).held == []
    land_late_usage(tmp_path)

    [period] = adjust(tmp_path, outbox_counts_as_posted=False).periods
    assert period.outcome == "issued"
    assert issued(wh) == [(SUPPLEMENTARY, "supplementary_invoice", D("1.80"), D("1.80")),
                          (CREDIT_NOTE, "credit_note", D("-2.50"), D("2.50"))]
    report = post_period(wh, PERIOD, gateway)
    assert (report.held, report.created) == ([], 2)

    moves = by_key(server)
    documents = {key: document for key, _, _, document in issued(wh)}
    assert (moves[SUPPLEMENTARY]["move_type"], moves[SUPPLEMENTARY]["state"]) == (
        "out_invoice", "posted")
    assert (moves[CREDIT_NOTE]["move_type"], moves[CREDIT_NOTE]["state"]) == (
        "out_refund", "posted")
    assert moves[CREDIT_NOTE]["reversed_entry_id"] == moves[LOWERED]["id"]
    assert {key: money(moves[key]["amount_untaxed"]) for key in documents} == documents
    assert table(wh, "reconciliation_odoo", "invoice_key, status",
                 "document_kind IS NOT NULL") == [(SUPPLEMENTARY, "match"),
                                                  (CREDIT_NOTE, "match")]
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]
    assert balance_breaks(wh) == []

    calls, before = creates(server), by_key(server)
    [again] = adjust(tmp_path, outbox_counts_as_posted=False).periods
    assert (again.outcome, again.documents) == ("unchanged", ())
    assert post_period(wh, PERIOD, gateway).created == 0
    assert (creates(server), by_key(server)) == (calls, before)
    assert len(issued(wh)) == 2


def test_without_odoo_the_adjustments_go_to_the_outbox_which_counts_as_posted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    wh = rated_period(tmp_path, count=2)
    post_period(wh, PERIOD, None)
    land_late_usage(tmp_path)

    # None: as the command line runs it, the outbox counts as posted because ODOO_URL is unset.
    [period] = adjust(tmp_path, outbox_counts_as_posted=None).periods
    assert period.outcome == "issued"
    report = post_period(wh, PERIOD, None)
    assert report.dry_run
    outbox = table(wh, "odoo_outbox", "invoice_key, amount_untaxed, payload->>'move_type', "
                                      "problem", "invoice_key LIKE '%/r%'")
    assert outbox == [(SUPPLEMENTARY, D("1.80"), "out_invoice", None),
                      (CREDIT_NOTE, D("2.50"), "out_refund", None)]
    assert balance_breaks(wh) == []

    # A second late file the next night: revision 2 follows revision 1, in the outbox.
    Landing(tmp_path / "landing", accounts=False, subscriptions=False).usage(
        "later.parquet", [usage_row("nexacloud", "vcpu_hours", 40, account_id="nexacloud-C1")])
    [later] = adjust(tmp_path, outbox_counts_as_posted=None).periods
    assert [d.revision.adjustment_key for d in later.documents] == [f"{RAISED}/r2"]
    post_period(wh, PERIOD, None)
    assert table(wh, "odoo_outbox", "invoice_key", "invoice_key LIKE '%/r%'") == [
        (SUPPLEMENTARY,), (f"{RAISED}/r2",), (CREDIT_NOTE,)]


def test_posting_the_adjustments_alone_keeps_the_invoices_reconciled(
        server: OdooTestServer, tmp_path: Path) -> None:
    wh = rated_period(tmp_path, count=2)
    gateway = gateway_for(server, "json2")
    post_period(wh, PERIOD, gateway)
    land_late_usage(tmp_path)
    adjust(tmp_path, outbox_counts_as_posted=False)
    report = post_period(wh, PERIOD, gateway, PostingOptions(adjustments_only=True))
    assert (report.invoices, report.created, report.held) == (2, 2, [])
    assert table(wh, "reconciliation_odoo", "status, count(*)", "TRUE GROUP BY ALL") == [
        ("match", 6)]


def test_posting_the_adjustments_alone_as_a_dry_run_keeps_the_invoices_in_the_outbox(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    wh = rated_period(tmp_path, count=2)
    post_period(wh, PERIOD, None)
    land_late_usage(tmp_path)
    adjust(tmp_path, outbox_counts_as_posted=True)
    assert cli.main(["post", "--warehouse", str(wh), "--period", PERIOD, "--catalog",
                     str(CATALOG), "--adjustments-only"]) == 0
    assert f"{PERIOD}: 2 invoices (dry_run 2)" in capsys.readouterr().out
    assert len(table(wh, "odoo_outbox", "invoice_key")) == 6
    assert table(wh, "reconciliation_odoo", "status, count(*)", "TRUE GROUP BY ALL") == [
        ("dry_run", 6)]
