-- The subscriptions of every landed file, every column as text as the ingest reads them: what
-- the API server reads a subscription's current version from (rating.api.landed_references).
CREATE TEMP TABLE landed_subscriptions (
    file_path VARCHAR NOT NULL, subscription_id VARCHAR, service VARCHAR, account_id VARCHAR,
    plan_code VARCHAR, "start" VARCHAR, "end" VARCHAR, version_at VARCHAR, name VARCHAR
)
