"""When a failed delivery is tried again, and when it is given up (docs/webhooks.md).

The n-th failed attempt waits FIRST_DELAY doubled n-1 times, capped at MAX_DELAY, times a random
factor in [0.5, 1.5) ("equal jitter": endpoints that failed together do not come back together):
30 s, 1 min, 2 min, 4 min, ... 2 h 8 min, then 4 h each, each ±50 %. A delivery whose next
attempt would fall more than a day (DeliverySettings.give_up_after) after its first attempt is
held as failed instead: about 14 attempts over that day.
"""

from __future__ import annotations

import datetime as dt
import math
import random

FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=4)
JITTER = 0.5


def delay(attempts: int, rand: random.Random | None = None) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt (1 for the first), jittered."""
    base = min(FIRST_DELAY * (1 << min(max(attempts - 1, 0), 20)), MAX_DELAY)
    draw = rand.random() if rand is not None else random.random()
    factor = 1 - JITTER + 2 * JITTER * draw
    return base * factor


def next_attempt(attempts: int, now: dt.datetime, first_attempt_at: dt.datetime | None,
                 give_up_after: dt.timedelta,
                 rand: random.Random | None = None) -> dt.datetime | None:
    """When to try again after the `attempts`-th failed attempt at `now`; None: give up (the
    next attempt would fall beyond `give_up_after` from the first)."""
    following = now + delay(attempts, rand)
    first = first_attempt_at or now
    return None if following - first > give_up_after else following


def attempts_counted(attempts: int, first_attempt_at: dt.datetime | None,
                     requeued_at: dt.datetime | None, now: dt.datetime) -> int:
    """Which failed attempt the one at `now` is, for its delay: the delivery's attempts + 1,
    but counted from a person's retry or replay (requeued_at), which also cleared
    first_attempt_at: a retried delivery waits 30 s again, not hours. Since a requeue the count
    is read off the time since the first attempt (30 s, 1 min, 2 min, ... add up to about
    30 s x (2^(n-1) - 1))."""
    if requeued_at is None:
        return attempts + 1
    if first_attempt_at is None:
        return 1
    elapsed = max((now - first_attempt_at) / FIRST_DELAY, 0.0)
    return min(attempts + 1, max(2, int(math.log2(elapsed + 1)) + 1))
