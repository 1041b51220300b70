-- A name for each catalog product, for the products created in Odoo when missing:
-- "<service name>: <metric name>" (the first, when a product code serves several charges).
SELECT c.product_code, min(s.name || ': ' || m.name) AS name
FROM catalog_charges c
JOIN catalog_plans p USING (plan_code)
JOIN catalog_metrics m ON m.service = p.service AND m.metric = c.metric
JOIN catalog_services s ON s.service = p.service
WHERE c.product_code IN (SELECT unnest($codes))
GROUP BY c.product_code
ORDER BY c.product_code
