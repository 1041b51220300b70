-- The deliveries this pass sends: pending, due by $now, to an endpoint still configured
-- (delivery_endpoints, registered), and not behind an earlier delivery of the same
-- ordering_key to the same endpoint that is pending and not due, or held failed (an app never
-- sees an invoice's payment state before its posted event; `retry --failed` releases them in
-- order). At most $per_endpoint to one endpoint, each endpoint's earliest, and $batch_size in
-- all, taken round-robin by rank: a dead endpoint's backlog never starves the others.
WITH open AS (
    SELECT d.event_id, d.endpoint_id, d.state, d.attempts, d.first_attempt_at,
           d.next_attempt_at, d.requeued_at, e.event_seq, e.ordering_key
    FROM webhook_deliveries d
    JOIN webhook_events e ON e.event_id = d.event_id
    WHERE d.state IN ('pending', 'failed')
),
due AS (
    SELECT p.*, row_number() OVER (PARTITION BY p.endpoint_id ORDER BY p.event_seq) AS turn
    FROM open p
    JOIN delivery_endpoints c ON c.endpoint_id = p.endpoint_id
    WHERE p.state = 'pending' AND p.next_attempt_at <= $now
      AND NOT EXISTS (SELECT 1 FROM open b
                      WHERE b.endpoint_id = p.endpoint_id AND b.ordering_key = p.ordering_key
                        AND b.event_seq < p.event_seq
                        AND (b.state = 'failed' OR b.next_attempt_at > $now))
    QUALIFY turn <= $per_endpoint
)
SELECT r.event_id, r.endpoint_id, r.attempts, r.first_attempt_at, r.requeued_at, r.event_seq,
       e.payload
FROM due r
JOIN webhook_events e ON e.event_id = r.event_id
ORDER BY r.turn, r.event_seq, r.endpoint_id
LIMIT $batch_size
