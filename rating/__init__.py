"""fusion-rating: the pure rating engine (no Dagster import here)."""

__version__ = "0.1.0"
