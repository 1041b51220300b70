DELETE FROM schema_applied
