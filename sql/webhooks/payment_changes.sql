-- The payment state changes recorded for the batch's documents (payment_reads): taken before
-- and after the batch is recorded, their difference is what it changed.
SELECT coalesce(sum(s.changes), 0) AS changes
FROM odoo_payment_states s
WHERE s.invoice_key IN (SELECT invoice_key FROM payment_reads)
