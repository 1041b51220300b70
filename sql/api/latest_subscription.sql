-- The version in force of one subscription, by the rating's rule (check_subscriptions.sql):
-- among its rows with every required field the latest version_at (none: older than any), then
-- the file whose path sorts last; its bounds as UTC instants (a bare date is midnight in the
-- billing time zone), with the time of its first version, and whether the rows tied as latest
-- disagree on its account, plan or bounds (the rating then holds it as duplicate_subscription:
-- the API must not answer or build on one of them as if it were in force).
WITH versions AS (
    SELECT *, CAST(TRY_CAST(trim(version_at) AS TIMESTAMPTZ) AS TIMESTAMP) AS version_time,
           CAST(CASE WHEN regexp_full_match(trim("start"), '\d{4}-\d{1,2}-\d{1,2}')
                     THEN timezone($time_zone, CAST(TRY_CAST(trim("start") AS DATE) AS TIMESTAMP))
                     ELSE TRY_CAST(trim("start") AS TIMESTAMPTZ) END AS TIMESTAMP) AS start_at,
           CAST(CASE WHEN regexp_full_match(trim("end"), '\d{4}-\d{1,2}-\d{1,2}')
                     THEN timezone($time_zone, CAST(TRY_CAST(trim("end") AS DATE) AS TIMESTAMP))
                     ELSE TRY_CAST(trim("end") AS TIMESTAMPTZ) END AS TIMESTAMP) AS end_at
    FROM landed_subscriptions
    WHERE service = $service AND subscription_id = $key
      AND nullif(trim(account_id), '') IS NOT NULL AND nullif(trim(plan_code), '') IS NOT NULL
),
usable AS (
    SELECT *, coalesce(version_time, TIMESTAMP '-infinity') AS version_order,
           account_id || '|' || plan_code || '|' || start_at || '|'
               || coalesce(CAST(end_at AS VARCHAR), '') AS terms
    FROM versions
    WHERE start_at IS NOT NULL AND (nullif(trim("end"), '') IS NULL OR end_at IS NOT NULL)
      AND (version_time IS NOT NULL OR nullif(trim(version_at), '') IS NULL)
)
SELECT subscription_id, service, account_id, plan_code, name, "start" AS start_text,
       "end" AS end_text, start_at, end_at, file_path,
       version_time AS updated_at, min(version_time) OVER () AS created_at,
       min(terms) OVER tied <> max(terms) OVER tied AS duplicate
FROM usable
WINDOW tied AS (PARTITION BY version_order)
ORDER BY version_order DESC, file_path DESC
LIMIT 1
