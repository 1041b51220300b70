DELETE FROM pending_adjustments WHERE billing_period = $billing_period
