SELECT through_ingestion_id, generation FROM ledger_sync
