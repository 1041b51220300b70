-- Whether the run kept the references it re-rated with as the period's snapshot
-- (rated_subscriptions, rated_account_links): a period rated before snapshots existed, re-rated
-- on purpose with --accept-changes, or whose re-rate reproduced its invoice lines exactly. Later
-- re-rates use them (adjust/snapshot_fingerprint.sql). NULL: predates the column.
ALTER TABLE adjustment_runs ADD COLUMN IF NOT EXISTS snapshot_kept BOOLEAN
