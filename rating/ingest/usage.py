"""Ingest new usage files into the ledger, each file once (docs/ledger.md).

1. List `<landing>/usage/**.parquet` and compare it with the manifest (ledger.ingested_files,
   rating.ingest.manifest). A path not in it is new. A known path whose size or modification
   time changed is hashed again: other bytes than those ingested hold it
   (`changed_after_ingestion`), since landed files are immutable and a correction is a new
   file. An unreadable file is tried again on every run and ingested once it reads (nothing
   was taken from it before).
2. Inspect each new file (schema, row count); a file that is not Parquet is recorded unreadable,
   by name, and the others go on.
3. In ONE ledger transaction: the manifest rows; every row of the new files, validated against
   the contract and the catalog (sql/ingest/ledger/insert_usage_rows.sql); re-pushes settled
   against all the ledger holds; the ingestion's record. Rows read = accepted + superseded +
   quarantined, or nothing is written.
4. Mirror the manifest, the ingestions and the quarantined rows into the warehouse (one warehouse
   transaction; a run that dies in between is caught up by the next one), with the usage files
   held as of now (held_inputs, rating.ingest.held).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow

from rating import warehouse
from rating.catalog import Catalog
from rating.ingest import landing, ledger
from rating.ingest.flagged import FlaggedFiles, flagged_files
from rating.ingest.held import HeldFile, record_held, unreleased
from rating.ingest.manifest import (
    KnownFile,
    by_file_id,
    check_rebuild,
    compare_with_manifest,
    read_manifest,
    relative_error,
    unreadable_held,
)
from rating.ingest.redecision import redecide_rows
from rating.periods import FIRST_PERIOD, LAST_PERIOD, billing_period, periods_between
from rating.progress import SILENT, Progress, count
from rating.rate.catalog_tables import fingerprint
from rating.webhooks.events import tell_rejected

__all__ = ["PUSHED_AT_TOLERANCE", "ConservationError", "HeldFile", "IngestResult", "LandingError",
           "create_period_buckets", "ingest", "insert_rows", "require_usage_files",
           "settle_repushes", "sync"]

PUSHED_AT_TOLERANCE = dt.timedelta(hours=24)
"""How far past its file's ingestion a pushed_at may be (clock skew) before it is quarantined."""


class ConservationError(RuntimeError):
    """Rows read != accepted + superseded + quarantined: a row would be lost."""


class LandingError(ValueError):
    """The landing root cannot be what the user meant (missing, or no usage file at all)."""


@dataclass(frozen=True, kw_only=True)
class IngestResult:
    """One ingestion: the new files' rows, classified when they landed (built by field name:
    no count depends on its position among the others)."""

    ingestion_id: int | None      # None: nothing new was ingested
    files_found: int              # usage files in the landing zone now
    files_new: int
    files_unreadable: int         # new files that are not readable Parquet
    rows_read: int                # rows of the new files = accepted + superseded + quarantined
    rows_accepted: int
    rows_superseded: int          # new rows that lost to a later push of their counter
    rows_quarantined: int
    earlier_rows_superseded: int  # rows of earlier ingestions that new pushes superseded
    quarantine_by_reason: tuple[tuple[str, int], ...]
    held: tuple[HeldFile, ...]    # usage files held now (unreadable, changed after ingestion)
    periods: tuple[str, ...]      # billing periods whose rows changed
    rows_redecided: int = 0       # quarantined rows decided again under a changed catalog
    # New files mostly quarantined (rating.ingest.flagged).
    flagged: FlaggedFiles = field(default_factory=FlaggedFiles)


def require_usage_files(root: str, files: list[landing.LandedFile]) -> None:
    """A landing root that does not exist or holds no usage file is a mistake (a mistyped
    path, an unmounted volume), never an empty month."""
    if not root.startswith("s3://") and not Path(root).is_dir():
        raise LandingError(f"the landing root {root} does not exist: check --landing or "
                           "FUSION_LANDING")
    if not files:
        raise LandingError(f"the landing root {root} holds no usage file (*.parquet under "
                           f"{root.rstrip('/')}/usage/): check --landing or FUSION_LANDING")


