-- The manifest as rating.ingest compares it with the landing zone.
SELECT file_id, file_path, size_bytes, modified_at, content_hash, status, ingested_at
FROM ledger.ingested_files
ORDER BY file_path
