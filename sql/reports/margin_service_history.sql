-- Margin per billing period and service, for every period up to (and including) one period.
SELECT billing_period, service, sum(margin) AS margin
FROM margin_monthly
WHERE billing_period <= $billing_period
GROUP BY billing_period, service
ORDER BY billing_period, service
