"""Review of issue 15's delivery: a dead or broken endpoint must not hold up the others, a
trickling one must not outlast its timeouts, an invoice's events keep their order through a
give-up, and an event committed after an endpoint was seen reaches it."""

import contextlib
import datetime as dt
import fcntl
import socket
import threading
import time
from collections.abc import Iterator

import dagster as dg
import pytest

from assets.webhooks import no_failed_webhook_deliveries, webhook_deliveries
from pipelines.resources import RatingResource
from rating import warehouse
from rating.api.keys import KeyStore, ServiceRecord
from rating.cli import main
from rating.webhooks.delivery import DeliverySettings, deliver, lock_path
from rating.webhooks.manage import list_deliveries, retry
from tests.support.webhook_outbox import endpoint_for, event_ids, write_generated
from tests.support.webhook_receiver import ERROR, closed_url, receiving
from tests.webhooks.conftest import Place

pytestmark = pytest.mark.engine


def test_a_dead_endpoint_with_a_full_batch_of_due_deliveries_starves_no_other_endpoint(
        place: Place) -> None:
    with receiving(place.secret) as alive:
        endpoint_for(place.state, "dead", closed_url(), "HOOK_SECRET")
        endpoint_for(place.state, "other", alive.url, "HOOK_SECRET")
        # A backlog of the dead app's events (a period's invoices), then one for the live app.
        write_generated(place.database, "dead", 2 * DeliverySettings().batch_size, "backlog")
        write_generated(place.database, "other", 1, "starved")
        for _ in range(3):  # three minutes of the schedule
            deliver(place.database, place.state, environ=place.environ())
    assert alive.ids() == event_ids(place.database)[-1:], (
        "the live endpoint got nothing: every claim took the dead endpoint's due backlog")


def test_an_endpoint_url_httpx_refuses_is_recorded_and_the_others_are_delivered_once(
        place: Place) -> None:
    with receiving(place.secret) as alive:
        bad = endpoint_for(place.state, "cloud", "http://127.0.0.1:8080/hooks", "HOOK_SECRET")
        # A typo in the port (today `endpoint add` takes it; a hand-edited services.json
        # always can): httpx raises InvalidURL, which is not an httpx.HTTPError.
        store = KeyStore(place.state)
        services = store.services()
        record = services["cloud"]
        services["cloud"] = ServiceRecord(record.code, record.keys, tuple(
            {**entry, "url": "http://127.0.0.1:80a/hooks"} for entry in record.webhooks))
        store.save(services)
        endpoint_for(place.state, "cloud", alive.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "typo")
        for _ in range(2):
            with contextlib.suppress(Exception):
                deliver(place.database, place.state, environ=place.environ())
    rows = list_deliveries(place.database)
    assert sorted(row["state"] for row in rows if row["endpoint_id"] != bad.endpoint_id) == [
        "delivered", "delivered"], "the pass crashed: nothing was recorded"
    broken = [row for row in rows if row["endpoint_id"] == bad.endpoint_id]
    assert {row["state"] for row in broken} == {"pending"}
    assert any(row["last_error"] for row in broken)
    assert alive.ids() == event_ids(place.database)  # once each, not again at each pass


