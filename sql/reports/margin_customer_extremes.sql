-- The $limit customers with the highest and the $limit with the lowest margin in one period
-- (all services summed; unallocated cost left out), each with one name from the view
-- customers (one row per key: a customer's revenue is never counted once per account).
-- A customer can be in both lists when there are fewer than 2 × $limit customers. Ties are
-- broken by customer key.
WITH margins AS (
    SELECT customer_key, sum(revenue) AS revenue, sum(cost) AS cost, sum(margin) AS margin
    FROM margin_monthly
    WHERE billing_period = $billing_period AND customer_key IS NOT NULL
    GROUP BY customer_key
), ranked AS (
    SELECT *,
           row_number() OVER (ORDER BY margin DESC, customer_key) AS top_rank,
           row_number() OVER (ORDER BY margin ASC, customer_key) AS bottom_rank
    FROM margins
)
SELECT r.customer_key, n.name, r.revenue, r.cost, r.margin, r.top_rank, r.bottom_rank
FROM ranked r
LEFT JOIN customers n ON n.customer_key = r.customer_key
WHERE r.top_rank <= $limit OR r.bottom_rank <= $limit
ORDER BY r.top_rank
