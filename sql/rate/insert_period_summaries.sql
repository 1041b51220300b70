INSERT INTO period_summaries (billing_period, service, customers, invoices, invoice_lines,
    amount, currency, billing_month)
SELECT $billing_period, service, count(DISTINCT customer_key), count(DISTINCT invoice_key),
       count(*), sum(amount), any_value(currency), CAST($billing_period || '-01' AS DATE)
FROM invoice_lines WHERE billing_period = $billing_period
GROUP BY service ORDER BY service
