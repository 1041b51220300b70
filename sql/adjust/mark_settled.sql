-- The settled documents are ours as Odoo holds them: flagged changed_after_posting again
-- only when Odoo's untaxed total is no longer the one settled (rating.odoo.plan).
UPDATE odoo_postings SET state = 'settled_by_adjustment', updated_at = $settled_at
WHERE invoice_key IN (SELECT document_key FROM settled)
  AND state = 'changed_after_posting'
