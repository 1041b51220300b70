-- Lines with neither usage nor an amount stay out of the invoice (they remain in
-- rated_charges). An invoice with a line that has no price in force is left out whole: a
-- partial invoice is a wrong invoice (the blocking check on rated_charges names the charge).
-- Line order within an invoice: product, group, kind, subscription, charge (a total order).
INSERT INTO invoice_lines (invoice_key, billing_period, customer_key, service, currency,
    line_number, product_code, description, quantity, billable_units, amount, amount_unrounded,
    subscription_id, charge_id, group_value, line_kind, billing_month)
SELECT customer_key || '/' || service || '/' || billing_period AS invoice_key,
       billing_period, customer_key, service, currency,
       CAST(row_number() OVER (
           PARTITION BY customer_key, service
           ORDER BY product_code, group_value NULLS FIRST, line_kind DESC, subscription_id,
                    charge_id)
           AS INTEGER) AS line_number,
       product_code, description, quantity, billable_units, amount, amount_unrounded,
       subscription_id, charge_id, group_value, line_kind, billing_month
FROM rated_charges
WHERE billing_period = $billing_period
  AND (quantity <> 0 OR amount_unrounded <> 0)
  AND (customer_key, service) NOT IN (SELECT customer_key, service FROM rated_charges
                                      WHERE billing_period = $billing_period
                                        AND amount_unrounded IS NULL)
ORDER BY invoice_key, line_number
