-- The deliveries held failed, the latest attempts first, at most $limit: what the Dagster
-- check no_failed_webhook_deliveries shows.
SELECT e.event_id, e.event_type, e.service, d.endpoint_id, d.attempts, d.last_status,
       d.last_error, d.last_attempt_at
FROM webhook_deliveries d
JOIN webhook_events e ON e.event_id = d.event_id
WHERE d.state = 'failed'
ORDER BY d.last_attempt_at DESC, e.event_seq DESC, d.endpoint_id
LIMIT $limit
