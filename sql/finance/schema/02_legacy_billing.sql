-- What the legacy billing (Lago, the home-grown Stripe code, an app) charged, one usable row
-- each, mapped to our customer key through the account links. charge '' is invoice-level.
CREATE TABLE IF NOT EXISTS legacy_billing (
    source             VARCHAR NOT NULL,   -- 'lago' | 'stripe' | an app's name
    service            VARCHAR NOT NULL,   -- catalog_services.service
    account_id         VARCHAR NOT NULL,   -- the app's account id (validated_accounts)
    customer_key       VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    billing_period     VARCHAR NOT NULL,   -- YYYY-MM
    charge             VARCHAR NOT NULL,   -- our metric code, or '' for the whole invoice
    amount             DECIMAL(38, 2) NOT NULL,  -- what the legacy billed, before taxes, in
                                                 -- cents of its currency
    currency           VARCHAR NOT NULL,   -- ISO code of the amount
    legacy_invoice_id  VARCHAR,            -- the legacy system's invoice id; NULL: not given
    file_path          VARCHAR NOT NULL,   -- relative to the landing root
    file_row_number    BIGINT NOT NULL     -- 0-based row position in the file
)
