"""The backoff schedule: 30 s doubling, capped at 4 h, ±50 % jitter; given up past a day."""

import datetime as dt
import random

import pytest

from rating.webhooks import backoff

pytestmark = pytest.mark.fast

DAY = dt.timedelta(days=1)
NOW = dt.datetime(2026, 11, 30, 12, 0)


@pytest.mark.parametrize(("attempts", "base"), [
    (1, dt.timedelta(seconds=30)), (2, dt.timedelta(minutes=1)), (5, dt.timedelta(minutes=8)),
    (9, dt.timedelta(minutes=128)), (10, dt.timedelta(hours=4)), (60, dt.timedelta(hours=4))])
def test_each_wait_doubles_up_to_four_hours_within_half_either_way(
        attempts: int, base: dt.timedelta) -> None:
    rand = random.Random(attempts)
    waits = [backoff.delay(attempts, rand) for _ in range(200)]
    assert all(base * 0.5 <= wait < base * 1.5 for wait in waits)
    assert len(set(waits)) > 100  # jittered, not one value


def test_the_next_attempt_is_none_once_it_would_fall_beyond_a_day_after_the_first() -> None:
    first = NOW - dt.timedelta(hours=23)
    assert backoff.next_attempt(12, NOW, first, DAY, random.Random(1)) is None
    soon = backoff.next_attempt(1, NOW, NOW, DAY, random.Random(1))
    assert soon is not None and NOW < soon < NOW + dt.timedelta(seconds=45)


def test_a_retried_delivery_counts_its_attempts_again_from_the_retry() -> None:
    retried = NOW - dt.timedelta(minutes=1)
    # Fourteen attempts before a person's retry: its first attempt since waits 30 s again,
    assert backoff.attempts_counted(14, None, retried, NOW) == 1
    # and the ones after it double from there (the 3rd since, about 1.5 min after the first).
    assert backoff.attempts_counted(16, NOW - dt.timedelta(seconds=90), retried, NOW) == 3
    # Never requeued: the delivery's own count.
    assert backoff.attempts_counted(14, NOW - dt.timedelta(hours=20), None, NOW) == 15
