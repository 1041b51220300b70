-- What the period's invoices need from Odoo's setup: each service (with its name) and each
-- unit of measure its lines may carry: the metric's, and a package's ("1,000 conversations",
-- as rating.odoo.payload.package_unit writes it; NULL for other charges). The service of an
-- adjustment an invoice of the period carries (delivery 'next_period') is needed too, even
-- when no invoice line of the period has it (the invoice carries the adjustment lines alone);
-- those lines are 1 x the difference, in Units, which every period needs.
SELECT DISTINCT l.service, coalesce(s.name, l.service) AS service_name,
       coalesce(m.unit, '') AS unit,
       CASE WHEN l.model = 'package' AND cp.package_size IS NOT NULL
            THEN format_quantity(cp.package_size) || ' ' || coalesce(m.unit, '') END
           AS package_unit
FROM invoice_line_charges l
LEFT JOIN catalog_metrics m ON m.service = l.service AND m.metric = l.metric
LEFT JOIN catalog_services s ON s.service = l.service
LEFT JOIN catalog_prices cp
       ON cp.charge_id = l.charge_id AND cp.effective_from = l.price_effective_from
WHERE l.billing_period = $billing_period
UNION
SELECT DISTINCT a.service, coalesce(s.name, a.service), '', NULL
FROM period_adjustments a
LEFT JOIN catalog_services s ON s.service = a.service
WHERE a.delivery = 'next_period' AND a.target_period = $billing_period
ORDER BY ALL
