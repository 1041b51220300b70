-- The lines of a batch of invoices (the view batch_keys) with what the Odoo payload needs:
-- the rated charge's model and tiers (for the description), the metric's unit (and a
-- package's size), the service's
-- name and the customer's partner details (the view customers: a customer key linked from
-- several accounts takes its details from the first link by service and account id).
SELECT l.invoice_key, l.customer_key, l.service, coalesce(s.name, l.service) AS service_name,
       l.currency, l.product_code, l.description, l.quantity, l.billable_units, l.amount,
       l.model, coalesce(m.unit, '') AS unit, cp.package_size,
       [{'tier': t.tier, 'units': t.units, 'unit_price': t.unit_price, 'flat_fee': t.flat_fee}
        FOR t IN coalesce(l.breakdown, [])] AS tiers,
       coalesce(p.name, l.customer_key) AS partner_name, p.email, p.country, p.province,
       p.street, p.city, p.postal_code, p.language
FROM invoice_line_charges l
LEFT JOIN catalog_metrics m ON m.service = l.service AND m.metric = l.metric
LEFT JOIN catalog_services s ON s.service = l.service
LEFT JOIN catalog_prices cp
       ON cp.charge_id = l.charge_id AND cp.effective_from = l.price_effective_from
LEFT JOIN customers p ON p.customer_key = l.customer_key
WHERE l.billing_period = $billing_period
  AND l.invoice_key IN (SELECT invoice_key FROM batch_keys)
ORDER BY l.invoice_key, l.line_number
