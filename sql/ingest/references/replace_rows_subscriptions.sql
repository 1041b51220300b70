-- Bring the staged version of one file into force (after delete_rows_subscriptions.sql).
INSERT INTO reference_rows_subscriptions SELECT * FROM staged_subscriptions ORDER BY ALL
