-- Rated invoices of the period (with the net of the adjustments of earlier periods they carry,
-- delivery 'next_period'), and the adjustments issued for it that are documents of their own
-- (rated_untaxed is its amount_document, positive for a credit note as Odoo's amount_untaxed
-- is), against what Odoo holds under their keys (odoo_readback) or, in a
-- dry run, against the outbox payloads. Keys we posted before that are no longer rated come
-- from the ledger. A credit note must reverse its original invoice's move (link_differs).
INSERT INTO reconciliation_odoo (invoice_key, billing_period, customer_key, service,
    rated_untaxed, odoo_move_id, odoo_number, odoo_state, odoo_untaxed, odoo_tax, odoo_total,
    difference, posting_state, status, checked_at, billing_month, document_kind,
    original_move_id, odoo_reversed_entry_id)
WITH invoice_amounts AS (
    SELECT invoice_key, customer_key, service, amount FROM invoice_lines
    WHERE billing_period = $billing_period
    UNION ALL
    SELECT customer_key || '/' || service || '/' || target_period, customer_key, service,
           amount_net
    FROM period_adjustments
    WHERE delivery = 'next_period' AND target_period = $billing_period
),
invoices AS (
    SELECT invoice_key, any_value(customer_key) AS customer_key,
           any_value(service) AS service, sum(amount) AS rated_untaxed,
           NULL::VARCHAR AS document_kind, NULL::VARCHAR AS original_key
    FROM invoice_amounts
    GROUP BY invoice_key
),
adjustments AS (
    -- Without an invoice at the close, a credit note reverses the key's first supplementary
    -- invoice of its own (as odoo/adjustment_documents.sql links it).
    SELECT a.adjustment_key AS invoice_key, a.customer_key, a.service,
           a.amount_document AS rated_untaxed, a.document_kind,
           CASE WHEN a.document_kind = 'credit_note'
                     AND NOT EXISTS (SELECT 1 FROM invoice_lines l
                                     WHERE l.billing_period = a.billing_period
                                       AND l.invoice_key = a.invoice_key)
                THEN (SELECT min_by(f.adjustment_key, f.revision) FROM period_adjustments f
                      WHERE f.invoice_key = a.invoice_key AND f.delivery = 'separate'
                        AND f.document_kind = 'supplementary_invoice')
                ELSE a.invoice_key END AS original_key
    FROM period_adjustments a
    WHERE a.billing_period = $billing_period AND a.delivery = 'separate'
),
rated AS (
    -- A document settled after a person changed it in Odoo: what Odoo held then is ours.
    SELECT u.* REPLACE (coalesce(s.odoo_untaxed, u.rated_untaxed) AS rated_untaxed)
    FROM (SELECT * FROM invoices UNION ALL SELECT * FROM adjustments) u
    LEFT JOIN (SELECT document_key, arg_max(odoo_untaxed, settled_at) AS odoo_untaxed
               FROM settled_documents WHERE billing_period = $billing_period
               GROUP BY document_key) s ON s.document_key = u.invoice_key
),
ledger AS (
    SELECT invoice_key, customer_key, service, state, document_kind FROM odoo_postings
    WHERE billing_period = $billing_period
),
originals AS (
    SELECT invoice_key AS original_key, odoo_move_id AS original_move_id FROM odoo_postings
    WHERE billing_period = $billing_period
),
outbox AS (
    SELECT invoice_key, amount_untaxed, problem FROM odoo_outbox
    WHERE billing_period = $billing_period AND $dry_run
),
keys AS (
    SELECT invoice_key, customer_key, service FROM rated
    UNION
    SELECT invoice_key, customer_key, service FROM ledger
)
SELECT k.invoice_key, $billing_period, k.customer_key, k.service, r.rated_untaxed,
       b.odoo_move_id, b.odoo_number, b.odoo_state, b.odoo_untaxed, b.odoo_tax, b.odoo_total,
       coalesce(b.odoo_untaxed, o.amount_untaxed, 0) - coalesce(r.rated_untaxed, 0),
       l.state,
       CASE WHEN $dry_run AND o.problem IS NOT NULL THEN 'not_postable'
            WHEN $dry_run AND o.amount_untaxed = r.rated_untaxed THEN 'dry_run'
            WHEN r.invoice_key IS NULL THEN 'not_rated'
            WHEN l.state = 'duplicate_in_odoo' THEN 'duplicate_in_odoo'
            WHEN b.odoo_move_id IS NULL AND NOT $dry_run THEN 'missing_in_odoo'
            WHEN coalesce(b.odoo_untaxed, o.amount_untaxed) IS DISTINCT FROM r.rated_untaxed
                THEN 'amount_differs'
            WHEN NOT $dry_run AND coalesce(r.document_kind, l.document_kind) = 'credit_note'
                 AND b.odoo_reversed_entry_id IS DISTINCT FROM g.original_move_id
                THEN 'link_differs'
            WHEN b.odoo_state = 'cancel' THEN 'cancelled_in_odoo'
            WHEN b.odoo_state = 'draft' THEN 'draft'
            ELSE 'match' END,
       $now, CAST($billing_period || '-01' AS DATE),
       coalesce(r.document_kind, l.document_kind), g.original_move_id, b.odoo_reversed_entry_id
FROM keys k
LEFT JOIN rated r USING (invoice_key)
LEFT JOIN ledger l USING (invoice_key)
LEFT JOIN originals g ON g.original_key = r.original_key
LEFT JOIN outbox o USING (invoice_key)
LEFT JOIN odoo_readback b USING (invoice_key)
ORDER BY k.invoice_key
