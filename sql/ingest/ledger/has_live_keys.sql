-- Whether an earlier ingestion left any row that a new push could supersede.
SELECT EXISTS (SELECT 1 FROM ledger.usage_rows
               WHERE ingestion_id < $ingestion_id AND key_hash IS NOT NULL
                 AND status <> 'superseded')
