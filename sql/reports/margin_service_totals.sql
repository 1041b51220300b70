-- Margin per service for one period (margin_monthly): revenue, cost, margin, and the currency
-- of the revenue (rated_charges; CAD for a service with cost but nothing rated). Costs are in
-- CAD. Unallocated cost (customer_key NULL) counts in its service's cost and margin.
WITH currencies AS (
    SELECT service, string_agg(DISTINCT currency, '/' ORDER BY currency) AS currency
    FROM rated_charges
    WHERE billing_period = $billing_period
    GROUP BY service
)
SELECT m.service, sum(m.revenue) AS revenue, sum(m.cost) AS cost, sum(m.margin) AS margin,
       coalesce(any_value(c.currency), 'CAD') AS currency
FROM margin_monthly m
LEFT JOIN currencies c ON c.service = m.service
WHERE m.billing_period = $billing_period
GROUP BY m.service
ORDER BY m.service
