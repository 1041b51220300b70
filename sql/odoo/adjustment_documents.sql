-- The lines of a batch of adjustments (the view batch_keys: adjustment_key) with what the Odoo
-- document needs: its kind, its original invoice, its frozen issue date and revision, the
-- service's name and the customer's partner details (the view customers), whether the period
-- had an invoice under its original key at the close (invoice_lines; without one the
-- supplementary invoice stands alone, linked to nothing) and, without one, the key's first
-- supplementary invoice of its own (delivered separately): the document a credit note of the
-- key reverses. Lines whose difference is zero are recorded, not put on the document.
-- Needs period_adjustments(adjustment_key, invoice_key, billing_period, customer_key, service,
-- currency, revision, document_kind, delivery, amount_document, issue_date) and
-- period_adjustment_lines(adjustment_key, line_number, product_code, description,
-- amount_delta), invoice_lines(billing_period, invoice_key).
SELECT a.adjustment_key, a.invoice_key, a.customer_key, a.service,
       coalesce(s.name, a.service) AS service_name, a.currency, a.revision, a.document_kind,
       a.amount_document, a.issue_date, l.line_number, l.product_code, l.description,
       l.amount_delta,
       EXISTS (SELECT 1 FROM invoice_lines o WHERE o.billing_period = a.billing_period
                                               AND o.invoice_key = a.invoice_key)
           AS has_original,
       (SELECT min_by(f.adjustment_key, f.revision) FROM period_adjustments f
        WHERE f.invoice_key = a.invoice_key AND f.delivery = 'separate'
          AND f.document_kind = 'supplementary_invoice') AS first_standalone_key,
       coalesce(p.name, a.customer_key) AS partner_name, p.email, p.country, p.province,
       p.street, p.city, p.postal_code, p.language
FROM period_adjustments a
JOIN period_adjustment_lines l USING (adjustment_key)
LEFT JOIN catalog_services s ON s.service = a.service
LEFT JOIN customers p ON p.customer_key = a.customer_key
WHERE a.billing_period = $billing_period
  AND a.adjustment_key IN (SELECT adjustment_key FROM batch_keys)
  AND l.amount_delta <> 0
ORDER BY a.adjustment_key, l.line_number
