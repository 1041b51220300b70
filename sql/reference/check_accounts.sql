-- Account links, each with the reason it cannot be used (NULL: usable).
-- One (service, account_id) linked to two customer keys is never guessed: all its links are held.
CREATE OR REPLACE TEMP TABLE account_checks AS
SELECT a.*,
       CASE
           WHEN nullif(trim(a.service), '') IS NULL OR nullif(trim(a.account_id), '') IS NULL
                OR nullif(trim(a.customer_key), '') IS NULL THEN 'null_required'
           WHEN s.service IS NULL THEN 'unknown_service'
           WHEN min(a.customer_key) OVER links <> max(a.customer_key) OVER links
               THEN 'ambiguous_account'
       END AS reason
FROM raw_accounts a
LEFT JOIN cat_services s ON s.service = a.service
WINDOW links AS (PARTITION BY a.service, a.account_id)
