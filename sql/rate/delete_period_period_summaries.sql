DELETE FROM period_summaries WHERE billing_period = $billing_period
