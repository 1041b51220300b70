-- Files about to be recorded again: unreadable ones whose new content is readable, and files
-- whose modification time alone changed.
DELETE FROM ledger.ingested_files WHERE file_id IN (SELECT file_id FROM landed_file_checks)
