-- The subscriptions each period was last rated with while open (the usable subscriptions
-- active for part or all of it), written with its invoice_lines in the same transaction: a
-- closed period's are frozen with its rows, so that a re-rate of it (fusion-rating adjust)
-- uses the subscriptions as they stood, not a later export's.
CREATE TABLE IF NOT EXISTS rated_subscriptions (
    billing_period   VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    subscription_id  VARCHAR NOT NULL,   -- the subscription's id
    service          VARCHAR NOT NULL,   -- catalog_services.service
    account_id       VARCHAR NOT NULL,   -- the app's account id (rated_account_links)
    plan_code        VARCHAR NOT NULL,   -- catalog_plans.plan_code
    start_at         TIMESTAMP NOT NULL, -- UTC, inclusive
    end_at           TIMESTAMP           -- UTC, exclusive; NULL: open-ended
)
