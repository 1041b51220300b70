-- Provider costs (cost of goods sold), one usable daily roll-up row each, converted to CAD.
CREATE TABLE IF NOT EXISTS provider_costs (
    cost_date        DATE NOT NULL,
    billing_period   VARCHAR NOT NULL,
    provider         VARCHAR NOT NULL,
    service          VARCHAR NOT NULL,
    account_id       VARCHAR,              -- NULL: a pooled cost, allocated by usage
    customer_key     VARCHAR,              -- the account's customer (direct costs)
    metric           VARCHAR,              -- NULL: the catalog's mapping for the provider
    cost             DECIMAL(38, 9) NOT NULL,
    currency         VARCHAR NOT NULL,
    fx_rate          DECIMAL(38, 9) NOT NULL,   -- CAD per unit of currency (1 for CAD)
    cost_cad         DECIMAL(38, 9) NOT NULL,
    file_path        VARCHAR NOT NULL,
    file_row_number  BIGINT NOT NULL
)
