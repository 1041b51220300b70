-- A name, a service and a unit for each catalog product, for the products created in Odoo
-- when missing: "<service name>: <metric name>" in its service's product category and its
-- metric's unit, all from the same charge (the first by name, when a product code serves
-- several charges).
SELECT c.product_code,
       arg_min(s.name || ': ' || m.name, s.name || ': ' || m.name || p.service) AS name,
       arg_min(p.service, s.name || ': ' || m.name || p.service) AS service,
       arg_min(s.name, s.name || ': ' || m.name || p.service) AS service_name,
       arg_min(m.unit, s.name || ': ' || m.name || p.service) AS unit
FROM catalog_charges c
JOIN catalog_plans p USING (plan_code)
JOIN catalog_metrics m ON m.service = p.service AND m.metric = c.metric
JOIN catalog_services s ON s.service = p.service
WHERE c.product_code IN (SELECT unnest($codes))
GROUP BY c.product_code
ORDER BY c.product_code
