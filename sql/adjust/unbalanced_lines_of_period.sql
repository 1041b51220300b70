-- The breaks of adjust/unbalanced_lines.sql in one period: what the adjust run checks before
-- it commits the period, without scanning every period ever re-rated inside its transaction
-- (nor failing on another period's break).
SELECT 'line' AS problem, billing_period, invoice_key, subscription_id, charge_id,
       group_value, line_kind, CAST(rerated AS DECIMAL(38, 2)) AS expected,
       CAST(original + issued + pending AS DECIMAL(38, 2)) AS found
FROM adjustment_balance
WHERE billing_period = $billing_period AND NOT balanced
UNION ALL
SELECT 'revision', a.billing_period, a.adjustment_key, NULL, NULL, NULL, NULL,
       a.amount_net, CAST(coalesce(sum(l.amount_delta), 0) AS DECIMAL(38, 2))
FROM period_adjustments a
LEFT JOIN period_adjustment_lines l ON l.adjustment_key = a.adjustment_key
WHERE a.billing_period = $billing_period
GROUP BY a.billing_period, a.adjustment_key, a.amount_net
HAVING a.amount_net <> coalesce(sum(l.amount_delta), 0)
ORDER BY ALL
