-- The deliveries left pending and those held failed, after a pass.
SELECT count(*) FILTER (WHERE state = 'pending') AS pending,
       count(*) FILTER (WHERE state = 'failed') AS failed
FROM webhook_deliveries
WHERE state <> 'delivered'
