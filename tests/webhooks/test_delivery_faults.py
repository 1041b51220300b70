"""A slow, dead, broken or trickling endpoint never delays another nor holds a pass, one
invoice's events arrive in order through failures and give-ups, a day of failures holds a
delivery failed until a person retries it (its backoff restarted), replays keep the id, and an
event committed after an endpoint was seen reaches it."""

import contextlib
import datetime as dt
import fcntl
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from rating import warehouse
from rating.api.keys import KeyStore, ServiceRecord
from rating.webhooks.delivery import DeliverySettings, deliver, lock_path
from rating.webhooks.endpoints import remove_endpoint
from rating.webhooks.manage import list_deliveries, replay, retry
from tests.support.webhook_outbox import endpoint_for, event_ids, write_generated
from tests.support.webhook_receiver import ERROR, closed_url, receiving
from tests.webhooks.conftest import Place

pytestmark = pytest.mark.engine


def test_a_slow_endpoint_does_not_delay_another_endpoints_deliveries(place: Place) -> None:
    settings = DeliverySettings(read_timeout=5.0)
    with receiving(place.secret, delay=0.5) as slow, receiving(place.secret) as quick:
        endpoint_for(place.state, "cloud", slow.url, "HOOK_SECRET")
        endpoint_for(place.state, "other", quick.url, "HOOK_SECRET")
        # The slow endpoint's events first: sent one endpoint after the other, it would go
        # first and hold the quick one back.
        write_generated(place.database, "cloud", 6, "slow")
        write_generated(place.database, "other", 6, "quick")
        started = time.monotonic()
        report = deliver(place.database, place.state, settings, environ=place.environ())
        took = time.monotonic() - started
    assert report.delivered == 12
    quick_done = max(r.at for r in quick.received) - started
    slow_first = min(r.at for r in slow.received) - started
    slow_done = max(r.at for r in slow.received) - started
    # The slow app takes 6 x 0.5 s; the quick one has all six before the slow one has one.
    assert slow_done - slow_first >= 2.5
    assert quick_done < slow_first, (
        f"quick endpoint done after {quick_done:.2f} s, the slow one's first at "
        f"{slow_first:.2f} s (pass {took:.2f} s)")


def test_a_dead_endpoint_costs_one_timeout_per_pass_and_blocks_no_other(place: Place) -> None:
    with receiving(place.secret) as alive:
        endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
        endpoint_for(place.state, "cloud", alive.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 5, "dead")
        report = deliver(place.database, place.state, environ=place.environ())
    assert (report.sent, report.delivered, report.retried) == (6, 5, 1)
    assert alive.ids() == event_ids(place.database)


def test_events_sharing_an_ordering_key_arrive_in_order_through_failures(place: Place) -> None:
    now = warehouse.utc_now()
    # Two invoices with three payment states each; the first request fails.
    with receiving(place.secret, faults=[ERROR]) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 6, "inv", per_key=3)
        ids = event_ids(place.database)
        first = deliver(place.database, place.state, now=now, environ=place.environ())
        # Invoice 0's head failed: the endpoint stopped at it and every delivery claimed after
        # it counts an attempt not sent, waiting its backoff; each invoice's states keep their
        # order behind their head.
        second = deliver(place.database, place.state, now=now, environ=place.environ())
        late = deliver(place.database, place.state, now=now + dt.timedelta(hours=1),
                       environ=place.environ())
    assert (first.sent, first.retried) == (1, 1)
    assert second.sent == 0
    assert late.delivered == 6
    assert app.ids() == ids


def test_a_day_of_failures_holds_the_delivery_failed_and_retry_delivers_it(
        place: Place) -> None:
    start = warehouse.utc_now()
    endpoint = endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "give-up")
    deliver(place.database, place.state, now=start, environ=place.environ())
    now, passes = start, 1
    # Each pass when the delivery falls due, as a deliverer running every minute would.
    while (row := list_deliveries(place.database)[0])["state"] == "pending" and passes < 40:
        now, passes = max(now, row["next_attempt_at"]), passes + 1
        deliver(place.database, place.state, now=now, environ=place.environ())
    [failed] = list_deliveries(place.database, state="failed")
    # The last attempt falls within the day, once a capped wait (4 h ±50 %) would pass it.
    assert dt.timedelta(hours=18) <= failed["last_attempt_at"] - start <= dt.timedelta(days=1)
    assert 8 <= failed["attempts"] == passes <= 24
    assert "ConnectError" in failed["last_error"]
    assert deliver(place.database, place.state, now=now + dt.timedelta(days=2),
                   environ=place.environ()).sent == 0  # held: never tried again by itself
    with receiving(place.secret) as app:
        remove_endpoint(place.state, endpoint.endpoint_id)
        moved = endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        replay(place.database, place.state, [failed["event_id"]], endpoint=moved.endpoint_id)
        assert retry(place.database, all_failed=True) == 1
        [pending] = list_deliveries(place.database, state="pending", limit=1)
        assert pending["event_id"] == failed["event_id"]
        deliver(place.database, place.state, environ=place.environ())
    assert app.ids() == [failed["event_id"]]


