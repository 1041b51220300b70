-- Our invoice lines against the legacy billing for one period. Grain: customer, service and
-- charge (our metric). Where the legacy billed a customer's service only as a whole (every
-- row's charge blank), our side is the invoice total under charge ''. Legacy rows of one
-- grain are summed (a legacy system may split a charge in several lines).
INSERT INTO reconciliation_legacy (billing_period, service, customer_key, charge, sources,
    our_amount, legacy_amount, difference, our_currency, legacy_currency, class, tolerance,
    legacy_invoice_ids, billing_month)
WITH ours_by_metric AS (
    SELECT customer_key, service, metric AS charge, sum(amount) AS amount,
           min(currency) AS currency
    FROM invoice_line_charges
    WHERE billing_period = $billing_period
    GROUP BY ALL
),
legacy AS (
    SELECT customer_key, service, charge, sum(amount) AS amount,
           CASE WHEN min(currency) = max(currency) THEN min(currency) ELSE 'mixed' END
               AS currency,
           string_agg(DISTINCT source, ',' ORDER BY source) AS sources,
           string_agg(DISTINCT legacy_invoice_id, ',' ORDER BY legacy_invoice_id) AS ids
    FROM legacy_billing WHERE billing_period = $billing_period
    GROUP BY ALL
),
invoice_level AS (   -- customers and services the legacy billed as a whole only
    SELECT customer_key, service FROM legacy GROUP BY ALL HAVING max(charge) = ''
),
ours AS (
    SELECT o.* FROM ours_by_metric o
    ANTI JOIN invoice_level i USING (customer_key, service)
    UNION ALL
    SELECT o.customer_key, o.service, '' AS charge, sum(o.amount), min(o.currency)
    FROM ours_by_metric o SEMI JOIN invoice_level i USING (customer_key, service)
    GROUP BY ALL
)
SELECT $billing_period, coalesce(o.service, g.service), coalesce(o.customer_key, g.customer_key),
       coalesce(o.charge, g.charge), g.sources, o.amount, g.amount,
       coalesce(g.amount, 0) - coalesce(o.amount, 0), o.currency, g.currency,
       -- A zero line on one side and none on the other bills nothing either way: a match
       -- (legacy systems often omit lines inside the included units).
       CASE WHEN g.amount IS NULL AND o.amount = 0 THEN 'match'
            WHEN o.amount IS NULL AND g.amount = 0 THEN 'match'
            WHEN g.amount IS NULL THEN 'only_in_ours'
            WHEN o.amount IS NULL THEN 'only_in_legacy'
            WHEN g.currency <> o.currency THEN 'currency_differs'
            WHEN abs(g.amount - o.amount) <= $tolerance THEN 'match'
            ELSE 'amount_differs' END,
       $tolerance, g.ids, CAST($billing_period || '-01' AS DATE)
FROM ours o
FULL JOIN legacy g USING (customer_key, service, charge)
ORDER BY 2, 3, 4
