"""The write-ahead store and its flusher: torn tails, replay after a restart, a crash between a
file's rename and the checkpoint, segments deleted once flushed."""

import os
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from rating.api import flush
from rating.api.usage import open_store
from rating.api.wal import Submitted, Wal, encode, read_segment
from tests.support.api_server import settings_in
from tests.support.usage_api import NOW, accepted, ingest, landed_files

pytestmark = pytest.mark.engine
START = int((NOW.timestamp() - 7200) * 1_000_000)


def rows(prefix: str, count: int, metric: str = "vcpu_hours"
         ) -> list[tuple]:  # type: ignore[type-arg]
    return [(f"{prefix}{i}", "nc-1", metric, START, START + 1_800_000_000,
             Decimal(i), None, None, START) for i in range(count)]


def push(store_wal: Wal, service: str, batch: list[tuple]) -> int:  # type: ignore[type-arg]
    """Submit one batch and wait until it is durable; its seq."""
    done = threading.Event()
    got: list[int] = []

    def finished(seq: int, error: BaseException | None) -> None:
        assert error is None
        got.append(seq)
        done.set()

    store_wal.submit(Submitted(service, START, batch, encode(service, START, batch), finished))
    assert done.wait(10)
    return got[0]


def test_a_torn_tail_is_ignored_on_replay_and_writing_goes_on_after_it(tmp_path: Path
                                                                       ) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=3600.0)
    store = open_store(settings)
    push(store.wal, "nexacloud", rows("a", 3))
    push(store.wal, "nexacloud", rows("b", 2))
    store.wal.stop()   # no flush: as if killed
    os.close(store.lock)   # a killed server's lock goes with its process
    segment = store.wal.segments()[-1]
    whole = segment.read_bytes()
    segment.write_bytes(whole + whole[:40])   # a third record cut short by the crash
    records, torn = read_segment(segment)
    assert len(records) == 2 and torn
    again = open_store(settings)
    assert [b.seq for b in again.flusher.pending] == [1, 2]
    push(again.wal, "nexacloud", rows("c", 1))
    again.wal.stop()
    again.flusher.stop()
    ingest(settings)
    assert sorted(accepted(settings)) == ["a0", "a1", "a2", "b0", "b1", "c0"]


def test_a_damaged_record_ends_its_segment(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=3600.0)
    store = open_store(settings)
    push(store.wal, "nexacloud", rows("a", 1))
    push(store.wal, "nexacloud", rows("b", 1))
    store.wal.stop()
    segment = store.wal.segments()[-1]
    data = bytearray(segment.read_bytes())
    data[-3] ^= 0xFF   # a flipped byte in the last record's payload
    segment.write_bytes(bytes(data))
    records, torn = read_segment(segment)
    assert [seq for seq, _ in records] == [1] and torn


def test_what_was_not_flushed_is_landed_after_a_restart(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=3600.0)
    store = open_store(settings)
    push(store.wal, "nexacloud", rows("a", 4))
    push(store.wal, "nexadesk", rows("d", 2, "conversations"))
    store.wal.stop()
    os.close(store.lock)   # a killed server's lock goes with its process
    assert landed_files(settings) == []
    again = open_store(settings)
    again.wal.stop()
    again.flusher.stop()
    assert len(landed_files(settings)) == 2   # one file per service
    ingest(settings)
    assert sorted(accepted(settings)) == ["a0", "a1", "a2", "a3", "d0", "d1"]


def test_a_crash_between_rename_and_checkpoint_lands_no_row_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=3600.0)
    store = open_store(settings)
    push(store.wal, "nexacloud", rows("a", 3))
    push(store.wal, "nexadesk", rows("d", 3, "conversations"))
    store.wal.stop()
    real_write = flush.write_file
    written: list[Path] = []

    def crash_after_first_file(path: Path, data: object) -> bool:
        if written:
            raise OSError("killed")
        written.append(path)
        return real_write(path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(flush, "write_file", crash_after_first_file)
    with pytest.raises(OSError, match="killed"):
        store.flusher.flush_once()
    monkeypatch.setattr(flush, "write_file", real_write)
    os.close(store.lock)   # a killed server's lock goes with its process
    assert len(landed_files(settings)) == 1
    again = open_store(settings)   # the checkpoint still says "flushing 1..2"
    assert again.flusher.checkpoint.flushing == (1, 2)
    again.wal.stop()
    again.flusher.stop()
    assert len(landed_files(settings)) == 2
    assert again.flusher.files_written == 1   # the landed one was skipped
    ingest(settings)
    assert sorted(accepted(settings)) == ["a0", "a1", "a2", "d0", "d1", "d2"]


def test_segments_are_deleted_once_flushed(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=3600.0)
    store = open_store(settings)
    for n in range(3):
        push(store.wal, "nexacloud", rows(f"r{n}-", 2))
        store.flusher.flush_once()
    assert len(store.wal.segments()) <= 2   # the one being written, and one to go next time
    push(store.wal, "nexacloud", rows("last", 1))
    store.flusher.flush_once()
    store.wal.stop()
    store.flusher.stop()
    os.close(store.lock)
    assert len(store.wal.segments()) <= 2
    again = open_store(settings)
    assert again.flusher.pending == []   # everything was flushed: nothing replayed
    again.wal.stop()
    again.flusher.stop()
    ingest(settings)
    assert len(accepted(settings)) == 7


def test_a_full_writer_queue_is_429_with_retry_after(tmp_path: Path) -> None:
    import asyncio
    import queue

    from rating.api.errors import ApiError

    settings = settings_in(tmp_path, flush_interval_seconds=5.0)
    store = open_store(settings)
    store.wal.stop()   # the writer takes nothing more: its queue fills
    store.wal.queue = queue.Queue(maxsize=1)
    store.wal.queue.put_nowait(None)
    with pytest.raises(ApiError) as busy:
        asyncio.run(store.append("nexacloud", START, rows("a", 1)))
    store.flusher.stop()
    assert busy.value.status == 429 and busy.value.retry_after == 5
    assert busy.value.code == "too_many_unflushed_counters"
