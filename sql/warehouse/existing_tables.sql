-- The warehouse's own tables, before create_schema adds any.
SELECT table_name FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
