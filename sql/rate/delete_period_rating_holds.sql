DELETE FROM usage_quarantine WHERE stage = 'rating' AND billing_period = $billing_period
