SELECT (SELECT count(*) FROM rated_charges WHERE billing_period = $billing_period),
       (SELECT count(*) FROM invoice_lines WHERE billing_period = $billing_period),
       (SELECT sum(amount) FROM invoice_lines WHERE billing_period = $billing_period),
       (SELECT count(*) FROM rated_charges
        WHERE billing_period = $billing_period AND amount_unrounded IS NULL)
