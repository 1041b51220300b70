"""The usage ledger: every landed usage row, ingested once, kept in a DuckLake beside the warehouse.

Why DuckLake (measured, docs/ledger.md): appending ten million rows costs about 3.5 s as
Parquet against 6 s into a DuckDB table, which decides the cold ingest; the table is
partitioned by billing period, so rating a period reads that period's files only; an UPDATE
settles a late correction; and the step to several workers is a catalog in PostgreSQL and the
data on S3, with the same SQL.

Layout of a ledger folder (by default `<warehouse>.ledger/` beside the warehouse file):

    catalog.ducklake   the DuckLake catalog (a DuckDB file: one writing process at a time)
    data/              the Parquet files, data/main/usage_rows/period_key=YYYYMM/...

The ledger is attached as `ledger` on the warehouse's connection, so one lock (the warehouse's
writer lock) covers both. DuckDB writes one attached database per transaction: an ingestion
commits in the ledger, a rating in the warehouse (rating.ingest.usage mirrors what analysts need).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse

TABLES = ("ledger_meta", "ingestions", "ingested_files", "usage_rows")
SCHEMA_VERSION = "1"
"""The ledger's layout; a ledger of another layout is refused (rebuild it)."""


class LedgerError(RuntimeError):
    """The ledger cannot be used as it is (the message says what to do)."""


def default_folder(warehouse_file: Path | str) -> Path:
    """`<warehouse minus its suffix>.ledger`: demo/warehouse.duckdb has demo/warehouse.ledger."""
    return Path(warehouse_file).with_suffix(".ledger")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_extension(con: Any) -> None:
    """DuckLake from the pinned `duckdb-extension-ducklake` wheel, without network access."""
    import duckdb_extension_ducklake  # type: ignore[import-untyped]

    package = Path(duckdb_extension_ducklake.__file__).parent
    extension = next(package.rglob("*.duckdb_extension"))
    con.execute(f"INSTALL {_quoted(extension.as_posix())}")
    con.execute("LOAD ducklake")


_MOVED = re.compile(r'DATA_PATH parameter "[^"]*" does not match existing data path in the '
                    r'catalog "(?P<old>[^"]*)"')


def attach(con: Any, folder: Path | str, *, read_only: bool = False,
           catalog_copy: Path | None = None, name: str = "ledger") -> None:
    """Attach the ledger in `folder` as `ledger` (created on first use unless read-only) and
    check that its key hashes are still comparable. `catalog_copy` (read-only): a published
    copy of its catalog (`published_catalog`) instead of the catalog the writers hold, under
    `name`."""
    root = Path(folder).resolve()
    catalog = root / "catalog.ducklake" if catalog_copy is None else catalog_copy.resolve()
    if read_only and not catalog.exists():
        raise LedgerError(f"no ledger at {root}: nothing has been ingested there yet")
    root.mkdir(parents=True, exist_ok=True)
    load_extension(con)
    # ATTACH takes no prepared parameters: the paths are quoted as SQL literals.
    options = f"DATA_PATH {_quoted((root / 'data').as_posix() + '/')}"
    if read_only:
        options += ", READ_ONLY"
    statement = (f"ATTACH IF NOT EXISTS {_quoted('ducklake:' + catalog.as_posix())} AS {name} "
                 f"({options})")
    try:
        if read_only:
            con.execute(statement)
        else:
            # The ledger's catalog is a DuckDB file too: a writer waits for a process reading
            # it, as for one reading the warehouse.
            warehouse.when_free(lambda: con.execute(statement))
    except duckdb.Error as exc:
        moved = _MOVED.search(str(exc))
        if moved is None:
            raise
        # DuckLake keeps the data folder it was created with; a different one is refused.
        raise LedgerError(
            f"the ledger at {root} was created with its data in {moved['old']}, not here: it "
            f"was moved. Move it back to where it was, or ingest the landing zone into a new "
            f"ledger (--ledger NEW_FOLDER)") from None
    if not read_only:
        fresh = not warehouse.value(con, "ingest/ledger/table_exists", {"name": "usage_rows"})
        create_tables(con)
        if fresh:
            set_meta(con, "schema_version", SCHEMA_VERSION)
    if name != "ledger":
        return  # a published copy, read by statements of its own (rating.api.pricing)
    if meta(con, "schema_version") != SCHEMA_VERSION:
        raise LedgerError(
            f"the ledger at {root} has the layout of another fusion-rating: move it aside and "
            "ingest the landing zone into a new one (fusion-rating ingest)")
    _check_hash_canary(con)
    if not read_only and meta(con, "generation") is None:
        set_meta(con, "generation", uuid.uuid4().hex)


