-- Whether the run billed with its catalog_fingerprint: it re-rated the period and nothing held
-- it for its catalog or references (a change accepted with --accept-changes, or none). The
-- next re-rate checks the catalog against the latest such run's fingerprint, so an accepted
-- change is not held again. NULL: not re-rated (unchanged), or predates the column.
ALTER TABLE adjustment_runs ADD COLUMN IF NOT EXISTS catalog_accepted BOOLEAN
