CREATE OR REPLACE TEMP TABLE raw_accounts (
    file_path     VARCHAR NOT NULL,
    service       VARCHAR,
    account_id    VARCHAR,
    customer_key  VARCHAR,
    name          VARCHAR,
    email         VARCHAR,
    country       VARCHAR,
    province      VARCHAR
)
