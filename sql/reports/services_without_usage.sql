-- Catalog services with subscriptions but no accepted usage at all in the period: an app that
-- stopped pushing.
SELECT c.service
FROM catalog_services c
WHERE NOT EXISTS (SELECT 1 FROM usage_rollups r
                  WHERE r.billing_period = $billing_period AND r.service = c.service)
ORDER BY c.service
