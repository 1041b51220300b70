INSERT INTO usage_quarantine
SELECT q.reason, p.billing_period, q.file_id, f.file_path,
       q.quarantined_row_number AS file_row_number, q.raw.counter_id, q.raw.service,
       q.raw.account_id, q.raw.metric, q.raw.period_start, q.raw.period_end, q.raw.value,
       q.raw.unique_key, q.raw.dimensions, q.raw.pushed_at,
       CASE WHEN q.reason = 'missing_column'
            THEN 'file lacks: ' || coalesce(nullif(array_to_string(f.missing_columns, ', '), ''),
                                            'value')
       END AS detail
FROM usage_outcomes q
JOIN landed_file_checks f ON f.file_id = q.file_id
LEFT JOIN (SELECT DISTINCT period_key, billing_period FROM period_buckets) p
       ON p.period_key = q.period_key
WHERE q.status = 'quarantined'
UNION ALL
SELECT 'unreadable_file', NULL, f.file_id, f.file_path, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, f.error
FROM landed_file_checks f
WHERE f.status = 'unreadable'
ORDER BY file_path, file_row_number NULLS FIRST
