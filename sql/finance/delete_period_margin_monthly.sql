DELETE FROM margin_monthly WHERE billing_period = $billing_period
