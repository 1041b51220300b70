-- Services with revenue but no cost in one period (a 100 % margin), and whether any provider
-- cost of the period names them at all: none means the catalog's cost_allocation maps no
-- provider to the service and no landed cost row is for it.
SELECT m.service,
       (SELECT count(*) FROM provider_costs p
        WHERE p.billing_period = $billing_period AND p.service = m.service) AS cost_rows
FROM margin_monthly m
WHERE m.billing_period = $billing_period
GROUP BY m.service
HAVING sum(m.revenue) > 0 AND sum(m.cost) = 0
ORDER BY m.service
