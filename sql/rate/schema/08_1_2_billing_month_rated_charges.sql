-- The rows a warehouse held before billing_month existed get theirs (the schema runs when its
-- files change, so this scans the table once per upgrade, not per run).
UPDATE rated_charges SET billing_month = CAST(billing_period || '-01' AS DATE)
WHERE billing_month IS NULL
