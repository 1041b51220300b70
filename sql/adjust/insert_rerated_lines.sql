-- The re-rate's invoice lines (rerate.invoice_lines, inside rating.warehouse.shadow), kept.
INSERT INTO rerated_lines (billing_period, run_id, invoice_key, customer_key, service,
    currency, line_number, product_code, description, quantity, billable_units, amount,
    amount_unrounded, subscription_id, charge_id, group_value, line_kind, billing_month)
SELECT billing_period, $run_id, invoice_key, customer_key, service, currency, line_number,
       product_code, description, quantity, billable_units, amount, amount_unrounded,
       subscription_id, charge_id, group_value, line_kind, billing_month
FROM rerate.invoice_lines
WHERE billing_period = $billing_period
ORDER BY invoice_key, line_number
