SELECT max(ingestion_id) FROM ledger.ingestions