def ingest(con: Any, root: str, catalog: Catalog, time_zone: str, *, rebuild: bool = False,
           accept_changes: bool = False,
           pushed_at_tolerance: dt.timedelta = PUSHED_AT_TOLERANCE,
           progress: Progress = SILENT) -> IngestResult:
    """Ingest what is new under `root`, on a writer connection with the ledger attached, the
    landing root opened and the catalog's cat_* tables loaded (rating.rate.engine).

    With `rebuild`, empty the ledger and ingest every file again, each keeping the ingestion
    time it first had (so pushed_at_in_future decides the same); a rebuild that would lose the
    rows of files gone from the landing zone, or take other bytes than those ingested, is
    refused unless `accept_changes`."""
    with progress.step("listing usage files") as step:
        files = landing.discover(con, root)
        require_usage_files(root, files)
        observed = by_file_id(files, landing.observe(con, root, files))
        manifest = {k.file_id: k for k in read_manifest(con)}
        started = warehouse.utc_now()
        first_seen: dict[int, dt.datetime] = {}
        touched: list[tuple[landing.LandedFile, dt.datetime | None]] = []
        held: list[HeldFile] = []
        if rebuild:
            hashes = by_file_id(files, landing.content_hashes(con, root, files))
            check_rebuild(files, hashes, manifest, accept_changes)
            first_seen = {f.file_id: manifest[f.file_id].ingested_at for f in files
                          if f.file_id in manifest
                          and manifest[f.file_id].content_hash == hashes[f.file_id]}
            new = list(files)
        else:
            new, held, touched = compare_with_manifest(con, root, files, observed, manifest)
            hashes = by_file_id(new, landing.content_hashes(con, root, new))
        step.report(f"{count(len(files), 'usage files')}, {len(new):,} new")
    landing.inspect_new(con, new, progress)
    # Known unreadable files are tried again; one that still does not read is held, not
    # recorded again.
    retry = set() if rebuild else {f.file_id for f in new if f.file_id in manifest}
    if rebuild:
        check_rebuild(new, hashes, manifest, accept_changes)
    redecided = None if rebuild else _redecide_catalog_reasons(con, catalog, time_zone, started)
    ingestion_id = None
    if any(f.error is None or f.file_id not in retry for f in new):
        with progress.step("writing the ledger") as step:
            create_period_buckets(con, time_zone)
            ingestion_id = _write_ingestion(con, new, retry, observed, hashes, first_seen,
                                            catalog, started, pushed_at_tolerance,
                                            (manifest, accept_changes) if rebuild else None)
            step.report(f"ingestion #{ingestion_id}" if ingestion_id else "nothing new")
    with progress.step("mirroring the ledger into the warehouse"):
        held += [unreadable_held(f, hashes[f.file_id],
                                 manifest[f.file_id] if f.file_id in retry else None)
                 for f in new if f.error is not None]
        # Told now: this run's pushes (of a rebuild, the files the old manifest lacked).
        held = _mirror(con, catalog, touched, held, (ingestion_id, [
            f.file_id for f in files if rebuild and f.file_id not in manifest]))
    return _result(con, ingestion_id, redecided, len(files), held)


def _mirror(con: Any, catalog: Catalog,
            touched: list[tuple[landing.LandedFile, dt.datetime | None]],
            held: list[HeldFile], told: tuple[int | None, list[int]]) -> list[HeldFile]:
    """Step 4: the manifest's new modification times and the catalog's fingerprint in the
    ledger, then the ledger mirrored into the warehouse with the usage files held now and
    the pushes of the ingestions mirrored told (`told`: this run's ingestion, new files)."""
    with warehouse.transaction(con):
        for landed, modified_at in touched:
            warehouse.run(con, "ingest/ledger/touch_manifest_file",
                          {"file_id": landed.file_id, "modified_at": modified_at})
        ledger.set_meta(con, "catalog_fingerprint", fingerprint(catalog))
    held = unreleased(con, held)
    with warehouse.transaction(con):
        tell_rejected(con, sync(con), *told)
        _record_held(con, held)
    return held


