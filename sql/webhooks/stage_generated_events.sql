-- Generated events for the bench and the tests (bench/bench_webhooks.py): $count events of
-- $event_type for $service keyed by $prefix, numbered in key order; with $per_key > 0, each run
-- of $per_key consecutive events shares an ordering_key (an invoice's payment states), else none.
CREATE OR REPLACE TEMP TABLE webhook_new_events AS
SELECT 'generated:' || $prefix || ':' || lpad(i::VARCHAR, 9, '0') AS event_key,
       $event_type AS event_type,
       $service AS service,
       CASE WHEN $per_key > 0 THEN $prefix || ':' || (i // $per_key)::VARCHAR END AS ordering_key,
       json_object('n', i, 'prefix', $prefix) AS data
FROM range($count) AS r(i)
