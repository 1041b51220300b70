CREATE OR REPLACE TEMP TABLE ref_subscriptions AS
SELECT subscription_id, service, account_id, plan_code, start_at, end_at,
       coalesce(end_at, TIMESTAMP 'infinity') AS end_at_or_infinity
FROM subscription_checks
WHERE usable
