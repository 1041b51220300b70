SELECT coalesce(max(ingestion_id), 0) FROM ledger.ingestions
