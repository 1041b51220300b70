-- The usable subscriptions active for part or all of the period: every one a row of the period
-- can be rated against (a row's window starts inside the period).
INSERT INTO rated_subscriptions (billing_period, subscription_id, service, account_id,
                                 plan_code, start_at, end_at)
SELECT $billing_period, subscription_id, service, account_id, plan_code, start_at, end_at
FROM ref_subscriptions
WHERE start_at < $period_end AND (end_at IS NULL OR end_at > $period_start)
ORDER BY subscription_id
