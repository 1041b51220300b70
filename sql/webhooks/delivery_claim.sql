-- The deliveries this pass sends, in event_seq order, at most $batch_size: pending, due by
-- $now, to an endpoint still configured (delivery_endpoints, registered), and not behind an
-- earlier pending delivery of the same ordering_key to the same endpoint that is not due (the
-- due ones are claimed before it and sent first: an endpoint stops at its first failure).
WITH pending AS (
    SELECT d.event_id, d.endpoint_id, d.attempts, d.first_attempt_at, d.next_attempt_at,
           e.event_seq, e.ordering_key
    FROM webhook_deliveries d
    JOIN webhook_events e ON e.event_id = d.event_id
    WHERE d.state = 'pending'
)
SELECT p.event_id, p.endpoint_id, p.attempts, p.first_attempt_at, p.event_seq, e.payload
FROM pending p
JOIN delivery_endpoints c ON c.endpoint_id = p.endpoint_id
JOIN webhook_events e ON e.event_id = p.event_id
WHERE p.next_attempt_at <= $now
  AND NOT EXISTS (SELECT 1 FROM pending b
                  WHERE b.endpoint_id = p.endpoint_id AND b.ordering_key = p.ordering_key
                    AND b.event_seq < p.event_seq AND b.next_attempt_at > $now)
ORDER BY p.event_seq, p.endpoint_id
LIMIT $batch_size
