-- The customers who cost more than they pay, per period and service.
CREATE OR REPLACE VIEW negative_margin_customers AS
SELECT billing_period, service, customer_key, sum(revenue) AS revenue, CAST(round(sum(cost), 2) AS DECIMAL(38, 2)) AS cost,
       CAST(round(sum(margin), 2) AS DECIMAL(38, 2)) AS margin
FROM margin_monthly
WHERE customer_key IS NOT NULL
GROUP BY billing_period, service, customer_key
HAVING sum(margin) < 0
