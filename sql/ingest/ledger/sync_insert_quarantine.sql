-- The rows quarantined at ingestion, and unreadable files by name, that the new ingestions
-- landed or re-decided. `detail` says what was found and what the contract wants: the ledger's
-- own detail where the row's columns lost the evidence (ledger/insert_usage_rows.sql), else
-- derived here from the row, so a reason re-decided under a changed catalog gets its own.
INSERT INTO usage_quarantine
SELECT u.reason,
       CASE WHEN u.period_key <> 0
            THEN CAST(u.period_key // 100 AS VARCHAR) || '-'
                 || lpad(CAST(u.period_key % 100 AS VARCHAR), 2, '0') END,
       u.file_id, f.file_path, u.file_row_number, u.counter_id, u.service, u.account_id,
       u.metric, u.period_start, u.period_end, u.value, u.unique_key, u.dimensions, u.pushed_at,
       coalesce(u.detail, CASE u.reason
           WHEN 'missing_column' THEN
               CASE WHEN len(f.missing_columns) > 0
                    THEN 'the file lacks ' || array_to_string(f.missing_columns, ', ')
                         || ', which the contract requires'
                    ELSE 'the file has no value column, which metric ' || u.metric
                         || ' needs (only a unique_count metric goes without)' END
           WHEN 'null_required' THEN
               CASE WHEN u.counter_id IS NULL THEN 'counter_id is null'
                    WHEN is_blank(u.counter_id) THEN 'counter_id is blank'
                    WHEN u.service IS NULL THEN 'service is null (and no service= folder)'
                    WHEN u.account_id IS NULL THEN 'account_id is null'
                    WHEN u.metric IS NULL THEN 'metric is null'
                    WHEN u.period_start IS NULL THEN 'period_start is null'
                    WHEN u.period_end IS NULL THEN 'period_end is null'
                    WHEN u.pushed_at IS NULL THEN 'pushed_at is null'
                    WHEN u.value IS NULL THEN 'value is null; metric ' || u.metric
                         || ' is not a unique_count metric, so it needs one'
                    ELSE 'unique_key is blank; metric ' || u.metric
                         || ' counts unique keys, so each row needs one' END
                    || '; the contract requires it'
           WHEN 'negative_value' THEN 'value is ' || trim_decimal(u.value)
                || '; a counter is never negative'
           WHEN 'value_out_of_range' THEN 'value is ' || trim_decimal(u.value)
                || ', above 10^15: a unit mix-up (bytes sent as gigabytes?)'
           WHEN 'bad_window' THEN 'period_end ' || strftime(u.period_end, '%Y-%m-%d %H:%M:%S')
                || ' UTC is not after period_start '
                || strftime(u.period_start, '%Y-%m-%d %H:%M:%S') || ' UTC'
           WHEN 'unknown_service' THEN 'service ''' || left(u.service, 60)
                || ''' is not in the catalog (services.yaml)'
           WHEN 'unknown_metric' THEN 'metric ''' || left(u.metric, 60)
                || ''' is not a metric of service ''' || u.service
                || ''' in the catalog (metrics.yaml)'
           WHEN 'bad_dimensions_json' THEN 'dimensions is ''' || left(u.dimensions, 60)
                || ''', not a JSON object of string to string'
           WHEN 'outside_billing_periods' THEN 'period_start '
                || strftime(u.period_start, '%Y-%m-%d %H:%M:%S')
                || ' UTC is outside the billing periods (2000-01 to 2099-12)'
           WHEN 'window_crosses_period' THEN 'the window '
                || strftime(u.period_start, '%Y-%m-%d %H:%M:%S') || ' to '
                || strftime(u.period_end, '%Y-%m-%d %H:%M:%S')
                || ' UTC ends after its billing period does: split it at the boundary'
       END),
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
