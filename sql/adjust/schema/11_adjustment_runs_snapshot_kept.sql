-- Whether the run gave a period rated before snapshots existed a snapshot of the references it
-- re-rated with (rated_subscriptions, rated_account_links): all of them when re-rated on purpose
-- with --accept-changes; else, when its re-rate reproduced its invoice lines exactly, only the
-- subscriptions and account links that produced an invoice line of the period (those the
-- reproduction verified: another account's late usage is held as unknown_account or
-- no_subscription for a person). Later re-rates use them (adjust/snapshot_fingerprint.sql).
-- NULL: predates the column.
ALTER TABLE adjustment_runs ADD COLUMN IF NOT EXISTS snapshot_kept BOOLEAN
