-- The customers invoiced in a period, or billed by one of its adjustments (a customer whose
-- usage all came after the close has no invoice line): their partners are looked up in bulk
-- first.
SELECT customer_key FROM invoice_lines WHERE billing_period = $billing_period
UNION
SELECT customer_key FROM period_adjustments WHERE billing_period = $billing_period
ORDER BY customer_key
