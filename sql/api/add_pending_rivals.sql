-- The published ledger's live rows that compete with the pending rows now in the scratch
-- ledger (same key), beside them before re-pushes are settled, so that settle_repushes decides
-- as the ingestion will; rows already copied (the customer's of the period) are not doubled.
INSERT INTO ledger.usage_rows BY NAME
SELECT * FROM pending_rivals r
WHERE r.key_hash IN (SELECT key_hash FROM ledger.usage_rows
                     WHERE ingestion_id = $ingestion_id AND key_hash IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM ledger.usage_rows u
                  WHERE u.file_id = r.file_id AND u.file_row_number = r.file_row_number)
