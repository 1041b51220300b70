-- Subscriptions and account links that cannot be used, and the lines of files in force that
-- could not be decoded (unreadable_line). Held files are added by name (rating.rate.engine).
INSERT INTO reference_quarantine
SELECT 'accounts', reason, file_path,
       concat_ws(',', service, account_id, customer_key), NULL
FROM account_checks WHERE reason IS NOT NULL
UNION ALL
SELECT 'subscriptions', reason, file_path,
       concat_ws(',', subscription_id, service, account_id, plan_code, start_text, end_text),
       NULL
FROM subscription_checks WHERE reason IS NOT NULL
UNION ALL
SELECT kind, 'unreadable_line', file_path, record, detail
FROM reference_rejects
ORDER BY 1, 3, 4, 2
