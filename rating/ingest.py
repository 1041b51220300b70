"""Ingest new usage files into the ledger, each file once (docs/ledger.md).

1. List `<landing>/usage/**.parquet` and compare it with the manifest (ledger.ingested_files).
   A path not in it is new. A known path whose size or modification time changed is hashed
   again: other bytes than those ingested hold it (`changed_after_ingestion`), since landed
   files are immutable and a correction is a new file. An unreadable file whose new bytes read
   is ingested then (nothing was taken from it before).
2. Inspect each new file (schema, row count); a file that is not Parquet is recorded unreadable,
   by name, and the others go on.
3. In ONE ledger transaction: the manifest rows; every row of the new files, validated against
   the contract and the catalog (ledger/insert_usage_rows.sql); re-pushes settled against all
   the ledger holds; the ingestion's record. Rows read = accepted + superseded + quarantined,
   or nothing is written.
4. Mirror the manifest, the ingestions and the quarantined rows into the warehouse (one warehouse
   transaction; a run that dies in between is caught up by the next one), with the usage files
   held as of now (held_inputs).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow

from rating import landing, ledger, warehouse
from rating.catalog import Catalog
from rating.periods import billing_period, periods_between

PUSHED_AT_TOLERANCE = dt.timedelta(hours=24)
"""How far past its file's ingestion a pushed_at may be (clock skew) before it is quarantined."""


class ConservationError(RuntimeError):
    """Rows read != accepted + superseded + quarantined: a row would be lost."""


class LandingError(ValueError):
    """The landing root cannot be what the user meant (missing, or no usage file at all)."""


@dataclass(frozen=True)
class HeldFile:
    """An input file whose content is not used as it stands; a person must look."""

    kind: str       # 'usage' | 'subscriptions' | 'accounts'
    file_path: str  # relative to the landing root
    reason: str     # unreadable_file, changed_after_ingestion, empty_file, missing_column, ...
    detail: str
    in_force: str   # what is used instead
    content_hash: str = ""  # the content held (a release names it)


@dataclass(frozen=True)
class IngestResult:
    """One ingestion: the new files' rows, classified when they landed."""

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


@dataclass(frozen=True)
class _Known:
    """A manifest row, as compared with the landing zone."""

    file_id: int
    file_path: str
    size_bytes: int
    modified_at: dt.datetime | None
    content_hash: str
    status: str
    ingested_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
           pushed_at_tolerance: dt.timedelta = PUSHED_AT_TOLERANCE) -> IngestResult:
    """Ingest what is new under `root`, on a writer connection with the ledger attached, the
    landing root opened and the catalog's cat_* tables loaded (rating.engine). With `rebuild`,
    empty the ledger and ingest every file again, each keeping the ingestion time it first had
    (so pushed_at_in_future decides the same)."""
    files = landing.discover(con, root)
    require_usage_files(root, files)
    observed = _by_id(files, landing.observe(con, root, files))
    manifest = {k.file_id: k for k in _manifest(con)}
    started = _now()
    first_seen: dict[int, dt.datetime] = {}
    if rebuild:
        hashes = _by_id(files, landing.content_hashes(con, root, files))
        first_seen = {f.file_id: manifest[f.file_id].ingested_at for f in files
                      if f.file_id in manifest
                      and manifest[f.file_id].content_hash == hashes[f.file_id]}
        new = list(files)
        held: list[HeldFile] = []
        touched: list[tuple[landing.LandedFile, dt.datetime | None]] = []
    else:
        new, held, touched = _compare(con, root, files, observed, manifest)
        hashes = _by_id(new, landing.content_hashes(con, root, new))
    landing.inspect(con, new)
    ingestion_id = None
    if new:
        ingestion_id = _write_ingestion(con, new, observed, hashes, first_seen, catalog,
                                        time_zone, started, pushed_at_tolerance, rebuild)
    with warehouse.transaction(con):
        for landed, modified_at in touched:
            warehouse.run(con, "ledger/touch_manifest_file",
                          {"file_id": landed.file_id, "modified_at": modified_at})
    held += [HeldFile("usage", f.relative_path, "unreadable_file", _relative_error(f),
                      "nothing: no row of it is used", hashes[f.file_id])
             for f in new if f.error is not None]
    held += _still_unreadable(files, manifest, {f.file_id for f in new})
    held = unreleased(con, held)
    with warehouse.transaction(con):
        sync(con, reset=rebuild)
        _record_held(con, held)
    return _result(con, ingestion_id, len(files), held)


