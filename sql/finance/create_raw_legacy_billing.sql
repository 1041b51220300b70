-- Legacy billing rows as landed, every field as text (checked by check_legacy_billing).
CREATE OR REPLACE TEMP TABLE raw_legacy_billing (
    file_path VARCHAR, file_row_number BIGINT, source VARCHAR, service VARCHAR,
    account_id VARCHAR, period VARCHAR, charge VARCHAR, amount VARCHAR, currency VARCHAR,
    legacy_invoice_id VARCHAR
)
