-- The catalog's services (catalog/services.yaml) as the latest rating used them; replaced by
-- each rating (rate/clear_catalog_services, then rate/insert_catalog_services).
CREATE TABLE IF NOT EXISTS catalog_services (
    service   VARCHAR NOT NULL,  -- the service code the apps write (e.g. nexamaps)
    name      VARCHAR NOT NULL,  -- its name on invoices (e.g. NexaMaps API)
    currency  VARCHAR NOT NULL   -- ISO code of its plans' default currency
)
