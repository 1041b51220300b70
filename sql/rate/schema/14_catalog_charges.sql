-- The catalog's charges, one per plan and metric, as the latest rating used them; replaced
-- by each rating.
CREATE TABLE IF NOT EXISTS catalog_charges (
    charge_id     VARCHAR NOT NULL,  -- '<plan>:<metric>'
    plan_code     VARCHAR NOT NULL,  -- catalog_plans.plan_code
    metric        VARCHAR NOT NULL,  -- catalog_metrics.metric
    product_code  VARCHAR NOT NULL,  -- the Odoo product's default_code
    description   VARCHAR NOT NULL   -- the invoice line's template ({metric_name}, {period},
                                     -- {quantity}... docs/catalog.md)
)
