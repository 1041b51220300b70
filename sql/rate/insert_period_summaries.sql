INSERT INTO period_summaries
SELECT $billing_period, service, count(DISTINCT customer_key), count(DISTINCT invoice_key),
       count(*), sum(amount), any_value(currency)
FROM invoice_lines WHERE billing_period = $billing_period
GROUP BY service ORDER BY service
