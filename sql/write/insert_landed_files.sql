INSERT INTO landed_files
SELECT file_id, file_path, rows_in_file, status, error, missing_columns, extra_columns
FROM landed_file_checks
ORDER BY file_path
