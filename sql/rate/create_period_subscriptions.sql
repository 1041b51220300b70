-- Subscriptions active for part or all of the period, with the active time that prorates
-- included units, flat fees and minimums (active microseconds / period microseconds).
CREATE OR REPLACE TEMP TABLE period_subscriptions AS
SELECT s.subscription_id,
       s.service,
       s.account_id,
       s.plan_code,
       a.customer_key,
       greatest(s.start_at, $period_start) AS active_from,
       least(coalesce(s.end_at, $period_end), $period_end) AS active_to,
       date_diff('microsecond', greatest(s.start_at, $period_start),
                 least(coalesce(s.end_at, $period_end), $period_end)) AS active_us
FROM ref_subscriptions s
JOIN ref_accounts a ON a.service = s.service AND a.account_id = s.account_id
WHERE s.start_at < $period_end AND (s.end_at IS NULL OR s.end_at > $period_start)
