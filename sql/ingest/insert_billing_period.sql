INSERT INTO billing_periods VALUES ($billing_period, $start_at, $end_at)
