"""An app's webhook endpoint over real HTTP on a free loopback port: it verifies every request
with the standardwebhooks library (as an app would) and records what it accepted, with faults
to switch on: 500s, an answer after the sender gave up, a redirect; `closed_url()` is a port
where nothing listens (connection refused)."""

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import standardwebhooks

from tests.support.api_server import free_port

OK, ERROR, SLOW, REDIRECT = "ok", "500", "slow", "redirect"


@dataclass(frozen=True)
class Received:
    webhook_id: str
    payload: dict[str, Any]
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass
class Receiver:
    """What the endpoint accepted (signature verified), what it refused, and its faults: each
    request takes the next of `faults` (then `fault`); SLOW sleeps `slow_seconds` then answers
    200; `delay` slows every request (a slow app)."""

    secrets: tuple[str, ...]
    url: str = ""
    fault: str = OK
    faults: list[str] = field(default_factory=list)
    slow_seconds: float = 2.0
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received]

    def next_fault(self) -> str:
        with self.lock:
            return self.faults.pop(0) if self.faults else self.fault

    def verify(self, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        """The payload when any of the receiver's secrets verifies it (an app mid-rotation
        holds one of the two)."""
        for secret in self.secrets:
            try:
                payload: dict[str, Any] = standardwebhooks.Webhook(secret).verify(body, headers)
                return payload
            except standardwebhooks.WebhookVerificationError:
                continue
        return None


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if receiver.delay:
                time.sleep(receiver.delay)
            payload = receiver.verify(body, dict(self.headers.items()))
            if payload is None:
                with receiver.lock:
                    receiver.refused.append(self.headers.get("webhook-id", ""))
                self._answer(401, {"error": "bad signature"})
                return
            fault = receiver.next_fault()
            if fault == REDIRECT:
                self.send_response(307)
                self.send_header("location", receiver.url + "/elsewhere")
                self.send_header("content-length", "0")
                self.end_headers()
                return
            if fault == ERROR:
                self._answer(500, {"error": "boom"})
                return
            if fault == SLOW:
                time.sleep(receiver.slow_seconds)
            with receiver.lock:
                receiver.received.append(Received(self.headers["webhook-id"], payload, body,
                                                  time.monotonic()))
            # A sender that gave up has closed the connection: it still counts as received
            # (the duplicate case).
            with contextlib.suppress(OSError):
                self._answer(200, {"ok": True})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def receiving(*secrets: str, **faults: Any) -> Iterator[Receiver]:
    """A running receiver verifying with `secrets` (any of them), stopped afterwards."""
    receiver = Receiver(secrets=secrets, **faults)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def closed_url() -> str:
    """A loopback URL where nothing listens: connection refused."""
    return f"http://127.0.0.1:{free_port()}/hooks"
