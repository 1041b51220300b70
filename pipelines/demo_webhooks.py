"""The demo's webhooks: each catalog service gets an endpoint at a local app (HTTP on a free
loopback port) that verifies every request with the standardwebhooks library, as the apps
will; after the month, one delivery pass (the Dagster asset webhook_deliveries) sends it what
the month told: usage.rejected for the sample's quarantined rows, period.closed per service,
and invoice.posted when ODOO_URL names an Odoo to post to (docs/webhooks.md).

The signing secrets are made for this process and never printed.
"""

import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import standardwebhooks

from rating.api.keys import KeyStore
from rating.catalog import load_catalog
from rating.webhooks.endpoints import add_endpoint, new_secret


@dataclass
class DemoApp:
    """What the local app received: event types verified, requests refused."""

    url: str = ""
    verified: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    ids: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(app: DemoApp, secrets: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            payload = None
            for secret in secrets:
                try:
                    payload = standardwebhooks.Webhook(secret).verify(body, headers)
                    break
                except standardwebhooks.WebhookVerificationError:
                    continue
            with app.lock:
                if payload is None:
                    app.refused += 1
                else:
                    app.verified[str(payload["type"])] += 1
                    app.ids.add(headers["webhook-id"])
            self.send_response(401 if payload is None else 204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return  # the demo's terminal shows the summary only

    return Handler


@contextmanager
def local_app(warehouse: Path, catalog: Path, state: Path) -> Iterator[DemoApp]:
    """A verifying app on loopback, an endpoint for each catalog service pointing at it, each
    signed with its own secret (in this process's environment only)."""
    secrets: list[str] = []
    variables: list[str] = []
    app = DemoApp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app, secrets))
    server.daemon_threads = True
    app.url = f"http://127.0.0.1:{server.server_address[1]}/billing-hooks"
    store = KeyStore(state)
    services = {service.code for service in load_catalog(catalog).services}
    for code in sorted(services):
        if code not in store.services():
            store.add_service(code, services)
        variable = f"DEMO_WEBHOOK_SECRET_{code.upper().replace('-', '_')}"
        secret = new_secret()
        os.environ[variable] = secret
        secrets.append(secret)
        variables.append(variable)
        add_endpoint(state, code, f"{app.url}/{code}", variable, "make demo: a local app")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        for variable in variables:
            os.environ.pop(variable, None)


def webhooks_summary(app: DemoApp, metadata: dict[str, object]) -> str:
    """The demo's line about the webhooks."""
    told = ", ".join(f"{kind} {n}" for kind, n in sorted(app.verified.items())) or "none"
    return (f"  webhooks: delivery pass sent {metadata.get('sent')}, delivered "
            f"{metadata.get('delivered')}, pending {metadata.get('pending')}; the local app "
            f"verified {sum(app.verified.values())} signed events ({told}), refused "
            f"{app.refused}; `fusion-rating webhooks list --warehouse ...` shows them")


def metadata_values(metadata: dict[str, object]) -> dict[str, object]:
    """Dagster metadata values as plain values (json-safe)."""
    return {key: json.loads(json.dumps(getattr(value, "value", value), default=str))
            for key, value in metadata.items()}
