"""The write-ahead store under `<state>/wal/`: a request's counters are durable once here.

Append-only segment files `<first seq>.wal`, each a run of records:

    length (u32) | crc32 of seq and payload (u32) | seq (u64) | payload (JSON, `length` bytes)

One record per accepted batch; seq numbers never repeat (the checkpoint carries the last one
flushed, so a restart with every segment deleted goes on after it). One writer thread takes what
the requests queued, writes it all and fsyncs once (group commit), then tells each request: a 2xx
goes out only after its record is on disk. On restart every segment is read back; a record cut
short or whose CRC does not match (a write torn by a crash, never acknowledged) ends its segment,
and writing resumes in a new segment.

`checkpoint.json` (replaced in one step and fsynced) holds the server's instance id (in the
landing files' names), the last seq flushed to the landing zone and the range being flushed
(rating.api.flush), so a restart redoes exactly that range.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import logging
import os
import queue
import secrets
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rating.api.counters import Row

log = logging.getLogger("rating.api.wal")
HEADER = struct.Struct("<IIQ")
SEGMENT_BYTES = 64 * 1024 * 1024
"""A segment past this size is closed and a new one started (flushed ones are deleted)."""
GROUP_LIMIT = 4096
"""At most this many requests share one fsync (keeps one write bounded)."""


@dataclass
class Batch:
    """One request's counters, durable under `seq`."""

    seq: int
    service: str
    received: int
    rows: list[Row]


@dataclass
class Submitted:
    """A request's counters waiting for the writer; `done(seq, error)` is called once."""

    service: str
    received: int
    rows: list[Row]
    payload: bytes
    done: Callable[[int, BaseException | None], None]


@dataclass
class Checkpoint:
    instance: str
    flushed_through: int = 0
    flushing: tuple[int, int] | None = None


def encode(service: str, received: int, rows: list[Row]) -> bytes:
    return json.dumps({"s": service, "r": received, "c": [
        [r[0], r[1], r[2], r[3], r[4], None if r[5] is None else str(r[5]), r[6], r[7], r[8]]
        for r in rows]}, separators=(",", ":"), ensure_ascii=False).encode()


def decode(seq: int, payload: bytes) -> Batch:
    data = json.loads(payload)
    rows: list[Row] = [(c[0], c[1], c[2], c[3], c[4], None if c[5] is None else Decimal(c[5]),
                        c[6], c[7], c[8]) for c in data["c"]]
    return Batch(seq, data["s"], data["r"], rows)


def record(seq: int, payload: bytes) -> bytes:
    crc = zlib.crc32(payload, zlib.crc32(seq.to_bytes(8, "little")))
    return HEADER.pack(len(payload), crc, seq) + payload


def read_segment(path: Path) -> tuple[list[tuple[int, bytes]], bool]:
    """The segment's good records (seq, payload), and whether a torn or damaged tail ended it."""
    data = path.read_bytes()
    found: list[tuple[int, bytes]] = []
    at = 0
    while at + HEADER.size <= len(data):
        length, crc, seq = HEADER.unpack_from(data, at)
        payload = data[at + HEADER.size:at + HEADER.size + length]
        if len(payload) < length or zlib.crc32(
                payload, zlib.crc32(seq.to_bytes(8, "little"))) != crc:
            return found, True
        found.append((seq, payload))
        at += HEADER.size + length
    return found, at != len(data)


