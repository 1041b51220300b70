-- The invoices of a period, in key order (posting goes in batches of these keys): its rated
-- invoices, and those that carry an adjustment of an earlier period (delivery 'next_period')
-- whatever became of their usage since, so that the adjustment is posted (or held) with them.
SELECT invoice_key FROM invoice_lines
WHERE billing_period = $billing_period
UNION
SELECT customer_key || '/' || service || '/' || target_period FROM period_adjustments
WHERE delivery = 'next_period' AND target_period = $billing_period
ORDER BY invoice_key
