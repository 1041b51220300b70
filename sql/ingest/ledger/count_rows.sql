SELECT count(*) FROM ledger.usage_rows WHERE ingestion_id = $ingestion_id
