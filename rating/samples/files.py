"""Writing the samples' files: the usage contract as Parquet (the columns, their types in each
file, a writer that writes one file in row groups) and plain CSV with decimals as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from rating.samples.spec import MetricSpec

CHUNK_ROWS = 500_000
"""Most rows generated (and held) at once; also the Parquet row group size."""


COLUMNS = ["counter_id", "service", "account_id", "metric", "period_start", "period_end",
           "value", "unique_key", "dimensions", "pushed_at"]
_VALUE_TYPES = {"int": pa.int64(), "float": pa.float64(), "money": pa.decimal128(18, 6)}
_POLARS_VALUE_TYPES: dict[str, pl.DataType] = {"int": pl.Int64(), "float": pl.Float64(),
                                               "money": pl.Decimal(18, 6)}


def file_kind(specs: Sequence[MetricSpec]) -> str:
    kinds = {s.kind for s in specs}
    return "money" if "money" in kinds else "float" if "float" in kinds else "int"


def usage_schema(kind: str, naive: bool, *, service: bool = True,
                 value: pa.DataType | None = None) -> pa.Schema:
    ts = pa.timestamp("us") if naive else pa.timestamp("us", tz="UTC")
    types: dict[str, pa.DataType] = {
        "counter_id": pa.string(), "service": pa.string(), "account_id": pa.string(),
        "metric": pa.string(), "period_start": ts, "period_end": ts,
        "value": value if value is not None else _VALUE_TYPES[kind], "unique_key": pa.string(),
        "dimensions": pa.string(), "pushed_at": ts}
    return pa.schema([(name, types[name]) for name in COLUMNS if service or name != "service"])


def contract_table(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """The frame's columns named in `schema`, in its order and with its types, as Arrow."""
    return frame.select(schema.names).to_arrow().cast(schema)


def write_parquet(path: Path, table: pa.Table) -> None:
    """One whole table as a Parquet file (zstd), its folder made if need be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


class UsageFileWriter:
    """Writes one Parquet file in row groups of at most CHUNK_ROWS; counts rows and bad rows."""

    def __init__(self, path: Path, schema: pa.Schema, kind: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.kind = kind
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.rows = 0
        self.bad = 0

    def add(self, frame: pl.DataFrame) -> None:
        self.pending.append(frame.with_columns(
            pl.col("value").cast(_POLARS_VALUE_TYPES[self.kind])))
        self.pending_rows += frame.height
        if self.pending_rows >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        frame = pl.concat(self.pending, how="vertical")
        self.pending, self.pending_rows = [], 0
        self.rows += frame.height
        self.bad += int(frame.get_column("_bad").sum())
        self.writer.write_table(contract_table(frame, self.schema), row_group_size=CHUNK_ROWS)

    def close(self) -> None:
        self.flush()
        self.writer.close()


def money_text(value: Decimal) -> str:
    """A plain decimal string (never an exponent)."""
    return format(value, "f")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            written += 1
    return written
