-- Invoices with an amount invoiced and no line in the re-rate: gone whole (a subscription or
-- an account no longer rated, an unpriced charge), which the guard stops.
SELECT invoice_key
FROM adjust_lines
GROUP BY invoice_key
HAVING sum(old_amount) <> 0 AND NOT bool_or(rerated_present)
ORDER BY invoice_key
