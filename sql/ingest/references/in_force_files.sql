-- The version in force of each file of one kind.
SELECT file_path, content_hash, rows_in_file, loaded_at
FROM reference_files WHERE kind = $kind
ORDER BY file_path
