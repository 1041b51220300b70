-- What the legacy billing (Lago, the home-grown Stripe code, an app) charged, one usable row
-- each, mapped to our customer key through the account links. charge '' is invoice-level.
CREATE TABLE IF NOT EXISTS legacy_billing (
    source             VARCHAR NOT NULL,   -- 'lago' | 'stripe' | an app's name
    service            VARCHAR NOT NULL,
    account_id         VARCHAR NOT NULL,
    customer_key       VARCHAR NOT NULL,
    billing_period     VARCHAR NOT NULL,   -- YYYY-MM
    charge             VARCHAR NOT NULL,   -- our metric code, or '' for the whole invoice
    amount             DECIMAL(38, 2) NOT NULL,
    currency           VARCHAR NOT NULL,
    legacy_invoice_id  VARCHAR,
    file_path          VARCHAR NOT NULL,
    file_row_number    BIGINT NOT NULL
)
