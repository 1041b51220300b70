DELETE FROM reconciliation_legacy WHERE billing_period = $billing_period