def _write_ingestion(con: Any, candidates: list[landing.LandedFile], retry: set[int],
                     observed: dict[int, landing.FileStat],
                     hashes: dict[int, str], first_seen: dict[int, dt.datetime],
                     catalog: Catalog, started: dt.datetime, tolerance: dt.timedelta,
                     rebuild: tuple[dict[int, KnownFile], bool] | None) -> int | None:
    """The ledger transaction of step 3; the new ingestion's id (None: nothing to record, all
    that was new were known unreadable files that still do not read). `rebuild`: the manifest
    being replaced and whether changes are accepted."""
    for attempt in (1, 2):
        new = [f for f in candidates if f.error is None or f.file_id not in retry]
        if not new:
            return None
        try:
            with warehouse.transaction(con):
                # Ids go on rising across rebuilds: the warehouse's mirror compares them.
                ingestion_id = _next_ingestion_id(con)
                if rebuild:
                    ledger.drop_data_tables(con)
                    ledger.create_tables(con)
                    ledger.set_meta(con, "generation", uuid.uuid4().hex)
                insert_rows(con, new, observed, hashes, first_seen, catalog, ingestion_id,
                            started, tolerance)
                warehouse.run(con, "ingest/ledger/delete_manifest_files")
                warehouse.run(con, "ingest/ledger/insert_manifest_files")
                settle_repushes(con, ingestion_id)
                _record_ingestion(con, new, ingestion_id, started, rebuild is not None)
            return ingestion_id
        except duckdb.Error:
            # Retry only when a file is to blame (pages that do not decode); otherwise the
            # error is the engine's own.
            if attempt == 2 or not landing.verify(con, candidates):
                raise
            if rebuild:
                check_rebuild(candidates, hashes, *rebuild)
    raise AssertionError("unreachable")


def insert_rows(con: Any, new: list[landing.LandedFile], observed: dict[int, landing.FileStat],
                hashes: dict[int, str], first_seen: dict[int, dt.datetime], catalog: Catalog,
                ingestion_id: int, started: dt.datetime, tolerance: dt.timedelta) -> None:
    """The new files' checks (landed_file_checks) and their rows in ledger.usage_rows, decided
    as ingested (also on current_usage's scratch ledger: rating.api.pricing)."""
    _record_files(con, new, observed, hashes, first_seen, ingestion_id, started, tolerance)
    rows = landing.source(new)
    insert = warehouse.sql("ingest/ledger/insert_usage_rows")
    warehouse.run_text(con, rows.into(insert), {
        **rows.params, "known_services": [s.code for s in catalog.services],
        "ingestion_id": ingestion_id})
    _check_conservation(con, new, ingestion_id)


def _next_ingestion_id(con: Any) -> int:
    last = int(warehouse.value(con, "ingest/ledger/last_ingestion_id"))
    return max(last, int(ledger.meta(con, "last_ingestion_id") or 0)) + 1


def _record_files(con: Any, new: list[landing.LandedFile],
                  observed: dict[int, landing.FileStat],
                  hashes: dict[int, str], first_seen: dict[int, dt.datetime],
                  ingestion_id: int, started: dt.datetime, tolerance: dt.timedelta) -> None:
    warehouse.run(con, "ingest/create_landed_files")
    for landed in new:
        stat = observed[landed.file_id]
        ingested_at = first_seen.get(landed.file_id, started)
        warehouse.run(con, "ingest/insert_landed_file", {
            "file_id": landed.file_id, "file_path": landed.relative_path,
            "size_bytes": stat.size_bytes, "modified_at": stat.modified_at,
            "content_hash": hashes[landed.file_id],
            "rows": None if landed.error else landed.rows,
            "status": "unreadable" if landed.error else "ingested",
            "error": relative_error(landed) if landed.error else None,
            "missing_columns": [] if landed.error else landed.missing_columns,
            "extra_columns": [] if landed.error else landed.extra_columns,
            "has_value_column": "value" in landed.types, "ingestion_id": ingestion_id,
            "ingested_at": ingested_at, "pushed_at_limit": ingested_at + tolerance})


