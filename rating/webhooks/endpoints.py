"""Webhook endpoints: where each service's events go and which secrets sign them.

An endpoint lives on its service record in `<state>/services.json` (rating.api.keys), beside the
service's API keys, as `{"endpoint_id", "url", "secret_env", "created_at", "description"}`. A
service may have several. The file holds no secret: `secret_env` names the environment variable
that holds the endpoint's signing secret (Standard Webhooks' `whsec_<base64>`), or two of them
separated by a space while the app rotates it (both sign each request; the app verifies with
either). Only these URLs are ever called.

An endpoint receives the events written from its `created_at` on; `fusion-rating webhooks
replay --since` sends it earlier ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from rating.api.keys import KeyStore, KeyStoreError, ServiceRecord

SECRET_PREFIX = "whsec_"


class EndpointError(ValueError):
    """An endpoint that cannot be added or used as asked (the message says why and the fix)."""


@dataclass(frozen=True)
class Endpoint:
    """One configured endpoint of a service."""

    endpoint_id: str
    service: str
    url: str
    secret_env: str
    created_at: dt.datetime  # UTC, naive (the warehouse's convention)
    description: str = ""

    def secrets(self, environ: dict[str, str] | None = None) -> tuple[str, ...]:
        """The signing secrets in force (one, or two during a rotation), from the environment.
        EndpointError names the variable when it is unset or holds no valid secret."""
        value = (os.environ if environ is None else environ).get(self.secret_env, "")
        found = tuple(value.split())
        if not found:
            raise EndpointError(
                f"endpoint {self.endpoint_id} ({self.service}) is signed with the secret in "
                f"${self.secret_env}, which is not set: set it (fusion-rating webhooks secret "
                "prints a new one)")
        if len(found) > 2 or not all(valid_secret(s) for s in found):
            raise EndpointError(
                f"${self.secret_env} must hold one Standard Webhooks secret (whsec_ followed "
                "by base64), or two separated by a space during a rotation")
        return found


def valid_secret(secret: str) -> bool:
    if not secret.startswith(SECRET_PREFIX):
        return False
    try:
        return len(base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)) >= 24
    except ValueError:
        return False


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, as Standard Webhooks writes them."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    """The URL, if an endpoint may have it: http or https with a host and no credentials."""
    try:
        httpx.URL(url)  # what the deliverer will parse: a port such as 80a is refused here
    except (httpx.InvalidURL, ValueError) as exc:
        raise EndpointError(f"{url!r} is not a valid URL: {exc}") from None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"{url!r} is not an http(s) URL with a host")
    if parts.username or parts.password:
        raise EndpointError(f"{url!r} carries credentials: the signature authenticates us, "
                            "remove them from the URL")
    return url


def endpoints(state: Path | str) -> list[Endpoint]:
    """Every configured endpoint, by service then id."""
    found = [_endpoint(code, entry) for code, record in KeyStore(state).services().items()
             for entry in record.webhooks]
    return sorted(found, key=lambda e: (e.service, e.endpoint_id))


def _endpoint(service: str, entry: dict[str, Any]) -> Endpoint:
    return Endpoint(endpoint_id=entry["endpoint_id"], service=service, url=entry["url"],
                    secret_env=entry["secret_env"],
                    created_at=dt.datetime.fromisoformat(entry["created_at"]),
                    description=entry.get("description", ""))


def add_endpoint(state: Path | str, service: str, url: str, secret_env: str,
                 description: str = "") -> Endpoint:
    """A new endpoint on the service's record (the service must exist: fusion-rating service
    add)."""
    check_url(url)
    if not secret_env.isidentifier():
        raise EndpointError(f"{secret_env!r} cannot name an environment variable")
    store = KeyStore(state)
    services = store.services()
    record = services.get(service)
    if record is None:
        raise KeyStoreError(f"no service '{service}': add it first "
                            f"(fusion-rating service add {service})")
    entry = {"endpoint_id": f"we_{secrets.token_hex(6)}", "url": url, "secret_env": secret_env,
             "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
             "description": description}
    services[service] = ServiceRecord(record.code, record.keys, (*record.webhooks, entry))
    store.save(services)
    return _endpoint(service, entry)


def remove_endpoint(state: Path | str, endpoint_id: str) -> Endpoint:
    """Remove an endpoint: its pending deliveries are no longer sent (they stay listed)."""
    store = KeyStore(state)
    services = store.services()
    for code, record in services.items():
        kept = tuple(e for e in record.webhooks if e["endpoint_id"] != endpoint_id)
        if len(kept) != len(record.webhooks):
            removed = next(e for e in record.webhooks if e["endpoint_id"] == endpoint_id)
            services[code] = ServiceRecord(record.code, record.keys, kept)
            store.save(services)
            return _endpoint(code, removed)
    raise EndpointError(f"no endpoint {endpoint_id} (fusion-rating webhooks endpoints)")
