INSERT INTO ledger_sync
SELECT coalesce(max(ingestion_id), 0), $generation FROM ledger.ingestions
