SELECT count(*) > 0 FROM closed_periods WHERE billing_period = $billing_period
