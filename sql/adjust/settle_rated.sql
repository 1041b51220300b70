-- What we rated for an invoice key, per document and product: the original invoice's lines
-- (under the invoice key) and every revision's differences but settlements' (a settlement
-- brings Odoo back to these, it changes nothing we rated). Signed: a credit note's
-- differences are negative. The original also holds the next_period revisions of earlier
-- periods it carries (their lines are on it in Odoo: customer_key/service/target_period is
-- the key).
SELECT document_key, product_code, CAST(sum(amount) AS DECIMAL(38, 2)) AS amount
FROM (
    SELECT invoice_key AS document_key, product_code, amount FROM invoice_lines
    WHERE billing_period = $billing_period AND invoice_key = $invoice_key
    UNION ALL
    SELECT a.adjustment_key, l.product_code, l.amount_delta FROM period_adjustment_lines l
    JOIN period_adjustments a ON a.adjustment_key = l.adjustment_key
    WHERE a.billing_period = $billing_period AND a.invoice_key = $invoice_key
      AND a.reason <> 'settlement'
    UNION ALL
    SELECT $invoice_key, l.product_code, l.amount_delta FROM period_adjustment_lines l
    JOIN period_adjustments a ON a.adjustment_key = l.adjustment_key
    WHERE a.delivery = 'next_period' AND a.target_period = $billing_period
      AND a.customer_key || '/' || a.service || '/' || a.target_period = $invoice_key
)
GROUP BY document_key, product_code
ORDER BY document_key, product_code
