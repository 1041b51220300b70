"""Killed at any point, run again: exactly one posted invoice per key in Odoo.

The posting runs as its own process (`python -m rating.cli post`) and is killed with SIGKILL:
- at every Odoo call of a clean run, by the test server, after the call is applied and before
  its answer is sent (the worst moment: Odoo has done it, the poster cannot know);
- at seeded random points in the middle of the posting, with both transports: every Odoo call
  is slowed (SLOW) so a run lasts over a second, a clean run gives the number of calls, and the
  test kills the process a random moment (up to 1.5 calls' wait) after it sees the seeded
  random k-th call arrive (1 <= k <= total - 2), so the kill lands while the poster waits for an
  answer or after it got one (between calls, where it writes DuckDB). Each attempt proves it hit
  a running posting: the process died of SIGKILL, and it had made at least 1 and at most
  total - 1 of the clean run's calls.
Then a second run finishes the job, and Odoo and the ledger are checked.

Adjustments (issue 13) are killed the same way, at every Odoo call and at seeded random points:
the period's invoices are posted first (in the test), then adjustments are issued and a killed
run posts them; after the second run each adjustment key holds exactly one document, of its
type, linked to its invoice.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rating.odoo.posting import PostingOptions, post_period
from tests.support.adjustments import issue
from tests.support.odoo_server import Fault, OdooTestServer
from tests.support.posting import (
    PERIOD,
    environment_for,
    gateway_for,
    money,
    rated_period,
    rated_totals,
    set_up,
)
from tests.support.usage_builder import table

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BATCH = 3  # 8 invoices in 3 batches: kills land between batches too
TRANSPORTS = ("jsonrpc", "json2")
SLOW = 0.03  # seconds each Odoo call waits before its answer: a run of ~35 calls lasts ~1.5 s
KILLS = 8  # random kills per transport


@pytest.fixture(scope="module")
def closed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rated_period(tmp_path_factory.mktemp("crash"))


def poster(wh: Path, server: OdooTestServer, transport: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rating.cli", "post", "--warehouse", str(wh), "--period", PERIOD,
         "--batch-size", str(BATCH)],
        cwd=ROOT, env=environment_for(server, transport), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)


def finish_and_check(wh: Path, server: OdooTestServer, transport: str) -> None:
    """A second run completes; Odoo holds each key once, posted, with our amount."""
    report = post_period(wh, PERIOD, gateway_for(server, transport),
                         PostingOptions(batch_size=BATCH))
    assert report.held == []
    rated = rated_totals(wh)
    found = [m for m in server.records("account.move")]
    assert sorted(m["x_fc_billing_key"] for m in found) == sorted(rated)  # once each, nothing else
    assert all(m["state"] == "posted" for m in found)
    assert {m["x_fc_billing_key"]: money(m["amount_untaxed"]) for m in found} == rated
    assert len({p["ref"] for p in server.records("res.partner") if p.get("ref")}) == len(
        [p for p in server.records("res.partner") if p.get("ref")])
    assert table(wh, "odoo_postings", "DISTINCT state") == [("posted",)]
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


def calls_of_a_clean_run(wh: Path, transport: str) -> int:
    with OdooTestServer() as server:
        process = poster(wh, server, transport)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        return len(server.calls)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_killed_at_every_odoo_call_then_rerun(closed_warehouse: Path, tmp_path: Path,
                                             transport: str) -> None:
    total = calls_of_a_clean_run(_copy(closed_warehouse, tmp_path / "clean.duckdb"), transport)
    assert total > 10
    for index in range(total):
        wh = _copy(closed_warehouse, tmp_path / f"kill-{index}.duckdb")
        with OdooTestServer() as server:
            set_up(server)  # before the fault, which counts the posting's calls only
            running: list[subprocess.Popen[bytes]] = []

            def kill(_: Any, running: list[subprocess.Popen[bytes]] = running) -> None:
                running[0].send_signal(signal.SIGKILL)
                running[0].wait()

            server.inject(Fault("callback", skip=index, times=1, callback=kill))
            running.append(poster(wh, server, transport))
            assert running[0].wait(timeout=120) == -signal.SIGKILL, f"call {index}"
            finish_and_check(wh, server, transport)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_killed_at_random_points_mid_posting_then_rerun(closed_warehouse: Path, tmp_path: Path,
                                                        transport: str) -> None:
    total, took = slow_clean_run(_copy(closed_warehouse, tmp_path / "clean.duckdb"), transport)
    assert total > 10 and took > total * SLOW
    chance = random.Random(f"20261124-{transport}")
    made: list[int] = []
    for attempt in range(KILLS):
        k, delay = chance.randint(1, total - 2), chance.uniform(0, 1.5 * SLOW)
        wh = _copy(closed_warehouse, tmp_path / f"random-{attempt}.duckdb")
        with OdooTestServer() as server:
            set_up(server)
            server.inject(Fault("slow", times=10**9, seconds=SLOW))
            process = poster(wh, server, transport)
            deadline = time.monotonic() + 60 + 10 * took
            while len(server.calls) < k:  # call k is applied, its answer held back SLOW s
                assert process.poll() is None, f"attempt {attempt}: ended before call {k}"
                assert time.monotonic() < deadline, f"attempt {attempt}: no call {k}"
                time.sleep(0.001)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=60) == -signal.SIGKILL, f"attempt {attempt}"
            if process.stderr is not None:
                process.stderr.close()
            time.sleep(0.1)  # a call sent just before the kill is recorded too
            made.append(len(server.calls))
            assert 1 <= made[-1] <= total - 1, f"attempt {attempt}: {made[-1]} of {total} calls"
            server.clear_faults()
            finish_and_check(wh, server, transport)
    assert len(set(made)) > 1, made  # different points, not the same one again


def slow_clean_run(wh: Path, transport: str) -> tuple[int, float]:
    """A clean run's number of Odoo calls and its duration, every call slowed by SLOW."""
    with OdooTestServer() as server:
        set_up(server)
        server.inject(Fault("slow", times=10**9, seconds=SLOW))
        start = time.monotonic()
        process = poster(wh, server, transport)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        took = time.monotonic() - start
        if process.stderr is not None:
            process.stderr.close()
        return len(server.calls), took


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


