-- Each configured endpoint's cursor moved to the last event written (after the fan-out, in its
-- transaction): the next pass reads only the events written since.
INSERT OR REPLACE INTO webhook_endpoint_cursors (endpoint_id, through_event_seq)
SELECT p.endpoint_id,
       greatest(coalesce(c.through_event_seq, 0),
                (SELECT coalesce(max(event_seq), 0) FROM webhook_events))
FROM delivery_endpoints p
LEFT JOIN webhook_endpoint_cursors c ON c.endpoint_id = p.endpoint_id
