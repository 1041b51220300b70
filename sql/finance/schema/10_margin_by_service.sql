-- Margin by service over time (one row per period and service; cost and margin rounded to
-- cents here, for reading).
CREATE OR REPLACE VIEW margin_by_service AS
SELECT billing_period, service, sum(revenue) AS revenue, CAST(round(sum(cost), 2) AS DECIMAL(38, 2)) AS cost,
       CAST(round(sum(margin), 2) AS DECIMAL(38, 2)) AS margin,
       percent_of(sum(margin), sum(revenue)) AS margin_pct
FROM margin_monthly
GROUP BY billing_period, service
