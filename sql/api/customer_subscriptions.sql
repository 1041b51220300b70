-- The customer's usable subscriptions active in the period (any of its accounts).
SELECT subscription_id, account_id, plan_code, start_at, end_at
FROM all_ref_subscriptions
WHERE service = $service AND list_contains($accounts, account_id)
  AND start_at < $period_end AND end_at_or_infinity > $period_start
ORDER BY subscription_id
