"""Deliveries reach a real receiver signed per Standard Webhooks, once, and a failure is
retried with the same webhook-id."""

import datetime as dt
import json

import pytest

from rating import warehouse
from rating.webhooks.delivery import DeliverySettings, deliver
from rating.webhooks.endpoints import new_secret
from rating.webhooks.manage import list_deliveries
from tests.support.webhook_outbox import endpoint_for, event_ids, write_generated
from tests.support.webhook_receiver import ERROR, REDIRECT, SLOW, closed_url, receiving
from tests.webhooks.conftest import Place

pytestmark = pytest.mark.engine

LATER = dt.timedelta(hours=1)  # past any first backoff (30 s ±50 %)


def test_each_event_is_delivered_once_with_its_stored_payload_and_verified(place: Place) -> None:
    with receiving(place.secret) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 3, "once")
        first = deliver(place.database, place.state, environ=place.environ())
        second = deliver(place.database, place.state, environ=place.environ())
    assert (first.sent, first.delivered, first.pending_left) == (3, 3, 0)
    assert second.sent == 0
    assert app.ids() == event_ids(place.database)
    assert app.refused == []
    payload = app.received[0].payload
    assert (payload["type"], payload["version"], payload["data"]["n"]) == ("usage.rejected", 1, 0)


def test_during_a_rotation_receivers_holding_either_secret_verify(place: Place) -> None:
    old, new = place.secret, new_secret()
    with receiving(old) as on_old, receiving(new) as on_new:
        endpoint_for(place.state, "cloud", on_old.url, "HOOK_SECRET")
        endpoint_for(place.state, "cloud", on_new.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "rotation")
        report = deliver(place.database, place.state, environ={"HOOK_SECRET": f"{old} {new}"})
    assert report.delivered == 4
    assert on_old.ids() == on_new.ids() == event_ids(place.database)
    assert on_old.refused == on_new.refused == []


def test_a_receiver_with_another_secret_refuses_and_the_delivery_stays_pending(
        place: Place) -> None:
    with receiving(new_secret()) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "wrong")
        report = deliver(place.database, place.state, environ=place.environ())
    assert (report.delivered, report.retried, len(app.refused)) == (0, 1, 1)


def test_a_500_is_retried_with_the_same_webhook_id_then_delivered(place: Place) -> None:
    now = warehouse.utc_now()
    with receiving(place.secret, faults=[ERROR]) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "five-hundred")
        first = deliver(place.database, place.state, now=now, environ=place.environ())
        too_soon = deliver(place.database, place.state, now=now, environ=place.environ())
        later = deliver(place.database, place.state, now=now + LATER, environ=place.environ())
    assert (first.retried, too_soon.sent, later.delivered) == (1, 0, 1)
    assert app.ids() == event_ids(place.database)
    [row] = list_deliveries(place.database)
    assert (row["state"], row["attempts"], row["last_status"]) == ("delivered", 2, 200)


def test_an_answer_after_the_sender_gave_up_is_sent_again_with_the_same_id(
        place: Place) -> None:
    settings = DeliverySettings(read_timeout=0.3)
    now = warehouse.utc_now()
    with receiving(place.secret, faults=[SLOW], slow_seconds=1.0) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "slow")
        first = deliver(place.database, place.state, settings, now=now, environ=place.environ())
        [row] = list_deliveries(place.database)
        later = deliver(place.database, place.state, settings, now=now + LATER,
                        environ=place.environ())
    assert (first.retried, row["last_status"]) == (1, None)
    assert row["last_error"].startswith("timed out")
    assert later.delivered == 1
    assert app.ids() == event_ids(place.database) * 2  # the duplicate carries the same id


def test_a_refused_connection_is_retried_later_with_its_error_kept(place: Place) -> None:
    endpoint_for(place.state, "cloud", closed_url(), "HOOK_SECRET")
    write_generated(place.database, "cloud", 2, "refused")
    report = deliver(place.database, place.state, environ=place.environ())
    rows = list_deliveries(place.database)
    # The endpoint stops at its first failure: the second delivery is not sent but counts an
    # attempt (a dead endpoint's backlog ages to `failed`), its error naming the first's.
    assert (report.sent, report.retried, report.pending_left) == (1, 1, 2)
    assert sorted(row["attempts"] for row in rows) == [1, 1]
    first, second = sorted(rows, key=lambda row: row["event_seq"])
    assert first["last_error"].startswith("ConnectError")
    assert second["last_error"].startswith(f"not sent: the endpoint failed on {first['event_id']}")
    assert "ConnectError" in second["last_error"]


def test_a_redirect_is_a_failure_and_is_not_followed(place: Place) -> None:
    with receiving(place.secret, fault=REDIRECT) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "redirect")
        report = deliver(place.database, place.state, environ=place.environ())
    [row] = list_deliveries(place.database)
    assert (report.retried, row["last_status"]) == (1, 307)
    assert "redirects are not followed" in row["last_error"]
    assert app.ids() == []


def test_an_endpoint_receives_only_events_written_from_its_creation_on(place: Place) -> None:
    with receiving(place.secret) as first, receiving(place.secret) as second:
        endpoint_for(place.state, "cloud", first.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "before")
        deliver(place.database, place.state, environ=place.environ())
        endpoint_for(place.state, "cloud", second.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "after")
        write_generated(place.database, "other", 1, "elsewhere")
        deliver(place.database, place.state, environ=place.environ())
    cloud = event_ids(place.database)[:3]
    assert first.ids() == cloud
    assert second.ids() == cloud[2:]


def test_the_stored_payload_is_the_body_byte_for_byte(place: Place) -> None:
    with receiving(place.secret) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 1, "bytes")
        deliver(place.database, place.state, environ=place.environ())
    with warehouse.writer(place.database) as con:
        [(stored,)] = con.execute("SELECT payload FROM webhook_events").fetchall()
    assert app.received[0].body == stored.encode()
    assert app.received[0].payload == json.loads(stored)
