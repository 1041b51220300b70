"""The DuckDB adapter: connection settings, the SQL files and the warehouse schema.

Every statement lives in `sql/<stage>/.../<name>.sql`, named in code by that path without
`.sql`, one statement per file, with values passed as named parameters (`$name`). The only
text ever spliced into SQL is a column projection that `rating.ingest.landing` builds from a
fixed vocabulary of identifiers and casts (`{projection}`), and the COMMENT ON statements that
`rating.schema_docs` derives from the schema files (COMMENT ON takes no parameter).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import duckdb

SQL_ROOT = Path(__file__).resolve().parent.parent / "sql"


@dataclass(frozen=True)
class WarehouseSettings:
    """How DuckDB may use this machine.

    threads: worker threads (None: DuckDB's default, one per core). The results do not depend
        on it: every ordering in the SQL is total.
    memory_limit: e.g. "2GB"; above it DuckDB spills to `temp_directory` instead of failing.
    temp_directory: where spilled data goes (default: `<warehouse file>.tmp`).
    """

    threads: int | None = None
    memory_limit: str | None = None
    temp_directory: str | None = None


@cache
def sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    path = SQL_ROOT / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def connect(database: Path | str, settings: WarehouseSettings | None = None) -> Any:
    """Open the warehouse file with the engine's session settings and macros."""
    settings = settings or WarehouseSettings()
    target = str(database)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        # Temp tables need no insertion order: every output is written with an ORDER BY.
        "preserve_insertion_order": False,
    }
    if settings.threads is not None:
        config["threads"] = int(settings.threads)
    if settings.memory_limit is not None:
        config["memory_limit"] = settings.memory_limit
    temp = settings.temp_directory or (f"{target}.tmp" if target != ":memory:" else None)
    if temp is not None:
        config["temp_directory"] = temp
    con = duckdb.connect(target, config=config)
    # Naive timestamps are UTC; TIMESTAMPTZ casts must not depend on the machine's zone.
    con.execute("SET TimeZone = 'UTC'")
    # The progress bar would draw over the output of a command that prints its own.
    con.execute("SET enable_progress_bar = false")
    # Macros are bound when created: the files are numbered so that dependencies come first.
    for name in sorted(p.stem for p in (SQL_ROOT / "macros").glob("*.sql")):
        con.execute(sql(f"macros/{name}"))
    return con


@contextmanager
def writer(database: Path | str, settings: WarehouseSettings | None = None) -> Iterator[Any]:
    """A connection for writing, holding an exclusive lock on `<database>.lock` meanwhile.

    DuckDB allows one writing process per file and fails the second at once; the lock makes a
    second writer (a CLI run beside a Dagster run, two Dagster runs) wait its turn instead.
    A process that has the file open without taking that lock (a reader, even read-only: an
    analyst's DuckDB session, a report) is waited for too, up to `READER_WAIT_SECONDS`, then
    `WarehouseInUse` names it.
    """
    target = str(database)
    if target == ":memory:":
        con = connect(target, settings)
        try:
            yield con
        finally:
            con.close()
        return
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with open(f"{target}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            con = when_free(lambda: connect(target, settings))
            try:
                yield con
            finally:
                con.close()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


READER_WAIT_SECONDS = 30.0
"""How long a writer waits for another process to close a file it needs (the warehouse, the
ledger's catalog): a report or the sensor holds it for a moment, an analyst's session until it
is closed."""


class WarehouseInUse(ValueError):
    """Another process still had a file the writer needs open after the writer's wait."""


# DuckDB's lock error: 'Could not set lock on file "...": Conflicting lock is held in
# /usr/bin/python3 (PID 1234). However, you would be able to open this database in read-only
# mode...': the advice is for a reader, the holder is what a writer needs.
_LOCK_CONFLICT = re.compile(r'Could not set lock on file "(?P<file>[^"]+)"')
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")

_Opened = TypeVar("_Opened")


def when_free(open_file: Callable[[], _Opened],
              describe: Callable[[str], str] | None = None) -> _Opened:
    """`open_file()`, tried again while DuckDB finds its file open in another process, up to
    READER_WAIT_SECONDS; then `WarehouseInUse` names that process (`describe` makes the line
    from DuckDB's lock error: `in_use_message` for a writer, `written_message` for a
    reader)."""
    deadline = time.monotonic() + READER_WAIT_SECONDS
    pause = 0.05
    while True:
        try:
            return open_file()
        except duckdb.IOException as exc:
            if _LOCK_CONFLICT.search(str(exc)) is None:
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarehouseInUse((describe or in_use_message)(str(exc))) from None
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 1.0)


