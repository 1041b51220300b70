-- Legacy billing, provider cost and FX rate rows (or whole files) that cannot be used, with a
-- reason code; rewritten by each finance run.
CREATE TABLE IF NOT EXISTS finance_quarantine (
    kind             VARCHAR NOT NULL,   -- 'legacy_billing' | 'provider_costs' | 'fx_rates'
    reason           VARCHAR NOT NULL,   -- reason code (docs/margin.md)
    file_path        VARCHAR NOT NULL,   -- relative to the landing root
    file_row_number  BIGINT,             -- 0-based; NULL for a whole file
    record           VARCHAR,            -- the row's fields, for a person to find it
    detail           VARCHAR             -- what exactly is wrong; NULL when the reason says it all
)
