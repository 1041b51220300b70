-- A known file rewritten with the same bytes: remember the new modification time only.
UPDATE ledger.ingested_files SET modified_at = $modified_at WHERE file_id = $file_id
