"""Dagster definitions, partitions and resources for fusion-rating."""
