-- period_catalog_fingerprint came after rating_runs: a warehouse written before has the table
-- without it (NULL on the runs before, as on a closed period's run).
ALTER TABLE rating_runs ADD COLUMN IF NOT EXISTS period_catalog_fingerprint VARCHAR
