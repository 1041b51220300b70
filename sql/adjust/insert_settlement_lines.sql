-- The lines of a settlement revision (the view settle_lines: product_code, old_amount,
-- new_amount, amount_delta, in product order): one per product whose amount in Odoo differs
-- from ours; its identity is the product (charge_id 'settlement:<product>', line_kind
-- 'settlement'), so the per-line balance of rated lines leaves it out.
INSERT INTO period_adjustment_lines (adjustment_key, revision, billing_period, invoice_key,
    line_number, subscription_id, charge_id, group_value, line_kind, product_code,
    description, old_quantity, new_quantity, old_amount, new_amount, amount_delta)
SELECT $adjustment_key, $revision, $billing_period, $invoice_key,
       CAST(row_number() OVER (ORDER BY s.product_code) AS INTEGER), '',
       'settlement:' || s.product_code, NULL, 'settlement', s.product_code,
       'Settlement for ' || $period_label || ', ' || s.product_code || ': billed '
           || CAST(s.old_amount AS VARCHAR) || ' in Odoo, rated '
           || CAST(s.new_amount AS VARCHAR),
       0, 0, s.old_amount, s.new_amount, s.amount_delta
FROM settle_lines s
ORDER BY s.product_code
