DELETE FROM usage_rollups WHERE billing_period = $billing_period
