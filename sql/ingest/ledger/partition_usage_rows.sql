-- Run once, when the table is created: one folder of Parquet files per billing period.
ALTER TABLE ledger.usage_rows SET PARTITIONED BY (period_key)
