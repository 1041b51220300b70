-- Invoice lines total vs rated charges total per customer, service and period (rounded per
-- line on both sides); a rated line without usage nor amount is not invoiced and counts 0.
WITH rated AS (
    SELECT customer_key, service, sum(amount) AS amount FROM rated_charges
    WHERE billing_period = $billing_period GROUP BY ALL
),
invoiced AS (
    SELECT customer_key, service, sum(amount) AS amount FROM invoice_lines
    WHERE billing_period = $billing_period GROUP BY ALL
)
SELECT coalesce(r.customer_key, i.customer_key) AS customer_key,
       coalesce(r.service, i.service) AS service,
       coalesce(r.amount, 0) AS rated, coalesce(i.amount, 0) AS invoiced
FROM rated r FULL JOIN invoiced i USING (customer_key, service)
WHERE coalesce(r.amount, 0) <> coalesce(i.amount, 0)
ORDER BY 1, 2
