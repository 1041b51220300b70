-- Ingestion-stage quarantine rows that are no longer what the ledger says: rows whose status a
-- later ingestion changed (superseded by a push, or re-decided under a changed catalog; those
-- still quarantined are inserted again by sync_insert_quarantine.sql), and the whole-file row
-- of an unreadable file whose content has been ingested since.
DELETE FROM usage_quarantine
WHERE stage = 'ingestion'
  AND ($reset
       OR file_id IN (SELECT file_id FROM ledger.ingested_files WHERE ingestion_id > $synced)
       OR (file_id, file_row_number) IN (SELECT file_id, file_row_number
                                         FROM ledger.usage_rows
                                         WHERE changed_in > $synced))
