"""A subscription's account, for Lago events that name `external_subscription_id`.

Read with DuckDB from the subscription files landed under `<landing>/subscriptions/` (CSV with a
header, or Parquet, at any depth: rating.ingest.tables), those the customers and subscriptions
endpoints write included. Columns are matched by name, so extra ones are fine. When a
subscription has several rows, the latest wins: the greatest `version_at` where files have one,
then the file whose path sorts last, then the later row in it.

Cached until the files change: the listing (path, size, modification time) is looked at again at
most once a second, and at once when a subscription is not found (one just created is then
found by the next request).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse
from rating.ingest.landing import first_line
from rating.ingest.names import literal_path

log = logging.getLogger("rating.api.lookup")
RELIST_SECONDS = 1.0
_STATEMENTS = {".csv": "api/subscription_rows_csv", ".parquet": "api/subscription_rows_parquet"}


def listing(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """The subscription files with their size and modification time, sorted by path."""
    if not folder.is_dir():
        return ()
    found = []
    for path in folder.rglob("*"):
        if path.suffix in _STATEMENTS and not path.name.startswith(".") and path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def _read(paths: list[str], suffix: str) -> list[dict[str, Any]]:
    """The rows of the files of one format (each file alone when one cannot be read)."""
    if not paths:
        return []
    con = duckdb.connect(":memory:")
    try:
        try:
            return warehouse.rows(con, _STATEMENTS[suffix],
                                  {"files": [literal_path(p) for p in paths]})
        except duckdb.Error:
            found: list[dict[str, Any]] = []
            for path in paths:
                try:
                    found.extend(warehouse.rows(con, _STATEMENTS[suffix],
                                                {"files": [literal_path(path)]}))
                except duckdb.Error as exc:
                    log.warning("subscription file %s cannot be read: %s", path, first_line(exc))
            return found
    finally:
        con.close()


def accounts_by_subscription(paths: list[str]) -> dict[tuple[str, str], str]:
    """(service, subscription_id) -> account_id, the latest row of each winning."""
    rows: list[tuple[tuple[str, str, int], dict[str, Any]]] = []
    order = {path: index for index, path in enumerate(sorted(paths))}
    for suffix in _STATEMENTS:
        read = _read([p for p in paths if p.endswith(suffix)], suffix)
        for position, row in enumerate(read):
            updated = row.get("version_at")
            rows.append(((str(updated or ""), str(order.get(str(row.get("filename")), 0)).zfill(9),
                          position), row))
    found: dict[tuple[str, str], str] = {}
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        service, subscription, account = (row.get("service"), row.get("subscription_id"),
                                          row.get("account_id"))
        if service and subscription and account:
            found[(str(service), str(subscription))] = str(account)
    return found


class SubscriptionAccounts:
    """The landed subscriptions' accounts, read again when the files change."""

    def __init__(self, landing: Path) -> None:
        self.folder = landing / "subscriptions"
        self._lock = threading.Lock()
        self._listing: tuple[tuple[str, int, int], ...] | None = None
        self._checked = 0.0
        self._accounts: dict[tuple[str, str], str] = {}

    def _refresh(self, force: bool) -> None:
        now = time.monotonic()
        if not force and self._listing is not None and now - self._checked < RELIST_SECONDS:
            return
        self._checked = now
        current = listing(self.folder)
        if current != self._listing:
            self._accounts = accounts_by_subscription([entry[0] for entry in current])
            self._listing = current

    def account_of(self, service: str, subscription_id: str) -> str | None:
        with self._lock:
            self._refresh(force=False)
            found = self._accounts.get((service, subscription_id))
            if found is None:
                self._refresh(force=True)
                found = self._accounts.get((service, subscription_id))
            return found