def _compare(con: Any, root: str, files: list[landing.LandedFile],
             observed: dict[int, tuple[int, dt.datetime | None]], manifest: dict[int, _Known]
             ) -> tuple[list[landing.LandedFile], list[HeldFile],
                        list[tuple[landing.LandedFile, dt.datetime | None]]]:
    """(new files, held files, files rewritten with the same bytes and their new mtime)."""
    new: list[landing.LandedFile] = []
    suspects: list[landing.LandedFile] = []
    for landed in files:
        known = manifest.get(landed.file_id)
        if known is None:
            new.append(landed)
        elif (known.size_bytes, known.modified_at) != observed[landed.file_id]:
            suspects.append(landed)
    held: list[HeldFile] = []
    touched: list[tuple[landing.LandedFile, dt.datetime | None]] = []
    hashes = _by_id(suspects, landing.content_hashes(con, root, suspects))
    for landed in suspects:
        known = manifest[landed.file_id]
        if hashes[landed.file_id] == known.content_hash:
            touched.append((landed, observed[landed.file_id][1]))
        elif known.status == "unreadable":
            new.append(landed)
        else:
            held.append(HeldFile(
                "usage", landed.relative_path, "changed_after_ingestion",
                f"its bytes differ from those ingested on {known.ingested_at:%Y-%m-%d %H:%M} "
                "UTC; landed files are immutable: land a correction as a new file (same "
                "counter_id, later pushed_at), then restore, remove or release this one",
                f"the rows ingested on {known.ingested_at:%Y-%m-%d}", hashes[landed.file_id]))
    return sorted(new, key=lambda f: f.relative_path), held, touched


def _still_unreadable(files: list[landing.LandedFile], manifest: dict[int, _Known],
                      new_ids: set[int]) -> list[HeldFile]:
    """Known unreadable files still present, unchanged: held until removed or replaced."""
    return [HeldFile("usage", f.relative_path, "unreadable_file",
                     f"unreadable since {manifest[f.file_id].ingested_at:%Y-%m-%d}: replace it "
                     "with readable Parquet, remove it, or release it (fusion-rating release)",
                     "nothing: no row of it is used", manifest[f.file_id].content_hash)
            for f in files
            if f.file_id in manifest and f.file_id not in new_ids
            and manifest[f.file_id].status == "unreadable"]


def _relative_error(landed: landing.LandedFile) -> str:
    # The message names the file; keep it relative so results do not depend on where the
    # landing zone is mounted.
    return (landed.error or "").replace(landed.path, landed.relative_path)


def _by_id(files: list[landing.LandedFile], by_path: dict[str, Any]) -> dict[int, Any]:
    return {f.file_id: by_path[f.path] for f in files}


def _manifest(con: Any) -> list[_Known]:
    return [_Known(*row) for row in warehouse.run(con, "ledger/manifest").fetchall()]


def _write_ingestion(con: Any, new: list[landing.LandedFile],
                     observed: dict[int, tuple[int, dt.datetime | None]],
                     hashes: dict[int, str], first_seen: dict[int, dt.datetime],
                     catalog: Catalog, time_zone: str, started: dt.datetime,
                     tolerance: dt.timedelta, rebuild: bool) -> int:
    """The ledger transaction of step 3; the new ingestion's id."""
    for attempt in (1, 2):
        try:
            with warehouse.transaction(con):
                if rebuild:
                    ledger.drop_data_tables(con)
                    ledger.create_tables(con)
                ingestion_id = int(warehouse.run(con, "ledger/next_ingestion_id").fetchone()[0])
                create_period_buckets(con, time_zone)
                _record_files(con, new, observed, hashes, first_seen, ingestion_id, started,
                              tolerance)
                warehouse.run(con, "ledger/delete_manifest_files")
                warehouse.run(con, "ledger/insert_manifest_files")
                rows = landing.source(new)
                warehouse.run_text(con, rows.into(warehouse.sql("ledger/insert_usage_rows")), {
                    **rows.params, "known_services": [s.code for s in catalog.services],
                    "ingestion_id": ingestion_id})
                _check_conservation(con, new, ingestion_id)
                _settle_repushes(con, ingestion_id)
                _record_ingestion(con, new, ingestion_id, started, rebuild)
            return ingestion_id
        except duckdb.Error:
            # Retry only when a file is to blame (pages that do not decode); otherwise the
            # error is the engine's own.
            if attempt == 2 or not landing.verify(con, new):
                raise
    raise AssertionError("unreachable")


def _record_files(con: Any, new: list[landing.LandedFile],
                  observed: dict[int, tuple[int, dt.datetime | None]],
                  hashes: dict[int, str], first_seen: dict[int, dt.datetime],
                  ingestion_id: int, started: dt.datetime, tolerance: dt.timedelta) -> None:
    warehouse.run(con, "ingest/create_landed_files")
    for landed in new:
        size, modified = observed[landed.file_id]
        ingested_at = first_seen.get(landed.file_id, started)
        warehouse.run(con, "ingest/insert_landed_file", {
            "file_id": landed.file_id, "file_path": landed.relative_path, "size_bytes": size,
            "modified_at": modified, "content_hash": hashes[landed.file_id],
            "rows": None if landed.error else landed.rows,
            "status": "unreadable" if landed.error else "ingested",
            "error": _relative_error(landed) if landed.error else None,
            "missing_columns": [] if landed.error else landed.missing_columns,
            "extra_columns": [] if landed.error else landed.extra_columns,
            "has_value_column": "value" in landed.types, "ingestion_id": ingestion_id,
            "ingested_at": ingested_at, "pushed_at_limit": ingested_at + tolerance})


