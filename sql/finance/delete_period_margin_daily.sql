DELETE FROM margin_daily WHERE billing_period = $billing_period
