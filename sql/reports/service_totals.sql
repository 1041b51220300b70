-- Per service for one period: invoices, lines and the amount (rounded per line).
SELECT service, count(DISTINCT invoice_key) AS invoices, count(*) AS lines, sum(amount) AS amount,
       any_value(currency) AS currency
FROM invoice_lines
WHERE billing_period = $billing_period
GROUP BY service
ORDER BY service
