-- Provider costs (cost of goods sold), one usable daily roll-up row each, converted to CAD.
CREATE TABLE IF NOT EXISTS provider_costs (
    cost_date        DATE NOT NULL,        -- the day the cost covers
    billing_period   VARCHAR NOT NULL,     -- YYYY-MM: the billing period of cost_date
    provider         VARCHAR NOT NULL,     -- the provider's name (e.g. google_maps)
    service          VARCHAR NOT NULL,     -- catalog_services.service
    account_id       VARCHAR,              -- NULL: a pooled cost, allocated by usage
    customer_key     VARCHAR,              -- the account's customer (direct costs;
                                           -- customers.customer_key); NULL: pooled
    metric           VARCHAR,              -- NULL: the catalog's mapping for the provider
    cost             DECIMAL(38, 9) NOT NULL,   -- as billed, in `currency`, 9 decimals
    currency         VARCHAR NOT NULL,     -- ISO code of cost
    fx_rate          DECIMAL(38, 9) NOT NULL,   -- CAD per unit of currency (1 for CAD)
    cost_cad         DECIMAL(38, 9) NOT NULL,   -- cost * fx_rate, in CAD, 9 decimals
    file_path        VARCHAR NOT NULL,     -- relative to the landing root
    file_row_number  BIGINT NOT NULL       -- 0-based row position in the file
)
