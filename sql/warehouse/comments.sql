-- The comments the warehouse's catalog holds: one row per table and view (column_name NULL)
-- and one per column of each (rating.schema_docs compares them with the schema files').
SELECT table_name, NULL AS column_name, comment
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
UNION ALL
SELECT view_name, NULL, comment
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
  AND NOT internal
UNION ALL
SELECT table_name, column_name, comment
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
