DELETE FROM rerated_lines WHERE billing_period = $billing_period
