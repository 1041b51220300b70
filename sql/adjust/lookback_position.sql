-- Whether the period is closed, and its place among the closed periods (1: the latest).
SELECT EXISTS (SELECT 1 FROM closed_periods WHERE billing_period = $billing_period) AS closed,
       CAST((SELECT count(*) FROM closed_periods WHERE billing_period >= $billing_period)
            AS INTEGER) AS position,
       (SELECT through_ingestion_id FROM closed_periods
        WHERE billing_period = $billing_period) AS closed_through
