"""The warehouse as the invoice endpoints read it: the analysts' copy,
`<warehouse>-analysts.duckdb`, its documents held in memory until the copy is replaced.

Dagster and the CLI write the warehouse itself with one writer and no reader beside it, so the
server never opens it. After every command that writes it, rating.finance.run.
publish_analyst_copy replaces the copy in one step (written beside it, renamed over it). The
first request after that reads the copy's documents and account links once (sql/api/
documents.sql, account_links.sql: a full scan, as the copy's DECIMAL(38, 2) amounts are slow to
scan) into Arrow tables; every request until the next copy queries those in memory, on a
cursor of its own. The answers are as of the last publishing, i.e. the last rating, close,
adjust or post.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse
from rating.api import errors

RETRY_SECONDS = 60
"""What a caller is told to wait when no copy is published yet (a first run writes one)."""


def analyst_copy(warehouse_file: Path) -> Path:
    """Where publish_analyst_copy puts the copy of the warehouse."""
    return warehouse_file.with_name(f"{warehouse_file.stem}-analysts{warehouse_file.suffix}")


@dataclass(frozen=True)
class Snapshot:
    """The tables read from one copy, and which copy (inode, modification time, size)."""

    stamp: tuple[int, int, int]
    tables: dict[str, Any]


class AnalystCopy:
    """The documents of the current analysts' copy, read again when it is replaced."""

    def __init__(self, warehouse_file: Path) -> None:
        self.path = analyst_copy(warehouse_file)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._memory = duckdb.connect()

    def _stamp(self) -> tuple[int, int, int]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise errors.ApiError(503, "warehouse_not_published",
                                  retry_after=RETRY_SECONDS) from None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def current(self) -> Snapshot:
        """The snapshot of the copy there is now (read once per copy, one reader at a time)."""
        stamp = self._stamp()
        found = self._snapshot
        if found is not None and found.stamp == stamp:
            return found
        with self._lock:
            if self._snapshot is None or self._snapshot.stamp != stamp:
                self._snapshot = self._read(stamp)
            return self._snapshot

    def _read(self, stamp: tuple[int, int, int]) -> Snapshot:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            if not warehouse.value(con, "api/payment_states_present"):
                warehouse.run(con, "api/create_empty_payment_states")
            return Snapshot(stamp, {
                "api_documents": warehouse.run(con, "api/documents").to_arrow_table(),
                "api_links": warehouse.run(con, "api/account_links").to_arrow_table()})
        finally:
            con.close()

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor that sees the snapshot's tables by name; 503 with Retry-After in Lago's
        shape while no copy is published."""
        snapshot = self.current()
        cursor = self._memory.cursor()
        try:
            for name, table in snapshot.tables.items():
                cursor.register(name, table)
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        self._memory.close()
