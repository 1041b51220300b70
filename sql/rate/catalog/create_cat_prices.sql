CREATE OR REPLACE TEMP TABLE cat_prices (
    price_id        VARCHAR PRIMARY KEY,   -- '<charge_id>@<effective_from>'
    charge_id       VARCHAR NOT NULL,
    effective_from  DATE NOT NULL,
    model           VARCHAR NOT NULL,
    included_units  DECIMAL(38, 9) NOT NULL,
    minimum_amount  DECIMAL(38, 9),
    package_size    DECIMAL(38, 9),
    package_price   DECIMAL(38, 9),
    free_units      DECIMAL(38, 9) NOT NULL,
    rate            DECIMAL(38, 9),        -- percentage model: percent of the billable amount
    free_amount     DECIMAL(38, 9) NOT NULL,
    min_amount      DECIMAL(38, 9),
    max_amount      DECIMAL(38, 9)
)
