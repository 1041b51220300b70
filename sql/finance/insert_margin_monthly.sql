-- The period's margin per service, customer and metric: revenue is the rated amount (already
-- in cents), cost the allocated CAD costs (9 decimals, unrounded).
INSERT INTO margin_monthly (billing_period, service, customer_key, metric, revenue, cost, margin,
    margin_pct, billing_month)
WITH summed AS (
    SELECT service, customer_key, metric, CAST(sum(revenue) AS DECIMAL(38, 2)) AS revenue,
           sum(cost) AS cost
    FROM margin_daily WHERE billing_period = $billing_period
    GROUP BY ALL
)
SELECT $billing_period, service, customer_key, metric, revenue, cost, revenue - cost,
       percent_of(revenue - cost, revenue), CAST($billing_period || '-01' AS DATE)
FROM summed
ORDER BY ALL
