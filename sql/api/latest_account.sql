-- The version in force of one account link, by the rating's rule (check_accounts.sql): among
-- its usable rows the latest updated_at (none: older than any), then the file whose path sorts
-- last; with the time of its first version. Whether its customer key is ambiguous is the
-- rating's to say.
WITH versions AS (
    SELECT *, CAST(TRY_CAST(trim(updated_at) AS TIMESTAMPTZ) AS TIMESTAMP) AS version_at
    FROM landed_accounts
    WHERE service = $service AND account_id = $key
      AND nullif(trim(customer_key), '') IS NOT NULL
)
SELECT * EXCLUDE (updated_at, version_at), version_at AS updated_at,
       min(version_at) OVER () AS created_at
FROM versions
WHERE version_at IS NOT NULL OR nullif(trim(updated_at), '') IS NULL
ORDER BY coalesce(version_at, TIMESTAMP '-infinity') DESC, file_path DESC
LIMIT 1
