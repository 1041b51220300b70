-- The credits put on a later invoice (delivery 'next_period', a negative net) that this
-- invoice can no longer carry: its usage fell after they were issued, so that with everything
-- it carries it totals below zero, and posting holds it (Odoo refuses a negative invoice), and
-- Odoo holds no move of it (no odoo_postings row, or one refused or not postable with no move:
-- posting records a deleted draft so). An increase stays on it: moved out, it would leave the
-- invoice further below zero. adjust/redeliver_separately.sql makes them documents of their
-- own; adjust/pending_needs_rerun.sql has the nightly run re-rate their period to do so.
CREATE OR REPLACE VIEW credits_to_redeliver AS
SELECT a.adjustment_key,  -- the credit (period_adjustments.adjustment_key)
       a.billing_period,  -- YYYY-MM, the period it adjusts
       t.invoice_key AS target_key,  -- the later invoice that carries it
       CAST(t.total AS DECIMAL(38, 2)) AS target_total  -- that invoice's untaxed total with
                                                        -- everything it carries, below zero
FROM period_adjustments a
JOIN (SELECT invoice_key, sum(amount) AS total
      FROM (SELECT invoice_key, amount FROM invoice_lines
            UNION ALL
            SELECT customer_key || '/' || service || '/' || target_period, amount_net
            FROM period_adjustments WHERE delivery = 'next_period') carried
      GROUP BY invoice_key
      HAVING sum(amount) < 0) t
  ON t.invoice_key = a.customer_key || '/' || a.service || '/' || a.target_period
WHERE a.delivery = 'next_period'
  AND a.amount_net < 0
  AND NOT EXISTS (SELECT 1 FROM odoo_postings p
                  WHERE p.invoice_key = t.invoice_key
                    AND (p.odoo_move_id IS NOT NULL
                         OR p.state NOT IN ('not_postable', 'rejected')))
