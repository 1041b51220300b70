UPDATE ledger.usage_rows
SET status = 'accepted', reason = NULL, changed_in = $ingestion_id
WHERE period_key IN (SELECT DISTINCT period_key FROM redecided WHERE reason IS NULL)
  AND (file_id, file_row_number) IN (SELECT file_id, file_row_number FROM redecided
                                     WHERE reason IS NULL)
