-- The catalog's price versions, as the latest rating used them: a period is rated with each
-- charge's latest version in force on its first day; replaced by each rating. Amounts are in
-- the plan's currency, quantities in the metric's unit, 9 decimals; NULL: the model takes
-- no such key.
CREATE TABLE IF NOT EXISTS catalog_prices (
    price_id        VARCHAR NOT NULL,  -- '<charge_id>@<effective_from>'
    charge_id       VARCHAR NOT NULL,  -- catalog_charges.charge_id
    effective_from  DATE NOT NULL,     -- the first day of the first period it rates
    model           VARCHAR NOT NULL,  -- per_unit | graduated | volume | package | percentage
    included_units  DECIMAL(38, 9) NOT NULL,  -- free units per period (prorated); 0: none
    minimum_amount  DECIMAL(38, 9),    -- the least the charge bills per period (prorated; a
                                       -- true-up line); NULL: none
    package_size    DECIMAL(38, 9),    -- package: units per package
    package_price   DECIMAL(38, 9),    -- package: the price of one package
    free_units      DECIMAL(38, 9) NOT NULL,  -- package: units free before packages; 0: none
    rate            DECIMAL(38, 9),    -- percentage: percent of the billable amount
    free_amount     DECIMAL(38, 9) NOT NULL,  -- percentage: amount free of the percentage
    min_amount      DECIMAL(38, 9),    -- percentage: the least per period (prorated); NULL:
                                       -- none
    max_amount      DECIMAL(38, 9)     -- percentage: the most per period (prorated); NULL:
                                       -- none
)
