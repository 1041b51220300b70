-- The period's accepted rows held when it was rated (usage_outcomes), for usage_quarantine. A
-- file missing from landed_files fails the insert (file_path is NOT NULL), never drops a row.
-- `detail` says what is missing and where it would come from.
INSERT INTO usage_quarantine
SELECT q.reason, $billing_period, q.file_id, f.file_path,
       q.quarantined_row_number, q.raw.counter_id, q.raw.service, q.raw.account_id,
       q.raw.metric, q.raw.period_start, q.raw.period_end, q.raw.value, q.raw.unique_key,
       q.raw.dimensions, q.raw.pushed_at,
       CASE q.reason
           WHEN 'unknown_metric' THEN 'metric ''' || q.raw.metric
                || ''' is no longer a metric of service ''' || q.raw.service
                || ''' in the catalog (metrics.yaml)'
           WHEN 'null_required' THEN
               CASE WHEN q.raw.value IS NULL
                    THEN 'value is null; metric ' || q.raw.metric
                         || ' is not a unique_count metric, so it needs one'
                    ELSE 'unique_key is blank; metric ' || q.raw.metric
                         || ' counts unique keys, so each row needs one' END
           WHEN 'ambiguous_account' THEN 'account ''' || q.raw.account_id || ''' of service '
                || q.raw.service || ' is linked to two customer keys in the account links '
                || '(accounts/): keep one'
           WHEN 'unknown_account' THEN 'no account link for account ''' || q.raw.account_id
                || ''' of service ' || q.raw.service || ' (accounts/): add one, and a later '
                || 'rating bills the row'
           WHEN 'no_subscription' THEN 'no subscription of account ''' || q.raw.account_id
                || ''' of service ' || q.raw.service || ' is active at '
                || strftime(q.raw.period_start, '%Y-%m-%d %H:%M:%S')
                || ' UTC (subscriptions/)'
           WHEN 'filtered_out' THEN 'dimensions '
                || coalesce('''' || left(q.raw.dimensions, 60) || '''', 'null')
                || ' do not match the dimension filter of metric ' || q.raw.metric
                || ' (metrics.yaml)'
       END,
       'rating', q.raw.ingestion_id
FROM usage_outcomes q
LEFT JOIN landed_files f ON f.file_id = q.file_id
WHERE q.status = 'quarantined'
ORDER BY f.file_path, q.quarantined_row_number
