"""Service records and their API keys: one record per service (its code, its keys' hashes and,
for the webhooks, its endpoints), in `<state>/services.json`.

A key is shown once, when created, and stored only as its SHA-256 with an identifying prefix
(`frk_<service>_<8 characters>`): a key holds 256 random bits, so a fast hash is as strong as a
slow one here and keeps the check cheap on every request. The check compares hashes with
`hmac.compare_digest` (constant time). The file is replaced in one step (written beside it,
fsynced, renamed), so the server, which reads it again when it changes, never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rating.api.wal import fsync_directory

FILE_NAME = "services.json"
_KEY = re.compile(r"^frk_(?P<service>[a-z0-9_-]+?)_(?P<key_id>[A-Za-z0-9]{8})[A-Za-z0-9_-]{32,}$")
_SERVICE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class KeyStoreError(ValueError):
    """A service or key command that cannot be done as asked (the message says why)."""


@dataclass(frozen=True)
class KeyRecord:
    """One key of a service, as stored: never the key itself."""

    key_id: str
    prefix: str
    sha256: str
    created_at: str
    revoked_at: str | None = None
    label: str = ""


@dataclass(frozen=True)
class ServiceRecord:
    """A service the API serves: its catalog code, its keys and its webhook endpoints."""

    code: str
    keys: tuple[KeyRecord, ...] = ()
    webhooks: tuple[dict[str, Any], ...] = ()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    """The service records in `<state>/services.json`."""

    def __init__(self, state: Path | str) -> None:
        self.path = Path(state) / FILE_NAME

    def services(self) -> dict[str, ServiceRecord]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {code: ServiceRecord(code=code,
                                    keys=tuple(KeyRecord(**key) for key in record["keys"]),
                                    webhooks=tuple(record.get("webhooks", ())))
                for code, record in data["services"].items()}

    def save(self, services: dict[str, ServiceRecord]) -> None:
        """Replace the file with these records (written beside it, fsynced, renamed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"services": {code: {"keys": [key.__dict__ for key in record.keys],
                                    "webhooks": list(record.webhooks)}
                             for code, record in sorted(services.items())}}
        partial = self.path.with_name(f".{FILE_NAME}.partial")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)
        fsync_directory(self.path.parent)

    def add_service(self, code: str, known_services: set[str]) -> ServiceRecord:
        """A new service record; the code must be a service of the catalog."""
        if code not in known_services:
            raise KeyStoreError(f"'{code}' is not a service of the catalog "
                                f"(services: {', '.join(sorted(known_services))})")
        if not _SERVICE_CODE.match(code):
            raise KeyStoreError(f"'{code}' cannot name an API service (lower-case letters, "
                                "digits and '-')")
        services = self.services()
        if code in services:
            raise KeyStoreError(f"service '{code}' already exists")
        services[code] = ServiceRecord(code=code)
        self.save(services)
        return services[code]

    def create_key(self, service: str, label: str = "") -> str:
        """A new key for the service: returned once, stored only as its hash."""
        services = self.services()
        if service not in services:
            raise KeyStoreError(f"no service '{service}': add it first "
                                f"(fusion-rating service add {service})")
        key_id = secrets.token_hex(4)
        key = f"frk_{service}_{key_id}{secrets.token_urlsafe(32).replace('-', 'x')}"
        record = services[service]
        stored = KeyRecord(key_id=key_id, prefix=f"frk_{service}_{key_id}", sha256=_digest(key),
                           created_at=_now(), label=label)
        services[service] = ServiceRecord(record.code, (*record.keys, stored), record.webhooks)
        self.save(services)
        return key

    def revoke_key(self, prefix: str) -> KeyRecord:
        """Revoke the key named by its prefix (`frk_<service>_<id>`); refused twice."""
        services = self.services()
        for code, record in services.items():
            for key in record.keys:
                if key.prefix == prefix:
                    if key.revoked_at is not None:
                        raise KeyStoreError(f"key {prefix} was revoked at {key.revoked_at}")
                    revoked = KeyRecord(**{**key.__dict__, "revoked_at": _now()})
                    services[code] = ServiceRecord(
                        code, tuple(revoked if k is key else k for k in record.keys),
                        record.webhooks)
                    self.save(services)
                    return revoked
        raise KeyStoreError(f"no key with prefix {prefix} (fusion-rating key list)")


class KeyChecker:
    """The server's view of the keys: re-reads services.json when it changes."""

    def __init__(self, store: KeyStore) -> None:
        self._store = store
        self._stamp: tuple[int, int] | None = None
        self._services: dict[str, ServiceRecord] = {}

    def _current(self) -> dict[str, ServiceRecord]:
        try:
            stat = self._store.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_ino)
        except FileNotFoundError:
            return {}
        if stamp != self._stamp:
            self._services, self._stamp = self._store.services(), stamp
        return self._services

    def service_of(self, key: str) -> str | None:
        """The service the key belongs to, or None (unknown, malformed or revoked)."""
        match = _KEY.match(key)
        if match is None:
            return None
        record = self._current().get(match["service"])
        if record is None:
            return None
        presented = _digest(key)
        for stored in record.keys:
            if stored.key_id == match["key_id"] and stored.revoked_at is None:
                return record.code if hmac.compare_digest(presented, stored.sha256) else None
        return None