def in_use_message(duckdb_error: str) -> str:
    """One line from DuckDB's lock error, for a writer: which file, held by whom, what to do."""
    conflict = _LOCK_CONFLICT.search(duckdb_error)
    holder = _LOCK_HOLDER.search(duckdb_error)
    who = ("another process" if holder is None
           else f"process {holder['pid']} ({holder['program']})")
    path = Path(conflict["file"] if conflict else "the warehouse")
    readers = (f"analysts read the copy {path.stem}-analysts{path.suffix} instead"
               if path.suffix == ".duckdb" else "a writer needs it alone")
    return (f"{path} is open in {who}, still after waiting {READER_WAIT_SECONDS:g} s: close "
            f"that connection (an analyst's DuckDB, DBeaver or notebook session: {readers}) "
            "or let it finish, then run this again")


def written_message(duckdb_error: str) -> str:
    """One line from DuckDB's lock error, for a reader: the process writing the file and what
    to do (a reader cannot open a file that a process has open for writing)."""
    conflict = _LOCK_CONFLICT.search(duckdb_error)
    holder = _LOCK_HOLDER.search(duckdb_error)
    who = ("another process" if holder is None
           else f"process {holder['pid']} ({holder['program']})")
    path = Path(conflict["file"] if conflict else "the warehouse")
    copy = path.with_name(f"{path.stem}-analysts{path.suffix}")
    return (f"{path} is open for writing in {who} (a rate, finance, post or Dagster run, or a "
            f"session opened without read-only), still after waiting {READER_WAIT_SECONDS:g} "
            f"s: run this again when it has finished, or read the analysts' copy {copy} (as "
            "of the last run that wrote the warehouse)")


def utc_now() -> dt.datetime:
    """Now, as the warehouse's timestamps hold it: UTC without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextmanager
def transaction(con: Any) -> Iterator[None]:
    """BEGIN ... COMMIT, or ROLLBACK on any error: all of it is written, or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        # ROLLBACK keeps a search_path set inside the transaction, and an aborted transaction
        # refuses the RESET that `shadow` tries on its way out: reset it here.
        run(con, "warehouse/reset_search_path")
        raise
    con.execute("COMMIT")


class SearchPathSet(RuntimeError):
    """A search_path is set on the connection (a re-rate's, leaked): unqualified table names
    would not be main's, so nothing is written through them."""


def require_main_tables(con: Any) -> None:
    """Refuse (SearchPathSet) while unqualified names may resolve outside main: a cheap check
    before a rating deletes and writes a period's rows."""
    path = value(con, "warehouse/search_path")
    if path:
        raise SearchPathSet(f"the connection's search_path is {path!r} (a re-rate's shadow "
                            "schema that was not left): nothing was written")


SCHEMA_VERSION = 2
"""The tables' layout: 2 since the usage ledger (landed_files, usage_quarantine, rating_runs
and closed_periods changed; ingestions, held_inputs and the reference tables are new)."""


SCHEMA_REVISION = 4
"""What this version's schema files add within SCHEMA_VERSION's layout, counted up: 1 since
issue 12 (usage_rows.detail in the ledger, billing_month, typed held costs, the customers view,
schema_applied.catalog_digest, this table); 2 since issue 13's re-rating (rated_subscriptions,
rated_account_links, rating_runs.period_catalog_fingerprint, the adjust stage); 3 since issue
14's API (reference_rows_*.updated_at_text: an older version's loader would insert a row short of
it); 4 since issue 15's webhooks (the webhooks stage: an older version would post invoices
without their events). Add 1 with each
change an earlier version could not write beside (a column it would not fill, a view it would
replace with its own): a warehouse written by a newer revision is refused, since an older version
cannot write it."""


SCHEMA_STAGES = ("warehouse", "ingest", "rate", "adjust", "odoo", "finance", "webhooks")
"""Whose tables `create_schema` creates, in this order: each stage keeps its own in
`sql/<stage>/schema/`, numbered, and a stage's views may read the tables of those before it."""


class WarehouseOutdated(ValueError):
    """The warehouse was written by a fusion-rating whose tables have another layout."""


class WarehouseFromNewerVersion(WarehouseOutdated):
    """The warehouse was written by a newer fusion-rating: this one cannot write it."""


def create_schema(con: Any) -> None:
    """Create the warehouse tables that do not exist yet (documented in docs/warehouse.md), in
    a warehouse of this layout or a new one, with their comments (rating.schema_docs)."""
    existing = {row["table_name"] for row in rows(con, "warehouse/existing_tables")}
    if existing:
        found = (value(con, "warehouse/schema_version") if "schema_version" in existing else 1)
        if found != SCHEMA_VERSION:
            raise WarehouseOutdated(
                f"this warehouse's tables have the layout of another fusion-rating (version "
                f"{found}, this one writes version {SCHEMA_VERSION}): rate into a new warehouse "
                "file (every open period is rated again from the landing zone, which this "
                "version ingests into its ledger once)")
        _refuse_a_newer_writer(con, existing)
    files = schema_files()
    fingerprint = schema_fingerprint(files)
    if "schema_applied" in existing and _left_as_applied(con, fingerprint):
        return  # the same files ran before: every table, view and comment is there
    # One transaction, one commit: replacing a view drops its comments, given again here.
    with transaction(con):
        for path in files:
            con.execute(path.read_text(encoding="utf-8"))
        if not existing:
            run(con, "warehouse/insert_schema_version", {"version": SCHEMA_VERSION})
        # Imported here: rating.schema_docs reads the schema files through this module.
        from rating import schema_docs

        schema_docs.document(con)
        run(con, "warehouse/clear_schema_revision")
        run(con, "warehouse/insert_schema_revision", {"revision": SCHEMA_REVISION})
        run(con, "warehouse/clear_schema_applied")
        run(con, "warehouse/insert_schema_applied",
            {"fingerprint": fingerprint, "catalog_digest": catalog_digest(con)})


