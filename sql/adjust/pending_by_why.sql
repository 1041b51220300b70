-- What the period keeps pending, by why: invoices, lines and the amount (signed).
SELECT why, CAST(count(DISTINCT invoice_key) AS INTEGER) AS invoices,
       CAST(count(*) AS INTEGER) AS lines,
       CAST(sum(amount_delta) AS DECIMAL(38, 2)) AS amount
FROM pending_adjustments
WHERE billing_period = $billing_period
GROUP BY why
ORDER BY why
