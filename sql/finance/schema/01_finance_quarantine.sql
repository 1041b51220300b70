-- Legacy billing, provider cost and FX rate rows (or whole files) that cannot be used, with a
-- reason code; rewritten by each finance run.
CREATE TABLE IF NOT EXISTS finance_quarantine (
    kind             VARCHAR NOT NULL,   -- 'legacy_billing' | 'provider_costs' | 'fx_rates'
    reason           VARCHAR NOT NULL,
    file_path        VARCHAR NOT NULL,   -- relative to the landing root
    file_row_number  BIGINT,             -- 0-based; NULL for a whole file
    record           VARCHAR,            -- the row's fields, for a person to find it
    detail           VARCHAR,
    -- The row's fields a report reads, typed (NULL for a whole file, or when the row lacks the
    -- field or it does not read as its type); added after the table was first written, hence
    -- last (sql/finance/schema/13_*.sql add them to an existing warehouse):
    service          VARCHAR,            -- the catalog service the row names (trimmed)
    billing_period   VARCHAR,            -- 'YYYY-MM': a legacy row's period, a cost's or
                                         -- rate's calendar month
    amount           DECIMAL(38, 9),     -- a legacy charge or a provider cost, in `currency`
    currency         VARCHAR             -- upper case, as landed
)
