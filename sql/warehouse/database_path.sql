-- The file of the warehouse this connection writes (NULL in memory), for messages to name it.
SELECT path FROM duckdb_databases() WHERE database_name = current_database()
