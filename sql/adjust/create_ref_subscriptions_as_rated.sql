-- The subscriptions the period was last rated with while open (rated_subscriptions), as the
-- rating's statements read them (ingest/references/create_ref_subscriptions.sql).
CREATE OR REPLACE TEMP TABLE ref_subscriptions AS
SELECT subscription_id, service, account_id, plan_code, start_at, end_at,
       coalesce(end_at, TIMESTAMP 'infinity') AS end_at_or_infinity,
       CAST(row_number() OVER (ORDER BY subscription_id) AS INTEGER) AS subscription_key
FROM rated_subscriptions
WHERE billing_period = $billing_period
