-- Subscriptions that rated the period before and are not active in it now, with why: the
-- reason and file of their row in the files in force, or no row at all.
WITH checks AS (
    SELECT subscription_id, min(reason) AS reason, min(file_path) AS file_path
    FROM subscription_checks GROUP BY subscription_id
)
SELECT p.subscription_id, p.customer_key, p.service, c.reason, c.file_path
FROM previous_subscriptions p
LEFT JOIN period_subscriptions s ON s.subscription_id = p.subscription_id
LEFT JOIN checks c ON c.subscription_id = p.subscription_id
WHERE s.subscription_id IS NULL
ORDER BY p.customer_key, p.service, p.subscription_id
