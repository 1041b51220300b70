-- Per line of each re-rated closed period: the original, the revisions issued, what is pending
-- and the re-rate. balanced: original + issued + pending = re-rated, to the cent (the blocking
-- check adjustments_balance). A settlement's lines (line_kind 'settlement', per product: what
-- Odoo billed brought back to what we rated) change no rated line: left out, its revision
-- checked as a whole (its lines add up to its net).
CREATE OR REPLACE VIEW adjustment_balance AS
SELECT billing_period,   -- YYYY-MM, a re-rated closed period (rerated_lines.billing_period)
       invoice_key,      -- the original invoice (invoice_lines.invoice_key)
       subscription_id,  -- invoice_lines.subscription_id
       charge_id,        -- invoice_lines.charge_id
       group_value,      -- the group_by dimension's value; NULL: no group
       line_kind,        -- 'usage' | 'minimum_true_up'
       CAST(sum(original) AS DECIMAL(38, 2)) AS original,  -- invoice_lines.amount (0: no such
                                                           -- line), cents
       CAST(sum(issued) AS DECIMAL(38, 2)) AS issued,      -- the issued revisions' deltas
                                                           -- summed, cents
       CAST(sum(pending) AS DECIMAL(38, 2)) AS pending,    -- pending_adjustments' deltas
                                                           -- summed, cents
       CAST(sum(rerated) AS DECIMAL(38, 2)) AS rerated,    -- rerated_lines.amount (0: no such
                                                           -- line), cents
       sum(original) + sum(issued) + sum(pending) = sum(rerated) AS balanced
                                          -- original + issued + pending = re-rated
FROM (
    SELECT billing_period, invoice_key, subscription_id, charge_id, group_value, line_kind,
           amount AS original, 0.00 AS issued, 0.00 AS pending, 0.00 AS rerated
    FROM invoice_lines
    UNION ALL
    SELECT billing_period, invoice_key, subscription_id, charge_id, group_value, line_kind,
           0.00, amount_delta, 0.00, 0.00
    FROM period_adjustment_lines
    WHERE line_kind <> 'settlement'
    UNION ALL
    SELECT billing_period, invoice_key, subscription_id, charge_id, group_value, line_kind,
           0.00, 0.00, amount_delta, 0.00
    FROM pending_adjustments
    UNION ALL
    SELECT billing_period, invoice_key, subscription_id, charge_id, group_value, line_kind,
           0.00, 0.00, 0.00, amount
    FROM rerated_lines
) parts
WHERE billing_period IN (SELECT billing_period FROM rerated_lines)
GROUP BY billing_period, invoice_key, subscription_id, charge_id, group_value, line_kind
