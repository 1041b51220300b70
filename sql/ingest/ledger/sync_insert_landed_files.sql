INSERT INTO landed_files
SELECT file_id, file_path, rows_in_file, status, error, missing_columns, extra_columns,
       size_bytes, content_hash, ingestion_id, ingested_at
FROM ledger.ingested_files
WHERE ingestion_id > $synced
ORDER BY file_path
