-- The $limit customers with the highest and the $limit with the lowest margin in one period
-- (all services summed; unallocated cost left out). A customer can be in both lists when there
-- are fewer than 2 × $limit customers. Ties are broken by customer key.
WITH customers AS (
    SELECT customer_key, sum(revenue) AS revenue, sum(cost) AS cost, sum(margin) AS margin
    FROM margin_monthly
    WHERE billing_period = $billing_period AND customer_key IS NOT NULL
    GROUP BY customer_key
), ranked AS (
    SELECT *,
           row_number() OVER (ORDER BY margin DESC, customer_key) AS top_rank,
           row_number() OVER (ORDER BY margin ASC, customer_key) AS bottom_rank
    FROM customers
)
SELECT customer_key, revenue, cost, margin, top_rank, bottom_rank
FROM ranked
WHERE top_rank <= $limit OR bottom_rank <= $limit
ORDER BY top_rank