@contextlib.contextmanager
def trickling(byte_every: float) -> Iterator[str]:
    """An app that answers 200, its status line and headers one byte every `byte_every` s:
    each read gets a byte well within any read timeout."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n":
                    if stop.wait(byte_every):
                        return
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    finally:
        stop.set()
        server.close()


def test_an_app_trickling_its_answer_cannot_hold_a_pass_beyond_the_timeouts(
        place: Place) -> None:
    settings = DeliverySettings(connect_timeout=1.0, read_timeout=1.0)
    with trickling(byte_every=0.25) as url:  # 38 bytes: about 10 s
        endpoint_for(place.state, "cloud", url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "trickle")
        started = time.monotonic()
        deliver(place.database, place.state, settings, environ=place.environ())
        took = time.monotonic() - started
    assert took < 4.0, f"one request held the pass (and every endpoint) {took:.1f} s"


def test_an_invoice_payment_state_never_reaches_an_app_before_its_posted_event(
        place: Place) -> None:
    now = warehouse.utc_now()
    with receiving(place.secret, faults=[ERROR]) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "inv", per_key=2)  # invoice.posted
        # The app fails it for a day (shortened here): held failed.
        deliver(place.database, place.state, DeliverySettings(give_up_after=dt.timedelta(0)),
                now=now, environ=place.environ())
        write_generated(place.database, "cloud", 2, "inv", per_key=2)  # its payment state
        deliver(place.database, place.state, now=now, environ=place.environ())
        retry(place.database, all_failed=True, now=now)  # the app is fixed: retry --failed
        for _ in range(2):
            deliver(place.database, place.state, now=now, environ=place.environ())
    assert app.ids() == event_ids(place.database), (
        "the app received the payment state before the invoice's posted event")


def test_an_event_committed_after_an_endpoint_was_seen_reaches_it_though_stamped_before(
        place: Place) -> None:
    with receiving(place.secret) as app:
        # The payment poll stamps its events with the time it read Odoo (payments.py: read_at),
        # then waits for Odoo and for the warehouse's writer (a nightly rating) to commit them.
        read_at = warehouse.utc_now()
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        deliver(place.database, place.state, environ=place.environ())  # the endpoint is seen
        write_generated(place.database, "cloud", 1, "late", now=read_at)
        deliver(place.database, place.state, environ=place.environ())
    assert app.ids() == event_ids(place.database), (
        "an event written after the endpoint's first pass never got a delivery")


def test_a_pass_through_a_symlink_to_the_warehouse_sees_the_running_pass(place: Place) -> None:
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "linked")
    # Dagster's FUSION_WAREHOUSE names the file, a person's --warehouse a link to it.
    link = place.database.parent / "linked.duckdb"
    link.symlink_to(place.database)
    with open(lock_path(place.database), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        report = deliver(link, place.state, environ=place.environ())
    assert report.skipped_busy and report.sent == 0, "two passes ran at once"


def test_a_delivery_run_that_finds_a_pass_running_ends_at_once_while_rating_holds_the_warehouse(
        place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", place.secret)
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "pile-up")
    rating = RatingResource(warehouse=str(place.database))
    finished = threading.Event()

    def scheduled_run() -> None:  # the next minute's run
        dg.materialize([webhook_deliveries, no_failed_webhook_deliveries],
                       resources={"rating": rating})
        finished.set()

    # A pass is waiting for its claim while the nightly rating holds the warehouse's writer.
    with open(lock_path(place.database), "a") as running_pass, \
            open(f"{place.database}.lock", "a") as rating_run:
        fcntl.flock(running_pass, fcntl.LOCK_EX)
        fcntl.flock(rating_run, fcntl.LOCK_EX)
        thread = threading.Thread(target=scheduled_run, daemon=True)
        thread.start()
        ended = finished.wait(5)
    thread.join(60)
    assert ended, ("a run that did nothing waited for the warehouse in its check: one more "
                   "Dagster run process piles up every minute for as long as rating runs")


def test_list_with_a_negative_limit_and_retry_of_an_unknown_event_answer_one_line(
        place: Place, capsys: pytest.CaptureFixture[str]) -> None:
    write_generated(place.database, "cloud", 1, "cli")
    code = main(["webhooks", "list", "--limit", "-1", "--warehouse", str(place.database)])
    _, err = capsys.readouterr()
    assert code == 2 and "--limit" in err and err.count("\n") == 1
    code = main(["webhooks", "retry", "msg_typo", "--warehouse", str(place.database)])
    out, err = capsys.readouterr()
    assert "msg_typo" in out + err and "webhooks list" in out + err, (
        "a mistyped event id answered '0 deliveries pending again': nothing says it matched "
        "nothing")
