SELECT coalesce(sum(counter_rows), 0) FROM late_usage WHERE billing_period = $billing_period
