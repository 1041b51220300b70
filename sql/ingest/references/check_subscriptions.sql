-- Subscriptions with parsed UTC bounds and the reason each cannot be used (NULL: usable);
-- a subscription needs a usable account link (unknown_account otherwise).
-- A bare date means midnight in the billing time zone; a timestamp without an offset is UTC.
-- A file may carry `version_at` (the API's files do; kept as updated_at_text): among the usable
-- rows of one subscription_id, those with the latest version_at are in force and the others
-- superseded (a row without it is older than any row with it, so files without the column
-- compare as before); only rows not older than that are compared for duplicate_subscription.
-- Overlapping subscriptions of one account are not guessed at: in start order (ties: the
-- smaller subscription_id) a subscription is kept when it starts at or after the end of the
-- last one kept, and held otherwise.
CREATE OR REPLACE TEMP TABLE subscription_checks AS
WITH RECURSIVE parsed AS (
    SELECT r.*,
           CASE WHEN regexp_full_match(trim(r.start_text), '\d{4}-\d{1,2}-\d{1,2}')
                THEN CAST(timezone($time_zone, CAST(TRY_CAST(trim(r.start_text) AS DATE)
                                                    AS TIMESTAMP)) AS TIMESTAMP)
                ELSE CAST(TRY_CAST(trim(r.start_text) AS TIMESTAMPTZ) AS TIMESTAMP)
           END AS start_at,
           CASE WHEN nullif(trim(r.end_text), '') IS NULL THEN NULL
                WHEN regexp_full_match(trim(r.end_text), '\d{4}-\d{1,2}-\d{1,2}')
                THEN CAST(timezone($time_zone, CAST(TRY_CAST(trim(r.end_text) AS DATE)
                                                    AS TIMESTAMP)) AS TIMESTAMP)
                ELSE CAST(TRY_CAST(trim(r.end_text) AS TIMESTAMPTZ) AS TIMESTAMP)
           END AS end_at,
           CAST(TRY_CAST(trim(r.updated_at_text) AS TIMESTAMPTZ) AS TIMESTAMP) AS updated_at
    FROM raw_subscriptions r
),
basic AS (
    SELECT p.*,
           CASE
               WHEN nullif(trim(p.subscription_id), '') IS NULL
                    OR nullif(trim(p.service), '') IS NULL
                    OR nullif(trim(p.account_id), '') IS NULL
                    OR nullif(trim(p.plan_code), '') IS NULL
                    OR nullif(trim(p.start_text), '') IS NULL THEN 'null_required'
               WHEN p.start_at IS NULL THEN 'bad_timestamp'
               WHEN nullif(trim(p.end_text), '') IS NOT NULL AND p.end_at IS NULL
                   THEN 'bad_timestamp'
               WHEN nullif(trim(p.updated_at_text), '') IS NOT NULL AND p.updated_at IS NULL
                   THEN 'bad_timestamp'
               WHEN p.end_at <= p.start_at THEN 'bad_window'
               WHEN s.service IS NULL THEN 'unknown_service'
               WHEN pl.plan_code IS NULL THEN 'unknown_plan'
               WHEN pl.service <> p.service THEN 'plan_service_mismatch'
               WHEN acc.account_id IS NULL THEN 'unknown_account'
           END AS basic_reason
    FROM parsed p
    LEFT JOIN cat_services s ON s.service = p.service
    LEFT JOIN cat_plans pl ON pl.plan_code = p.plan_code
    LEFT JOIN ref_accounts acc ON acc.service = p.service AND acc.account_id = p.account_id
),
versions AS (
    SELECT *,
           coalesce(coalesce(updated_at, TIMESTAMP '-infinity')
                    < max(coalesce(updated_at, TIMESTAMP '-infinity'))
                          FILTER (WHERE basic_reason IS NULL) OVER (PARTITION BY subscription_id),
                    false) AS older
    FROM basic
),
checked AS (
    SELECT * EXCLUDE (basic_reason, older),
           basic_reason IS NULL AND older AS superseded,
           CASE
               WHEN basic_reason IS NOT NULL THEN basic_reason
               WHEN older THEN NULL
               WHEN count(*) OVER ids > 1
                    AND (min(service || '|' || account_id || '|' || plan_code || '|'
                             || start_at || '|' || coalesce(CAST(end_at AS VARCHAR), ''))
                             OVER ids
                         <> max(service || '|' || account_id || '|' || plan_code || '|'
                                || start_at || '|' || coalesce(CAST(end_at AS VARCHAR), ''))
                             OVER ids)
                   THEN 'duplicate_subscription'
           END AS reason
    FROM versions
    WINDOW ids AS (PARTITION BY subscription_id, older)
),
distinct_valid AS (
    SELECT * FROM checked WHERE reason IS NULL AND NOT superseded
    QUALIFY row_number() OVER (PARTITION BY subscription_id ORDER BY file_path DESC) = 1
),
running AS (
    SELECT *,
           start_at < max(coalesce(end_at, TIMESTAMP 'infinity')) OVER (
               PARTITION BY service, account_id ORDER BY start_at, subscription_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS overlaps_earlier
    FROM distinct_valid
),
-- Only accounts with an overlap need the walk below; the others keep every subscription.
ordered AS (
    SELECT *, row_number() OVER (PARTITION BY service, account_id
                                 ORDER BY start_at, subscription_id) AS position
    FROM distinct_valid
    WHERE (service, account_id) IN (SELECT service, account_id FROM running
                                    WHERE overlaps_earlier)
),
-- Walk each account's subscriptions in start order, keeping one when it starts at or after
-- the end of the last one kept: a held subscription never holds a later one.
walk AS (
    SELECT service, account_id, position, subscription_id, true AS kept,
           coalesce(end_at, TIMESTAMP 'infinity') AS kept_until
    FROM ordered WHERE position = 1
    UNION ALL
    SELECT o.service, o.account_id, o.position, o.subscription_id,
           o.start_at >= w.kept_until,
           CASE WHEN o.start_at >= w.kept_until
                THEN coalesce(o.end_at, TIMESTAMP 'infinity') ELSE w.kept_until END
    FROM walk w
    JOIN ordered o ON o.service = w.service AND o.account_id = w.account_id
                  AND o.position = w.position + 1
),
overlap_checks AS (
    SELECT subscription_id, NOT kept AS overlapping FROM walk
)
SELECT c.file_path, c.subscription_id, c.service, c.account_id, c.plan_code, c.start_text,
       c.end_text, c.start_at, c.end_at, c.updated_at_text, c.updated_at, c.superseded,
       CASE
           WHEN c.reason IS NOT NULL THEN c.reason
           WHEN o.overlapping THEN 'overlapping_subscription'
       END AS reason,
       c.reason IS NULL AND NOT c.superseded AND NOT coalesce(o.overlapping, false)
           AND row_number() OVER (PARTITION BY c.subscription_id, c.reason
                                  ORDER BY c.superseded, c.file_path DESC) = 1 AS usable
FROM checked c
LEFT JOIN overlap_checks o ON o.subscription_id = c.subscription_id AND c.reason IS NULL
                          AND NOT c.superseded
