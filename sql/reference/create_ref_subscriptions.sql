CREATE OR REPLACE TEMP TABLE ref_subscriptions AS
SELECT subscription_id, service, account_id, plan_code, start_at, end_at
FROM subscription_checks
WHERE usable
