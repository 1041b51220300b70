-- The customers invoiced in a period (their partners are looked up in bulk first), with those
-- whose invoice of the period carries an adjustment of an earlier one (next_period).
SELECT customer_key FROM invoice_lines
WHERE billing_period = $billing_period
UNION
SELECT customer_key FROM period_adjustments
WHERE delivery = 'next_period' AND target_period = $billing_period
ORDER BY customer_key
