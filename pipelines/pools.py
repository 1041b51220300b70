"""The Dagster pool of the steps that write the warehouse.

DuckDB lets one process write a file, so every step that writes the warehouse is in this pool
and `dagster_home/dagster.yaml` runs each pool one step at a time (the engine's lock file beside
the warehouse makes a CLI run and a Dagster run wait for each other too).
"""

WAREHOUSE_POOL = "duckdb_warehouse"
