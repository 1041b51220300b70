"""Month-to-date usage of one customer, priced by the nightly rating's own statements
(rating.rate.pricing) on what the ledger held at its last publication plus the landed usage
files it does not hold yet.

The server never opens the warehouse or the ledger's catalog: a rating or an ingestion holds
them for minutes, and DuckDB lets no reader open a file another process writes. Each writing
command publishes, under the writer lock, the analysts' copy of the warehouse and a copy of the
ledger's catalog beside it (rating.finance.run.publish_analyst_copy,
rating.ingest.ledger.publish_catalog), each renamed into place in one step. The ledger's data
are Parquet files that DuckLake never rewrites (the project runs no compaction or cleanup), so
a copied catalog keeps pointing at files that exist; should one ever be gone, the request is
answered again from the newest copy.

Each request, on an in-memory DuckDB connection of a small pool (its warehouse schema and
references kept between requests, taken again when a new copy is published):

1. references: those in force in the analysts' copy, with newer landed versions brought into
   force by rating.ingest.references exactly as the next rating will, then checked by
   rating.ingest.tables.check_reference (its ref_* narrowed to the customer's);
2. a scratch ledger (`ledger`, in memory) that holds what the next ingestion will: the
   customer's rows of the period from the published ledger, their catalog-quarantined rows
   decided again when the catalog has changed since the published ledger decided them
   (rating.ingest.redecision, as the next ingestion does first), plus the service's rows of
   every landed usage file the published manifest does not hold, decided by the ingestion's own
   statements (rating.ingest.usage.insert_rows, under the catalog in force; kept until those
   files, the copy or the catalog change), with the published ledger's live rows of the
   counters they push again (of any account: a later push under another account supersedes
   the customer's), and re-pushes settled as an ingestion settles them;
3. the rating's classify and price statements (rating.rate.pricing) for the current period.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from rating import warehouse
from rating.catalog import Catalog, load_catalog
from rating.ingest import landing, ledger, references
from rating.ingest import tables as accounts
from rating.ingest.manifest import KnownFile, by_file_id, compare_with_manifest, read_manifest
from rating.ingest.redecision import redecide_rows
from rating.ingest.usage import (
    PUSHED_AT_TOLERANCE,
    LandingError,
    create_period_buckets,
    insert_rows,
    settle_repushes,
)
from rating.periods import BillingPeriod, billing_period, period_code
from rating.progress import SILENT
from rating.rate import pricing
from rating.rate.catalog_tables import fingerprint, load_catalog_tables
from rating.rate.params import period_params

LEDGER_TABLES = ("ingest/ledger/create_ledger_meta", "ingest/ledger/create_ingestions",
                 "ingest/ledger/create_ingested_files", "ingest/ledger/create_usage_rows")
REFERENCE_TABLES = (("api/clear_reference_files", "api/copy_reference_files"),
                    ("api/clear_reference_rows_subscriptions",
                     "api/copy_reference_rows_subscriptions"),
                    ("api/clear_reference_rows_accounts", "api/copy_reference_rows_accounts"),
                    ("api/clear_reference_rejects", "api/copy_reference_rejects"))


class NotPublished(RuntimeError):
    """No copy has been published yet (nothing rated or ingested): answered 503."""


class UnknownCustomer(LookupError):
    """The service has no usable account link for the external id."""


class UnknownSubscription(LookupError):
    """The customer has no usable subscription of that id active this month."""


@dataclass(frozen=True)
class PricedUsage:
    """One customer's month to date: the period, its subscriptions and their rated lines
    (rated_charges rows, amounts exact: `amount` rounded half-up to cents per line, as on the
    invoice, `amount_unrounded` as priced)."""

    period: BillingPeriod
    subscriptions: tuple[dict[str, Any], ...]
    lines: tuple[dict[str, Any], ...]
    pending_files: int  # landed usage files read that the published ledger did not hold


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _tree_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file under `root` with its size and modification time (a new version of a
    reference file changes this, and only then are references brought into force again)."""
    found: list[tuple[str, int, int]] = []
    for folder, _, names in os.walk(root):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            found.append((os.path.join(folder, name), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def _decide(con: Any, new: list[landing.LandedFile], observed: dict[int, landing.FileStat],
            hashes: dict[int, str], catalog: Catalog, ingestion_id: int) -> None:
    """The files' rows on the emptied scratch ledger; a file whose pages do not decode is
    left out as unreadable, as the ingestion does (rating.ingest.usage)."""
    for attempt in (1, 2):
        warehouse.run(con, "api/clear_scratch_usage_rows")
        try:
            insert_rows(con, new, observed, hashes, {}, catalog, ingestion_id,
                        warehouse.utc_now(), PUSHED_AT_TOLERANCE)
            return
        except duckdb.Error:
            if attempt == 2 or not landing.verify(con, new):
                raise


class _Reader:
    """One in-memory connection and what it has loaded."""

    def __init__(self, pricer: UsagePricer) -> None:
        self.pricer = pricer
        self.con = warehouse.connect(":memory:", warehouse.WarehouseSettings(threads=2))
        warehouse.create_schema(self.con)
        self.con.execute("ATTACH ':memory:' AS ledger")
        for statement in LEDGER_TABLES:
            warehouse.run(self.con, statement)
        ledger.load_extension(self.con)
        self.published: tuple[Any, ...] | None = None
        self.references: tuple[Any, ...] | None = None
        self.catalog: Catalog | None = None
        self.fingerprint = ""  # the catalog's (rating.rate.catalog_tables.fingerprint)
        self.decided_under: str | None = None  # the published ledger's catalog fingerprint
        self.next_id = 0  # the next ingestion's id, above every one the published ledger holds
        self.pending_key: tuple[Any, ...] | None = None
        self.manifest: dict[int, KnownFile] = {}
        self.pending: tuple[int, int] | None = None

    def refresh(self, catalog: Catalog) -> None:
        """Attach the newest published copies, and the catalog and references, when changed."""
        settings = self.pricer.settings
        copies = (self.pricer.analysts, ledger.published_catalog(settings.warehouse))
        stamps = tuple(_stamp(path) for path in copies)
        if None in stamps:
            raise NotPublished("no analysts' copy of the warehouse and its ledger yet")
        if catalog is not self.catalog:
            load_catalog_tables(self.con, catalog)
            create_period_buckets(self.con, settings.time_zone)
            self.catalog, self.references = catalog, None
            self.fingerprint = fingerprint(catalog)
        if stamps != self.published:
            self._attach(copies)
            self.published, self.references = stamps, None
        tree = tuple(_tree_stamp(Path(settings.landing, kind)) for kind in references.KINDS)
        if tree != self.references:
            self._bring_references_into_force()
            self.references = tree

    def _attach(self, copies: tuple[Path, Path]) -> None:
        for name in ("published", "published_ledger"):
            self.con.execute(f"DETACH DATABASE IF EXISTS {name}")
        analysts = copies[0].as_posix().replace("'", "''")
        self.con.execute(f"ATTACH '{analysts}' AS published (READ_ONLY)")
        ledger.attach(self.con, ledger.default_folder(self.pricer.settings.warehouse),
                      read_only=True, catalog_copy=copies[1], name="published_ledger")
        warehouse.run(self.con, "api/clear_scratch_manifest")
        warehouse.run(self.con, "api/copy_manifest")
        self.manifest = {known.file_id: known for known in read_manifest(self.con)}
        found = warehouse.first_row(self.con, "api/published_catalog_fingerprint")
        self.decided_under = None if found is None else str(found["value"])
        self.next_id = int(warehouse.value(self.con, "api/next_ingestion_id"))

    def _bring_references_into_force(self) -> None:
        for clear, copy in REFERENCE_TABLES:
            warehouse.run(self.con, clear)
            warehouse.run(self.con, copy)
        try:
            references.refresh(self.con, str(self.pricer.settings.landing))
        except LandingError:
            # No reference file in force at all: no customer is known yet.
            warehouse.run(self.con, "ingest/references/create_raw_subscriptions")
            warehouse.run(self.con, "ingest/references/create_raw_accounts")
        accounts.check_reference(self.con, self.pricer.settings.time_zone)
        warehouse.run(self.con, "api/keep_all_subscriptions")
        warehouse.run(self.con, "api/keep_all_accounts")

    def price(self, service: str, external_id: str, subscription_id: str | None,
              period: BillingPeriod) -> PricedUsage:
        con, params = self.con, period_params(period)
        found = warehouse.rows(con, "api/customer_accounts",
                               {"service": service, "external_id": external_id})
        if not found:
            raise UnknownCustomer(external_id)
        scope = {**params, "service": service, "accounts": [r["account_id"] for r in found]}
        subscriptions = warehouse.rows(con, "api/customer_subscriptions", scope)
        if subscription_id is not None:
            subscriptions = [s for s in subscriptions if s["subscription_id"] == subscription_id]
            if not subscriptions:
                raise UnknownSubscription(subscription_id)
        warehouse.run(con, "api/narrow_ref_accounts", scope)
        warehouse.run(con, "api/narrow_ref_subscriptions", scope)
        warehouse.run(con, "rate/create_account_links")
        pending = self._scratch_ledger(scope)
        pricing.classify_usage(con, params, None)
        for statement in ("rate/delete_period_invoice_lines", "rate/delete_period_rated_charges",
                          "rate/delete_period_usage_rollups"):
            warehouse.run(con, statement, params)
        pricing.price_period(con, params)
        lines = warehouse.rows(con, "api/usage_lines", {
            **params, "subscriptions": [s["subscription_id"] for s in subscriptions]})
        return PricedUsage(period=period, subscriptions=tuple(subscriptions),
                           lines=tuple(lines), pending_files=pending)

    def _scratch_ledger(self, scope: dict[str, Any]) -> int:
        """The customer's ledger rows and the service's landed rows not yet ingested in the
        scratch ledger, re-pushes settled; the number of such files."""
        pending = self._pending_rows()
        warehouse.run(self.con, "api/clear_scratch_usage_rows")
        warehouse.run(self.con, "api/copy_customer_usage_rows", scope)
        if self.decided_under not in (None, self.fingerprint):
            # As the next ingestion, before it reads new files (rating.ingest.usage).
            assert self.catalog is not None
            redecide_rows(self.con, self.catalog, self.next_id)
        if pending is None:
            return 0
        warehouse.run(self.con, "api/add_pending_rows", scope)
        warehouse.run(self.con, "api/add_pending_rivals", {"ingestion_id": pending[0]})
        settle_repushes(self.con, pending[0])
        return pending[1]

    def _pending_rows(self) -> tuple[int, int] | None:
        """TEMP pending_rows: every landed usage file the published manifest does not hold,
        decided by the ingestion's statements under the catalog in force, and TEMP
        pending_rivals, the published ledger's live rows of the counters they push again
        (decided again only when those files, the published copy or the catalog change); (its
        ingestion id, the number of files), None when none."""
        con, root = self.con, str(self.pricer.settings.landing)
        files = landing.discover(con, root)
        observed = by_file_id(files, landing.observe(con, root, files))
        new, _, _ = compare_with_manifest(con, root, files, observed, self.manifest)
        new = [f for f in new if f.error is None]
        key = (self.published, self.fingerprint,
               tuple((f.file_id, observed[f.file_id]) for f in new))
        if key != self.pending_key:
            self.pending_key, self.pending = key, None
            if new:
                hashes = self.pricer.hashes(con, root, new, observed)
                landing.inspect_new(con, new, SILENT)
                assert self.catalog is not None
                _decide(con, new, observed, hashes, self.catalog, self.next_id)
                warehouse.run(con, "api/keep_pending_rows")
                warehouse.run(con, "api/keep_pending_rivals")
                # The published manifest and these files, as an ingestion's manifest holds
                # them when it settles re-pushes (file paths break ties).
                warehouse.run(con, "api/clear_scratch_manifest")
                warehouse.run(con, "api/copy_manifest")
                warehouse.run(con, "ingest/ledger/delete_manifest_files")
                warehouse.run(con, "ingest/ledger/insert_manifest_files")
                self.pending = (self.next_id, sum(f.error is None for f in new))
        return self.pending


class UsagePricer:
    """The server's pool of readers (one request per connection at a time)."""

    def __init__(self, settings: Any, size: int = 2,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        """`clock`: what time it is (a benchmark prices a sample month as if it were now)."""
        self.settings = settings
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        warehouse_file = Path(settings.warehouse)
        self.analysts = warehouse_file.with_name(
            f"{warehouse_file.stem}-analysts{warehouse_file.suffix}")
        self._idle: queue.LifoQueue[_Reader] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._catalog: tuple[tuple[Any, ...], Catalog] | None = None
        self._hashes: dict[tuple[str, int, Any], str] = {}

    def catalog(self) -> Catalog:
        """The catalog folder as the next rating will read it (read again when changed)."""
        stamp = _tree_stamp(Path(self.settings.catalog))
        with self._lock:
            if self._catalog is None or self._catalog[0] != stamp:
                self._catalog = (stamp, load_catalog(self.settings.catalog))
            return self._catalog[1]

    def hashes(self, con: Any, root: str, files: list[landing.LandedFile],
               observed: dict[int, landing.FileStat]) -> dict[int, str]:
        """Content hashes of landed files, kept by path, size and time (landed files are
        immutable; a rewritten one has another size or time)."""
        keys = {f.file_id: (f.path, observed[f.file_id].size_bytes,
                            observed[f.file_id].modified_at) for f in files}
        missing = [f for f in files if keys[f.file_id] not in self._hashes]
        for file_id, digest in by_file_id(missing, landing.content_hashes(
                con, root, missing)).items():
            self._hashes[keys[file_id]] = digest
        return {file_id: self._hashes[key] for file_id, key in keys.items()}

    def current_period(self) -> BillingPeriod:
        local = self._clock().astimezone(ZoneInfo(self.settings.time_zone))
        return billing_period(period_code(local.date()), self.settings.time_zone)

    def price(self, service: str, external_id: str, subscription_id: str | None) -> PricedUsage:
        """Price the customer's month to date on an idle reader (a new one, up to the pool's
        size, when none is idle); once more from the newest copies when a file was gone."""
        period = self.current_period()
        with self._slots:
            try:
                reader = self._idle.get_nowait()
            except queue.Empty:
                reader = _Reader(self)
            try:
                for attempt in (1, 2):
                    try:
                        reader.refresh(self.catalog())
                        return reader.price(service, external_id, subscription_id, period)
                    except duckdb.IOException:
                        if attempt == 2:
                            raise
                        reader.published = None  # attach the newest copies again
                raise AssertionError("unreachable")
            finally:
                self._idle.put(reader)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().con.close()
            except queue.Empty:
                return
