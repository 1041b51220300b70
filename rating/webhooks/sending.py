"""The requests of a delivery pass: each endpoint's deliveries one after the other, signed per
Standard Webhooks, stopping at the endpoint's first failure; no warehouse lock is held here.

Only the configured URL is called: redirects are not followed (a 3xx is a failure). The body is
the event's payload exactly as stored; `webhook-id` is the event's id on every attempt and
replay; `webhook-timestamp` is the wall clock (receivers refuse one five minutes off), whatever
clock schedules the pass; `webhook-signature` holds one signature per secret in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx
import standardwebhooks

from rating.webhooks.endpoints import Endpoint, EndpointError

ERROR_LENGTH = 300
"""The longest last_error kept: a status and the start of the answer, never a whole page."""


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed for this pass."""

    event_id: str
    endpoint_id: str
    event_seq: int
    payload: str
    attempts: int
    first_attempt_at: dt.datetime | None


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a 2xx, or the status (None: no answer) and why it failed."""

    claimed: Claimed
    delivered: bool
    status: int | None
    error: str | None
    sent: bool = True  # False: not sent (no valid secret)


def signed_headers(event_id: str, payload: str, secrets: Sequence[str],
                   sent_at: dt.datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers of one request, signed with each secret in force."""
    when = sent_at or dt.datetime.now(dt.UTC)
    signatures = " ".join(standardwebhooks.Webhook(secret).sign(event_id, when, payload)
                          for secret in secrets)
    return {"content-type": "application/json", "webhook-id": event_id,
            "webhook-timestamp": str(int(when.timestamp())), "webhook-signature": signatures}


def send_endpoint(endpoint: Endpoint, deliveries: Sequence[Claimed], client: httpx.Client,
                  environ: Mapping[str, str] | None = None) -> list[Outcome]:
    """Each delivery in event_seq order until the first failure (the rest stay pending, due):
    a dead endpoint costs one timeout per pass. Without a valid secret nothing is sent, and
    each delivery records why (the variable's name, never its value)."""
    try:
        secrets = endpoint.secrets(dict(environ) if environ is not None else None)
    except EndpointError as exc:
        return [Outcome(claimed, False, None, str(exc)[:ERROR_LENGTH], sent=False)
                for claimed in deliveries]
    outcomes = []
    for claimed in sorted(deliveries, key=lambda c: c.event_seq):
        outcome = _attempt(endpoint, claimed, secrets, client)
        outcomes.append(outcome)
        if not outcome.delivered:
            break
    return outcomes


def _attempt(endpoint: Endpoint, claimed: Claimed, secrets: Sequence[str],
             client: httpx.Client) -> Outcome:
    headers = signed_headers(claimed.event_id, claimed.payload, secrets)
    try:
        # Streamed: an error page is read no further than the start kept in last_error.
        with client.stream("POST", endpoint.url, content=claimed.payload.encode(),
                           headers=headers) as answer:
            status = answer.status_code
            start = b"" if 200 <= status < 300 or answer.is_redirect else _start(answer)
    except httpx.TimeoutException as exc:
        return Outcome(claimed, False, None, f"timed out ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return Outcome(claimed, False, None, _short(f"{type(exc).__name__}: {exc}"))
    if 200 <= status < 300:
        return Outcome(claimed, True, status, None)
    if 300 <= status < 400:
        return Outcome(claimed, False, status,
                       f"HTTP {status}: redirects are not followed (only the configured URL "
                       "is called): configure the final URL")
    return Outcome(claimed, False, status,
                   _short(f"HTTP {status}: {start.decode('utf-8', 'replace')}"))


def _start(answer: httpx.Response, limit: int = 200) -> bytes:
    kept = b""
    for chunk in answer.iter_bytes():
        kept += chunk
        if len(kept) >= limit:
            break
    return kept[:limit]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= ERROR_LENGTH else flat[:ERROR_LENGTH - 1] + "…"
