-- Ingestion-stage quarantine rows that are no longer so: rows a later push superseded, and the
-- whole-file row of an unreadable file whose new content has been ingested.
DELETE FROM usage_quarantine
WHERE stage = 'ingestion'
  AND ($reset
       OR file_id IN (SELECT file_id FROM ledger.ingested_files WHERE ingestion_id > $synced)
       OR (file_id, file_row_number) IN (SELECT file_id, file_row_number
                                         FROM ledger.usage_rows
                                         WHERE superseded_in > $synced
                                           AND status = 'superseded'))
