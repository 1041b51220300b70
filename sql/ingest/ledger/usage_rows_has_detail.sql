-- A ledger created before usage_rows had its detail column (added then by add_usage_rows_detail).
SELECT count(*) > 0 FROM duckdb_columns()
WHERE database_name = 'ledger' AND table_name = 'usage_rows' AND column_name = 'detail'
