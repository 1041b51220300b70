-- period.closed for each service of the catalog (catalog_services), its invoices in it too:
-- the period's invoice count and untaxed total per currency from invoice_lines (`totals`,
-- the service's catalog currency always listed, with 0 when it has no invoice), written in
-- the close's transaction when this close closed the period. Staged for
-- rating.webhooks.events.
CREATE OR REPLACE TEMP TABLE webhook_new_events AS
WITH invoices AS (
    SELECT service, currency, count(DISTINCT invoice_key) AS invoice_count,
           CAST(sum(amount) * 100 AS BIGINT) AS untaxed_cents
    FROM invoice_lines
    WHERE billing_period = $billing_period
    GROUP BY service, currency
),
services AS (
    SELECT DISTINCT service, currency FROM catalog_services
),
totals AS (
    SELECT coalesce(i.service, s.service) AS service, coalesce(i.currency, s.currency) AS currency,
           coalesce(i.invoice_count, 0) AS invoice_count,
           coalesce(i.untaxed_cents, 0) AS untaxed_cents
    FROM services s
    FULL JOIN invoices i ON i.service = s.service AND i.currency = s.currency
    WHERE coalesce(i.service, s.service) IN (SELECT service FROM services)
)
SELECT 'period.closed:' || service || ':' || $billing_period AS event_key,
       'period.closed' AS event_type, service, NULL::VARCHAR AS ordering_key,
       json_object('service', service, 'billing_period', $billing_period,
                   'closed_at', strftime($closed_at, '%Y-%m-%dT%H:%M:%S.%fZ'),
                   'invoice_count', sum(invoice_count),
                   'totals', list(json_object('currency', currency,
                                              'invoice_count', invoice_count,
                                              'untaxed_amount_cents', untaxed_cents)
                                  ORDER BY currency)) AS data
FROM totals
GROUP BY service
