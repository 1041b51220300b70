"""Where the API server reads and writes, and its limits (documented where declared)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rating.periods import DEFAULT_TIME_ZONE


def default_state(warehouse: Path | str) -> Path:
    """`<warehouse minus its suffix>.api`: demo/warehouse.duckdb has demo/warehouse.api (its
    service records and keys, and the write-ahead store)."""
    return Path(warehouse).with_suffix(".api")


@dataclass(frozen=True)
class ApiSettings:
    """One server's configuration (`fusion-rating serve` builds it from its options)."""

    landing: Path
    """The landing zone the server flushes usage, customers and subscriptions to."""
    catalog: Path
    """The catalog folder: services, metrics (a metric's value property), plans."""
    warehouse: Path
    """The warehouse file; the server only reads its analysts' copy and the ledger."""
    state: Path
    """services.json (service records, key hashes) and the write-ahead store (wal/)."""
    time_zone: str = DEFAULT_TIME_ZONE
    """The billing time zone: which month a counter or a `current_usage` call belongs to."""
    max_request_bytes: int = 8 * 1024 * 1024
    """A request body larger than this is refused (413) before it is parsed."""
    max_batch_items: int = 10_000
    """Counters or events in one batch; more is refused (413) with the limit named."""
    flush_interval_seconds: float = 2.0
    """The write-ahead store is flushed to landing Parquet at least this often..."""
    flush_rows: int = 50_000
    """...or as soon as this many counters wait."""
    max_unflushed_rows: int = 500_000
    """Past this many counters not yet flushed, writes get 429 with Retry-After and
    x-ratelimit-reset (the flush fell behind: backpressure rather than an unbounded queue).
    At least max_batch_items: a full batch must be able to get in once the store is empty."""

    def __post_init__(self) -> None:
        if self.max_batch_items > self.max_unflushed_rows:
            raise ValueError(
                f"max_batch_items ({self.max_batch_items}) is over max_unflushed_rows "
                f"({self.max_unflushed_rows}): a full batch could never be taken")

    @classmethod
    def for_warehouse(cls, landing: Path, catalog: Path, warehouse: Path,
                      state: Path | None = None, **limits: object) -> ApiSettings:
        return cls(landing=landing, catalog=catalog, warehouse=warehouse,
                   state=state or default_state(warehouse), **limits)  # type: ignore[arg-type]
