-- The rows (as text) of every account-links file version in force (reference_files).
CREATE TABLE IF NOT EXISTS reference_rows_accounts (
    file_path     VARCHAR NOT NULL,
    service       VARCHAR,
    account_id    VARCHAR,
    customer_key  VARCHAR,
    name          VARCHAR,
    email         VARCHAR,
    country       VARCHAR,
    province      VARCHAR,
    street        VARCHAR,
    city          VARCHAR,
    postal_code   VARCHAR,
    language      VARCHAR
)
