"""The requests of a delivery pass: each endpoint's deliveries one after the other, signed per
Standard Webhooks, stopping at the endpoint's first failure; no warehouse lock is held here.

Only the configured URL is called: redirects are not followed (a 3xx is a failure). The body is
the event's payload exactly as stored; `webhook-id` is the event's id on every attempt and
replay; `webhook-timestamp` is the wall clock (receivers refuse one five minutes off), whatever
clock schedules the pass; `webhook-signature` holds one signature per secret in force.

The endpoints are sent to at once on one asyncio loop (httpx's async client): each request runs
under a deadline for the whole of it (connect, answer, error page), which a per-read timeout is
not (an app trickling its answer a byte at a time meets every read timeout); each endpoint has a
time budget per pass, after which its other deliveries wait untouched for the next pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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
    requeued_at: dt.datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a 2xx, or the status (None: no answer) and why it failed;
    attempted_at: when (the pass's clock plus the time elapsed since it started)."""

    claimed: Claimed
    delivered: bool
    status: int | None
    error: str | None
    sent: bool = True  # False: not sent (no valid secret, or the endpoint failed before it)
    held_back: bool = False  # not sent: an earlier delivery failed at the endpoint this pass
    attempted_at: dt.datetime | None = None


@dataclass(frozen=True)
class Timing:
    """The pass's clock (`now` at `started`, time.monotonic) and its limits in seconds: each
    request's deadline, each endpoint's budget."""

    now: dt.datetime
    started: float
    deadline: float
    budget: float

    def at(self) -> dt.datetime:
        return self.now + dt.timedelta(seconds=time.monotonic() - self.started)


def signed_headers(event_id: str, payload: str, secrets: Sequence[str],
                   sent_at: dt.datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers of one request, signed with each secret in force."""
    when = sent_at or dt.datetime.now(dt.UTC)
    signatures = " ".join(standardwebhooks.Webhook(secret).sign(event_id, when, payload)
                          for secret in secrets)
    return {"content-type": "application/json", "webhook-id": event_id,
            "webhook-timestamp": str(int(when.timestamp())), "webhook-signature": signatures}


def send_all(work: Sequence[tuple[Endpoint, Sequence[Claimed]]], timeout: httpx.Timeout,
             parallel: int, timing: Timing,
             environ: Mapping[str, str] | None = None) -> list[Outcome]:
    """Every endpoint's deliveries, at most `parallel` endpoints at once. Whatever goes wrong
    with one endpoint is recorded on its deliveries: it never loses the others' outcomes."""
    return asyncio.run(_send_all(work, timeout, parallel, timing, environ))


async def _send_all(work: Sequence[tuple[Endpoint, Sequence[Claimed]]], timeout: httpx.Timeout,
                    parallel: int, timing: Timing,
                    environ: Mapping[str, str] | None) -> list[Outcome]:
    gate = asyncio.Semaphore(max(parallel, 1))

    async def one(endpoint: Endpoint, deliveries: Sequence[Claimed]) -> list[Outcome]:
        async with gate:
            return await send_endpoint(endpoint, deliveries, client, timing, environ)

    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 trust_env=False) as client:
        done = await asyncio.gather(*(one(e, d) for e, d in work), return_exceptions=True)
    outcomes: list[Outcome] = []
    for (_, deliveries), found in zip(work, done, strict=True):
        if isinstance(found, BaseException):  # a fault of ours: each delivery says so
            error = _short(f"not sent: {type(found).__name__}: {found}")
            found = [Outcome(c, False, None, error, sent=False, attempted_at=timing.at())
                     for c in deliveries]
        outcomes.extend(found)
    return outcomes


async def send_endpoint(endpoint: Endpoint, deliveries: Sequence[Claimed],
                        client: httpx.AsyncClient, timing: Timing,
                        environ: Mapping[str, str] | None = None) -> list[Outcome]:
    """Each delivery in event_seq order until the first failure; the rest are recorded as
    attempted but not sent (a dead endpoint costs one request per pass, and its backlog ages
    to `failed` like the first). Without a valid secret nothing is sent, and each delivery
    records why (the variable's name, never its value). Past the endpoint's budget the rest
    are left as they are (no outcome)."""
    try:
        secrets = endpoint.secrets(dict(environ) if environ is not None else None)
    except EndpointError as exc:
        return [Outcome(claimed, False, None, str(exc)[:ERROR_LENGTH], sent=False,
                        attempted_at=timing.at()) for claimed in deliveries]
    began = time.monotonic()
    outcomes: list[Outcome] = []
    ordered = sorted(deliveries, key=lambda c: c.event_seq)
    for index, claimed in enumerate(ordered):
        if time.monotonic() - began >= timing.budget:
            break
        outcome = await _attempt(endpoint, claimed, secrets, client, timing)
        outcomes.append(outcome)
        if not outcome.delivered:
            why = _short(f"not sent: the endpoint failed on {claimed.event_id} in this pass: "
                         f"{outcome.error}")
            outcomes.extend(replace(outcome, claimed=later, status=None, error=why, sent=False,
                                    held_back=True) for later in ordered[index + 1:])
            break
    return outcomes


async def _attempt(endpoint: Endpoint, claimed: Claimed, secrets: Sequence[str],
                   client: httpx.AsyncClient, timing: Timing) -> Outcome:
    try:
        async with asyncio.timeout(timing.deadline):
            status, start = await _post(endpoint, claimed, secrets, client)
    except (TimeoutError, httpx.TimeoutException) as exc:
        return Outcome(claimed, False, None,
                       f"timed out ({type(exc).__name__}, the request's deadline is "
                       f"{timing.deadline:g} s)", attempted_at=timing.at())
    except Exception as exc:  # any fault is this delivery's, not the pass's
        return Outcome(claimed, False, None, _short(f"{type(exc).__name__}: {exc}"),
                       attempted_at=timing.at())
    if 200 <= status < 300:
        return Outcome(claimed, True, status, None, attempted_at=timing.at())
    if 300 <= status < 400:
        return Outcome(claimed, False, status,
                       f"HTTP {status}: redirects are not followed (only the configured URL "
                       "is called): configure the final URL", attempted_at=timing.at())
    return Outcome(claimed, False, status,
                   _short(f"HTTP {status}: {start.decode('utf-8', 'replace')}"),
                   attempted_at=timing.at())


async def _post(endpoint: Endpoint, claimed: Claimed, secrets: Sequence[str],
                client: httpx.AsyncClient) -> tuple[int, bytes]:
    headers = signed_headers(claimed.event_id, claimed.payload, secrets)
    # Streamed: an error page is read no further than the start kept in last_error, raw (a
    # compressed page is not inflated to find its first bytes).
    async with client.stream("POST", endpoint.url, content=claimed.payload.encode(),
                             headers=headers) as answer:
        status = answer.status_code
        if 200 <= status < 400:
            return status, b""
        kept = b""
        async for chunk in answer.aiter_raw():
            kept += chunk
            if len(kept) >= 200:
                break
        return status, kept[:200]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= ERROR_LENGTH else flat[:ERROR_LENGTH - 1] + "…"
