-- Deliveries for `fusion-rating webhooks list`, the latest events first: those in $state,
-- of $service, of $event_type (each NULL: any), at most $limit.
SELECT e.event_id, e.event_seq, e.event_type, e.service, d.endpoint_id, d.url, d.state,
       d.attempts, d.last_status, d.last_error, d.next_attempt_at, d.last_attempt_at,
       d.delivered_at
FROM webhook_deliveries d
JOIN webhook_events e ON e.event_id = d.event_id
WHERE ($state IS NULL OR d.state = $state)
  AND ($service IS NULL OR e.service = $service)
  AND ($event_type IS NULL OR e.event_type = $event_type)
ORDER BY e.event_seq DESC, d.endpoint_id
LIMIT $limit
