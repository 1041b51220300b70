-- `fusion-rating webhooks replay`: the events asked (requested_events, registered), or those of
-- $service written from $since on, sent again to each configured endpoint of their service
-- (delivery_endpoints, registered; an endpoint added after the event included), with the same
-- webhook-id: a delivery pending again and due at $now, created where there was none.
INSERT INTO webhook_deliveries (event_id, endpoint_id, url, state, attempts, next_attempt_at,
                                requeued_at)
SELECT e.event_id, p.endpoint_id, p.url, 'pending', 0, $now, $now
FROM webhook_events e
JOIN delivery_endpoints p ON p.service = e.service
WHERE e.event_id IN (SELECT event_id FROM requested_events)
   OR ($since IS NOT NULL AND e.service = $service AND e.created_at >= $since)
ON CONFLICT (event_id, endpoint_id) DO UPDATE
SET state = 'pending', url = excluded.url, next_attempt_at = excluded.next_attempt_at,
    first_attempt_at = NULL, requeued_at = excluded.requeued_at
