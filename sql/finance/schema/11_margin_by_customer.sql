-- Margin per period and customer, all services, ranked by margin (1 = the best); costs that
-- could not be allocated to a customer appear under customer_key NULL.
CREATE OR REPLACE VIEW margin_by_customer AS
SELECT billing_period, customer_key, sum(revenue) AS revenue,
       CAST(round(sum(cost), 2) AS DECIMAL(38, 2)) AS cost,
       CAST(round(sum(margin), 2) AS DECIMAL(38, 2)) AS margin,
       percent_of(sum(margin), sum(revenue)) AS margin_pct,
       rank() OVER (PARTITION BY billing_period ORDER BY sum(margin) DESC) AS margin_rank
FROM margin_monthly
GROUP BY billing_period, customer_key
