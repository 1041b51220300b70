-- The outcomes of this pass's requests (delivery_outcomes, registered): a 2xx delivered, else
-- one more attempt, its status and error, the next attempt after the backoff, or failed once
-- that would fall beyond a day after the first attempt. Only a delivery still pending and not
-- requeued since the claim is changed (a person's retry or replay meanwhile keeps its own).
UPDATE webhook_deliveries AS d
SET state = CASE WHEN o.delivered THEN 'delivered' WHEN o.give_up THEN 'failed'
                 ELSE 'pending' END,
    attempts = d.attempts + 1,
    first_attempt_at = coalesce(d.first_attempt_at, o.attempted_at),
    last_attempt_at = o.attempted_at,
    next_attempt_at = CASE WHEN o.delivered OR o.give_up THEN d.next_attempt_at
                           ELSE o.next_attempt_at END,
    last_status = o.status,
    last_error = CASE WHEN o.delivered THEN NULL ELSE o.error END,
    delivered_at = CASE WHEN o.delivered THEN o.attempted_at ELSE d.delivered_at END
FROM delivery_outcomes o
WHERE d.event_id = o.event_id AND d.endpoint_id = o.endpoint_id AND d.state = 'pending'
  AND d.requeued_at IS NOT DISTINCT FROM o.requeued_at
