-- The blocking invariant of adjustments (the check adjustments_balance): per line of every
-- re-rated period, original + issued + pending = re-rated to the cent; and every revision's
-- lines add up to its amount_net. Each row is a break of it; none: it holds.
SELECT 'line' AS problem, billing_period, invoice_key, subscription_id, charge_id,
       group_value, line_kind, CAST(rerated AS DECIMAL(38, 2)) AS expected,
       CAST(original + issued + pending AS DECIMAL(38, 2)) AS found
FROM adjustment_balance
WHERE NOT balanced
UNION ALL
SELECT 'revision', a.billing_period, a.adjustment_key, NULL, NULL, NULL, NULL,
       a.amount_net, CAST(coalesce(sum(l.amount_delta), 0) AS DECIMAL(38, 2))
FROM period_adjustments a
LEFT JOIN period_adjustment_lines l ON l.adjustment_key = a.adjustment_key
GROUP BY a.billing_period, a.adjustment_key, a.amount_net
HAVING a.amount_net <> coalesce(sum(l.amount_delta), 0)
ORDER BY ALL
