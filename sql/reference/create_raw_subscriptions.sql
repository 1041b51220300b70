CREATE OR REPLACE TEMP TABLE raw_subscriptions (
    file_path        VARCHAR NOT NULL,
    subscription_id  VARCHAR,
    service          VARCHAR,
    account_id       VARCHAR,
    plan_code        VARCHAR,
    start_text       VARCHAR,   -- YYYY-MM-DD (midnight in the billing time zone) or a timestamp
    end_text         VARCHAR    -- empty: open-ended
)
