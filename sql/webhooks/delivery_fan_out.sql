-- A pending delivery of each event of an endpoint's service that its cursor has not covered,
-- to each configured endpoint (delivery_endpoints, registered); due at once. An endpoint not yet
-- seen (no cursor) gets the events written from its creation on; once seen, every event after
-- its cursor (one stamped before its creation but committed after it was seen included: the
-- payment poll stamps its events with the time it read Odoo). $after (the lowest cursor) bounds
-- the scan to the new events; a delivery a replay created already is kept as it is.
INSERT OR IGNORE INTO webhook_deliveries (event_id, endpoint_id, url, state, attempts,
                                          next_attempt_at)
SELECT e.event_id, p.endpoint_id, p.url, 'pending', 0, $now
FROM webhook_events e
JOIN delivery_endpoints p ON p.service = e.service
LEFT JOIN webhook_endpoint_cursors c ON c.endpoint_id = p.endpoint_id
WHERE e.event_seq > $after
  AND e.event_seq > coalesce(c.through_event_seq, 0)
  AND (c.endpoint_id IS NOT NULL OR e.created_at >= p.created_at)
