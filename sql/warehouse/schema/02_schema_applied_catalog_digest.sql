-- The catalog digest beside the fingerprint (see schema_applied): a warehouse written before
-- has the table without the column, and applies the schema files once more to fill it.
ALTER TABLE schema_applied ADD COLUMN IF NOT EXISTS catalog_digest VARCHAR
