DELETE FROM schema_revision
