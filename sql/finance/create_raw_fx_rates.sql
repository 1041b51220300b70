-- FX rates as landed, every field as text (checked by check_fx_rates).
CREATE OR REPLACE TEMP TABLE raw_fx_rates (
    file_path VARCHAR, file_row_number BIGINT, date VARCHAR, currency VARCHAR,
    rate_to_cad VARCHAR
)
