"""Run configuration, with the embedded defaults of the demo (see README)."""

import dagster as dg

from rating.periods import DEFAULT_TIME_ZONE


class RatingConfig(dg.Config):
    landing: str = "demo/landing"
    """Landing root: a local folder or an s3:// prefix."""
    catalog: str = "catalog"
    """Folder of catalog YAML files."""
    warehouse: str = "demo/warehouse.duckdb"
    """DuckDB warehouse file."""
    time_zone: str = DEFAULT_TIME_ZONE
    """Billing time zone: billing periods are its calendar months."""
