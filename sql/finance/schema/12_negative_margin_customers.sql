-- The customers who cost more than they pay, per period and service.
CREATE OR REPLACE VIEW negative_margin_customers AS
SELECT billing_period,                                          -- YYYY-MM
       billing_month,                                           -- billing_period as a DATE
                                                                -- (its first day)
       service,                                                 -- catalog_services.service
       customer_key,                                            -- customers.customer_key
       sum(revenue) AS revenue,                                 -- rated amounts, cents
       CAST(round(sum(cost), 2) AS DECIMAL(38, 2)) AS cost,     -- allocated costs in CAD,
                                                                -- rounded to cents
       CAST(round(sum(margin), 2) AS DECIMAL(38, 2)) AS margin  -- revenue - cost (below 0),
                                                                -- rounded to cents
FROM margin_monthly
WHERE customer_key IS NOT NULL
GROUP BY billing_period, billing_month, service, customer_key
HAVING sum(margin) < 0
