-- The version in force of one account link, by the rating's rule (check_accounts.sql): among
-- its usable rows the latest version_at (none: older than any), then the file whose path sorts
-- last; with the time of its first version, and whether the rows tied as latest disagree on
-- the customer key (the rating then holds the link as ambiguous_account: the API must not
-- answer or build on one of them as if it were in force).
WITH versions AS (
    SELECT *, CAST(TRY_CAST(trim(version_at) AS TIMESTAMPTZ) AS TIMESTAMP) AS version_time
    FROM landed_accounts
    WHERE service = $service AND account_id = $key
      AND nullif(trim(customer_key), '') IS NOT NULL
),
usable AS (
    SELECT *, coalesce(version_time, TIMESTAMP '-infinity') AS version_order
    FROM versions
    WHERE version_time IS NOT NULL OR nullif(trim(version_at), '') IS NULL
)
SELECT * EXCLUDE (version_at, version_time, version_order), version_time AS updated_at,
       min(version_time) OVER () AS created_at,
       min(customer_key) OVER tied <> max(customer_key) OVER tied AS ambiguous
FROM usable
WINDOW tied AS (PARTITION BY version_order)
ORDER BY version_order DESC, file_path DESC
LIMIT 1
