-- The usable account links the latest rating used: one row per service and account id, each
-- naming its customer (from reference_rows_accounts); replaced by each rating. A customer
-- with several accounts has several rows: join customers, not this table, to name a
-- customer beside amounts.
CREATE TABLE IF NOT EXISTS validated_accounts (
    service       VARCHAR NOT NULL,  -- catalog_services.service
    account_id    VARCHAR NOT NULL,  -- the app's account id
    customer_key  VARCHAR NOT NULL,  -- our customer (customers.customer_key; the Odoo
                                     -- partner's ref)
    name          VARCHAR,           -- the customer's name
    email         VARCHAR,           -- the customer's billing email
    country       VARCHAR,           -- ISO country code
    province      VARCHAR,           -- province or state code (e.g. ON, QC)
    street        VARCHAR,           -- NULL: not given
    city          VARCHAR,           -- NULL: not given
    postal_code   VARCHAR,           -- NULL: not given
    language      VARCHAR            -- the partner's language (e.g. fr_CA); NULL: not given
)