def _refuse_a_newer_writer(con: Any, existing: set[str]) -> None:
    """WarehouseFromNewerVersion when a newer fusion-rating wrote the warehouse: this one would
    replace its views with older ones and fail on columns it does not know, in it and in its
    ledger (which a run attaches only after this check)."""
    found = value(con, "warehouse/schema_revision") if "schema_revision" in existing else None
    if found is None or found <= SCHEMA_REVISION:
        return
    path = value(con, "warehouse/database_path") or "this warehouse"
    raise WarehouseFromNewerVersion(
        f"{path} was written by a newer fusion-rating (schema revision {found}; this one "
        f"writes {SCHEMA_REVISION}), and an older version cannot write a warehouse or its "
        "ledger after a newer one: run the newer fusion-rating, or rate into a new warehouse "
        "file with this one (it ingests the landing zone into a ledger of its own once)")


def _left_as_applied(con: Any, fingerprint: str) -> bool:
    """Whether the schema files that last ran are these, and nothing changed their tables and
    views since: an older fusion-rating that opened the warehouse meanwhile ran its own schema
    files (replacing views, dropping comments) without knowing of this version's fingerprint."""
    if value(con, "warehouse/schema_fingerprint") != fingerprint:
        return False
    recorded = value(con, "warehouse/schema_catalog_digest")
    return recorded is not None and recorded == catalog_digest(con)


def catalog_digest(con: Any) -> str:
    """md5 of the schema files' tables and views as the catalog holds them now: their columns,
    types, comments and views' SQL (sql/warehouse/catalog_digest.sql)."""
    from rating import schema_docs

    names = ",".join(item.name for item in schema_docs.schema_documentation())
    return str(value(con, "warehouse/catalog_digest", {"names": names}))


def schema_files() -> list[Path]:
    """Every sql/<stage>/schema/*.sql file, in the order they run."""
    return [path for stage in SCHEMA_STAGES
            for path in sorted((SQL_ROOT / stage / "schema").glob("*.sql"))]


def schema_fingerprint(files: list[Path]) -> str:
    """sha256 of the schema files' paths and texts and of SCHEMA_REVISION: another text or
    revision, another fingerprint."""
    digest = hashlib.sha256(f"revision {SCHEMA_REVISION}\0".encode())
    for path in files:
        digest.update(f"{path.relative_to(SQL_ROOT)}\0{path.read_text(encoding='utf-8')}\0"
                      .encode())
    return digest.hexdigest()


def run(con: Any, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """Execute `sql/<name>.sql` with named parameters (only those the statement uses)."""
    return run_text(con, sql(name), params)


Row = dict[str, Any]
"""One result row, read by column name (the statement's column aliases are its contract)."""


def rows(con: Any, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
    """The rows of `sql/<name>.sql`, each by column name. For results of a bounded size (a
    period's invoices, a summary): large results stay in DuckDB."""
    return named_rows(run(con, name, params))


def first_row(con: Any, name: str, params: Mapping[str, Any] | None = None) -> Row | None:
    """The first row of `sql/<name>.sql` by column name, or None when it has none."""
    cursor = run(con, name, params)
    values = cursor.fetchone()
    return None if values is None else dict(zip(_columns(cursor), values, strict=True))


def value(con: Any, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """The one value of a statement that answers one row of one column (a count, a flag)."""
    cursor = run(con, name, params)
    if len(cursor.description) != 1:
        raise ValueError(f"sql/{name}.sql answers {len(cursor.description)} columns, not one")
    found = cursor.fetchall()
    if len(found) != 1:
        raise ValueError(f"sql/{name}.sql answers {len(found)} rows, not one")
    return found[0][0]


def named_rows(cursor: Any) -> list[Row]:
    """The remaining rows of an executed statement, each by column name."""
    names = _columns(cursor)
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _columns(cursor: Any) -> list[str]:
    return [column[0] for column in cursor.description]


def run_text(con: Any, text: str, params: Mapping[str, Any] | None = None) -> Any:
    """Execute one statement, passing only the named parameters it mentions."""
    used = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", text)}
    return con.execute(text, used)


@contextmanager
def registered(con: Any, name: str, table: Any) -> Iterator[None]:
    """`table` (Arrow) readable as the view `name` meanwhile. Binding a few hundred values
    this way takes milliseconds, where as many list parameters take tens of milliseconds."""
    con.register(name, table)
    try:
        yield
    finally:
        con.unregister(name)
