-- Provider cost rows as landed, every field as text (checked by check_provider_costs).
CREATE OR REPLACE TEMP TABLE raw_provider_costs (
    file_path VARCHAR, file_row_number BIGINT, date VARCHAR, provider VARCHAR,
    service VARCHAR, account_id VARCHAR, metric VARCHAR, cost VARCHAR, currency VARCHAR
)
