-- Invoices and adjustments that are not in Odoo as rated: a different untaxed amount (in Odoo,
-- or in the dry run's payload), missing, cancelled, duplicated, not postable, no longer rated, a
-- credit note reversing another move than its original (link_differs); or still a draft once
-- the period is closed (drafts are the expected result on an open period only).
SELECT invoice_key, status, rated_untaxed, odoo_untaxed, difference, posting_state
FROM reconciliation_odoo
WHERE billing_period = $billing_period
  AND status NOT IN ('match', 'dry_run')
  AND NOT (status = 'draft'
           AND $billing_period NOT IN (SELECT billing_period FROM closed_periods))
ORDER BY invoice_key
