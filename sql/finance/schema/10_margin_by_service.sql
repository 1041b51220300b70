-- Margin by service over time (one row per period and service; cost and margin rounded to
-- cents here, for reading).
CREATE OR REPLACE VIEW margin_by_service AS
SELECT billing_period,                                          -- YYYY-MM
       billing_month,                                           -- billing_period as a DATE
                                                                -- (its first day)
       service,                                                 -- catalog_services.service
       sum(revenue) AS revenue,                                 -- rated amounts, cents
       CAST(round(sum(cost), 2) AS DECIMAL(38, 2)) AS cost,     -- allocated costs in CAD,
                                                                -- rounded to cents
       CAST(round(sum(margin), 2) AS DECIMAL(38, 2)) AS margin, -- revenue - cost, rounded to
                                                                -- cents
       percent_of(sum(margin), sum(revenue)) AS margin_pct      -- margin / revenue * 100, 2
                                                                -- decimals; NULL: no revenue
FROM margin_monthly
GROUP BY billing_period, billing_month, service
