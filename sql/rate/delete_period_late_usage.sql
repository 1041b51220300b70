DELETE FROM late_usage WHERE billing_period = $billing_period