# Two supplementary invoices and two credit notes, in two batches.
ADJUSTMENTS = {
    "C1/nexacloud/2026-10/r1": ("supplementary_invoice", [("NC-VCPU", "16.20"),
                                                          ("NC-INSTANCES", "-4.05")]),
    "C2/nexamaps/2026-10/r1": ("credit_note", [("NM-TILES", "-3.50")]),
    "C3/nexacloud/2026-10/r1": ("credit_note", [("NC-VCPU", "-7.25")]),
    "C4/nexamaps/2026-10/r1": ("supplementary_invoice", [("NM-TILES", "1.00")]),
}


def posted_then_adjusted(closed: Path, target: Path, server: OdooTestServer,
                         transport: str) -> Path:
    """A copy of the closed period, its invoices posted to `server`, adjustments issued."""
    wh = _copy(closed, target)
    assert post_period(wh, PERIOD, gateway_for(server, transport),
                       PostingOptions(batch_size=BATCH)).held == []
    for key, (kind, deltas) in ADJUSTMENTS.items():
        issue(wh, key, key.rsplit("/", 1)[0], kind, deltas)
    return wh


def finish_and_check_adjustments(wh: Path, server: OdooTestServer, transport: str) -> None:
    """A second run completes; Odoo holds each adjustment key once, posted, of its type, with
    our amount, a credit note linked to its invoice."""
    report = post_period(wh, PERIOD, gateway_for(server, transport),
                         PostingOptions(batch_size=BATCH))
    assert report.held == []
    found: dict[str, list[dict[str, Any]]] = {}
    for move in server.records("account.move"):
        found.setdefault(move["x_fc_billing_key"], []).append(move)
    assert sorted(found) == sorted([*rated_totals(wh), *ADJUSTMENTS])
    assert all(len(moves) == 1 and moves[0]["state"] == "posted" for moves in found.values())
    for key, (kind, deltas) in ADJUSTMENTS.items():
        [move] = found[key]
        refund = kind == "credit_note"
        assert move["move_type"] == ("out_refund" if refund else "out_invoice")
        assert money(move["amount_untaxed"]) == abs(sum(money(d) for _, d in deltas))
        original = found[key.rsplit("/", 1)[0]][0]["id"]
        assert move["reversed_entry_id"] == (original if refund else False)
    assert table(wh, "odoo_postings", "DISTINCT state") == [("posted",)]
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_adjustments_killed_at_every_odoo_call_then_rerun(closed_warehouse: Path,
                                                          tmp_path: Path,
                                                          transport: str) -> None:
    with OdooTestServer() as server:
        set_up(server)
        wh = posted_then_adjusted(closed_warehouse, tmp_path / "clean.duckdb", server,
                                  transport)
        before = len(server.calls)
        process = poster(wh, server, transport)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        total = len(server.calls) - before
    assert total > 10
    for index in range(total):
        with OdooTestServer() as server:
            set_up(server)
            wh = posted_then_adjusted(closed_warehouse, tmp_path / f"kill-{index}.duckdb",
                                      server, transport)
            running: list[subprocess.Popen[bytes]] = []

            def kill(_: Any, running: list[subprocess.Popen[bytes]] = running) -> None:
                running[0].send_signal(signal.SIGKILL)
                running[0].wait()

            server.inject(Fault("callback", skip=index, times=1, callback=kill))
            running.append(poster(wh, server, transport))
            assert running[0].wait(timeout=120) == -signal.SIGKILL, f"call {index}"
            finish_and_check_adjustments(wh, server, transport)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_adjustments_killed_at_random_points_mid_posting_then_rerun(closed_warehouse: Path,
                                                                    tmp_path: Path,
                                                                    transport: str) -> None:
    with OdooTestServer() as server:
        set_up(server)
        wh = posted_then_adjusted(closed_warehouse, tmp_path / "clean.duckdb", server,
                                  transport)
        before = len(server.calls)
        server.inject(Fault("slow", times=10**9, seconds=SLOW))
        process = poster(wh, server, transport)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        if process.stderr is not None:
            process.stderr.close()
        total = len(server.calls) - before
    chance = random.Random(f"20261201-adjustments-{transport}")
    made: list[int] = []
    for attempt in range(KILLS // 2):
        k, delay = chance.randint(1, total - 2), chance.uniform(0, 1.5 * SLOW)
        with OdooTestServer() as server:
            set_up(server)
            wh = posted_then_adjusted(closed_warehouse, tmp_path / f"random-{attempt}.duckdb",
                                      server, transport)
            before = len(server.calls)
            server.inject(Fault("slow", times=10**9, seconds=SLOW))
            process = poster(wh, server, transport)
            deadline = time.monotonic() + 120
            while len(server.calls) - before < k:  # call k applied, its answer held back
                assert process.poll() is None, f"attempt {attempt}: ended before call {k}"
                assert time.monotonic() < deadline, f"attempt {attempt}: no call {k}"
                time.sleep(0.001)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=60) == -signal.SIGKILL, f"attempt {attempt}"
            if process.stderr is not None:
                process.stderr.close()
            time.sleep(0.1)  # a call sent just before the kill is recorded too
            made.append(len(server.calls) - before)
            assert 1 <= made[-1] <= total - 1, f"attempt {attempt}: {made[-1]} of {total} calls"
            server.clear_faults()
            finish_and_check_adjustments(wh, server, transport)
    assert len(set(made)) > 1, made  # different points, not the same one again
