-- The floor: one hand-written DuckDB query over the same files that deduplicates (latest
-- pushed_at per counter), aggregates per account and metric, and prices with each charge's
-- first-tier unit price. No validation, no quarantine, no lineage: the least any engine must do.
CREATE OR REPLACE TABLE floor_charges AS
WITH usage AS (
    SELECT coalesce(service, regexp_extract(filename, 'service=([^/]+)/', 1)) AS service,
           counter_id, account_id, metric, pushed_at, TRY_CAST(value AS DECIMAL(38, 9)) AS value
    FROM read_parquet($files, union_by_name = true, hive_partitioning = false, filename = true)
),
latest AS (
    SELECT * FROM usage
    QUALIFY row_number() OVER (PARTITION BY service, counter_id ORDER BY pushed_at DESC) = 1
),
totals AS (
    SELECT service, account_id, metric, sum(value) AS quantity
    FROM latest GROUP BY service, account_id, metric
)
SELECT t.service, t.account_id, t.metric, t.quantity, t.quantity * p.unit_price AS amount
FROM totals t
JOIN read_csv($prices, header = true,
              columns = {'service': 'VARCHAR', 'metric': 'VARCHAR',
                         'unit_price': 'DECIMAL(38,9)'}) p
  ON p.service = t.service AND p.metric = t.metric
