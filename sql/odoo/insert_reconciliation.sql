-- Rated invoices of the period against what Odoo holds under their keys (odoo_readback) or, in a
-- dry run, against the outbox payloads. Keys we posted before that are no longer rated come
-- from the ledger.
INSERT INTO reconciliation_odoo (invoice_key, billing_period, customer_key, service,
    rated_untaxed, odoo_move_id, odoo_number, odoo_state, odoo_untaxed, odoo_tax, odoo_total,
    difference, posting_state, status, checked_at, billing_month)
WITH rated AS (
    SELECT invoice_key, any_value(customer_key) AS customer_key,
           any_value(service) AS service, sum(amount) AS rated_untaxed
    FROM invoice_lines WHERE billing_period = $billing_period
    GROUP BY invoice_key
),
ledger AS (
    SELECT invoice_key, customer_key, service, state FROM odoo_postings
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
            WHEN b.odoo_state = 'cancel' THEN 'cancelled_in_odoo'
            WHEN b.odoo_state = 'draft' THEN 'draft'
            ELSE 'match' END,
       $now, CAST($billing_period || '-01' AS DATE)
FROM keys k
LEFT JOIN rated r USING (invoice_key)
LEFT JOIN ledger l USING (invoice_key)
LEFT JOIN outbox o USING (invoice_key)
LEFT JOIN odoo_readback b USING (invoice_key)
ORDER BY k.invoice_key
