-- Each event's delivery to each endpoint of its service configured when it was written
-- (services.json): pending until the endpoint answers 2xx (delivered), retried with exponential
-- backoff and jitter, held as failed once a day has passed since the first attempt (the last
-- error kept). `fusion-rating webhooks retry` and `replay` make a delivery pending again.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    event_id          VARCHAR NOT NULL,    -- webhook_events.event_id
    endpoint_id       VARCHAR NOT NULL,    -- the endpoint's id in services.json (we_...)
    url               VARCHAR NOT NULL,    -- the endpoint's URL when the delivery was created
    state             VARCHAR NOT NULL,    -- pending, delivered, failed
    attempts          INTEGER NOT NULL,    -- requests sent (timeouts and refusals included)
    first_attempt_at  TIMESTAMP,           -- UTC; NULL: never tried. The day before `failed`
                                           -- counts from here (reset by retry and replay)
    last_attempt_at   TIMESTAMP,           -- UTC; NULL: never tried
    next_attempt_at   TIMESTAMP NOT NULL,  -- not sent before this, UTC
    last_status       INTEGER,             -- the endpoint's last HTTP status; NULL: no answer
    last_error        VARCHAR,             -- why the last attempt failed; NULL: none
    delivered_at      TIMESTAMP,           -- the first 2xx, UTC; NULL: not delivered
    requeued_at       TIMESTAMP,           -- the last retry or replay asked by a person, UTC
    PRIMARY KEY (event_id, endpoint_id)
)
