-- The period's invoice total in each currency its invoice lines are in (the summary shows each
-- amount with its currency).
SELECT currency, sum(amount) AS amount
FROM invoice_lines
WHERE billing_period = $billing_period
GROUP BY currency
ORDER BY currency
