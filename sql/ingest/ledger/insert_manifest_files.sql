INSERT INTO ledger.ingested_files
SELECT file_id, file_path, size_bytes, modified_at, content_hash, rows_in_file, status, error,
       missing_columns, extra_columns, has_value_column, ingestion_id, ingested_at
FROM landed_file_checks
ORDER BY file_path
