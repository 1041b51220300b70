-- The customer's ledger rows of the period, as of the published copy of the ledger's catalog,
-- into the scratch ledger that the rating statements read: one scan for all its accounts
-- (DuckLake skips data files, and Parquet row groups, whose account_id range holds none of
-- them; measured cheaper than one query per account, bench/bench_current_usage.py).
INSERT INTO ledger.usage_rows BY NAME
SELECT * FROM published_ledger.usage_rows
WHERE period_key = $period_key AND service = $service
  AND account_id IN (SELECT unnest($accounts))
