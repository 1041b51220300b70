-- The rows quarantined at ingestion, and unreadable files by name, that the new ingestions
-- landed or re-decided.
INSERT INTO usage_quarantine
SELECT u.reason,
       CASE WHEN u.period_key <> 0
            THEN CAST(u.period_key // 100 AS VARCHAR) || '-'
                 || lpad(CAST(u.period_key % 100 AS VARCHAR), 2, '0') END,
       u.file_id, f.file_path, u.file_row_number, u.counter_id, u.service, u.account_id,
       u.metric, u.period_start, u.period_end, u.value, u.unique_key, u.dimensions, u.pushed_at,
       CASE WHEN u.reason = 'missing_column'
            THEN 'file lacks: ' || coalesce(nullif(array_to_string(f.missing_columns, ', '), ''),
                                            'value')
       END,
       'ingestion', u.ingestion_id
FROM ledger.usage_rows u
JOIN ledger.ingested_files f ON f.file_id = u.file_id
WHERE (u.ingestion_id > $synced OR u.changed_in > $synced) AND u.status = 'quarantined'
UNION ALL
SELECT 'unreadable_file', NULL, file_id, file_path, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, error, 'ingestion', ingestion_id
FROM ledger.ingested_files
WHERE ingestion_id > $synced AND status = 'unreadable'
ORDER BY file_path, file_row_number NULLS FIRST
