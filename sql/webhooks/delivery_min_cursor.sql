-- The lowest event_seq every configured endpoint (delivery_endpoints, registered) already has
-- deliveries through: the fan-out reads only the events after it (0 when an endpoint is new).
SELECT coalesce(min(coalesce(c.through_event_seq, 0)), 0) AS through_event_seq
FROM delivery_endpoints p
LEFT JOIN webhook_endpoint_cursors c ON c.endpoint_id = p.endpoint_id
