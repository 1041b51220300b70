-- The revisions decided in this run, once: a revision already written for the key (a rerun,
-- a run that raced this one) is never written again. Frozen from here on. A key the period
-- had no invoice for at the close (all of its usage came late) says so: its supplementary
-- invoice stands alone.
-- Delivery ($delivery, FUSION_ADJUST_DELIVERY): 'separate', each revision its own document;
-- 'next_period', its lines on the customer's invoice of the same service in the first open
-- period (the earliest month after the period that is not closed), as rated now, unless it
-- has none, is in another currency, or would total less than zero with this revision and
-- those already put on it: then separate, and the reason text says why.
INSERT INTO period_adjustments (adjustment_key, invoice_key, billing_period, customer_key,
    service, currency, revision, document_kind, delivery, target_period, old_amount,
    new_amount, amount_net, amount_document, reason, reason_text, source_files,
    through_ingestion_id, run_id, issued_at, issue_date)
WITH totals AS (
    SELECT invoice_key, min(customer_key) AS customer_key, min(service) AS service,
           min(currency) AS currency, sum(old_amount) AS old_amount,
           sum(new_amount) AS new_amount, sum(amount_delta) AS amount_net
    FROM adjust_lines
    GROUP BY invoice_key
),
open_period AS (
    SELECT min(candidate) AS target_period
    FROM (SELECT strftime(CAST(p || '-01' AS DATE) + INTERVAL 1 MONTH, '%Y-%m') AS candidate
          FROM (SELECT $billing_period AS p
                UNION ALL
                SELECT billing_period FROM closed_periods
                WHERE billing_period >= $billing_period) months) next_months
    WHERE candidate NOT IN (SELECT billing_period FROM closed_periods)
),
targets AS (
    SELECT customer_key, service, invoice_key, min(currency) AS currency,
           sum(amount) AS amount
    FROM invoice_lines
    WHERE billing_period = (SELECT target_period FROM open_period)
    GROUP BY customer_key, service, invoice_key
),
carried AS (
    SELECT customer_key, service, sum(amount_net) AS amount
    FROM period_adjustments
    WHERE delivery = 'next_period' AND target_period = (SELECT target_period FROM open_period)
    GROUP BY customer_key, service
),
issued AS (
    SELECT d.invoice_key, d.revision, d.document_kind, t.customer_key, t.service, t.currency,
           t.old_amount, t.new_amount, t.amount_net,
           coalesce(s.reason, $fallback_reason) AS reason,
           coalesce(s.source_files, []) AS source_files,
           o.target_period, g.invoice_key AS target_key,
           CASE WHEN $delivery <> 'next_period' THEN NULL
                WHEN g.invoice_key IS NULL
                    THEN t.customer_key || ' has no ' || t.service || ' invoice in '
                         || o.target_period || ' to carry it'
                WHEN g.currency <> t.currency
                    THEN 'its ' || o.target_period || ' invoice ' || g.invoice_key
                         || ' is in ' || g.currency
                WHEN g.amount + coalesce(c.amount, 0) + t.amount_net < 0
                    THEN 'crediting ' || CAST(-t.amount_net AS VARCHAR) || ' ' || t.currency
                         || ' would take its ' || o.target_period || ' invoice '
                         || g.invoice_key || ' of '
                         || CAST(CAST(g.amount + coalesce(c.amount, 0) AS DECIMAL(38, 2))
                                 AS VARCHAR)
                         || ' below zero'
           END AS delivered_separately,
           EXISTS (SELECT 1 FROM invoice_lines l WHERE l.billing_period = $billing_period
                                                   AND l.invoice_key = d.invoice_key)
               AS has_original
    FROM adjust_decisions d
    JOIN totals t ON t.invoice_key = d.invoice_key
    LEFT JOIN adjust_sources s ON s.invoice_key = d.invoice_key
    CROSS JOIN open_period o
    LEFT JOIN targets g ON g.customer_key = t.customer_key AND g.service = t.service
    LEFT JOIN carried c ON c.customer_key = t.customer_key AND c.service = t.service
    WHERE d.document_kind IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM period_adjustments a
                      WHERE a.invoice_key = d.invoice_key AND a.revision = d.revision)
)
SELECT invoice_key || '/r' || revision, invoice_key, $billing_period, customer_key, service,
       currency, revision, document_kind,
       CASE WHEN $delivery = 'next_period' AND delivered_separately IS NULL
            THEN 'next_period' ELSE 'separate' END,
       CASE WHEN $delivery = 'next_period' AND delivered_separately IS NULL
            THEN target_period END,
       old_amount, new_amount, amount_net, abs(amount_net), reason,
       CASE reason
           WHEN 'correction' THEN 'Corrected usage for ' || $period_label
           WHEN 'redecided' THEN 'Usage for ' || $period_label || ' decided again'
           WHEN 'on_purpose' THEN $period_label || ' re-rated on request'
           WHEN 'late_usage' THEN 'Usage for ' || $period_label || ' received after its '
                                  || CASE WHEN has_original THEN 'invoice' ELSE 'close' END
           ELSE 'Usage for ' || $period_label || ' received after its invoice'
       END
       || CASE WHEN has_original THEN ''
               ELSE ' (no invoice for ' || $period_label || ' at its close)' END
       || ', revision ' || revision || ' of ' || invoice_key
       || CASE WHEN $delivery <> 'next_period' THEN ''
               WHEN delivered_separately IS NULL
                   THEN ', on the ' || target_period || ' invoice ' || target_key
               ELSE '; a document of its own: ' || delivered_separately
          END,
       source_files, $through_ingestion_id, $run_id, $issued_at, $issue_date
FROM issued
ORDER BY invoice_key
