SELECT file_name, name, duckdb_type
FROM parquet_schema($files)
WHERE name <> 'schema' AND num_children IS NULL
ORDER BY file_name, column_id
