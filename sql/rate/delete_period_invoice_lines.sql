DELETE FROM invoice_lines WHERE billing_period = $billing_period
