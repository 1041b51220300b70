DELETE FROM rated_subscriptions WHERE billing_period = $billing_period
