-- The customers invoiced in a period (their partners are looked up in bulk first).
SELECT DISTINCT customer_key FROM invoice_lines
WHERE billing_period = $billing_period
ORDER BY customer_key
