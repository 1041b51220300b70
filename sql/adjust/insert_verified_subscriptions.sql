-- The period's snapshot kept without a person (its re-rate with today's references reproduced
-- its invoice lines): only the subscriptions in force today (TEMP ref_subscriptions) that
-- produced an invoice line of the period, the ones the reproduction verified. Another
-- account's late usage is then held for want of a subscription as rated, not billed on
-- today's references unchecked.
INSERT INTO rated_subscriptions (billing_period, subscription_id, service, account_id,
                                 plan_code, start_at, end_at)
SELECT $billing_period, s.subscription_id, s.service, s.account_id, s.plan_code, s.start_at,
       s.end_at
FROM ref_subscriptions s
WHERE s.start_at < $period_end AND (s.end_at IS NULL OR s.end_at > $period_start)
  AND s.subscription_id IN (SELECT subscription_id FROM invoice_lines
                            WHERE billing_period = $billing_period)
ORDER BY s.subscription_id
