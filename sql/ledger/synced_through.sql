SELECT coalesce(max(through_ingestion_id), 0) FROM ledger_sync
