-- The invoices of a period, in key order (posting goes in batches of these keys).
SELECT invoice_key FROM invoice_lines
WHERE billing_period = $billing_period
GROUP BY invoice_key
ORDER BY invoice_key