def test_retry_makes_a_failed_delivery_pending_due_now_and_it_is_delivered(
        place: Place) -> None:
    with receiving(place.secret, fault=ERROR) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "retry")
        start = warehouse.utc_now()
        deliver(place.database, place.state, DeliverySettings(give_up_after=dt.timedelta(0)),
                now=start, environ=place.environ())
        [failed] = list_deliveries(place.database, state="failed")
        assert retry(place.database, [failed["event_id"]]) == 1
        app.fault = "ok"
        report = deliver(place.database, place.state, environ=place.environ())
    assert report.delivered == 1
    [row] = list_deliveries(place.database)
    assert (row["state"], row["attempts"]) == ("delivered", 2)


def test_replay_sends_again_with_the_same_id_including_to_an_endpoint_added_after(
        place: Place) -> None:
    with receiving(place.secret) as first, receiving(place.secret) as added:
        endpoint_for(place.state, "cloud", first.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "replay")
        deliver(place.database, place.state, environ=place.environ())
        endpoint_for(place.state, "cloud", added.url, "HOOK_SECRET")
        since = warehouse.utc_now() - dt.timedelta(hours=1)
        assert replay(place.database, place.state, since=since, service="cloud") == 4
        deliver(place.database, place.state, environ=place.environ())
    ids = event_ids(place.database)
    assert first.ids() == ids + ids
    assert added.ids() == ids


def test_a_removed_endpoint_is_sent_nothing_more(place: Place) -> None:
    with receiving(place.secret, fault=ERROR) as app:
        endpoint = endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "removed")
        deliver(place.database, place.state, environ=place.environ())
        remove_endpoint(place.state, endpoint.endpoint_id)
        report = deliver(place.database, place.state,
                         now=warehouse.utc_now() + dt.timedelta(hours=1),
                         environ=place.environ())
    assert report.sent == 0
    assert report.pending_left == 2  # still listed, never sent
    assert len(list_deliveries(place.database, state="pending")) == 2


def test_a_second_pass_while_one_runs_returns_at_once_as_busy(place: Place) -> None:
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "busy")
    with open(lock_path(place.database), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        report = deliver(place.database, place.state, environ=place.environ())
        assert time.monotonic() - started < 1
    assert report.skipped_busy and report.sent == 0
    assert deliver(place.database, place.state, environ=place.environ()).sent == 1


def test_a_missing_secret_is_recorded_naming_its_variable_and_nothing_is_sent(
        place: Place) -> None:
    with receiving(place.secret) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "no-secret")
        report = deliver(place.database, place.state, environ={})
    assert (report.sent, report.retried, app.ids()) == (0, 2, [])
    errors = {row["last_error"] for row in list_deliveries(place.database)}
    assert len(errors) == 1 and "$HOOK_SECRET" in errors.pop()


def test_an_invalid_secret_is_named_but_never_shown(place: Place) -> None:
    leaked = "whsec_not-base64-at-all-but-secret"
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "invalid")
    deliver(place.database, place.state, environ={"HOOK_SECRET": leaked})
    [row] = list_deliveries(place.database)
    assert "$HOOK_SECRET" in row["last_error"]
    assert "not-base64" not in row["last_error"]


def test_a_retried_delivery_that_fails_again_waits_seconds_not_hours(place: Place) -> None:
    start = warehouse.utc_now()
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 1, "again")
    deliver(place.database, place.state, now=start, environ=place.environ())
    now = start
    for _ in range(11):  # a long outage: the waits grow to hours
        now = max(now, list_deliveries(place.database)[0]["next_attempt_at"])
        deliver(place.database, place.state, now=now, environ=place.environ())
    assert list_deliveries(place.database)[0]["next_attempt_at"] - now > dt.timedelta(hours=1)
    retry(place.database, event_ids(place.database), now=now)
    deliver(place.database, place.state, now=now, environ=place.environ())
    [row] = list_deliveries(place.database)
    assert row["attempts"] == 13 and row["state"] == "pending"
    assert row["next_attempt_at"] - now < dt.timedelta(seconds=45), (
        "a retried delivery failing again waited as if it had never been retried")


def test_a_retry_while_the_delivery_is_in_flight_is_not_undone_by_its_record(
        place: Place) -> None:
    now = warehouse.utc_now()
    with receiving(place.secret, fault=ERROR, delay=3.0) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "race")
        racing = threading.Thread(target=deliver, args=(place.database, place.state),
                                  kwargs={"now": now, "environ": place.environ()})
        racing.start()
        time.sleep(1.0)  # claimed and at the app, which answers 500 after 3 s
        retried_at = now + dt.timedelta(seconds=1)
        retry(place.database, event_ids(place.database), now=retried_at)  # the person's retry
        racing.join()
    [row] = list_deliveries(place.database)
    assert (row["attempts"], row["next_attempt_at"]) == (0, retried_at), (
        "the in-flight attempt's failure overwrote the person's retry")


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


def test_an_endpoint_past_its_budget_leaves_the_rest_untouched_each_outcome_at_its_time(
        place: Place) -> None:
    now = warehouse.utc_now()
    with receiving(place.secret, delay=0.4) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 3, "budget")
        report = deliver(place.database, place.state, DeliverySettings(endpoint_budget=0.5),
                         now=now, environ=place.environ())
    first, second, third = sorted(list_deliveries(place.database), key=lambda r: r["event_seq"])
    assert (report.sent, report.delivered, report.retried) == (2, 2, 0)
    assert (third["state"], third["attempts"], third["last_error"]) == ("pending", 0, None)
    assert second["delivered_at"] - first["delivered_at"] >= dt.timedelta(seconds=0.35), (
        "the outcomes carry the pass's start, not their own time")
    assert first["delivered_at"] > now