def _check_conservation(con: Any, new: list[landing.LandedFile], ingestion_id: int) -> None:
    rows_read = sum(f.rows for f in new if f.error is None)
    written = int(warehouse.run(con, "ledger/count_rows",
                                {"ingestion_id": ingestion_id}).fetchone()[0])
    if written != rows_read:
        raise ConservationError(f"ingestion {ingestion_id}: rows read ({rows_read}) != rows "
                                f"written to the ledger ({written}); nothing was ingested")


def _settle_repushes(con: Any, ingestion_id: int) -> None:
    params = {"ingestion_id": ingestion_id}
    with_earlier = bool(warehouse.run(con, "ledger/has_live_keys", params).fetchone()[0])
    warehouse.run(con, "ledger/create_repeated_keys", {**params, "with_earlier": with_earlier})
    if not warehouse.run(con, "ledger/count_repeated_keys").fetchone()[0]:
        warehouse.run(con, "ledger/create_no_superseded")
        return
    warehouse.run(con, "ledger/create_superseded_now")
    warehouse.run(con, "ledger/update_superseded", params)


def _record_ingestion(con: Any, new: list[landing.LandedFile], ingestion_id: int,
                      started: dt.datetime, rebuild: bool) -> None:
    params = {"ingestion_id": ingestion_id}
    counts: Counter[str] = Counter()
    for status, _, n in warehouse.run(con, "ledger/ingestion_counts", params).fetchall():
        counts[status] += int(n)
    periods = [p for (p,) in warehouse.run(con, "ledger/changed_periods", params).fetchall()]
    read = counts["accepted"] + counts["superseded"] + counts["quarantined"]
    warehouse.run(con, "ledger/insert_ingestion", {
        **params, "kind": "rebuild" if rebuild else "incremental", "started_at": started,
        "files_new": len(new), "files_unreadable": sum(1 for f in new if f.error is not None),
        "rows_read": read, "rows_accepted": counts["accepted"],
        "rows_superseded": counts["superseded"], "rows_quarantined": counts["quarantined"],
        "earlier_rows_superseded": counts["earlier_superseded"], "periods": periods})


def sync(con: Any, *, reset: bool = False) -> None:
    """Mirror into the warehouse what ingestions since the last sync changed (the caller's
    warehouse transaction): landed_files, ingestions, and usage_quarantine's ingestion rows."""
    synced = 0 if reset else int(warehouse.run(con, "ledger/synced_through").fetchone()[0])
    params = {"synced": synced, "reset": reset}
    for name in ("sync_delete_landed_files", "sync_insert_landed_files",
                 "sync_delete_ingestions", "sync_insert_ingestions",
                 "sync_delete_quarantine", "sync_insert_quarantine",
                 "sync_forget_marker", "sync_record"):
        warehouse.run(con, f"ledger/{name}", params)


def unreleased(con: Any, held: list[HeldFile]) -> list[HeldFile]:
    """The held files whose content no one has released (`fusion-rating release`)."""
    released = set(warehouse.run(con, "ingest/released_inputs").fetchall())
    return [h for h in held if (h.kind, h.file_path, h.content_hash) not in released]


def record_held(con: Any, held: list[HeldFile] | tuple[HeldFile, ...]) -> None:
    """held_inputs rows for `held` (the caller cleared those of their kind)."""
    for item in held:
        warehouse.run(con, "ingest/insert_held_input", {
            "kind": item.kind, "file_path": item.file_path, "reason": item.reason,
            "detail": item.detail, "in_force": item.in_force,
            "content_hash": item.content_hash})


def _record_held(con: Any, held: list[HeldFile]) -> None:
    warehouse.run(con, "ingest/clear_held_usage")
    record_held(con, held)


def _result(con: Any, ingestion_id: int | None, files_found: int,
            held: list[HeldFile]) -> IngestResult:
    held_sorted = tuple(sorted(held, key=lambda h: (h.file_path, h.reason)))
    if ingestion_id is None:
        return IngestResult(None, files_found, 0, 0, 0, 0, 0, 0, 0, (), held_sorted, ())
    row = warehouse.run(con, "ingest/ingestion_summary", {"ingestion_id": ingestion_id}
                        ).fetchone()
    by_reason = tuple((str(r), int(n)) for r, n in warehouse.run(
        con, "ingest/ingestion_quarantine_by_reason", {"ingestion_id": ingestion_id}).fetchall())
    files_new, unreadable, read, accepted, superseded, quarantined, earlier, periods = row
    return IngestResult(ingestion_id, files_found, int(files_new), int(unreadable), int(read),
                        int(accepted), int(superseded), int(quarantined), int(earlier),
                        by_reason, held_sorted, tuple(periods))


def create_period_buckets(con: Any, time_zone: str) -> None:
    """Billing periods from 2000 to 2099 by the UTC months they overlap; a row whose window
    starts outside them is quarantined (outside_billing_periods)."""
    warehouse.run(con, "ingest/create_period_buckets")
    columns: dict[str, list[Any]] = {"utc_month": [], "billing_period": [], "start_at": [],
                                     "end_at": []}
    first = billing_period("2000-01", time_zone).start
    last = billing_period("2099-12", time_zone).start
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
