-- The webhook outbox: one row per event told to the apps (docs/webhooks.md), written in the
-- same transaction as the change that causes it (an invoice read back posted, a payment state
-- read from Odoo, an ingestion's quarantined rows, a period's close), never updated. Delivery
-- to each endpoint is tracked in webhook_deliveries.
CREATE TABLE IF NOT EXISTS webhook_events (
    event_id      VARCHAR PRIMARY KEY,   -- the Standard Webhooks `webhook-id` (msg_...), the same
                                         -- on every attempt and replay; derived from event_key
    event_seq     BIGINT NOT NULL UNIQUE,  -- increasing in the order events were written
    event_key     VARCHAR NOT NULL UNIQUE, -- what the event is about, once:
                                         -- <type>:<invoice key>:<odoo move id>,
                                         -- <type>:<service>:<ingestion id>,
                                         -- <type>:<service>:<period>, or for a payment state
                                         -- <type>:<invoice key>:<odoo move id>:<change
                                         -- number>:<payment state>
    event_type    VARCHAR NOT NULL,      -- invoice.posted, invoice.payment_status_updated,
                                         -- invoice.adjusted, usage.rejected, period.closed
    version       INTEGER NOT NULL,      -- the payload's version for its type (1)
    service       VARCHAR NOT NULL,      -- catalog_services.service: whose endpoints receive it
    ordering_key  VARCHAR,               -- events sharing it reach each endpoint in event_seq
                                         -- order (an invoice's key); NULL: no order needed
    payload       VARCHAR NOT NULL,      -- the JSON body as sent: {type, version, timestamp,
                                         -- data}
    created_at    TIMESTAMP NOT NULL     -- when written, UTC (wall clock)
)
