"""kill -9 of `fusion-rating serve` under load: every counter it acknowledged is in the ledger,
accepted exactly once, after a restart and the real ingest."""

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from rating.api.wal import Wal
from tests.support.api_server import api_process, settings_in
from tests.support.usage_api import counter, ingest, ledger_rows

pytestmark = pytest.mark.slow
CLIENTS = 6
BATCH = 100


def load(client: httpx.Client, name: str, acknowledged: list[str], stop: threading.Event
         ) -> None:
    """Push batches until the server dies; note the counter ids of each 2xx."""
    n = 0
    while not stop.is_set():
        ids = [f"{name}-{n}-{i}" for i in range(BATCH)]
        n += 1
        try:
            answer = client.post("/usage", json={"counters": [counter(i) for i in ids]})
        except httpx.TransportError:
            return
        if answer.status_code == 200:
            acknowledged.extend(ids)


def test_every_acknowledged_counter_survives_kill_9_exactly_once(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=0.5, flush_rows=2000)
    acknowledged: list[list[str]] = [[] for _ in range(CLIENTS)]
    stop = threading.Event()
    with api_process(settings) as (api, process):
        clients = [api.client("nexacloud") for _ in range(CLIENTS)]
        threads = [threading.Thread(target=load, args=(clients[n], f"k{n}", acknowledged[n],
                                                       stop)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for client in clients:
            client.close()
    acked = [i for ids in acknowledged for i in ids]
    assert len(acked) > 1000, "too little load to say anything"
    wal = Wal(settings.state / "wal", 1, lambda _: None)
    assert wal.replay(wal.read_checkpoint()), "the kill left nothing to replay"
    with api_process(settings) as (_, process):   # the restart replays what was not landed
        os.killpg(process.pid, signal.SIGTERM)     # a clean stop lands everything
        process.wait(timeout=60)
    ingest(settings)
    counts: dict[str, int] = {}
    for row in ledger_rows(settings):
        if row["status"] == "accepted":
            counts[row["counter_id"]] = counts.get(row["counter_id"], 0) + 1
    missing = [i for i in acked if i not in counts]
    twice = {i: n for i, n in counts.items() if n != 1}
    assert missing == [] and twice == {}
    assert all(row["status"] != "quarantined" for row in ledger_rows(settings))
