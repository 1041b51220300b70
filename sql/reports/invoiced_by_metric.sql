-- A period's invoiced amount per invoice, account and metric (what a legacy billing would have
-- charged per line; the sample of legacy billing is derived from it).
SELECT invoice_key, service, account_id, metric, sum(amount) AS amount, min(currency) AS currency
FROM invoice_line_charges
WHERE billing_period = $billing_period
GROUP BY ALL
ORDER BY service, account_id, metric, invoice_key
