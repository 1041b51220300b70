-- The $limit customers with the highest and the $limit with the lowest margin in one period
-- (all services summed; unallocated cost left out), each with one name: validated_accounts has
-- one row per account, so a customer linked from several accounts takes the name of its first
-- link by service and account id (as its Odoo partner does). The names are joined after the
-- sums, one row per key, so a customer's revenue is never counted once per account.
-- A customer can be in both lists when there are fewer than 2 × $limit customers. Ties are
-- broken by customer key.
WITH customers AS (
    SELECT customer_key, sum(revenue) AS revenue, sum(cost) AS cost, sum(margin) AS margin
    FROM margin_monthly
    WHERE billing_period = $billing_period AND customer_key IS NOT NULL
    GROUP BY customer_key
), names AS (
    SELECT customer_key, name
    FROM validated_accounts
    QUALIFY row_number() OVER (PARTITION BY customer_key ORDER BY service, account_id) = 1
), ranked AS (
    SELECT *,
           row_number() OVER (ORDER BY margin DESC, customer_key) AS top_rank,
           row_number() OVER (ORDER BY margin ASC, customer_key) AS bottom_rank
    FROM customers
)
SELECT r.customer_key, n.name, r.revenue, r.cost, r.margin, r.top_rank, r.bottom_rank
FROM ranked r
LEFT JOIN names n ON n.customer_key = r.customer_key
WHERE r.top_rank <= $limit OR r.bottom_rank <= $limit
ORDER BY r.top_rank
