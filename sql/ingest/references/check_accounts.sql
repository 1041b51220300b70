-- Account links, each with the reason it cannot be used (NULL: usable) and whether a later
-- version of its (service, account_id) supersedes it. A file may carry `version_at` (the API's
-- files do; kept as updated_at_text): among the usable links of one (service, account_id), those
-- with the latest version_at are in force and the others superseded; a link without it is
-- older than any link with it, so files without the column compare as before. A (service,
-- account_id) whose links in force point at two customer keys is never guessed: all those links
-- are held. Only links that are otherwise usable count: a blank row neither makes a good one
-- ambiguous nor supersedes it.
CREATE OR REPLACE TEMP TABLE account_checks AS
WITH parsed AS (
    SELECT a.*, CAST(TRY_CAST(trim(a.updated_at_text) AS TIMESTAMPTZ) AS TIMESTAMP) AS updated_at
    FROM raw_accounts a
),
checked AS (
    SELECT p.*,
           CASE
               WHEN nullif(trim(p.service), '') IS NULL OR nullif(trim(p.account_id), '') IS NULL
                    OR nullif(trim(p.customer_key), '') IS NULL THEN 'null_required'
               WHEN nullif(trim(p.updated_at_text), '') IS NOT NULL AND p.updated_at IS NULL
                   THEN 'bad_timestamp'
               WHEN s.service IS NULL THEN 'unknown_service'
           END AS basic_reason
    FROM parsed p
    LEFT JOIN cat_services s ON s.service = p.service
),
versions AS (
    SELECT *,
           basic_reason IS NULL
               AND coalesce(updated_at, TIMESTAMP '-infinity')
                   < max(coalesce(updated_at, TIMESTAMP '-infinity')) OVER links AS superseded
    FROM checked
    WINDOW links AS (PARTITION BY service, account_id, basic_reason IS NULL)
)
SELECT * EXCLUDE (basic_reason),
       CASE
           WHEN basic_reason IS NOT NULL THEN basic_reason
           WHEN NOT superseded
                AND min(customer_key) OVER in_force <> max(customer_key) OVER in_force
               THEN 'ambiguous_account'
       END AS reason
FROM versions
WINDOW in_force AS (PARTITION BY service, account_id, basic_reason IS NULL, superseded)
