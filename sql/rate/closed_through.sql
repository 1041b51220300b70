SELECT through_ingestion_id FROM closed_periods WHERE billing_period = $billing_period
