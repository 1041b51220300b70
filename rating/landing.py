"""The landing zone: find usage files, inspect them and load their rows into DuckDB.

Follows ../shared/contracts/usage-counters.md. Each file is inspected (schema, row count) before
it is read; a file that is not Parquet at all is quarantined whole, by name, and the run goes on.
Files with the same column types are loaded with one `read_parquet` call, projected onto the
canonical columns of the `landed_usage` temp table (sql/ingest/create_landed_usage.sql).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from rating import warehouse

REQUIRED = ("counter_id", "service", "account_id", "metric", "period_start", "period_end",
            "pushed_at")
OPTIONAL = ("value", "unique_key", "dimensions")
CONTRACT_COLUMNS = REQUIRED + OPTIONAL
TIMESTAMP_COLUMNS = ("period_start", "period_end", "pushed_at")
TEXT_COLUMNS = ("counter_id", "service", "account_id", "metric", "unique_key", "dimensions")
_HIVE_SERVICE = re.compile(r"(?:^|/)service=([^/]+)/")
_NUMERIC = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|"
                      r"UBIGINT|UHUGEINT|DECIMAL\(\d+,\d+\)|FLOAT|DOUBLE)$")


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


def file_id_for(relative_path: str) -> int:
    """A stable 63-bit id from the file's path under the landing root (lineage survives reruns)."""
    digest = hashlib.sha256(relative_path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def load_httpfs(con: Any) -> None:
    """Load DuckDB's httpfs extension from the pinned wheel, without network access."""
    import duckdb_extension_httpfs  # type: ignore[import-untyped]

    package = Path(duckdb_extension_httpfs.__file__).parent
    extension = next(package.rglob("*.duckdb_extension"))
    con.execute(f"INSTALL '{extension.as_posix()}'")
    con.execute("LOAD httpfs")


def discover(con: Any, landing: str) -> list[LandedFile]:
    """Every `*.parquet` under `<landing>/usage/`, at any depth, sorted by relative path."""
    root = landing.rstrip("/")
    if root.startswith("s3://"):
        load_httpfs(con)
    elif not Path(root, "usage").is_dir():
        return []
    found = warehouse.run(con, "ingest/glob_usage_files",
                          {"pattern": f"{root}/usage/**/*.parquet"}).fetchall()
    files: list[LandedFile] = []
    seen: dict[int, str] = {}
    for (path,) in sorted(found):
        relative = path[len(root) + 1:] if path.startswith(root + "/") else path
        file_id = file_id_for(relative)
        if file_id in seen:
            raise RuntimeError(f"file id collision between {seen[file_id]} and {relative}")
        seen[file_id] = relative
        hive = _HIVE_SERVICE.search(relative)
        files.append(LandedFile(path, relative, file_id,
                                hive_service=hive.group(1) if hive else None))
    return files


def inspect(con: Any, files: list[LandedFile]) -> None:
    """Fill in each file's column types and row count; mark unreadable files with an error."""
    if not files:
        return
    by_path = {f.path: f for f in files}
    try:
        _inspect_batch(con, files, by_path)
    except FILE_ERRORS:
        # One bad file fails the batch: inspect one by one to name it and keep the others.
        for landed in files:
            try:
                _inspect_batch(con, [landed], by_path)
            except FILE_ERRORS as exc:
                landed.error = _first_line(exc)


def _inspect_batch(con: Any, files: list[LandedFile], by_path: dict[str, LandedFile]) -> None:
    paths = [f.path for f in files]
    schema = warehouse.run(con, "ingest/inspect_schema", {"files": paths}).fetchall()
    counts = warehouse.run(con, "ingest/inspect_row_counts", {"files": paths}).fetchall()
    for path, name, duckdb_type in schema:
        by_path[path].types[name] = duckdb_type
    for path, rows in counts:
        by_path[path].rows = int(rows)


def load(con: Any, files: list[LandedFile]) -> None:
    """Create `landed_usage` and load every readable file's rows into it."""
    warehouse.run(con, "ingest/create_landed_usage")
    groups: dict[tuple[Any, ...], list[LandedFile]] = defaultdict(list)
    for landed in files:
        if landed.error is None and landed.rows > 0:
            signature = tuple(sorted(landed.types.items())), landed.hive_service
            groups[signature].append(landed)
    for signature in sorted(groups, key=repr):
        group = groups[signature]
        try:
            _load_group(con, group)
        except FILE_ERRORS:
            # A file can pass inspection and still fail to decode: isolate it, keep the rest.
            warehouse.run(con, "ingest/delete_landed_files",
                          {"file_ids": [f.file_id for f in group]})
            for landed in group:
                try:
                    _load_group(con, [landed])
                except FILE_ERRORS as exc:
                    warehouse.run(con, "ingest/delete_landed_files", {"file_ids": [landed.file_id]})
                    landed.error = _first_line(exc)


def _load_group(con: Any, group: list[LandedFile]) -> None:
    template = warehouse.sql("ingest/insert_landed_usage")
    statement = template.replace("{projection}", projection(group[0].types))
    warehouse.run_text(con, statement, {"files": [f.path for f in group],
                                        "file_ids": [f.file_id for f in group],
                                        "hive_service": group[0].hive_service})


def projection(types: dict[str, str]) -> str:
    """The SELECT list that maps one file schema onto landed_usage's canonical columns.

    Built only from the contract's column names and fixed casts, never from data values.
    """
    columns: list[str] = []
    for name in TEXT_COLUMNS:
        if name not in types:
            columns.append("$hive_service" if name == "service" else "NULL::VARCHAR")
        else:
            columns.append(f"CAST(\"{name}\" AS VARCHAR)")
    flags: list[str] = []
    for name in TIMESTAMP_COLUMNS:
        kind = types.get(name)
        if kind is None:
            columns.append("NULL::TIMESTAMP")
        elif kind.startswith("TIMESTAMP") or kind == "DATE":
            columns.append(f"CAST(\"{name}\" AS TIMESTAMP)")
        else:
            cast = f"TRY_CAST(CAST(\"{name}\" AS VARCHAR) AS TIMESTAMPTZ)::TIMESTAMP"
            columns.append(cast)
            flags.append(f"(\"{name}\" IS NOT NULL AND {cast} IS NULL)")
    value_type = types.get("value")
    if value_type is None:
        value, unparsed = "NULL::DECIMAL(38,9)", "false"
    elif _NUMERIC.match(value_type):
        value = "TRY_CAST(\"value\" AS DECIMAL(38,9))"
        unparsed = f"(\"value\" IS NOT NULL AND {value} IS NULL)"
    else:
        value = "TRY_CAST(TRIM(CAST(\"value\" AS VARCHAR)) AS DECIMAL(38,9))"
        unparsed = f"(\"value\" IS NOT NULL AND {value} IS NULL)"
    columns.append(value)
    columns.append(unparsed)
    columns.append(" OR ".join(flags) if flags else "false")
    return ",\n       ".join(columns)


# Errors that mean "this file cannot be read"; anything else (a parser or binder error) is a
# bug in the engine and must stop the run rather than quarantine good files.
FILE_ERRORS: tuple[type[Exception], ...] = (duckdb.IOException, duckdb.InvalidInputException,
                                            duckdb.ConversionException,
                                            duckdb.OutOfRangeException)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:500]
