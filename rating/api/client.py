"""Push counters to a running `fusion-rating serve` from Python (the demo, scripts, an app
written in Python): POST /usage in batches, each durable when the call returns.

    push_counters("http://127.0.0.1:8080", key, counters)   # counters per the contract

Values may be Decimal, int or decimal strings (a Decimal is sent as its exact text);
timestamps datetimes (UTC if naive) or ISO 8601 text. A refused batch raises PushRefused
with the server's answer (Lago's error shape). A 429 (the server's backpressure) or 503 is
retried after its Retry-After (or x-ratelimit-reset), and a transport error (connection refused
or reset, a timeout) by sending the same batch again: a batch sent twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import httpx

PREFIX = "/api/billing/v1"
RETRIED = (429, 503)
"""The server's "not now": the same batch is sent again after the wait it names."""


class PushRefused(RuntimeError):
    """The server refused a batch: `status` and `body` are its answer."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"the billing API refused the batch ({status}): {body}")
        self.status, self.body = status, body


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    raise TypeError(type(value).__name__)


def push_counters(url: str, key: str, counters: Iterable[Mapping[str, Any]],
                  batch: int = 1000, retries: int = 10, timeout: float = 60) -> int:
    """Send the counters in batches of `batch`; the number the server acknowledged."""
    items = list(counters)
    done = 0
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url.rstrip("/") + PREFIX, headers=headers,
                      timeout=timeout) as client:
        for start in range(0, len(items), batch):
            body = json.dumps({"counters": items[start:start + batch]}, default=_plain)
            answer = _send(client, body, retries)
            if answer.status_code != 200:
                raise PushRefused(answer.status_code, answer.json())
            done += int(answer.json()["counters_accepted"])
    return done


def _send(client: httpx.Client, body: str, retries: int) -> httpx.Response:
    """The server's answer to the batch, retried on 429, 503 and transport errors."""
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            answer = client.post("/usage", content=body)
        except httpx.TransportError:
            if last:
                raise
            time.sleep(min(2 ** attempt, 30))
            continue
        if answer.status_code not in RETRIED or last:
            return answer
        time.sleep(_wait(answer))
    raise AssertionError("unreachable")  # pragma: no cover (the last attempt returns)


def _wait(answer: httpx.Response) -> float:
    for header in ("Retry-After", "x-ratelimit-reset"):
        value = answer.headers.get(header, "")
        try:
            return min(max(float(value), 0.0), 300.0)
        except ValueError:
            continue
    return 1.0
