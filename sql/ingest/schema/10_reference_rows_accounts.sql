-- The rows (as text) of every account-links file version in force (reference_files).
CREATE TABLE IF NOT EXISTS reference_rows_accounts (
    file_path     VARCHAR NOT NULL,  -- the file they come from (reference_files.file_path)
    service       VARCHAR,           -- as written; catalog_services.service once validated
    account_id    VARCHAR,           -- the app's account id, as written
    customer_key  VARCHAR,           -- our customer (the Odoo partner's ref), as written
    name          VARCHAR,           -- the customer's name, as written
    email         VARCHAR,           -- as written
    country       VARCHAR,           -- ISO country code, as written
    province      VARCHAR,           -- province or state code (e.g. ON, QC), as written
    street        VARCHAR,           -- as written; NULL: not given (files before the address)
    city          VARCHAR,           -- as written; NULL: not given
    postal_code   VARCHAR,           -- as written; NULL: not given
    language      VARCHAR,           -- the partner's language (e.g. fr_CA); NULL: not given
    updated_at_text VARCHAR          -- the file's version_at, as written (the API's
                                     -- files); the latest usable version of a (service,
                                     -- account_id) is in force; NULL: older than any with one
)
