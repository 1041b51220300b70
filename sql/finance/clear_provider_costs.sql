DELETE FROM provider_costs
