SELECT (SELECT count(*) FROM rated_charges WHERE billing_period = $billing_period)
           AS rated_lines,
       (SELECT count(*) FROM invoice_lines WHERE billing_period = $billing_period)
           AS invoice_lines,
       (SELECT sum(amount) FROM invoice_lines WHERE billing_period = $billing_period)
           AS amount_total,
       (SELECT count(*) FROM rated_charges
        WHERE billing_period = $billing_period AND amount_unrounded IS NULL) AS unpriced_lines
