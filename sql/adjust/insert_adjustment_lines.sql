-- The lines of the revisions this run issued: each differing line of the key, old and new,
-- described as the document shows it ("Late usage for October 2026, Block storage: 1,204
-- GB-month, from 48,310 to 49,514"), in the invoice's line order.
INSERT INTO period_adjustment_lines (adjustment_key, revision, billing_period, invoice_key,
    line_number, subscription_id, charge_id, group_value, line_kind, product_code,
    description, old_quantity, new_quantity, old_amount, new_amount, amount_delta)
SELECT a.adjustment_key, a.revision, $billing_period, l.invoice_key,
       CAST(row_number() OVER (
           PARTITION BY l.invoice_key
           ORDER BY l.product_code, l.group_value NULLS FIRST, l.line_kind DESC,
                    l.subscription_id, l.charge_id) AS INTEGER),
       l.subscription_id, l.charge_id, l.group_value, l.line_kind, l.product_code,
       CASE a.reason WHEN 'correction' THEN 'Corrected usage'
                     WHEN 'redecided' THEN 'Usage decided again'
                     WHEN 'on_purpose' THEN 'Re-rated usage'
                     ELSE 'Late usage' END
           || ' for ' || $period_label || ', '
           || CASE WHEN l.line_kind = 'minimum_true_up'
                   THEN 'minimum charge for ' || coalesce(m.name, c.metric, l.charge_id)
                        || ': true-up from ' || CAST(l.old_amount AS VARCHAR) || ' to '
                        || CAST(l.new_amount AS VARCHAR) || ' ' || l.currency
                   ELSE coalesce(m.name, c.metric, l.charge_id)
                        || coalesce(' (' || l.group_value || ')', '') || ': '
                        || format_quantity(l.new_quantity - l.old_quantity)
                        || coalesce(' ' || m.unit, '') || ', from '
                        || format_quantity(l.old_quantity) || ' to '
                        || format_quantity(l.new_quantity)
              END,
       l.old_quantity, l.new_quantity, l.old_amount, l.new_amount, l.amount_delta
FROM adjust_lines l
JOIN period_adjustments a ON a.invoice_key = l.invoice_key AND a.run_id = $run_id
LEFT JOIN cat_charges c ON c.charge_id = l.charge_id
LEFT JOIN cat_metrics m ON m.service = l.service AND m.metric = c.metric
WHERE l.differs
ORDER BY a.adjustment_key, l.product_code, l.group_value NULLS FIRST, l.line_kind DESC,
         l.subscription_id, l.charge_id
