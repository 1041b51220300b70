-- The settled documents are ours as Odoo holds them: never flagged changed_after_posting
-- again (rating.odoo.plan: settled_by_adjustment is already posted).
UPDATE odoo_postings SET state = 'settled_by_adjustment', updated_at = $settled_at
WHERE invoice_key IN (SELECT document_key FROM settled)
  AND state = 'changed_after_posting'
