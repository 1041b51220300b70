-- The period's credits put on a later invoice (delivery 'next_period', a negative net) that
-- this invoice can no longer carry: its usage fell after they were issued, so that with
-- everything it carries it totals below zero, and posting holds it (Odoo refuses a negative
-- invoice). An increase stays on it: moved out, it would leave the invoice further below zero.
-- Odoo holds no move of that invoice (no odoo_postings row, or one refused or not postable
-- with no move: posting records a deleted draft so), so nothing of the revision is in Odoo:
-- it becomes a document of its own, posted with the period's adjustments, and the invoice is
-- posted without it. The only change ever made to an issued revision; its lines and amounts
-- stay as issued. adjust/pending_needs_rerun.sql looks for the same revisions (keep alike).
UPDATE period_adjustments AS a
SET delivery = 'separate', target_period = NULL,
    reason_text = a.reason_text || '; a document of its own: its ' || a.target_period
        || ' invoice ' || t.invoice_key || ' came to total '
        || CAST(CAST(t.total AS DECIMAL(38, 2)) AS VARCHAR) || ' with the adjustments it '
        || 'carries'
FROM (
    SELECT invoice_key, billing_period, sum(amount) AS total
    FROM (SELECT invoice_key, billing_period, amount FROM invoice_lines
          UNION ALL
          SELECT customer_key || '/' || service || '/' || target_period, target_period,
                 amount_net
          FROM period_adjustments WHERE delivery = 'next_period') carried
    GROUP BY invoice_key, billing_period
    HAVING sum(amount) < 0
) t
WHERE a.billing_period = $billing_period
  AND a.delivery = 'next_period'
  AND a.amount_net < 0
  AND t.invoice_key = a.customer_key || '/' || a.service || '/' || a.target_period
  AND NOT EXISTS (SELECT 1 FROM odoo_postings p
                  WHERE p.invoice_key = t.invoice_key
                    AND (p.odoo_move_id IS NOT NULL
                         OR p.state NOT IN ('not_postable', 'rejected')))
