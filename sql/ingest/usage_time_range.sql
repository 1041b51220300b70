SELECT min(period_start), max(period_start) FROM landed_usage
