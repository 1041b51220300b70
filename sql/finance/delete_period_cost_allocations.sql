DELETE FROM cost_allocations WHERE billing_period = $billing_period
