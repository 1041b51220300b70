-- The customers invoiced in a period, billed by one of its adjustments (a customer whose
-- usage all came after the close has no invoice line), or whose invoice of the period carries
-- an adjustment of an earlier one (next_period): their partners are looked up in bulk first.
SELECT customer_key FROM invoice_lines WHERE billing_period = $billing_period
UNION
SELECT customer_key FROM period_adjustments WHERE billing_period = $billing_period
UNION
SELECT customer_key FROM period_adjustments
WHERE delivery = 'next_period' AND target_period = $billing_period
ORDER BY customer_key
