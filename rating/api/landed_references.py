"""Customers and subscriptions as the landing zone holds them: each API write is one new small
Parquet file (a new version; earlier files are never edited), and the server answers reads from
every landed version, the latest winning, as the rating does.

A version is written under `<landing>/<kind>/api/<service>/<UTC day>/`, first under a name the
ingest does not read (`….parquet.partial`: its glob wants `*.parquet`), fsynced, renamed in one
step and its folder fsynced, all before the API answers: a 2xx means the version survives a
crash, and the ingest never sees half a file. Each version carries `version_at` (UTC, strictly
later than any earlier version of its key that the server has seen; Lago's `updated_at` in the
answers): among the usable rows of a key the latest one is in force
(sql/ingest/references/check_*.sql). Not `updated_at` in the files: CRM exports landed by hand
often carry a column of that name with their own meaning and format.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rating import warehouse
from rating.api.flush import make_folder
from rating.api.wal import fsync_directory
from rating.catalog import load_catalog
from rating.ingest import landing, tables
from rating.ingest.references import RAW_INSERTS

VERSION_COLUMN = tables.ACCOUNT_COLUMNS["updated_at_text"]
"""The files' column with a version's time (`version_at`); rows answer it as `updated_at`."""
PARTIAL_SUFFIX = ".partial"
"""Appended to a version's name until it is complete: the ingest reads only `*.parquet`."""

# What a version holds beside the ingest's columns (which it ignores): Lago's fields our
# reference files have no column for, so that a GET answers what was sent.
EXTRA_COLUMNS = {"accounts": ("address_line1", "address_line2", "legal_name"),
                 "subscriptions": ("name",)}
COLUMNS = {"accounts": (*tables.ACCOUNT_COLUMNS.values(), *EXTRA_COLUMNS["accounts"]),
           "subscriptions": (*tables.SUBSCRIPTION_COLUMNS.values(),
                             *EXTRA_COLUMNS["subscriptions"])}
SQL = {"accounts": ("api/create_landed_accounts", "api/delete_landed_accounts",
                    "api/latest_account"),
       "subscriptions": ("api/create_landed_subscriptions", "api/delete_landed_subscriptions",
                         "api/latest_subscription")}


def write_version(landing_root: Path, kind: str, service: str, row: Mapping[str, Any]) -> Path:
    """One version of one key (`row["updated_at"]`: its time) as a Parquet file, durable when
    this returns; its path."""
    updated_at: dt.datetime = row["updated_at"]
    folder = Path(landing_root) / kind / "api" / service / f"{updated_at:%Y-%m-%d}"
    make_folder(folder)
    name = f"{updated_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.parquet"
    final = folder / name
    partial = folder / f"{name}{PARTIAL_SUFFIX}"
    columns = [c for c in COLUMNS[kind] if c != VERSION_COLUMN]
    arrays = {c: pa.array([row.get(c)], pa.string()) for c in columns}
    arrays[VERSION_COLUMN] = pa.array([updated_at], pa.timestamp("us", tz="UTC"))
    with open(partial, "wb") as out:
        pq.write_table(pa.table(arrays), out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, final)
    fsync_directory(folder)
    return final


@dataclass(frozen=True)
class _Stamp:
    size: int
    modified_ns: int
    inode: int


