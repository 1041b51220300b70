SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = 'ledger' AND table_name = $name
