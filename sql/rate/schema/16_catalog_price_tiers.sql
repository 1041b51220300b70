-- The tiers of each price version (per_unit prices are one open tier, so they share the
-- graduated arithmetic), as the latest rating used them; replaced by each rating. Tier i
-- covers units in (lower_bound, upper_bound], in the metric's unit.
CREATE TABLE IF NOT EXISTS catalog_price_tiers (
    price_id     VARCHAR NOT NULL,         -- catalog_prices.price_id
    tier         INTEGER NOT NULL,         -- 1-based
    lower_bound  DECIMAL(38, 9) NOT NULL,  -- units below the tier (exclusive)
    upper_bound  DECIMAL(38, 9),           -- its last unit (inclusive); NULL: the open last
                                           -- tier
    unit_price   DECIMAL(38, 9) NOT NULL,  -- per unit, in the plan's currency
    flat_fee     DECIMAL(38, 9) NOT NULL   -- owed once the tier is reached (prorated), in the
                                           -- plan's currency
)
