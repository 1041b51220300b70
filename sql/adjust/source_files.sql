-- Per decided invoice key: the usage files behind its change and why it changed. The rows of
-- the period that arrived (ingestion_id) or changed status (changed_in) after the key's
-- previous revision, else after the close ($closed_through), for the key's customer and
-- service (account_links: the accounts as the re-rate linked them). reason: 'correction' when
-- such a push superseded a row already invoiced, 'late_usage' when rows arrived, 'redecided'
-- when only a decision changed (a catalog change), else $fallback_reason. Rows the re-rate held
-- (TEMP usage_outcomes: no subscription then, no account link) are behind no change: left out.
CREATE OR REPLACE TEMP TABLE adjust_sources AS
WITH keys AS (
    SELECT d.invoice_key, min(l.customer_key) AS customer_key, min(l.service) AS service,
           coalesce((SELECT max(a.through_ingestion_id) FROM period_adjustments a
                     WHERE a.invoice_key = d.invoice_key), $closed_through) AS since
    FROM adjust_decisions d
    JOIN adjust_lines l ON l.invoice_key = d.invoice_key
    GROUP BY d.invoice_key
),
touched AS (
    SELECT k.invoice_key, u.file_id, u.status,
           u.ingestion_id > k.since AS arrived,
           coalesce(u.changed_in > k.since, false) AS changed
    FROM ledger.usage_rows u
    JOIN account_links l ON l.service = u.service AND l.account_id = u.account_id
                        AND NOT l.ambiguous
    JOIN keys k ON k.customer_key = l.customer_key AND k.service = u.service
    WHERE u.period_key = $period_key AND u.status <> 'quarantined'
      AND (u.ingestion_id > k.since OR u.changed_in > k.since)
      AND NOT EXISTS (SELECT 1 FROM usage_outcomes o
                      WHERE o.status = 'quarantined' AND o.file_id = u.file_id
                        AND o.quarantined_row_number = u.file_row_number)
)
SELECT k.invoice_key,
       coalesce(list(DISTINCT f.file_path ORDER BY f.file_path)
                    FILTER (WHERE t.arrived OR (t.changed AND t.status = 'accepted')),
                []) AS source_files,
       CASE WHEN bool_or(t.changed AND NOT t.arrived AND t.status = 'superseded')
                THEN 'correction'
            WHEN bool_or(t.arrived) THEN 'late_usage'
            WHEN bool_or(t.changed) THEN 'redecided'
            ELSE $fallback_reason END AS reason
FROM keys k
LEFT JOIN touched t ON t.invoice_key = k.invoice_key
LEFT JOIN landed_files f ON f.file_id = t.file_id
GROUP BY k.invoice_key