def _check_conservation(con: Any, new: list[landing.LandedFile], ingestion_id: int) -> None:
    rows_read = sum(f.rows for f in new if f.error is None)
    written = int(warehouse.value(con, "ingest/ledger/count_rows",
                                  {"ingestion_id": ingestion_id}))
    if written != rows_read:
        raise ConservationError(f"ingestion {ingestion_id}: rows read ({rows_read}) != rows "
                                f"written to the ledger ({written}); nothing was ingested")


def settle_repushes(con: Any, ingestion_id: int) -> None:
    """Earlier pushes of a counter that this ingestion's rows repeat are superseded."""
    params = {"ingestion_id": ingestion_id}
    with_earlier = bool(warehouse.value(con, "ingest/ledger/has_live_keys", params))
    warehouse.run(con, "ingest/ledger/create_repeated_keys",
                  {**params, "with_earlier": with_earlier})
    if not warehouse.value(con, "ingest/ledger/count_repeated_keys"):
        warehouse.run(con, "ingest/ledger/create_no_superseded")
        return
    warehouse.run(con, "ingest/ledger/create_superseded_now")
    warehouse.run(con, "ingest/ledger/update_superseded", params)


def _record_ingestion(con: Any, new: list[landing.LandedFile], ingestion_id: int,
                      started: dt.datetime, rebuild: bool, kind: str | None = None,
                      redecided: int = 0) -> None:
    params = {"ingestion_id": ingestion_id}
    ledger.set_meta(con, "last_ingestion_id", str(ingestion_id))
    counts: Counter[str] = Counter()
    for row in warehouse.rows(con, "ingest/ledger/ingestion_counts", params):
        counts[row["status"]] += int(row["n"])
    periods = [row["period"] for row in warehouse.rows(con, "ingest/ledger/changed_periods",
                                                        params)]
    read = counts["accepted"] + counts["superseded"] + counts["quarantined"]
    warehouse.run(con, "ingest/ledger/insert_ingestion", {
        **params, "kind": kind or ("rebuild" if rebuild else "incremental"),
        "started_at": started,
        "files_new": len(new), "files_unreadable": sum(1 for f in new if f.error is not None),
        "rows_read": read, "rows_accepted": counts["accepted"],
        "rows_superseded": counts["superseded"], "rows_quarantined": counts["quarantined"],
        "earlier_rows_superseded": counts["earlier_superseded"], "rows_redecided": redecided,
        "periods": periods})


def sync(con: Any) -> int | None:
    """Mirror into the warehouse what ingestions since the last sync changed (the caller's
    warehouse transaction): landed_files, ingestions, and usage_quarantine's ingestion rows.
    A mirror of another ledger, or of this one before a rebuild, is replaced whole. The last
    ingestion mirrored before (None: the mirror started over), for tell_rejected."""
    generation = ledger.meta(con, "generation")
    found = warehouse.first_row(con, "ingest/ledger/synced_through")
    # Another ledger, a rebuild, or a ledger restored from a backup (the last ingestion
    # mirrored is not the ledger's ingestion of that id): the mirror starts over.
    reset = (found is None or found["generation"] != generation
             or not warehouse.value(con, "ingest/ledger/sync_marker_matches",
                                    {"synced": found["through_ingestion_id"]}))
    synced = 0 if reset or found is None else int(found["through_ingestion_id"])
    params = {"synced": synced, "reset": reset, "generation": generation}
    for statement in ("ingest/ledger/sync_delete_landed_files",
                      "ingest/ledger/sync_insert_landed_files",
                      "ingest/ledger/sync_delete_ingestions",
                      "ingest/ledger/sync_insert_ingestions",
                      "ingest/ledger/sync_delete_quarantine",
                      "ingest/ledger/sync_insert_quarantine",
                      "ingest/ledger/sync_forget_marker", "ingest/ledger/sync_record"):
        warehouse.run(con, statement, params)
    return None if reset else synced


def _record_held(con: Any, held: list[HeldFile]) -> None:
    warehouse.run(con, "ingest/clear_held_usage")
    record_held(con, held)


