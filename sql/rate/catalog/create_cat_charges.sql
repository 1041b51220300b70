CREATE OR REPLACE TEMP TABLE cat_charges (
    charge_id     VARCHAR PRIMARY KEY,   -- '<plan>:<metric>'
    plan_code     VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    product_code  VARCHAR NOT NULL,      -- the Odoo product's default_code
    description   VARCHAR NOT NULL       -- line description template
)
