-- The account links each period was last rated with while open (every link in force then,
-- and the accounts linked to two customers), written with its invoice_lines in the same
-- transaction: a closed period's are frozen with its rows, so that a re-rate of it never moves
-- revenue to a customer an account was linked to later.
CREATE TABLE IF NOT EXISTS rated_account_links (
    billing_period  VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    service         VARCHAR NOT NULL,   -- catalog_services.service
    account_id      VARCHAR NOT NULL,   -- the app's account id
    customer_key    VARCHAR,            -- the customer (customers.customer_key); NULL when
                                        -- ambiguous
    ambiguous       BOOLEAN NOT NULL    -- linked to two customer keys: its usage was held
)
