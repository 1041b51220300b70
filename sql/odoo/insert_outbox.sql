-- A batch of dry-run payloads (the view outbox_rows).
INSERT INTO odoo_outbox
SELECT invoice_key, $billing_period, customer_key, service, content_hash, amount_untaxed,
       line_count, CAST(payload AS JSON), problem
FROM outbox_rows
