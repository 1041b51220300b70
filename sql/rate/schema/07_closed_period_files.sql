-- The usage files a closed period was rated from; usage of that period from any other file is
-- late (late_usage).
CREATE TABLE IF NOT EXISTS closed_period_files (
    billing_period  VARCHAR NOT NULL,  -- closed_periods.billing_period
    file_id         BIGINT NOT NULL    -- landed_files.file_id
)
