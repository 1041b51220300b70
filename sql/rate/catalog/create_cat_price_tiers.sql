-- Tier i covers units in (lower_bound, upper_bound]; upper_bound NULL is the open last tier.
-- per_unit prices are stored as one open tier, so they share the graduated arithmetic.
CREATE OR REPLACE TEMP TABLE cat_price_tiers (
    price_id     VARCHAR NOT NULL,
    tier         INTEGER NOT NULL,   -- 1-based
    lower_bound  DECIMAL(38, 9) NOT NULL,
    upper_bound  DECIMAL(38, 9),
    unit_price   DECIMAL(38, 9) NOT NULL,
    flat_fee     DECIMAL(38, 9) NOT NULL,
    PRIMARY KEY (price_id, tier)
)
