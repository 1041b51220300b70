-- bench/bench_webhooks.py: a history of deliveries already made, as if every pending one had
-- been delivered at its first attempt; run by the benchmark only (the product's SQL is under
-- sql/, one statement a file).
UPDATE webhook_deliveries
SET state = 'delivered', attempts = 1, first_attempt_at = next_attempt_at,
    last_attempt_at = next_attempt_at, last_status = 200, delivered_at = next_attempt_at
WHERE state = 'pending'
