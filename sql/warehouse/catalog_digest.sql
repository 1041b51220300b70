-- What the schema files' tables and views are now, as one md5: each one's comment, each view's
-- SQL, each column's type and comment; a documented object that is missing changes it too.
-- Objects of others are left out: $names lists the schema files' own, comma-separated (one
-- text parameter binds in microseconds, a list of 45 in milliseconds).
SELECT md5(coalesce(string_agg(entry, chr(10) ORDER BY entry), '')) AS catalog_digest
FROM (
    SELECT concat_ws(chr(31), 'table', table_name, coalesce(comment, '')) AS entry
    FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
      AND list_contains(string_split($names, ','), table_name)
    UNION ALL
    SELECT concat_ws(chr(31), 'view', view_name, coalesce(comment, ''), sql)
    FROM duckdb_views()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
      AND NOT internal AND list_contains(string_split($names, ','), view_name)
    UNION ALL
    SELECT concat_ws(chr(31), 'column', table_name, column_name, data_type,
                     coalesce(comment, ''))
    FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
      AND list_contains(string_split($names, ','), table_name)
)
