-- The period's accepted rows held when it was rated (usage_outcomes), for usage_quarantine. A
-- file missing from landed_files fails the insert (file_path is NOT NULL), never drops a row.
INSERT INTO usage_quarantine
SELECT q.reason, $billing_period, q.file_id, f.file_path,
       q.quarantined_row_number, q.raw.counter_id, q.raw.service, q.raw.account_id,
       q.raw.metric, q.raw.period_start, q.raw.period_end, q.raw.value, q.raw.unique_key,
       q.raw.dimensions, q.raw.pushed_at, NULL, 'rating', q.raw.ingestion_id
FROM usage_outcomes q
LEFT JOIN landed_files f ON f.file_id = q.file_id
WHERE q.status = 'quarantined'
ORDER BY f.file_path, q.quarantined_row_number