def create_tables(con: Any) -> None:
    """Create the ledger's tables that do not exist yet."""
    statements = ("ingest/ledger/create_ledger_meta", "ingest/ledger/create_ingestions",
                  "ingest/ledger/create_ingested_files", "ingest/ledger/create_usage_rows")
    for name, statement in zip(TABLES, statements, strict=True):
        if warehouse.value(con, "ingest/ledger/table_exists", {"name": name}):
            continue
        warehouse.run(con, statement)
        if name == "usage_rows":
            warehouse.run(con, "ingest/ledger/partition_usage_rows")
            warehouse.run(con, "ingest/ledger/set_parquet_version")
            warehouse.run(con, "ingest/ledger/set_row_group_size")
    # Same layout version: a column added at the end, which older rows read as NULL.
    if not warehouse.value(con, "ingest/ledger/usage_rows_has_detail"):
        warehouse.run(con, "ingest/ledger/add_usage_rows_detail")


def drop_data_tables(con: Any) -> None:
    """Empty the ledger for a rebuild (inside the caller's transaction): its rows, manifest and
    ingestions; their Parquet files stay until DuckLake's cleanup removes them."""
    for statement in ("ingest/ledger/drop_usage_rows", "ingest/ledger/drop_ingested_files",
                      "ingest/ledger/drop_ingestions"):
        warehouse.run(con, statement)


def meta(con: Any, name: str) -> str | None:
    """A value of ledger_meta: hash_canary, generation (changed by each rebuild, so that the
    warehouse's mirror knows to start over), catalog_fingerprint (the catalog the quarantined
    rows were last decided with)."""
    found = warehouse.first_row(con, "ingest/ledger/read_meta", {"name": name})
    return None if found is None else str(found["value"])


def set_meta(con: Any, name: str, value: str) -> None:
    if meta(con, name) is None:
        warehouse.run(con, "ingest/ledger/insert_meta", {"name": name, "value": value})
    else:
        warehouse.run(con, "ingest/ledger/update_meta", {"name": name, "value": value})


def _check_hash_canary(con: Any) -> None:
    expected = str(warehouse.value(con, "ingest/ledger/hash_canary"))
    found = meta(con, "hash_canary")
    if found is None:
        set_meta(con, "hash_canary", expected)
    elif found != expected:
        raise LedgerError(
            "this DuckDB hashes counter keys differently from the one that built the ledger "
            "(a DuckDB upgrade): re-pushes could no longer be matched. Rebuild the ledger from "
            "the landing zone: fusion-rating ingest --rebuild ...")


def published_catalog(warehouse_file: Path | str) -> Path:
    """`<warehouse>-analysts.ducklake`: the copy of the ledger's catalog published beside the
    analysts' copy of the warehouse, which a reader can open while a writer holds the ledger."""
    path = Path(warehouse_file)
    return path.with_name(f"{path.stem}-analysts.ducklake")


def publish_catalog(warehouse_file: Path | str) -> Path | None:
    """Copy the ledger's catalog (a DuckDB file of a few MB: the data files are immutable
    Parquet that it names) to `published_catalog`, written beside it and renamed over it; the
    caller holds the writer lock, so the catalog is checkpointed and no writer has it open.
    None when there is no ledger yet."""
    source = default_folder(warehouse_file) / "catalog.ducklake"
    if not source.exists():
        return None
    target = published_catalog(warehouse_file)
    partial = target.with_name(f".{target.name}.partial")
    # A log left by a writer that died is replayed by the next writer, which publishes
    # again; without it the copy is the last checkpoint, consistent in itself.
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target
