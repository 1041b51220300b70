-- The customer's ledger rows of the period, as of the published copy of the ledger's catalog,
-- into the scratch ledger that the rating statements read. One account at a time, by equality,
-- so that DuckLake prunes data files and Parquet row groups by their account_id statistics.
INSERT INTO ledger.usage_rows
SELECT * FROM published_ledger.usage_rows
WHERE period_key = $period_key AND service = $service AND account_id = $account_id
