DELETE FROM rated_account_links WHERE billing_period = $billing_period
