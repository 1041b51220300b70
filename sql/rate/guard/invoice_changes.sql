-- Every invoice of the period before and after this rating (NULL: none on that side).
WITH current_invoices AS (
    SELECT customer_key, service, sum(amount) AS amount
    FROM invoice_lines WHERE billing_period = $billing_period
    GROUP BY ALL
)
SELECT coalesce(p.customer_key, c.customer_key) AS customer_key,
       coalesce(p.service, c.service) AS service,
       p.amount AS before,
       c.amount AS after
FROM previous_invoices p
FULL JOIN current_invoices c ON c.customer_key = p.customer_key AND c.service = p.service
ORDER BY customer_key, service
