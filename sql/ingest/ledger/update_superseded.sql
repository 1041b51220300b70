-- Mark the losers of superseded_now; the period filter keeps the rewrite to their partitions.
UPDATE ledger.usage_rows
SET status = 'superseded', changed_in = $ingestion_id
WHERE period_key IN (SELECT DISTINCT period_key FROM superseded_now)
  AND (file_id, file_row_number) IN (SELECT file_id, file_row_number FROM superseded_now)
