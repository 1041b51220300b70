SELECT coalesce(max(ingestion_id), 0) + 1 FROM ledger.ingestions
