-- Per invoice key with a line whose amount differs: its deltas in document order, whether it
-- had an original invoice at the close, whether (without one) a supplementary invoice of its
-- own was issued (delivered separately: a credit note reverses it), whether the original and every earlier revision are
-- posted ($posted_states: the odoo_postings states
-- that mean Odoo holds what we posted; $outbox_posts: a dry run's odoo_outbox payload counts
-- as posted), whether Odoo's original or a revision of it was changed after we posted it
-- ($changed_state: not posted for adjust purposes, a person settles it), its latest revision.
-- A revision delivered on the next period's invoice (delivery 'next_period') is posted, or
-- changed, as that invoice ('<customer_key>/<service>/<target_period>') is.
WITH keys AS (
    SELECT invoice_key, min(currency) AS currency,
           list(amount_delta ORDER BY product_code, group_value NULLS FIRST, line_kind DESC,
                subscription_id, charge_id) FILTER (WHERE amount_delta <> 0) AS deltas
    FROM adjust_lines
    GROUP BY invoice_key
    HAVING bool_or(amount_delta <> 0)
),
revisions AS (
    SELECT invoice_key, revision,
           CASE WHEN delivery = 'next_period'
                THEN customer_key || '/' || service || '/' || target_period
                ELSE adjustment_key END AS posted_as
    FROM period_adjustments
),
posted AS (
    SELECT invoice_key FROM odoo_postings WHERE list_contains($posted_states, state)
    UNION
    SELECT invoice_key FROM odoo_outbox WHERE $outbox_posts AND problem IS NULL
)
SELECT k.invoice_key, k.currency, k.deltas,
       EXISTS (SELECT 1 FROM invoice_lines l WHERE l.billing_period = $billing_period
                                               AND l.invoice_key = k.invoice_key)
           AS has_original,
       EXISTS (SELECT 1 FROM period_adjustments a
               WHERE a.invoice_key = k.invoice_key AND a.delivery = 'separate'
                 AND a.document_kind = 'supplementary_invoice')
           AS has_standalone_revision,
       k.invoice_key IN (SELECT invoice_key FROM posted) AS original_posted,
       EXISTS (SELECT 1 FROM odoo_postings p
               WHERE p.state = $changed_state
                 AND (p.invoice_key = k.invoice_key
                      OR p.invoice_key IN (SELECT r.posted_as FROM revisions r
                                           WHERE r.invoice_key = k.invoice_key)))
           AS changed_after_posting,
       coalesce((SELECT max(a.revision) FROM period_adjustments a
                 WHERE a.invoice_key = k.invoice_key), 0) AS revisions_issued,
       NOT EXISTS (SELECT 1 FROM revisions r
                   WHERE r.invoice_key = k.invoice_key
                     AND r.posted_as NOT IN (SELECT invoice_key FROM posted))
           AS revisions_posted
FROM keys k
ORDER BY k.invoice_key
