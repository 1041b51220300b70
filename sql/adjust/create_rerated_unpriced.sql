-- The re-rated charges without a price in force for the period (inside rating.warehouse.shadow:
-- rerate.rated_charges), for the adjustment run to name; their invoices are left out of
-- rerated_lines whole, as rate/insert_invoice_lines.sql leaves them out of invoice_lines.
CREATE OR REPLACE TEMP TABLE rerated_unpriced AS
SELECT customer_key || '/' || service || '/' || billing_period AS invoice_key,
       billing_period, customer_key, service, subscription_id, charge_id, metric, group_value,
       line_kind, quantity
FROM rerate.rated_charges
WHERE billing_period = $billing_period AND amount_unrounded IS NULL
ORDER BY invoice_key, subscription_id, charge_id, group_value NULLS FIRST