class LandedReferences:
    """The landed versions of one kind, read with DuckDB into memory and kept until the files
    change: each read lists the files (other processes land some too), reads again only those
    new or changed since, and forgets those gone. Landed files are immutable, so a file's size,
    modification time and inode say whether it changed."""

    def __init__(self, landing: Path, kind: str, time_zone: str) -> None:
        self.landing, self.kind, self.time_zone = Path(landing), kind, time_zone
        self._create, self._delete, self._latest = SQL[kind]
        self._lock = threading.Lock()
        self._con = warehouse.connect(":memory:")
        warehouse.run(self._con, self._create)
        self._stamps: dict[str, _Stamp] = {}
        self._issued: dict[tuple[str, str], dt.datetime] = {}

    def _files(self) -> dict[str, _Stamp]:
        found: dict[str, _Stamp] = {}
        for folder, _, names in os.walk(self.landing / self.kind):
            for name in names:
                if name.endswith((".csv", ".parquet")):
                    path = os.path.join(folder, name)
                    try:
                        stat = os.stat(path)
                    except FileNotFoundError:
                        continue  # retired meanwhile
                    found[path] = _Stamp(stat.st_size, stat.st_mtime_ns, stat.st_ino)
        return found

    def _refresh(self) -> None:
        """Bring the in-memory rows up to the files as they are now (caller holds the lock)."""
        found = self._files()
        root = str(self.landing)
        for path in [p for p in self._stamps if found.get(p) != self._stamps[p]]:
            warehouse.run(self._con, self._delete,
                          {"file_path": landing.relative_path(root, path)})
            del self._stamps[path]
        for path, stamp in sorted(found.items()):
            if path in self._stamps:
                continue
            # A file that cannot be used as a whole (the ingest holds it) gives no row.
            tables.load_table_file(self._con, root, path, table=f"landed_{self.kind}",
                                   columns=COLUMNS[self.kind],
                                   required=tables.REQUIRED[self.kind], inserts=RAW_INSERTS)
            self._stamps[path] = stamp

    def latest(self, service: str, key: str) -> dict[str, Any] | None:
        """The latest usable version of the key in the service (the rating's rule: the latest
        version_at, a version without one older than any with one, then the file whose path
        sorts last), with `updated_at` (its version_at), `created_at`, its first version's
        time, `landed_at`, when its file was last written (what a hand-landed file without
        version_at can tell of its time), and whether the rows tied as latest disagree
        (`ambiguous` for accounts, `duplicate` for subscriptions: the rating holds the key);
        None when there is none."""
        with self._lock:
            self._refresh()
            found = warehouse.first_row(self._con, self._latest, {
                "service": service, "key": key, "time_zone": self.time_zone})
            stamp = None if found is None else self._stamps.get(
                os.path.join(self.landing, found["file_path"]))
        if found is None:
            return None
        landed = None if stamp is None else dt.datetime.fromtimestamp(
            stamp.modified_ns // 1_000_000_000, dt.UTC).replace(microsecond=0)
        # DuckDB gives naive UTC timestamps (the session's zone is UTC): make them aware.
        return {**{name: v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) else v
                   for name, v in found.items()}, "landed_at": landed}

    def held_elsewhere(self, service: str, key: str) -> bool:
        """Whether a row of another service (or none) holds the key (subscriptions: the rating
        keys them by id alone)."""
        with self._lock:
            self._refresh()
            return bool(warehouse.value(self._con, "api/subscription_elsewhere",
                                        {"service": service, "key": key}))

    def next_version_time(self, service: str, key: str,
                          current: dt.datetime | None) -> dt.datetime:
        """The updated_at of a new version of the key: now, or later than the latest version
        seen (by this server or in the files: a clock that stepped back never makes a new
        version lose to an older one)."""
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            floors = [t for t in (current, self._issued.get((service, key))) if t is not None]
            if floors and max(floors) >= now:
                now = max(floors) + dt.timedelta(microseconds=1)
            self._issued[(service, key)] = now
        return now

    def close(self) -> None:
        self._con.close()


class ReferenceStore:
    """What the customer and subscription routes share: a reader per kind, the catalog's plans
    and currencies, and the lock that makes a read-then-write of a key one step (an upsert
    keeps the fields a request leaves out; two at once would lose one's)."""

    def __init__(self, landing_root: Path, catalog: Path, time_zone: str) -> None:
        self.landing, self.time_zone = Path(landing_root), time_zone
        self.accounts = LandedReferences(self.landing, "accounts", time_zone)
        self.subscriptions = LandedReferences(self.landing, "subscriptions", time_zone)
        loaded = load_catalog(catalog)
        self.plans = {plan.code: plan.service for plan in loaded.plans}
        self.currencies = {service.code: service.currency for service in loaded.services}
        self.write_lock = threading.Lock()

    def write(self, kind: str, service: str, row: Mapping[str, Any]) -> Path:
        return write_version(self.landing, kind, service, row)

    def close(self) -> None:
        self.accounts.close()
        self.subscriptions.close()


_STORE_LOCK = threading.Lock()


def store_of(state: Any, landing_root: Path, catalog: Path, time_zone: str) -> ReferenceStore:
    """The application's store (`state`: app.state), made on first use."""
    with _STORE_LOCK:
        found = getattr(state, "reference_store", None)
        if found is None:
            found = ReferenceStore(landing_root, catalog, time_zone)
            state.reference_store = found
        assert isinstance(found, ReferenceStore)
        return found
