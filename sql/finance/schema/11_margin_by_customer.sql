-- Margin per period and customer, all services, ranked by margin (1 = the best); costs that
-- could not be allocated to a customer appear under customer_key NULL.
CREATE OR REPLACE VIEW margin_by_customer AS
SELECT billing_period,                                          -- YYYY-MM
       billing_month,                                           -- billing_period as a DATE
                                                                -- (its first day)
       customer_key,                                            -- customers.customer_key;
                                                                -- NULL: unallocated costs
       sum(revenue) AS revenue,                                 -- rated amounts, cents
       CAST(round(sum(cost), 2) AS DECIMAL(38, 2)) AS cost,     -- allocated costs in CAD,
                                                                -- rounded to cents
       CAST(round(sum(margin), 2) AS DECIMAL(38, 2)) AS margin, -- revenue - cost, rounded to
                                                                -- cents
       percent_of(sum(margin), sum(revenue)) AS margin_pct,     -- margin / revenue * 100, 2
                                                                -- decimals; NULL: no revenue
       rank() OVER (PARTITION BY billing_period ORDER BY sum(margin) DESC) AS margin_rank
                                                                -- 1 = the best margin of the
                                                                -- period
FROM margin_monthly
GROUP BY billing_period, billing_month, customer_key
