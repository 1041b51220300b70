"""A deliverer killed with SIGKILL mid-batch loses nothing: run again, every event reaches the
app, and what it received twice carries the same webhook-id and body."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rating.webhooks.manage import list_deliveries
from tests.support.webhook_outbox import endpoint_for, event_ids, write_generated
from tests.support.webhook_receiver import Receiver, receiving
from tests.webhooks.conftest import Place

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 20

# A deliverer that records "delivered" before sending (the wrong order): the proof that the
# checks below fail when a kill can lose an event.
CARELESS = """
import sys
from rating import warehouse
from rating.webhooks import delivery
from rating.webhooks.sending import Outcome

database, send = sys.argv[1], delivery._send

def record_first(configured, claimed, settings, timing, environ):
    with warehouse.writer(database) as con:
        delivery._record(con, [Outcome(c, True, 200, None) for c in claimed],
                         settings.give_up_after)
    return send(configured, claimed, settings, timing, environ)

delivery._send = record_first
from rating.cli import main
sys.exit(main(["webhooks", "deliver", "--warehouse", database]))
"""


def _deliverer(place: Place, careless: bool) -> subprocess.Popen[bytes]:
    command = ([sys.executable, "-c", CARELESS, str(place.database)] if careless else
               [sys.executable, "-m", "rating.cli", "webhooks", "deliver", "--warehouse",
                str(place.database)])
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT),
                                 "HOOK_SECRET": place.secret})


def _kill_mid_batch(place: Place, app: Receiver, careless: bool) -> tuple[int, int]:
    """Kill -9 the deliverer once the app has received some of the batch, not all; then one
    honest pass to completion. How many the app had when the deliverer died, and how many
    deliveries were left pending then."""
    process = _deliverer(place, careless)
    deadline = time.monotonic() + 60
    while len(app.ids()) < 5 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = len(app.ids())
    assert 5 <= before < EVENTS, f"killed after {before} of {EVENTS}: not mid-batch"
    pending = len(list_deliveries(place.database, state="pending"))
    app.delay = 0.0
    finish = _deliverer(place, careless=False)
    output = finish.communicate(timeout=60)[0].decode()
    assert finish.returncode == 0, output
    return before, pending


def _lost_and_inconsistent(place: Place, app: Receiver) -> tuple[set[str], list[str]]:
    """The events the app never received, and the ids it received with different bodies."""
    lost = set(event_ids(place.database)) - set(app.ids())
    bodies: dict[str, set[bytes]] = {}
    for received in app.received:
        bodies.setdefault(received.webhook_id, set()).add(received.body)
    return lost, [webhook_id for webhook_id, seen in bodies.items() if len(seen) > 1]


def test_a_deliverer_killed_mid_batch_loses_nothing_and_repeats_only_with_the_same_id(
        place: Place) -> None:
    with receiving(place.secret, delay=0.2) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", EVENTS, "kill")
        before, pending = _kill_mid_batch(place, app, careless=False)
    lost, inconsistent = _lost_and_inconsistent(place, app)
    assert lost == set() and inconsistent == []
    # Killed between sending and recording: those received were still pending, so sent again.
    assert pending == EVENTS
    assert len(app.ids()) - EVENTS >= before
    assert sorted(set(app.ids())) == sorted(event_ids(place.database))


def test_the_check_catches_a_deliverer_that_records_delivered_before_sending(
        place: Place) -> None:
    with receiving(place.secret, delay=0.2) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", EVENTS, "careless")
        _, pending = _kill_mid_batch(place, app, careless=True)
    lost, _ = _lost_and_inconsistent(place, app)
    assert pending == 0  # recorded delivered before any was sent
    assert lost, "a deliverer recording before sending lost nothing: the kill test proves nothing"


def test_deliver_every_keeps_delivering_and_stops_on_sigterm(place: Place) -> None:
    with receiving(place.secret) as app:
        endpoint_for(place.state, "cloud", app.url, "HOOK_SECRET")
        write_generated(place.database, "cloud", 2, "every-1")
        process = subprocess.Popen(
            [sys.executable, "-m", "rating.cli", "webhooks", "deliver", "--every", "0.2",
             "--warehouse", str(place.database)], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "HOOK_SECRET": place.secret})
        try:
            _wait_for(lambda: len(app.ids()) == 2)
            write_generated(place.database, "cloud", 1, "every-2")  # between two passes
            _wait_for(lambda: len(app.ids()) == 3)
            process.send_signal(signal.SIGTERM)
            output = process.communicate(timeout=20)[0].decode()
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    assert app.ids() == event_ids(place.database)
    assert "delivered" in output


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)
