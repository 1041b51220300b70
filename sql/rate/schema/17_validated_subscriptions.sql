-- The usable subscriptions the latest rating used (from reference_rows_subscriptions; posting
-- and finance read them); replaced by each rating.
CREATE TABLE IF NOT EXISTS validated_subscriptions (
    subscription_id     VARCHAR NOT NULL,  -- the subscription's id
    service             VARCHAR NOT NULL,  -- catalog_services.service
    account_id          VARCHAR NOT NULL,  -- the app's account id (validated_accounts)
    plan_code           VARCHAR NOT NULL,  -- catalog_plans.plan_code
    start_at            TIMESTAMP NOT NULL, -- UTC, inclusive
    end_at              TIMESTAMP,         -- UTC, exclusive; NULL: open-ended
    end_at_or_infinity  TIMESTAMP NOT NULL, -- end_at, or infinity when open-ended
    subscription_key    INTEGER NOT NULL   -- surrogate, for cheap joins (no meaning across
                                           -- ratings)
)
