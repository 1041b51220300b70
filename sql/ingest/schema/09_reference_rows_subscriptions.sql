-- The rows (as text) of every subscriptions file version in force (reference_files).
CREATE TABLE IF NOT EXISTS reference_rows_subscriptions (
    file_path        VARCHAR NOT NULL,  -- the file they come from (reference_files.file_path)
    subscription_id  VARCHAR,           -- as written in the file; NULL: empty
    service          VARCHAR,           -- as written; catalog_services.service once validated
    account_id       VARCHAR,           -- the app's account id, as written
    plan_code        VARCHAR,           -- as written; catalog_plans.plan_code once validated
    start_text       VARCHAR,           -- the start as written (parsed into
                                        -- validated_subscriptions.start_at)
    end_text         VARCHAR,           -- the end as written; NULL or empty: open-ended
    updated_at_text  VARCHAR            -- the file's version_at, as written (the API's
                                        -- files); the latest usable version of an id is in
                                        -- force; NULL: older than any version with one
)
