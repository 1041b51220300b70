-- The rows (as text) of every subscriptions file version in force (reference_files).
CREATE TABLE IF NOT EXISTS reference_rows_subscriptions (
    file_path        VARCHAR NOT NULL,
    subscription_id  VARCHAR,
    service          VARCHAR,
    account_id       VARCHAR,
    plan_code        VARCHAR,
    start_text       VARCHAR,
    end_text         VARCHAR
)
