-- Margin per service for one period (margin_monthly, cents): revenue, cost, margin. Unallocated
-- cost (customer_key NULL) counts in its service's cost and margin.
SELECT service, sum(revenue) AS revenue, sum(cost) AS cost, sum(margin) AS margin
FROM margin_monthly
WHERE billing_period = $billing_period
GROUP BY service
ORDER BY service
