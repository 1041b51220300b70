-- The lines of a batch of invoices (the view batch_keys) with what the Odoo payload needs:
-- the rated charge's model and tiers (for the description), the metric's unit (and a
-- package's size), the service's
-- name and the customer's partner details (the view customers: a customer key linked from
-- several accounts takes its details from the first link by service and account id).
-- Then the lines of the adjustments of earlier periods the invoice carries (delivery
-- 'next_period', adjusted_period and revision set; zero differences left off), after its own,
-- in the order of their periods, revisions and lines; invoice_lines is not touched.
WITH own AS (
    SELECT l.invoice_key, l.customer_key, l.service, l.currency, l.line_number, l.product_code,
           l.description, l.quantity, l.billable_units, l.amount, l.model,
           coalesce(m.unit, '') AS unit, cp.package_size,
           [{'tier': t.tier, 'units': t.units, 'unit_price': t.unit_price,
             'flat_fee': t.flat_fee}
            FOR t IN coalesce(l.breakdown, [])] AS tiers,
           NULL::VARCHAR AS adjusted_period, NULL::INTEGER AS revision
    FROM invoice_line_charges l
    LEFT JOIN catalog_metrics m ON m.service = l.service AND m.metric = l.metric
    LEFT JOIN catalog_prices cp
           ON cp.charge_id = l.charge_id AND cp.effective_from = l.price_effective_from
    WHERE l.billing_period = $billing_period
      AND l.invoice_key IN (SELECT invoice_key FROM batch_keys)
),
carried AS (
    SELECT a.customer_key || '/' || a.service || '/' || a.target_period AS invoice_key,
           a.customer_key, a.service, a.currency, al.line_number, al.product_code,
           al.description, 1::DECIMAL(38, 9) AS quantity, 1::DECIMAL(38, 9) AS billable_units,
           al.amount_delta AS amount, NULL::VARCHAR AS model, '' AS unit,
           NULL::DECIMAL(38, 9) AS package_size, NULL AS tiers,
           a.billing_period AS adjusted_period, a.revision
    FROM period_adjustments a
    JOIN period_adjustment_lines al USING (adjustment_key)
    WHERE a.delivery = 'next_period' AND a.target_period = $billing_period
      AND al.amount_delta <> 0
      AND a.customer_key || '/' || a.service || '/' || a.target_period
          IN (SELECT invoice_key FROM batch_keys)
),
lines AS (
    SELECT * FROM own
    UNION ALL BY NAME
    SELECT * FROM carried
)
SELECT l.invoice_key, l.customer_key, l.service, coalesce(s.name, l.service) AS service_name,
       l.currency, l.product_code, l.description, l.quantity, l.billable_units, l.amount,
       l.model, l.unit, l.package_size, l.tiers, l.adjusted_period, l.revision,
       coalesce(p.name, l.customer_key) AS partner_name, p.email, p.country, p.province,
       p.street, p.city, p.postal_code, p.language
FROM lines l
LEFT JOIN catalog_services s ON s.service = l.service
LEFT JOIN customers p ON p.customer_key = l.customer_key
ORDER BY l.invoice_key, l.adjusted_period NULLS FIRST, l.revision NULLS FIRST, l.line_number
