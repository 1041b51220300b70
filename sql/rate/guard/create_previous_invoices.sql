-- The period's invoices as they stand before this rating (the guard compares with them).
CREATE OR REPLACE TEMP TABLE previous_invoices AS
SELECT customer_key, service, sum(amount) AS amount
FROM invoice_lines WHERE billing_period = $billing_period
GROUP BY ALL