def fsync_directory(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` in one step, fsynced: a reader sees the old or the new bytes."""
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    fsync_directory(path.parent)


def read_checkpoint(folder: Path) -> Checkpoint:
    """The folder's checkpoint; a new one (a new instance id) the first time."""
    path = folder / "checkpoint.json"
    if not path.exists():
        checkpoint = Checkpoint(instance=secrets.token_hex(4))
        folder.mkdir(parents=True, exist_ok=True)
        write_checkpoint(folder, checkpoint)
        return checkpoint
    data = json.loads(path.read_text(encoding="utf-8"))
    flushing = data.get("flushing")
    return Checkpoint(data["instance"], int(data["flushed_through"]),
                      None if flushing is None else (int(flushing[0]), int(flushing[1])))


def write_checkpoint(folder: Path, checkpoint: Checkpoint) -> None:
    write_atomically(folder / "checkpoint.json", json.dumps({
        "instance": checkpoint.instance, "flushed_through": checkpoint.flushed_through,
        "flushing": None if checkpoint.flushing is None else list(checkpoint.flushing)},
    ).encode())


def new_segment(path: Path) -> int:
    """The fd of a new, empty segment whose name is durable."""
    # A segment of this name holds no good record (each would have moved next_seq past it):
    # at most the torn start of one. Appending after it would hide what follows.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    try:
        fsync_directory(path.parent)
    except OSError:
        os.close(fd)   # its name may not be durable: the next write opens it again
        raise
    return fd


class StateFolderBusy(RuntimeError):
    """Another process serves this state folder (it holds `wal/LOCK`)."""


def lock_folder(folder: Path) -> int:
    """An exclusive lock on `folder/LOCK`, held while the returned fd stays open: two servers
    on one state folder would take the same instance id and seqs, and their landed files'
    names would collide (one skipped as already there: acknowledged counters lost)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / "LOCK", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StateFolderBusy(f"the state folder {folder.parent} is in use by another server "
                              f"(process {holder}); stop it first") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


class Wal:
    """The segments of one state folder and their writer thread."""

    def __init__(self, folder: Path, queue_size: int,
                 on_durable: Callable[[list[Batch]], None]) -> None:
        self.folder = folder
        self.queue: queue.Queue[Submitted | None] = queue.Queue(maxsize=queue_size)
        self.on_durable = on_durable
        self.next_seq = 1
        self.queued_rows = 0
        self._lock = threading.Lock()
        self._roll = False
        self._fd: int | None = None
        self._segment: Path | None = None
        self._size = 0
        self._thread: threading.Thread | None = None

    def read_checkpoint(self) -> Checkpoint:
        return read_checkpoint(self.folder)

    def write_checkpoint(self, checkpoint: Checkpoint) -> None:
        write_checkpoint(self.folder, checkpoint)

    def segments(self) -> list[Path]:
        return sorted(self.folder.glob("*.wal"))

    def replay(self, checkpoint: Checkpoint) -> list[Batch]:
        """The batches not yet flushed, in seq order; the next seq follows every one seen."""
        batches: list[Batch] = []
        last = checkpoint.flushed_through
        for segment in self.segments():
            records, torn = read_segment(segment)
            if torn:
                log.warning("write-ahead segment %s ends in a torn record (a write the crash "
                            "cut short, never acknowledged): ignored", segment.name)
            for seq, payload in records:
                last = max(last, seq)
                if seq > checkpoint.flushed_through:
                    batches.append(decode(seq, payload))
        self.next_seq = last + 1
        batches.sort(key=lambda b: b.seq)
        return batches

    def start(self) -> None:
        self._open_segment()
        self._thread = threading.Thread(target=self._run, name="wal-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._thread is not None:
            self.queue.put(None)
            self._thread.join()
            self._thread = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def submit(self, item: Submitted) -> None:
        """Queue a request's batch; queue.Full when the writer is that far behind."""
        self.queue.put_nowait(item)
        with self._lock:
            self.queued_rows += len(item.rows)

    def request_roll(self) -> None:
        """Start a new segment at the next write, so that flushed ones can be deleted."""
        self._roll = True

    def delete_flushed(self, through: int) -> None:
        """Delete every segment all of whose records are flushed (not the one being written)."""
        with self._lock:
            current = self._segment
        segments = self.segments()
        for segment, following in itertools.pairwise(segments):
            if segment != current and int(following.stem) - 1 <= through:
                segment.unlink(missing_ok=True)

    def _open_segment(self) -> None:
        if self._fd is not None:
            # Forgotten before anything can fail: a failed open below must not leave a closed
            # fd here (closed again at the next attempt: EBADF, or another file's fd by then).
            fd, self._fd = self._fd, None
            os.close(fd)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.next_seq:016d}.wal"
        fd = new_segment(path)
        with self._lock:
            self._fd, self._segment, self._size = fd, path, os.fstat(fd).st_size
        self._roll = False

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self.queue.get()
            group: list[Submitted] = []
            if first is None:
                stopping = True
            else:
                group.append(first)
            while len(group) < GROUP_LIMIT:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                else:
                    group.append(item)
            if group:
                self._write(group)

    def _write(self, group: list[Submitted]) -> None:
        try:
            if self._fd is None or self._roll or self._size > SEGMENT_BYTES:
                self._open_segment()
            seqs = list(range(self.next_seq, self.next_seq + len(group)))
            data = b"".join(record(seq, item.payload) for seq, item in zip(seqs, group,
                                                                           strict=True))
            assert self._fd is not None
            written = os.write(self._fd, data)
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as exc:
            log.error("the write-ahead store could not be written: %s", exc)
            self._fail(group, exc)
            return
        self._size += len(data)
        self.next_seq += len(group)
        self.on_durable([Batch(seq, item.service, item.received, item.rows)
                         for seq, item in zip(seqs, group, strict=True)])
        with self._lock:
            self.queued_rows -= sum(len(item.rows) for item in group)
        for seq, item in zip(seqs, group, strict=True):
            item.done(seq, None)

    def _fail(self, group: list[Submitted], exc: BaseException) -> None:
        with self._lock:
            self.queued_rows -= sum(len(item.rows) for item in group)
        # The segment may now end in a partial record: continue in a new one, and never use
        # these seqs again (a record written whole despite the error keeps its own).
        self.next_seq += len(group)
        self._roll = True
        for item in group:
            item.done(0, exc)
