-- Per day of the period, service, customer and metric: the rated revenue spread evenly over
-- the period's days (the last day takes the remainder, so the days add up to the rated
-- amount exactly) against the costs allocated that day.
INSERT INTO margin_daily
WITH days AS (
    SELECT CAST(d AS DATE) AS day, row_number() OVER (ORDER BY d) AS n,
           count(*) OVER () AS day_count
    FROM range(CAST($first_day AS DATE), CAST($end_day AS DATE), INTERVAL 1 DAY) t(d)
),
rated AS (
    SELECT service, customer_key, metric, sum(amount) AS amount
    FROM rated_charges
    WHERE billing_period = $billing_period AND amount IS NOT NULL
    GROUP BY ALL
),
per_day AS (   -- exact: DECIMAL division would go through DOUBLE
    SELECT *, CAST(CAST(div_half_up(to_scaled(amount), (SELECT count(*) FROM days))
                        AS DECIMAL(38, 0)) * 0.000000001 AS DECIMAL(38, 9)) AS part
    FROM rated
),
revenue AS (
    SELECT d.day, r.service, r.customer_key, r.metric,
           CASE WHEN d.n = d.day_count THEN r.amount - r.part * (d.day_count - 1)
                ELSE r.part END AS revenue
    FROM per_day r CROSS JOIN days d
),
cost AS (
    SELECT cost_date AS day, service, customer_key, metric, sum(cost_cad) AS cost
    FROM cost_allocations WHERE billing_period = $billing_period
    GROUP BY ALL
),
joined AS (
    SELECT day, service, customer_key, metric, coalesce(v.revenue, 0) AS revenue,
           coalesce(c.cost, 0) AS cost, coalesce(v.revenue, 0) - coalesce(c.cost, 0) AS margin
    FROM revenue v
    FULL JOIN cost c USING (day, service, customer_key, metric)
)
SELECT day, $billing_period, service, customer_key, metric, revenue, cost, margin,
       percent_of(margin, revenue)
FROM joined
ORDER BY day, service, customer_key, metric
