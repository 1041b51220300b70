-- Account links, each with the reason it cannot be used (NULL: usable). A (service,
-- account_id) linked to two customer keys is never guessed: all its usable links are held.
-- Only links that are otherwise usable count: a blank row does not make a good one ambiguous.
CREATE OR REPLACE TEMP TABLE account_checks AS
WITH checked AS (
    SELECT a.*,
           CASE
               WHEN nullif(trim(a.service), '') IS NULL OR nullif(trim(a.account_id), '') IS NULL
                    OR nullif(trim(a.customer_key), '') IS NULL THEN 'null_required'
               WHEN s.service IS NULL THEN 'unknown_service'
           END AS basic_reason
    FROM raw_accounts a
    LEFT JOIN cat_services s ON s.service = a.service
)
SELECT * EXCLUDE (basic_reason),
       CASE
           WHEN basic_reason IS NOT NULL THEN basic_reason
           WHEN min(customer_key) OVER links <> max(customer_key) OVER links
               THEN 'ambiguous_account'
       END AS reason
FROM checked
WINDOW links AS (PARTITION BY service, account_id, basic_reason IS NULL)
