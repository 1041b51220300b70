-- The catalog's plans (catalog/plans.yaml) as the latest rating used them; replaced by each
-- rating.
CREATE TABLE IF NOT EXISTS catalog_plans (
    plan_code  VARCHAR NOT NULL,  -- the code subscriptions name (validated_subscriptions)
    service    VARCHAR NOT NULL,  -- catalog_services.service
    name       VARCHAR NOT NULL,  -- the plan's name
    currency   VARCHAR NOT NULL   -- ISO code of the plan's prices and invoices
)