def _result(con: Any, ingestion_id: int | None, redecision_id: int | None, files_found: int,
            held: list[HeldFile]) -> IngestResult:
    held_sorted = tuple(sorted(held, key=lambda h: (h.file_path, h.reason)))
    redecided, redecided_periods = 0, ()
    if redecision_id is not None:
        redecision = _summary(con, redecision_id)
        redecided = int(redecision["rows_redecided"])
        redecided_periods = tuple(redecision["periods"])
    if ingestion_id is None:
        return IngestResult(
            ingestion_id=None, files_found=files_found, files_new=0, files_unreadable=0,
            rows_read=0, rows_accepted=0, rows_superseded=0, rows_quarantined=0,
            earlier_rows_superseded=0, quarantine_by_reason=(), held=held_sorted,
            periods=redecided_periods, rows_redecided=redecided)
    summary = _summary(con, ingestion_id)
    by_reason = tuple((str(row["reason"]), int(row["row_count"])) for row in warehouse.rows(
        con, "ingest/ingestion_quarantine_by_reason", {"ingestion_id": ingestion_id}))
    return IngestResult(
        ingestion_id=ingestion_id, files_found=files_found,
        files_new=int(summary["files_new"]), files_unreadable=int(summary["files_unreadable"]),
        rows_read=int(summary["rows_read"]), rows_accepted=int(summary["rows_accepted"]),
        rows_superseded=int(summary["rows_superseded"]),
        rows_quarantined=int(summary["rows_quarantined"]),
        earlier_rows_superseded=int(summary["earlier_rows_superseded"]),
        quarantine_by_reason=by_reason, held=held_sorted,
        periods=tuple(sorted({*summary["periods"], *redecided_periods})),
        rows_redecided=redecided, flagged=flagged_files(con, ingestion_id))


def _summary(con: Any, ingestion_id: int) -> warehouse.Row:
    """The ingestions row of an ingestion this run recorded."""
    found = warehouse.first_row(con, "ingest/ingestion_summary", {"ingestion_id": ingestion_id})
    assert found is not None, f"ingestion {ingestion_id} is not in ingestions"
    return found


def _redecide_catalog_reasons(con: Any, catalog: Catalog, time_zone: str,
                              started: dt.datetime) -> int | None:
    """Rows quarantined because the catalog did not know their service or metric are decided
    again when the catalog has changed since (a metric added after its usage landed is billed,
    and the ledger says what a rebuild would), in a ledger transaction of their own."""
    if ledger.meta(con, "catalog_fingerprint") in (None, fingerprint(catalog)):
        return None
    create_period_buckets(con, time_zone)
    with warehouse.transaction(con):
        ingestion_id = _next_ingestion_id(con)
        changed = redecide_rows(con, catalog, ingestion_id)
        if not changed:
            return None
        warehouse.run(con, "ingest/ledger/create_no_superseded")
        _record_ingestion(con, [], ingestion_id, started, False, "redecision", changed)
    return ingestion_id


def create_period_buckets(con: Any, time_zone: str) -> None:
    """Billing periods FIRST_PERIOD to LAST_PERIOD by the UTC months they overlap; a row whose
    window starts outside them is quarantined (outside_billing_periods)."""
    if warehouse.value(con, "ingest/period_buckets_exist"):
        return
    warehouse.run(con, "ingest/create_period_buckets")
    columns: dict[str, list[Any]] = {"utc_month": [], "billing_period": [], "start_at": [],
                                     "end_at": []}
    first = billing_period(FIRST_PERIOD, time_zone).start
    last = billing_period(LAST_PERIOD, time_zone).start
    for p in periods_between(first, last, time_zone):
        month = p.start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        while month < p.end:
            columns["utc_month"].append(month)
            columns["billing_period"].append(p.code)
            columns["start_at"].append(p.start)
            columns["end_at"].append(p.end)
            month = (month + dt.timedelta(days=32)).replace(day=1)
    # Thousands of values bind slowly as statement parameters; an Arrow table does not.
    with warehouse.registered(con, "period_bucket_rows", pyarrow.table(columns)):
        warehouse.run(con, "ingest/insert_period_buckets")
