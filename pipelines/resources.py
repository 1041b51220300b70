"""The rating resource: where the engine reads and writes, configured from the environment.

(No `from __future__ import annotations`: Dagster reads these annotations at run time.)
"""

import os
from pathlib import Path

import dagster as dg

from rating.engine import RateRequest
from rating.periods import DEFAULT_TIME_ZONE
from rating.warehouse import WarehouseSettings


class RatingResource(dg.ConfigurableResource):
    """The landing zone, catalog and warehouse of one deployment."""

    landing: str = "demo/landing"
    """Landing root: a local folder or an s3:// prefix (S3 access from the AWS_* variables)."""
    catalog: str = "catalog"
    """Folder of catalog YAML files."""
    warehouse: str = "demo/warehouse.duckdb"
    """DuckDB warehouse file (one writer at a time: see the duckdb_warehouse pool)."""
    time_zone: str = DEFAULT_TIME_ZONE
    """Billing time zone: billing periods are its calendar months."""
    memory_limit: str | None = None
    """DuckDB memory limit, e.g. '2GB'; above it DuckDB spills to disk."""
    threads: int | None = None
    """DuckDB threads (default: one per core)."""

    def settings(self) -> WarehouseSettings:
        return WarehouseSettings(threads=self.threads, memory_limit=self.memory_limit)

    def request(self, period: str) -> RateRequest:
        return RateRequest(landing=self.landing, catalog=Path(self.catalog),
                           warehouse=Path(self.warehouse), period=period,
                           time_zone=self.time_zone, settings=self.settings())


def rating_resource_from_environment() -> RatingResource:
    """FUSION_LANDING, FUSION_CATALOG, FUSION_WAREHOUSE, FUSION_TIME_ZONE,
    FUSION_MEMORY_LIMIT and FUSION_THREADS, each with the demo's default."""
    threads = os.getenv("FUSION_THREADS")
    return RatingResource(
        landing=os.getenv("FUSION_LANDING", "demo/landing"),
        catalog=os.getenv("FUSION_CATALOG", "catalog"),
        warehouse=os.getenv("FUSION_WAREHOUSE", "demo/warehouse.duckdb"),
        time_zone=os.getenv("FUSION_TIME_ZONE", DEFAULT_TIME_ZONE),
        memory_limit=os.getenv("FUSION_MEMORY_LIMIT") or None,
        threads=int(threads) if threads else None,
    )
