-- Whether the period's re-rate (rerated_lines) reproduces its invoices exactly: every invoice
-- line the same (customer, service, currency, product, description, quantity, billable units,
-- amount, line identity), none more or fewer, no charge left without a price (TEMP
-- rerated_unpriced), and no revision issued since the close (what was invoiced is then the
-- invoice lines alone). Then the references it was re-rated with verifiably reproduce the
-- period as billed.
WITH invoiced AS (
    SELECT invoice_key, customer_key, service, currency, product_code, description, quantity,
           billable_units, amount, subscription_id, charge_id, group_value, line_kind
    FROM invoice_lines
    WHERE billing_period = $billing_period
),
rerated AS (
    SELECT invoice_key, customer_key, service, currency, product_code, description, quantity,
           billable_units, amount, subscription_id, charge_id, group_value, line_kind
    FROM rerated_lines
    WHERE billing_period = $billing_period
)
SELECT NOT EXISTS (SELECT * FROM (SELECT * FROM invoiced EXCEPT ALL SELECT * FROM rerated))
       AND NOT EXISTS (SELECT * FROM (SELECT * FROM rerated EXCEPT ALL SELECT * FROM invoiced))
       AND NOT EXISTS (SELECT 1 FROM rerated_unpriced)
       AND NOT EXISTS (SELECT 1 FROM period_adjustments WHERE billing_period = $billing_period)
           AS reproduces
