-- What the ledger knows of the period's invoices, read once at the start of a posting run;
-- settled_untaxed: for a settled document, its untaxed total in Odoo when last settled
-- (settled_documents; NULL: never settled).
SELECT p.invoice_key, p.content_hash, p.odoo_move_id, p.state, p.attempts, p.updated_at,
       s.settled_untaxed
FROM odoo_postings p
LEFT JOIN (SELECT document_key, arg_max(odoo_untaxed, settled_at) AS settled_untaxed
           FROM settled_documents WHERE billing_period = $billing_period
           GROUP BY document_key) s ON s.document_key = p.invoice_key
WHERE p.billing_period = $billing_period
