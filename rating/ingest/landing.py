"""The landing zone: find usage files, inspect them and read their rows in DuckDB.

Follows docs/usage-counters.md. Each file is inspected (schema, row count) before
it is read; a file that is not Parquet at all is quarantined whole, by name, and the run goes on.
Files with the same column types are read by one `read_parquet` call, projected onto the
contract's canonical columns (rating.ingest.columns, sql/ingest/landed_source.sql); the
statements that read usage stream from these calls and never copy the rows into a table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse
from rating.ingest import s3
from rating.ingest.columns import (
    ALL_COLUMNS,
    CONTRACT_COLUMNS,
    DETAIL_COLUMNS,
    REQUIRED,
    TEXT_COLUMNS,
    TIMESTAMP_COLUMNS,
    projection,
)
from rating.ingest.names import literal_path, unaddressable
from rating.progress import Progress, count

_EMPTY = {"file_id": "NULL::BIGINT", "file_row_number": "NULL::BIGINT",
          "missing_columns": "NULL::VARCHAR[]", "has_value_column": "false",
          **{c: "NULL::VARCHAR" for c in TEXT_COLUMNS},
          **{c: "NULL::TIMESTAMP" for c in TIMESTAMP_COLUMNS},
          "value": "NULL::DECIMAL(38, 9)", "value_unparsed": "false",
          "value_too_large": "false", "timestamp_unparsed": "false",
          **{c: "NULL::VARCHAR" for c in DETAIL_COLUMNS}}
_HIVE_SERVICE = re.compile(r"(?:^|/)service=([^/]+)/")


@dataclass
class LandedFile:
    """One file under `<landing>/usage/`, as inspected before loading."""

    path: str
    relative_path: str
    file_id: int
    rows: int = 0
    types: dict[str, str] = field(default_factory=dict)
    hive_service: str | None = None
    error: str | None = None

    @property
    def missing_columns(self) -> list[str]:
        absent = [c for c in REQUIRED if c not in self.types]
        if "service" in absent and self.hive_service is not None:
            absent.remove("service")
        return absent

    @property
    def extra_columns(self) -> list[str]:
        return sorted(c for c in self.types if c not in CONTRACT_COLUMNS)


def file_error(landed: LandedFile, exc: Exception) -> str:
    """The first line of an error raised reading `landed` alone, naming it by its path (not
    by the escaped pattern DuckDB was given; some of DuckDB's errors do not name it at all)."""
    message = first_line(exc).replace(literal_path(landed.path), landed.path)
    return message if landed.path in message else f"{landed.relative_path}: {message}"


# DuckDB's Parquet reader gives each row these two names (which file, which row): a column of the
# same name would take the place of one (rows credited to the wrong file) or stop the read.
RESERVED_COLUMNS = frozenset({"file_index", "file_row_number"})
RESERVED_COLUMN_ERROR = ("the file has a column named {column}, a name DuckDB's Parquet reader "
                         "keeps for the row's position: rename or drop that column and land "
                         "the file again")


def file_id_for(relative_path: str) -> int:
    """A stable 63-bit id from the file's path under the landing root (lineage survives reruns)."""
    digest = hashlib.sha256(relative_path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def open_root(con: Any, landing: str) -> None:
    """Make the landing root readable on this connection (httpfs and the S3 secret for s3://,
    then one quick listing: `s3.LandingUnreachable` says what failed and what to check); call
    it before anything under the root is read."""
    if landing.startswith("s3://"):
        s3.load_httpfs(con)
        s3.probe(con, landing)


def require_reachable(landing: str) -> None:
    """Before a run opens the warehouse: an s3:// landing root that cannot be listed stops it
    with `s3.LandingUnreachable`, having written nothing (a local root: nothing to do)."""
    if not landing.startswith("s3://"):
        return
    con = duckdb.connect(":memory:")
    try:
        open_root(con, landing)
    finally:
        con.close()


def discover(con: Any, landing: str) -> list[LandedFile]:
    """Every `*.parquet` under `<landing>/usage/`, at any depth, sorted by relative path."""
    root = landing.rstrip("/")
    if not root.startswith("s3://") and not Path(root, "usage").is_dir():
        return []
    found = warehouse.rows(con, "ingest/glob_usage_files",
                           {"pattern": f"{root}/usage/**/*.parquet"})
    files: list[LandedFile] = []
    seen: dict[int, str] = {}
    for path in sorted(row["file"] for row in found):
        relative = relative_path(root, path)
        file_id = file_id_for(relative)
        if file_id in seen:
            raise RuntimeError(f"file id collision between {seen[file_id]} and {relative}")
        seen[file_id] = relative
        hive = _HIVE_SERVICE.search(relative)
        files.append(LandedFile(path=path, relative_path=relative, file_id=file_id,
                                hive_service=hive.group(1) if hive else None,
                                error=unaddressable(path, relative)))
    return files


@dataclass(frozen=True)
class FileStat:
    """A file's size and modification time (UTC), as listed without reading its content."""

    size_bytes: int
    modified_at: dt.datetime | None


def observe(con: Any, root: str, files: list[LandedFile]) -> dict[str, FileStat]:
    """The size and modification time of each file by path, without reading its content."""
    if not root.startswith("s3://"):
        found: dict[str, FileStat] = {}
        for landed in files:
            stat = os.stat(landed.path)
            found[landed.path] = FileStat(
                size_bytes=stat.st_size, modified_at=dt.datetime(1970, 1, 1) + dt.timedelta(
                    microseconds=stat.st_mtime_ns // 1000))
        return found
    rows = _read_blobs(con, "ingest/observe_files", files)
    return {f.path: FileStat(size_bytes=int(rows[f.path]["size"]), modified_at=(
        rows[f.path]["last_modified"].replace(tzinfo=None)
        if rows[f.path]["last_modified"] else None))
        if f.path in rows else FileStat(size_bytes=0, modified_at=None) for f in files}


def content_hashes(con: Any, root: str, files: list[LandedFile]) -> dict[str, str]:
    """sha256 of each file's bytes by path (local files in Python, object stores through
    DuckDB's read_blob)."""
    if not root.startswith("s3://"):
        hashes: dict[str, str] = {}
        for landed in files:
            digest = hashlib.sha256()
            with open(landed.path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            hashes[landed.path] = digest.hexdigest()
        return hashes
    rows = _read_blobs(con, "ingest/content_hashes", files)
    return {f.path: str(rows[f.path]["content_hash"]) if f.path in rows else "" for f in files}


def _read_blobs(con: Any, statement: str, files: list[LandedFile]) -> dict[str, dict[str, Any]]:
    """The rows of a read_blob statement for the readable files, by path. One object that
    cannot be read (or is not found by its exact name) is marked with an error and the
    others are still read: it must not stop the whole landing zone."""
    readable = [f for f in files if f.error is None]
    try:
        return _blobs_by_path(con, statement, readable)
    except (duckdb.Error, _OtherFilesRead):
        found: dict[str, dict[str, Any]] = {}
        for landed in readable:
            try:
                found.update(_blobs_by_path(con, statement, [landed]))
            except duckdb.Error as exc:
                landed.error = file_error(landed, exc)
            except _OtherFilesRead:
                landed.error = OTHER_FILE_READ.format(path=landed.relative_path)
        return found


def _blobs_by_path(con: Any, statement: str,
                   files: list[LandedFile]) -> dict[str, dict[str, Any]]:
    if not files:
        return {}
    rows = warehouse.rows(con, statement, {"files": [literal_path(f.path) for f in files]})
    _check_same_files(files, [row["filename"] for row in rows])
    return {row["filename"]: row for row in rows}


def inspect(con: Any, files: list[LandedFile]) -> None:
    """Fill in each file's column types and row count; mark unreadable files with an error."""
    files = [f for f in files if f.error is None]
    if not files:
        return
    by_path = {f.path: f for f in files}
    try:
        _inspect_batch(con, files, by_path)
    except (duckdb.Error, _OtherFilesRead):
        # One bad file fails the batch: inspect one by one to name it and keep the others.
        # Each statement then reads one file and is known good, so any error is the file's
        # (a damaged footer can raise DuckDB's bare Error).
        for landed in files:
            try:
                _inspect_batch(con, [landed], by_path)
            except duckdb.Error as exc:
                landed.error = file_error(landed, exc)
            except _OtherFilesRead:
                landed.error = OTHER_FILE_READ.format(path=landed.relative_path)


def inspect_new(con: Any, new: list[LandedFile], progress: Progress) -> None:
    """inspect() as a step of an ingestion: the files read, their rows, each file with -v."""
    with progress.step("reading new files", total=len(new), unit="files") as step:
        inspect(con, new)
        step.advance(len(new))
        readable = [f for f in new if f.error is None]
        for landed in new:
            step.detail(f"{landed.relative_path}: " + (
                f"unreadable: {landed.error}" if landed.error else count(landed.rows, "rows")))
        step.report(f"{count(len(readable), 'files')}, "
                    f"{count(sum(f.rows for f in readable), 'rows')}"
                    + (f", {len(new) - len(readable):,} unreadable" if len(readable) < len(new)
                       else ""))


def _inspect_batch(con: Any, files: list[LandedFile], by_path: dict[str, LandedFile]) -> None:
    paths = [literal_path(f.path) for f in files]
    schema = warehouse.rows(con, "ingest/inspect_schema", {"files": paths})
    counts = warehouse.rows(con, "ingest/inspect_row_counts", {"files": paths})
    _check_same_files(files, [row["file_name"] for row in counts])
    _check_same_files(files, sorted({row["file_name"] for row in schema}))
    trees: dict[str, list[_SchemaNode]] = defaultdict(list)
    for row in schema:
        name, precision, duckdb_type = row["name"], row["decimal_precision"], row["duckdb_type"]
        if precision is not None and int(precision) > 38 and name in CONTRACT_COLUMNS:
            # Such a column reads as a DOUBLE with wrong values (DuckDB 1.5.5).
            duckdb_type = f"UNSUPPORTED DECIMAL({precision})"
        trees[row["file_name"]].append(
            _SchemaNode(name=name, children=int(row["num_children"] or 0),
                        duckdb_type=duckdb_type))
    for path, nodes in trees.items():
        by_path[path].types = _top_level_columns(nodes)
        reserved = sorted(c for c in by_path[path].types if c.lower() in RESERVED_COLUMNS)
        if reserved:
            by_path[path].error = RESERVED_COLUMN_ERROR.format(column=reserved[0])
    for row in counts:
        by_path[row["file_name"]].rows = int(row["num_rows"])


class _OtherFilesRead(Exception):
    """DuckDB's readers returned other files than those asked for."""


OTHER_FILE_READ = ("{path} cannot be read by its exact name: DuckDB found another file in its "
                   "place, or none; rename the file")


def _check_same_files(files: list[LandedFile], returned: list[str]) -> None:
    """Raise _OtherFilesRead unless `returned` names each file once: a pattern that matched
    another file (or none) would credit its rows to the wrong file, or lose them."""
    if sorted(returned) != sorted(f.path for f in files):
        raise _OtherFilesRead


@dataclass(frozen=True)
class _SchemaNode:
    """One node of a file's Parquet schema tree (the root, a column, a nested field)."""

    name: str
    children: int
    duckdb_type: str | None


def _top_level_columns(nodes: list[_SchemaNode]) -> dict[str, str]:
    """Names and types of the root's children in a depth-first Parquet schema listing."""
    columns: dict[str, str] = {}

    def skip(index: int) -> int:
        children = nodes[index].children
        index += 1
        for _ in range(children):
            index = skip(index)
        return index

    index = 1
    for _ in range(nodes[0].children):
        node = nodes[index]
        columns[node.name] = node.duckdb_type or ("STRUCT" if node.children else "UNKNOWN")
        index = skip(index)
    return columns


@dataclass(frozen=True)
class LandedSource:
    """SQL text reading every readable usage file (UNION ALL of one SELECT per schema group)
    and its parameters; spliced into statements at their `{landed_source}` slot."""

    text: str
    params: dict[str, Any]

    def into(self, statement: str) -> str:
        return statement.replace("{landed_source}", self.text)


def source(files: list[LandedFile], columns: tuple[str, ...] = ALL_COLUMNS) -> LandedSource:
    """The usage rows of every readable file, files of one schema read by one read_parquet."""
    groups: dict[tuple[Any, ...], list[LandedFile]] = defaultdict(list)
    for landed in files:
        if landed.error is None and landed.rows > 0:
            signature = tuple(sorted(landed.types.items())), landed.hive_service
            groups[signature].append(landed)
    template = warehouse.sql("ingest/landed_source")
    parts: list[str] = []
    params: dict[str, Any] = {}
    for number, signature in enumerate(sorted(groups, key=repr)):
        group = groups[signature]
        suffix = f"_{number}"
        select = template.replace("{projection}",
                                  projection(group[0].types, columns, f"hive_service{suffix}"))
        parts.append(select.replace("_G", suffix))
        params[f"files{suffix}"] = [literal_path(f.path) for f in group]
        params[f"file_ids{suffix}"] = [f.file_id for f in group]
        params[f"hive_service{suffix}"] = group[0].hive_service
        params[f"missing_columns{suffix}"] = group[0].missing_columns
        params[f"has_value_column{suffix}"] = "value" in group[0].types
    if not parts:
        empty = ", ".join(f"{_EMPTY[c]} AS {c}" for c in (
            "file_id", "file_row_number", "missing_columns", "has_value_column", *columns))
        return LandedSource(text=f"SELECT {empty} WHERE false", params={})
    return LandedSource(text="\nUNION ALL\n".join(parts), params=params)


def verify(con: Any, files: list[LandedFile]) -> bool:
    """Decode every readable file fully; mark those that fail. True when any file failed.

    Called after a read failed. The statement is fixed and known good, so any error it raises
    here is the file's (a damaged page header raises DuckDB's bare Error).
    """
    found = False
    for landed in files:
        if landed.error is None:
            try:
                warehouse.run(con, "ingest/verify_file",
                              {"file": literal_path(landed.path)}).fetchall()
            except duckdb.Error as exc:
                landed.error = file_error(landed, exc)
                found = True
    return found


def first_line(exc: Exception) -> str:
    """An error's first line, short enough for a table cell."""
    return str(exc).strip().splitlines()[0][:500]


def relative_path(root: str, path: str) -> str:
    """`path` relative to the landing root, as the warehouse reports files."""
    base = root.rstrip("/")
    return path[len(base) + 1:] if path.startswith(base + "/") else path
