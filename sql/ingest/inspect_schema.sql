-- The Parquet schema tree of each file, depth-first; rating.ingest.landing keeps the root's children
-- (the top-level columns), so nested fields never pass for contract columns. The declared
-- decimal precision is kept too: DuckDB reads a DECIMAL wider than 38 digits as a wrong DOUBLE.
SELECT file_name, name, num_children, duckdb_type,
       CASE WHEN converted_type = 'DECIMAL' THEN precision END AS decimal_precision
FROM parquet_schema($files)
ORDER BY file_name, column_id
