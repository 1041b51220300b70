DELETE FROM rated_charges WHERE billing_period = $billing_period
