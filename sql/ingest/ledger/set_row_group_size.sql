-- Row groups of 16,384 rows instead of DuckLake's 122,880, so that reading one customer's
-- accounts (the API's current_usage) skips most of a period by the groups' account_id ranges.
-- Measured on ten million rows (bench/bench_current_usage.py --scatter, customers of 10
-- accounts, docs/ledger.md): current_usage p95 150-215 ms against 217-240 ms; the cold
-- ingestion 6.6 s against 7.3 s; rating the month from the ledger 4.7 s either way.
CALL ledger.set_option('parquet_row_group_size', '16384')
