-- usage.rejected for each ingestion mirrored now that landed new pushes, per service: an
-- incremental ingestion above $since (the mirror caught up: NULL when it started over, a first
-- mirror or another ledger, whose history was told by the warehouse that mirrored it), and this
-- run's own ingestion $ingestion_id: incremental, or a rebuild's rows of the files that were
-- not in the manifest it replaced ($new_file_ids: landed since the last ingestion, never told).
-- Per service, the rows it quarantined at ingestion, counted by
-- reason, the first 100 in file order (`truncated` when there are more). A row's service is its
-- own, else its file's service=<code> folder; a row whose service is not in the catalog in
-- force (cat_services) cannot be routed to an app and is told to none, nor is an unreadable
-- file (a reason, not a row). Staged for rating.webhooks.events.
CREATE OR REPLACE TEMP TABLE webhook_new_events AS
WITH rejected AS (
    SELECT q.ingestion_id,
           coalesce(q.service, nullif(regexp_extract(q.file_path, '(^|/)service=([^/]+)/', 2),
                                      '')) AS service,
           q.counter_id, q.reason, q.detail, q.file_path, q.file_row_number, q.account_id,
           q.metric
    FROM usage_quarantine q
    JOIN ingestions i ON i.ingestion_id = q.ingestion_id
    WHERE q.stage = 'ingestion' AND q.file_row_number IS NOT NULL
      AND ((q.ingestion_id > $since AND i.kind = 'incremental')
           OR (q.ingestion_id = $ingestion_id
               AND (i.kind = 'incremental'
                    OR list_contains(CAST($new_file_ids AS BIGINT[]), q.file_id))))
),
routed AS (
    SELECT *, row_number() OVER (PARTITION BY service, ingestion_id
                                 ORDER BY file_path, file_row_number) AS position
    FROM rejected
    WHERE service IN (SELECT service FROM cat_services)
),
reasons AS (
    SELECT service, ingestion_id, reason, count(*) AS row_count
    FROM routed GROUP BY service, ingestion_id, reason
),
by_reason AS (
    SELECT service, ingestion_id, sum(row_count) AS total_rows,
           map_from_entries(list({'key': reason, 'value': row_count} ORDER BY reason))
               AS counts_by_reason
    FROM reasons GROUP BY service, ingestion_id
),
first_rows AS (
    SELECT service, ingestion_id,
           list(json_object('counter_id', counter_id, 'reason', reason, 'detail', detail,
                            'file_path', file_path, 'file_row_number', file_row_number,
                            'account_id', account_id, 'metric', metric)
                ORDER BY file_path, file_row_number) AS shown
    FROM routed WHERE position <= 100
    GROUP BY service, ingestion_id
)
SELECT 'usage.rejected:' || b.service || ':' || b.ingestion_id AS event_key,
       'usage.rejected' AS event_type, b.service, NULL::VARCHAR AS ordering_key,
       json_object('service', b.service, 'ingestion_id', b.ingestion_id,
                   'total_rows', b.total_rows, 'counts_by_reason', b.counts_by_reason,
                   'rows', f.shown, 'truncated', b.total_rows > 100) AS data
FROM by_reason b
JOIN first_rows f USING (service, ingestion_id)
