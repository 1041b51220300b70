-- The invoice numbers Odoo gave at posting, from the read-back.
UPDATE odoo_postings p
SET odoo_number = b.odoo_number
FROM odoo_readback b
WHERE p.invoice_key = b.invoice_key AND p.billing_period = $billing_period
  AND b.odoo_number IS NOT NULL
