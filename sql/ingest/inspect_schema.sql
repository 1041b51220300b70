-- The Parquet schema tree of each file, depth-first; rating.landing keeps the root's children
-- (the top-level columns), so nested fields never pass for contract columns.
SELECT file_name, name, num_children, duckdb_type
FROM parquet_schema($files)
ORDER BY file_name, column_id
