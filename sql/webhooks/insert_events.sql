-- The events staged in webhook_new_events (event_key, event_type, service, ordering_key, data:
-- a JSON object) that the outbox does not hold yet, in the envelope every payload shares, each
-- with its id derived from its key (a rerun writes nothing again) and the next sequence
-- numbers, in event_key order (the same events get the same order whatever wrote them).
INSERT INTO webhook_events (event_id, event_seq, event_key, event_type, version, service,
                            ordering_key, payload, created_at)
SELECT 'msg_' || substr(sha256(n.event_key), 1, 32),
       (SELECT coalesce(max(event_seq), 0) FROM webhook_events)
           + row_number() OVER (ORDER BY n.event_key),
       n.event_key, n.event_type, $version, n.service, n.ordering_key,
       json_object('type', n.event_type, 'version', $version,
                   'timestamp', strftime($now, '%Y-%m-%dT%H:%M:%S.%fZ'),
                   'data', n.data)::VARCHAR,
       $now
FROM webhook_new_events n
WHERE NOT EXISTS (SELECT 1 FROM webhook_events e WHERE e.event_key = n.event_key)
