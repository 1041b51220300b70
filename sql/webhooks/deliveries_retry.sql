-- `fusion-rating webhooks retry`: the deliveries not delivered of the events asked
-- (requested_events, registered), or every failed one with $all_failed, to $endpoint (NULL:
-- any), pending again and due at $now, their day before `failed` counted again from the next
-- attempt.
UPDATE webhook_deliveries
SET state = 'pending', next_attempt_at = $now, first_attempt_at = NULL, requeued_at = $now
WHERE state <> 'delivered'
  AND (($all_failed AND state = 'failed')
       OR event_id IN (SELECT event_id FROM requested_events))
  AND ($endpoint IS NULL OR endpoint_id = $endpoint)
