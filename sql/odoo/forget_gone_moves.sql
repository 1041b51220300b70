-- After odoo/upsert_postings: the keys of the batch (the view ledger_steps) that Odoo was
-- searched for and holds no move under (move_gone: an invoice held below zero with the
-- adjustments it carries, whose draft a person deleted) forget the move they knew, so that
-- adjust/redeliver_separately.sql may make those adjustments documents of their own. The
-- upsert keeps a known id otherwise.
UPDATE odoo_postings
SET odoo_move_id = NULL, odoo_number = NULL
WHERE invoice_key IN (SELECT invoice_key FROM ledger_steps WHERE move_gone)
