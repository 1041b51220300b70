"""Killed at any point, run again: exactly one posted invoice per key in Odoo.

The posting runs as its own process (`python -m rating.cli post`) and is killed with SIGKILL:
- at every Odoo call of a clean run, by the test server, after the call is applied and before
  its answer is sent (the worst moment: Odoo has done it, the poster cannot know);
- at random times (seeded), which also lands in the middle of DuckDB writes.
Then a second run finishes the job, and Odoo and the ledger are checked.
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
from odoo_server import Fault, OdooTestServer
from posting_support import (
    PERIOD,
    environment_for,
    gateway_for,
    money,
    rated_period,
    rated_totals,
)
from usage_builder import table

from rating.posting import PostingOptions, post_period

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
BATCH = 3  # 8 invoices in 3 batches: kills land between batches too


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
    assert sorted(m["ref"] for m in found) == sorted(rated)  # once each, nothing else
    assert all(m["state"] == "posted" for m in found)
    assert {m["ref"]: money(m["amount_untaxed"]) for m in found} == rated
    assert len({p["ref"] for p in server.records("res.partner") if p.get("ref")}) == len(
        [p for p in server.records("res.partner") if p.get("ref")])
    assert table(wh, "odoo_postings", "DISTINCT state") == [("posted",)]
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


def calls_of_a_clean_run(wh: Path, transport: str) -> int:
    with OdooTestServer() as server:
        process = poster(wh, server, transport)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        return len(server.calls)


@pytest.mark.parametrize("transport", ["jsonrpc", "json2"])
def test_killed_at_every_odoo_call_then_rerun(closed_warehouse: Path, tmp_path: Path,
                                             transport: str) -> None:
    total = calls_of_a_clean_run(_copy(closed_warehouse, tmp_path / "clean.duckdb"), transport)
    assert total > 10
    for index in range(total):
        wh = _copy(closed_warehouse, tmp_path / f"kill-{index}.duckdb")
        with OdooTestServer() as server:
            running: list[subprocess.Popen[bytes]] = []

            def kill(_: Any, running: list[subprocess.Popen[bytes]] = running) -> None:
                running[0].send_signal(signal.SIGKILL)
                running[0].wait()

            server.inject(Fault("callback", skip=index, times=1, callback=kill))
            running.append(poster(wh, server, transport))
            assert running[0].wait(timeout=120) == -signal.SIGKILL, f"call {index}"
            finish_and_check(wh, server, transport)


def test_killed_at_random_times_then_rerun(closed_warehouse: Path, tmp_path: Path) -> None:
    chance = random.Random(20261124)
    for attempt in range(8):
        wh = _copy(closed_warehouse, tmp_path / f"random-{attempt}.duckdb")
        with OdooTestServer() as server:
            process = poster(wh, server, "jsonrpc")
            time.sleep(chance.uniform(0.2, 2.5))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            finish_and_check(wh, server, "jsonrpc")


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target
