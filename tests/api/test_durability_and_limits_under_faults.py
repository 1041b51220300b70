"""Durability and limits under faults an adversarial review of issue 14 found (two servers on
one state folder, a failed segment open, chunked bodies, huge numbers, windows outside the
billing periods, backpressure in the client): each test failed before its fix."""

import os
import time
from pathlib import Path

import pytest

from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_api import accepted, counter, ingest

pytestmark = pytest.mark.engine


def test_the_write_ahead_store_writes_again_once_a_failed_segment_open_is_fixed(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=0.2)
    wal = settings.state / "wal"
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        assert client.post("/usage", json={"counters": [counter("a")]}).status_code == 200
        deadline = time.monotonic() + 10
        while '"flushed_through": 1, "flushing": null' not in (wal / "checkpoint.json"
                                                                ).read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)   # the flusher asks for a new segment right after its checkpoint
        # The flush asked for a new segment, named by the next seq (2): make its open fail
        # (as a full or read-only disk would), then clear the fault.
        blocker = wal / f"{2:016d}.wal"
        blocker.mkdir()
        failed = client.post("/usage", json={"counters": [counter("b")]})
        assert failed.status_code == 503
        blocker.rmdir()
        answers = [client.post("/usage", json={"counters": [counter(f"c{i}")]}).status_code
                   for i in range(3)]
        segments = sorted(p.name for p in wal.glob("*.wal"))
    # The fault is gone: the store must accept writes again (it stays 503 forever: the writer
    # keeps closing the segment it already closed, EBADF, or another file that got its number).
    assert answers == [200, 200, 200], (answers, segments)
    ingest(settings)
    assert sorted(accepted(settings)) == ["a", "c0", "c1", "c2"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_second_server_on_the_same_state_folder_never_loses_an_acknowledged_counter(
        tmp_path: Path) -> None:
    # A rolling restart (the new server started before the old one stops), or `serve` started
    # twice on one warehouse: both would take the same instance id and the same seqs, and the
    # flushed file names would collide (the second skipped as "exists"). The second server
    # refuses to start (the state folder is locked); the first keeps every counter it answers.
    import subprocess
    import sys

    settings = settings_in(tmp_path, flush_interval_seconds=0.2)
    acknowledged: list[str] = []
    with api_in_thread(settings) as old, old.client("nexacloud") as old_client:
        with pytest.raises(RuntimeError, match="did not start"), api_in_thread(settings):
            pass
        serve = subprocess.run(
            [sys.executable, "-m", "rating.cli", "serve", "--landing", str(settings.landing),
             "--catalog", str(settings.catalog), "--warehouse", str(settings.warehouse),
             "--state", str(settings.state), "--port", "1"],
            capture_output=True, text=True, timeout=60)
        for i in range(3):
            answer = old_client.post("/usage", json={"counters": [counter(f"old{i}")]})
            if answer.status_code == 200:
                acknowledged.append(f"old{i}")
            time.sleep(0.5)
    assert serve.returncode != 0 and "Traceback" not in serve.stderr, serve.stderr
    assert str(settings.state) in serve.stderr and str(os.getpid()) in serve.stderr
    assert len(serve.stderr.strip().splitlines()) == 1, serve.stderr
    assert len(acknowledged) == 3
    ingest(settings)
    assert sorted(accepted(settings)) == sorted(acknowledged)


def test_lagos_transaction_id_is_unique_per_subscription_so_two_subscriptions_may_share_one(
        tmp_path: Path) -> None:
    # Lago: "transaction_id is unique per external_subscription_id so multiple subscriptions
    # can share the same transaction_id" (API reference, Retrieve an event). A Lago client that
    # names its events per subscription (e.g. "usage-2026-11-30") loses all but one here.
    from decimal import Decimal

    from tests.support.usage_api import NOW, as_json, ledger_rows

    settings = settings_in(tmp_path)
    folder = settings.landing / "subscriptions"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(
        "subscription_id,service,account_id,plan_code,start,end\n"
        "sub-a,nexacloud,nc-1,cloud-standard,2026-01-01,\n"
        "sub-b,nexacloud,nc-2,cloud-standard,2026-01-01,\n")
    stamp = int(NOW.timestamp()) - 3 * 3600
    events = [{"transaction_id": "usage-daily", "external_subscription_id": subscription,
               "code": "egress_gb", "timestamp": stamp, "properties": {"value": Decimal(5)}}
              for subscription in ("sub-a", "sub-b")]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/events/batch", content=as_json({"events": events}),
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and len(answer.json()["events"]) == 2
    ingest(settings)
    kept = {row["account_id"]: row["value"] for row in ledger_rows(settings)
            if row["status"] == "accepted"}
    assert kept == {"nc-1": Decimal(5), "nc-2": Decimal(5)}


def test_a_chunked_body_over_the_limit_is_413_on_every_endpoint_not_only_usage(
        tmp_path: Path) -> None:
    # BodyLimit checks Content-Length only; only rating.api.usage counts a body without one,
    # so POST /customers and /subscriptions read (and land) a body of any size.
    settings = settings_in(tmp_path, max_request_bytes=2000)

    def body() -> object:
        yield b'{"customer": {"external_id": "acct-9", "name": "'
        for _ in range(50):
            yield b"x" * 100_000
        yield b'"}}'

    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/customers", content=body(),
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 413, (answer.status_code, len(answer.content))
    assert answer.json()["code"] == "request_too_large"


def test_an_event_property_with_a_huge_exponent_does_not_stall_every_other_client(
        tmp_path: Path) -> None:
    # The echo of an event's properties goes through usage._exact: int(Decimal("1E+400000"))
    # builds a 400,000-digit integer on the event loop (8 s here; 1E+1000000 took 40 s), and
    # no other request is answered meanwhile. The event is already durable; its answer is a 500.
    import threading

    import httpx

    from tests.support.api_server import api_process

    settings = settings_in(tmp_path)
    body = (b'{"event": {"transaction_id": "t", "external_customer_id": "nc-1", '
            b'"code": "egress_gb", "properties": {"value": 1, "note": 1e400000}}}')
    with api_process(settings) as (api, _), api.client("nexacloud", timeout=120) as client:
        answers: list[int] = []
        sender = threading.Thread(target=lambda: answers.append(client.post(
            "/events", content=body, headers={"Content-Type": "application/json"}).status_code))
        sender.start()
        time.sleep(1)   # the server is answering the event
        started = time.monotonic()
        assert httpx.get(f"{api.url}/api/billing/v1/health", timeout=60).status_code == 200
        waited = time.monotonic() - started
        sender.join()
    assert waited < 1.0 and answers == [200], (waited, answers)


def test_a_counter_or_event_the_api_accepts_is_never_quarantined_outside_billing_periods(
        tmp_path: Path) -> None:
    # The API accepts windows from 1900 to 3000 (counters.EARLIEST_US, LATEST_US); the ingest
    # has billing periods from 2000-01 to 2099-12 only (rating.ingest.usage.
    # create_period_buckets) and quarantines the rest: a 2xx, then a quarantine decided from the
    # counter alone. A Lago client's `timestamp: 0` (an unset field) is one such event.
    from tests.support.usage_api import as_json, ledger_rows

    settings = settings_in(tmp_path)
    counters = [counter("y1999", period_start="1999-12-01T00:00:00Z",
                        period_end="1999-12-01T01:00:00Z"),
                counter("y2150", period_start="2150-01-01T12:00:00Z",
                        period_end="2150-01-01T13:00:00Z")]
    event = {"transaction_id": "epoch", "external_customer_id": "nc-1", "code": "egress_gb",
             "timestamp": 0, "properties": {"value": 1}}
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answers = [client.post("/usage", json={"counters": counters}),
                   client.post("/events", content=as_json({"event": event}),
                               headers={"Content-Type": "application/json"})]
    # Refused at once (422) with the ingest's reason code: never 200 then quarantined.
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json()["error_details"] == {
        "0": {"period_start": ["outside_billing_periods"]},
        "1": {"period_start": ["outside_billing_periods"]}}
    assert answers[1].json()["error_details"] == {"timestamp": ["outside_billing_periods"]}
    assert not (settings.landing / "usage").exists()
    # The first and last instants the ingest places are accepted, and the ingest agrees.
    from rating.api.counters import Checker, iso
    from rating.catalog import load_catalog

    checker = Checker(load_catalog(settings.catalog), settings.time_zone)
    first, last = checker.first_us, checker.last_us - 1
    edges = [counter("first", period_start=iso(first), period_end=iso(first + 1)),
             counter("last", period_start=iso(last), period_end=iso(last + 1))]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        assert client.post("/usage", json={"counters": edges}).status_code == 200
    ingest(settings)
    outcome = {row["counter_id"]: row["reason"] for row in ledger_rows(settings)}
    assert outcome == {"first": None, "last": None}


def test_push_counters_waits_out_the_servers_backpressure_429_as_it_does_a_503(
        tmp_path: Path) -> None:
    # The server answers "behind" with 429 + Retry-After (rating.api.usage), but
    # rating.api.client retries only 503: push_counters (make demo, scripts) gives up.
    from rating.api.client import PushRefused, push_counters

    settings = settings_in(tmp_path, flush_interval_seconds=1.0, flush_rows=1_000_000,
                           max_unflushed_rows=4, max_batch_items=4)
    with api_in_thread(settings) as api:
        try:
            pushed = push_counters(api.url, api.keys["nexacloud"],
                                   [counter(f"p{i}") for i in range(8)], batch=4)
        except PushRefused as refused:
            pushed = -refused.status
    assert pushed == 8


def test_push_counters_sends_the_batch_again_after_a_transport_error(tmp_path: Path) -> None:
    # The server is not up yet (connection refused), as during a restart: the same batch is
    # sent again once it is, rather than the push failing.
    import threading

    from rating.api.client import push_counters
    from tests.support.api_server import free_port, service_keys

    settings = settings_in(tmp_path)
    port = free_port()
    key = service_keys(settings.state, ("nexacloud",))["nexacloud"]
    pushed: list[int] = []
    pusher = threading.Thread(target=lambda: pushed.append(push_counters(
        f"http://127.0.0.1:{port}", key, [counter(f"t{i}") for i in range(3)])))
    pusher.start()
    time.sleep(0.5)   # the first attempt is refused
    with api_in_thread(settings, services=("nexacloud",), port=port):
        pusher.join(timeout=30)
    assert pushed == [3]
    ingest(settings)
    assert sorted(accepted(settings)) == ["t0", "t1", "t2"]
