"""The flusher: durable counters from the write-ahead store to Parquet in the landing zone.

Every `flush_interval_seconds`, or as soon as `flush_rows` counters wait, the batches waiting
(seqs a..b) become one file per service:

    <landing>/usage/service=<svc>/api/<yyyy-mm-dd>/<instance>-<a>-<b>.parquet

with the contract's columns typed (docs/usage-counters.md): text as strings, timestamps UTC
(microseconds), value DECIMAL(38, 9). The date is the UTC day the first batch of the range was
received, the instance the state folder's id: the name depends only on what the write-ahead
store holds. Each file is written as `<name>.partial` (the ingest reads `*.parquet` only),
fsynced, renamed, and its folder fsynced.

Steps, each durable before the next: the checkpoint says "flushing a..b"; the files; the
checkpoint says "flushed through b". A restart that finds "flushing a..b" writes the same range
again and skips each file that exists, so a crash between a rename and the checkpoint never
lands the same rows twice. Segments whose records are all flushed are then deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections import defaultdict
from pathlib import Path

import pyarrow
import pyarrow.parquet

from rating.api.counters import EPOCH, Row
from rating.api.wal import Batch, Checkpoint, Wal, fsync_directory

log = logging.getLogger("rating.api.flush")
SCHEMA = pyarrow.schema([
    ("counter_id", pyarrow.string()), ("service", pyarrow.string()),
    ("account_id", pyarrow.string()), ("metric", pyarrow.string()),
    ("period_start", pyarrow.timestamp("us", tz="UTC")),
    ("period_end", pyarrow.timestamp("us", tz="UTC")),
    ("value", pyarrow.decimal128(38, 9)), ("unique_key", pyarrow.string()),
    ("dimensions", pyarrow.string()), ("pushed_at", pyarrow.timestamp("us", tz="UTC"))])


def table(service: str, rows: list[Row]) -> pyarrow.Table:
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    return pyarrow.Table.from_arrays([
        pyarrow.array(columns[0], pyarrow.string()),
        pyarrow.array([service] * len(rows), pyarrow.string()),
        pyarrow.array(columns[1], pyarrow.string()), pyarrow.array(columns[2], pyarrow.string()),
        pyarrow.array(columns[3], SCHEMA.field("period_start").type),
        pyarrow.array(columns[4], SCHEMA.field("period_end").type),
        pyarrow.array(columns[5], SCHEMA.field("value").type),
        pyarrow.array(columns[6], pyarrow.string()), pyarrow.array(columns[7], pyarrow.string()),
        pyarrow.array(columns[8], SCHEMA.field("pushed_at").type)], schema=SCHEMA)


def make_folder(folder: Path) -> None:
    """Create `folder` and its missing parents, each new entry fsynced in its parent."""
    missing: list[Path] = []
    at = folder
    while not at.exists():
        missing.append(at)
        at = at.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        fsync_directory(created.parent)


def write_file(path: Path, data: pyarrow.Table) -> bool:
    """Land `data` at `path` (temporary name, fsync, rename, folder fsync); False if it exists."""
    if path.exists():
        return False
    make_folder(path.parent)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        pyarrow.parquet.write_table(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    fsync_directory(path.parent)
    return True


class Flusher:
    """The batches waiting for the landing zone, and the thread that lands them."""

    def __init__(self, landing: Path, wal: Wal, checkpoint: Checkpoint, interval: float,
                 rows: int) -> None:
        self.landing, self.wal, self.checkpoint = landing, wal, checkpoint
        self.interval, self.rows = interval, rows
        self.pending: list[Batch] = []
        self.pending_rows = 0
        self.files_written = 0
        self.error: str | None = None
        """Why the last flush failed (no path: GET /health shows it to anyone); None once one
        succeeds."""
        self._lock = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def add(self, batches: list[Batch]) -> None:
        """Batches now durable in the write-ahead store (called by its writer, in seq order)."""
        with self._lock:
            self.pending.extend(batches)
            self.pending_rows += sum(len(b.rows) for b in batches)
            if self.pending_rows >= self.rows:
                self._lock.notify()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="usage-flusher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then land everything waiting."""
        with self._lock:
            self._stop = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        while self.pending:
            self.flush_once()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stop and self.pending_rows < self.rows:
                    self._lock.wait(self.interval)
                if self._stop:
                    return
            try:
                self.flush_once()
                self.error = None
            except Exception as exc:  # retried next time; the rows stay in the write-ahead store
                log.exception("flushing usage to the landing zone failed; retrying")
                self.error = (f"landing zone not writable: {exc.strerror}"
                              if isinstance(exc, OSError) and exc.strerror
                              else f"flush failed: {type(exc).__name__}")
                with self._lock:
                    self._lock.wait(self.interval)

    def flush_once(self) -> int:
        """Land the batches waiting (exactly the range a crash left half done, first); the
        number of batches landed."""
        with self._lock:
            batches = list(self.pending)
        redo = self.checkpoint.flushing
        if redo is not None:
            batches = [b for b in batches if redo[0] <= b.seq <= redo[1]]
        if not batches:
            if redo is not None:  # nothing of the range left to land (all flushed)
                self._checkpoint(redo[1], None)
            return 0
        first, last = (redo if redo is not None else (batches[0].seq, batches[-1].seq))
        self._checkpoint(self.checkpoint.flushed_through, (first, last))
        day = (EPOCH + dt.timedelta(microseconds=batches[0].received)).date().isoformat()
        # One small Arrow table per batch: converting Python objects holds the GIL, and a
        # request's thread gets it back between two short conversions, not during one long one.
        by_service: dict[str, list[pyarrow.Table]] = defaultdict(list)
        for batch in batches:
            by_service[batch.service].append(table(batch.service, batch.rows))
        name = f"{self.checkpoint.instance}-{first:012d}-{last:012d}.parquet"
        for service, tables in sorted(by_service.items()):
            path = self.landing / "usage" / f"service={service}" / "api" / day / name
            if write_file(path, pyarrow.concat_tables(tables).combine_chunks()):
                self.files_written += 1
        self._checkpoint(max(last, self.checkpoint.flushed_through), None)
        landed = {id(b) for b in batches}
        with self._lock:
            self.pending = [b for b in self.pending if id(b) not in landed]
            self.pending_rows -= sum(len(b.rows) for b in batches)
        self.wal.request_roll()
        self.wal.delete_flushed(self.checkpoint.flushed_through)
        return len(batches)

    def _checkpoint(self, through: int, flushing: tuple[int, int] | None) -> None:
        updated = Checkpoint(self.checkpoint.instance, through, flushing)
        self.wal.write_checkpoint(updated)
        self.checkpoint = updated
