-- Subscriptions and account links that cannot be used, with a reason code.
CREATE TABLE IF NOT EXISTS reference_quarantine (
    kind       VARCHAR NOT NULL,   -- 'subscriptions' | 'accounts'
    reason     VARCHAR NOT NULL,
    file_path  VARCHAR NOT NULL,
    record     VARCHAR,            -- the row's fields, for a person to find it
    detail     VARCHAR
)
