-- The digest of the whole catalog the run had (rating.rate.catalog_tables.fingerprint, as
-- rating_runs.catalog_fingerprint): while it is the same tonight, the period's catalog
-- fingerprint is the one the run recorded, and the nightly run skips building the period's
-- references to compute it again. NULL: predates the column.
ALTER TABLE adjustment_runs ADD COLUMN IF NOT EXISTS catalog_digest VARCHAR
